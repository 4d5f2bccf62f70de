/// A dense, contiguous, row-major (C-order) array of `Float` or `Double`.
///
/// `Tensor` is a value type: copies share one heap buffer until one of them is mutated
/// (copy-on-write). Reshaping never copies. A rank-0 tensor (shape `[]`) holds one scalar.
public struct Tensor<Scalar: TensorScalar>: Sendable {
    /// The size of each dimension, outermost first.
    public private(set) var shape: [Int]
    var storage: TensorStorage<Scalar>

    init(shape: [Int], storage: TensorStorage<Scalar>) {
        assert(ShapeUtil.count(shape) == storage.count, "Tensors: shape \(shape) does not fit \(storage.count) elements")
        self.shape = shape
        self.storage = storage
    }

    /// A tensor of `shape` with every element `value`. Traps on a negative dimension.
    public init(shape: [Int], repeating value: Scalar = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensors: negative dimension in shape \(shape)")
        self.init(shape: shape, storage: TensorStorage(count: ShapeUtil.count(shape), repeating: value))
    }

    /// A tensor of `shape` holding `scalars` in row-major order.
    /// Throws ``TensorError/shapeMismatch(operation:lhs:rhs:reason:)`` when the counts differ.
    public init(shape: [Int], scalars: [Scalar]) throws {
        guard shape.allSatisfy({ $0 >= 0 }), ShapeUtil.count(shape) == scalars.count else {
            throw TensorError.shapeMismatch(
                operation: "Tensor(shape:scalars:)", lhs: shape, rhs: [scalars.count],
                reason: "the shape holds \(ShapeUtil.count(shape)) elements but \(scalars.count) scalars were given")
        }
        let storage = TensorStorage<Scalar>(uninitializedCount: scalars.count)
        scalars.withUnsafeBufferPointer { source in
            if let start = source.baseAddress { copyScalars(storage.base, from: start, count: source.count) }
        }
        self.init(shape: shape, storage: storage)
    }

    /// A rank-0 tensor holding `value`.
    public init(_ value: Scalar) {
        self.init(shape: [], repeating: value)
    }

    /// A rank-1 tensor holding `scalars`.
    public init(_ scalars: [Scalar]) {
        try! self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A tensor whose contents are unspecified; callers must write every element.
    init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: ShapeUtil.count(shape)))
    }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 1) }

    /// The number of elements.
    public var count: Int { storage.count }
    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// Row-major element strides.
    public var strides: [Int] { ShapeUtil.strides(shape) }

    /// The elements in row-major order.
    public var scalars: [Scalar] {
        withExtendedLifetime(storage) {
            [Scalar](unsafeUninitializedCapacity: storage.count) { buffer, initialized in
                if let start = buffer.baseAddress { copyScalars(start, from: storage.base, count: storage.count) }
                initialized = storage.count
            }
        }
    }

    /// The single element of a one-element tensor (any rank), or `nil`.
    public var scalar: Scalar? { count == 1 ? storage.base[0] : nil }

    /// Reads the elements in place.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try withExtendedLifetime(storage) {
            try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
        }
    }

    /// Writes the elements in place, copying the buffer first if it is shared.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        makeUnique()
        return try withExtendedLifetime(storage) {
            try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
        }
    }

    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Whether this tensor and `other` share one buffer (for tests of copy-on-write).
    public func sharesStorage(with other: Tensor) -> Bool { storage === other.storage }

    func flatIndex(_ indices: [Int]) -> Int {
        precondition(indices.count == shape.count,
                     "Tensors: \(indices.count) indices for a tensor of shape \(shape)")
        var flat = 0
        for (i, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[i],
                         "Tensors: index \(indices) is out of bounds for shape \(shape)")
            flat = flat * shape[i] + index
        }
        return flat
    }

    /// The element at `indices` (one per dimension). Traps when out of bounds.
    public subscript(_ indices: Int...) -> Scalar {
        get { storage.base[flatIndex(indices)] }
        set {
            let i = flatIndex(indices)
            makeUnique()
            storage.base[i] = newValue
        }
    }

    /// The element at row-major position `index`. Traps when out of bounds.
    public subscript(flat index: Int) -> Scalar {
        get {
            precondition(index >= 0 && index < count, "Tensors: flat index \(index) out of bounds for shape \(shape)")
            return storage.base[index]
        }
        set {
            precondition(index >= 0 && index < count, "Tensors: flat index \(index) out of bounds for shape \(shape)")
            makeUnique()
            storage.base[index] = newValue
        }
    }

    /// Converts between precisions.
    public init<Other: TensorScalar>(_ other: Tensor<Other>) {
        let result = Tensor(uninitializedShape: other.shape)
        let dst = result.storage.base
        other.withUnsafeBufferPointer { src in
            for i in 0..<src.count { dst[i] = Scalar(src[i]) }
        }
        self = result
    }
}

extension Tensor: Equatable {
    /// Same shape and elementwise `==` (so a NaN makes tensors unequal).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.storage === rhs.storage { return lhs.scalars.allSatisfy { $0 == $0 } }
        let a = lhs.storage.base, b = rhs.storage.base
        for i in 0..<lhs.count where a[i] != b[i] { return false }
        return true
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(12).map { "\($0)" }.joined(separator: ", ")
        return "Tensor<\(Scalar.self)>\(shape)[\(shown)\(count > 12 ? ", …" : "")]"
    }
}

extension Tensor {
    /// Largest absolute elementwise difference; throws if the shapes differ.
    public func maxAbsDifference(_ other: Tensor) throws -> Scalar {
        guard shape == other.shape else {
            throw TensorError.shapeMismatch(operation: "maxAbsDifference", lhs: shape, rhs: other.shape,
                                            reason: "shapes must be equal")
        }
        var m: Scalar = 0
        let a = storage.base, b = other.storage.base
        for i in 0..<count { m = Swift.max(m, Swift.abs(a[i] - b[i])) }
        return m
    }
}
