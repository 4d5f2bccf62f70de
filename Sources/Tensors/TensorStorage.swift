/// The heap buffer behind a ``Tensor``: a 64-byte-aligned block of `count` scalars.
///
/// Tensors share a storage object until one of them is mutated; the mutating tensor then
/// copies it first (copy-on-write through `isKnownUniquelyReferenced`). The buffer is only ever
/// written by its unique owner, or — for a freshly made result — before it is shared, which is
/// what makes the `@unchecked Sendable` conformance sound.
final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    let count: Int
    let base: UnsafeMutablePointer<Scalar>

    /// Allocates room for `count` scalars. The contents are unspecified; callers write every
    /// element before reading (Float and Double are trivial types, so this is well-defined).
    init(uninitializedCount count: Int) {
        precondition(count >= 0, "Tensors: negative element count \(count)")
        let capacity = Swift.max(count, 1)
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: capacity * MemoryLayout<Scalar>.stride, alignment: 64)
        base = raw.bindMemory(to: Scalar.self, capacity: capacity)
        self.count = count
    }

    convenience init(count: Int, repeating value: Scalar) {
        self.init(uninitializedCount: count)
        fillScalars(base, repeating: value, count: count)
    }

    func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        copyScalars(result.base, from: base, count: count)
        return result
    }

    deinit {
        UnsafeMutableRawPointer(base).deallocate()
    }
}

// Float and Double are trivial types, so scalars move as raw bytes. These helpers keep that true
// in unspecialised generic code (a `Tensor<Double>` method called from another module), where
// `update(from:count:)` or `initialize(repeating:count:)` would copy element by element through
// value witnesses (measured: a fifth of a TSM training step, in conv2d's im2col buffer alone).

/// Copies `count` scalars from `source` to `destination` (the regions may overlap).
@inline(__always)
func copyScalars<T: TensorScalar>(_ destination: UnsafeMutablePointer<T>, from source: UnsafePointer<T>, count: Int) {
    guard count > 0 else { return }
    UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * MemoryLayout<T>.stride)
}

/// Sets `count` scalars from `destination` on to `value` (positive zero by a memset; anything
/// else by doubling copies).
@inline(__always)
func fillScalars<T: TensorScalar>(_ destination: UnsafeMutablePointer<T>, repeating value: T, count: Int) {
    guard count > 0 else { return }
    if value == 0, value.sign == .plus {
        UnsafeMutableRawPointer(destination).initializeMemory(as: UInt8.self, repeating: 0, count: count * MemoryLayout<T>.stride)
        return
    }
    destination.initialize(to: value)
    var filled = 1
    while filled < count {
        let n = Swift.min(filled, count - filled)
        copyScalars(destination + filled, from: destination, count: n)
        filled += n
    }
}
