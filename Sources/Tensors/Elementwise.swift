/// Which formula ``Tensor/gelu(approximation:)`` uses.
public enum GELUApproximation: Sendable {
    /// Exact: x·Φ(x) = ½x(1 + erf(x/√2)) (PyTorch's default).
    case none
    /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (PyTorch's `approximate="tanh"`).
    case tanh
}

extension Tensor {
    // MARK: Kernel drivers

    func applying(_ op: UnaryOp, _ p: Scalar = 0) -> Tensor {
        let result = Tensor(uninitializedShape: shape)
        let src = SendablePointer(storage.base), dst = SendablePointer(result.storage.base)
        withExtendedLifetime(self) {
            forEachChunk(count: count) { s, e in unaryKernel(op, p, src.p + s, dst.p + s, e - s) }
        }
        return result
    }

    /// g · f'(self) for `output == f(self)`; all three have this tensor's shape.
    func unaryGradient(_ op: UnaryOp, _ p: Scalar, output: Tensor, upstream: Tensor) -> Tensor {
        precondition(output.shape == shape && upstream.shape == shape,
                     "Tensors: unary gradient shapes \(shape), \(output.shape), \(upstream.shape) differ")
        let result = Tensor(uninitializedShape: shape)
        let x = SendablePointer(storage.base), y = SendablePointer(output.storage.base)
        let g = SendablePointer(upstream.storage.base), dx = SendablePointer(result.storage.base)
        withExtendedLifetime((self, output, upstream)) {
            forEachChunk(count: count) { s, e in
                unaryGradKernel(op, p, x.p + s, y.p + s, g.p + s, dx.p + s, e - s)
            }
        }
        return result
    }

    static func broadcasting(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, operation: String) throws -> Tensor {
        let outShape = try ShapeUtil.broadcast(a.shape, b.shape, operation: operation)
        let result = Tensor(uninitializedShape: outShape)
        if result.count == 0 { return result }
        let plan = StridedPlan(dims: outShape, strides: [
            ShapeUtil.strides(outShape),
            ShapeUtil.broadcastStrides(a.shape, to: outShape),
            ShapeUtil.broadcastStrides(b.shape, to: outShape),
        ])
        let inner = plan.inner, sa = plan.innerStride(1), sb = plan.innerStride(2)
        let po = SendablePointer(result.storage.base)
        let pa = SendablePointer(a.storage.base), pb = SendablePointer(b.storage.base)
        withExtendedLifetime((a, b)) {
            forEachChunk(count: plan.rows, chunk: Swift.max(1, Parallelism.chunkSize / inner), costPerItem: inner) { r0, r1 in
                plan.forEachRow(r0, r1) { _, off in
                    binaryRowKernel(op, pa.p + off[1], sa, pb.p + off[2], sb, po.p + off[0], inner)
                }
            }
        }
        return result
    }

    // MARK: Unary functions

    public func exp() -> Tensor { applying(.exp) }
    public func log() -> Tensor { applying(.log) }
    public func sqrt() -> Tensor { applying(.sqrt) }
    public func squared() -> Tensor { applying(.square) }
    public func abs() -> Tensor { applying(.abs) }
    /// Elementwise xᵖ.
    public func pow(_ exponent: Scalar) -> Tensor { applying(.powScalar, exponent) }
    public func tanh() -> Tensor { applying(.tanh) }
    /// 1 / (1 + e^−x), evaluated without overflow for large |x|.
    public func sigmoid() -> Tensor { applying(.sigmoid) }
    public func relu() -> Tensor { applying(.relu) }
    /// GELU; exact (erf) by default, or the tanh approximation.
    public func gelu(approximation: GELUApproximation = .none) -> Tensor {
        applying(approximation == .none ? .geluErf : .geluTanh)
    }
    /// x·sigmoid(x) (also called swish).
    public func silu() -> Tensor { applying(.silu) }
    /// log(1 + eˣ), evaluated as max(x, 0) + log1p(e^−|x|).
    public func softplus() -> Tensor { applying(.softplus) }

    public static prefix func - (x: Tensor) -> Tensor { x.applying(.negate) }

    // MARK: Tensor–scalar arithmetic (never throws)

    public static func + (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.applying(.addScalar, rhs) }
    public static func + (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.applying(.addScalar, lhs) }
    public static func - (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.applying(.addScalar, -rhs) }
    public static func - (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.applying(.negate).applying(.addScalar, lhs) }
    public static func * (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.applying(.mulScalar, rhs) }
    public static func * (lhs: Scalar, rhs: Tensor) -> Tensor { rhs.applying(.mulScalar, lhs) }
    public static func / (lhs: Tensor, rhs: Scalar) -> Tensor { lhs.applying(.mulScalar, 1 / rhs) }

    // MARK: Broadcasting tensor–tensor arithmetic (NumPy rules; throws on incompatible shapes)

    public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor { try broadcasting(.add, lhs, rhs, operation: "add") }
    public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor { try broadcasting(.subtract, lhs, rhs, operation: "subtract") }
    public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor { try broadcasting(.multiply, lhs, rhs, operation: "multiply") }
    public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor { try broadcasting(.divide, lhs, rhs, operation: "divide") }
    /// Elementwise self^exponent with broadcasting.
    public func pow(_ exponent: Tensor) throws -> Tensor { try Tensor.broadcasting(.pow, self, exponent, operation: "pow") }

    /// `lhs += rhs` for equal shapes (BLAS axpy); throws when the shapes differ.
    public static func += (lhs: inout Tensor, rhs: Tensor) throws {
        guard lhs.shape == rhs.shape else {
            throw TensorError.shapeMismatch(operation: "add in place", lhs: lhs.shape, rhs: rhs.shape,
                                            reason: "in-place accumulation needs equal shapes")
        }
        lhs.makeUnique()
        let n = lhs.count, y = lhs.storage.base
        rhs.withUnsafeBufferPointer { x in
            if n > 0 { Scalar.blasAxpy(count: n, alpha: 1, x: x.baseAddress!, y: y) }
        }
    }

    /// Σ selfᵢ·otherᵢ over all elements (BLAS dot); throws when the shapes differ.
    public func dot(_ other: Tensor) throws -> Scalar {
        guard shape == other.shape else {
            throw TensorError.shapeMismatch(operation: "dot", lhs: shape, rhs: other.shape, reason: "shapes must be equal")
        }
        guard count > 0 else { return 0 }
        return withExtendedLifetime((self, other)) {
            Scalar.blasDot(count: count, x: storage.base, y: other.storage.base)
        }
    }
}
