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
        base.initialize(repeating: value, count: count)
    }

    func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        result.base.update(from: base, count: count)
        return result
    }

    deinit {
        UnsafeMutableRawPointer(base).deallocate()
    }
}
