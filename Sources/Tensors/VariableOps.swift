// Differentiable versions of the Tensor operations. Each computes the forward value with the
// Tensor operation and records its vector–Jacobian product.

extension Variable {
    // MARK: Elementwise

    func unary(_ op: UnaryOp, _ p: Scalar = 0, _ name: String) -> Variable {
        let x = value
        let y = x.applying(op, p)
        return .recording(name, value: y, inputs: [self]) { g, _ in
            [x.unaryGradient(op, p, output: y, upstream: g)]
        }
    }

    public func exp() -> Variable { unary(.exp, 0, "exp") }
    public func log() -> Variable { unary(.log, 0, "log") }
    public func sqrt() -> Variable { unary(.sqrt, 0, "sqrt") }
    public func squared() -> Variable { unary(.square, 0, "square") }
    /// |x|; the subgradient at 0 is 0.
    public func abs() -> Variable { unary(.abs, 0, "abs") }
    public func pow(_ exponent: Scalar) -> Variable { unary(.powScalar, exponent, "pow") }
    public func tanh() -> Variable { unary(.tanh, 0, "tanh") }
    public func sigmoid() -> Variable { unary(.sigmoid, 0, "sigmoid") }
    /// max(x, 0); the subgradient at 0 is 0.
    public func relu() -> Variable { unary(.relu, 0, "relu") }
    public func gelu(approximation: GELUApproximation = .none) -> Variable {
        unary(approximation == .none ? .geluErf : .geluTanh, 0, "gelu")
    }
    public func silu() -> Variable { unary(.silu, 0, "silu") }
    public func softplus() -> Variable { unary(.softplus, 0, "softplus") }

    public static prefix func - (x: Variable) -> Variable { x.unary(.negate, 0, "negate") }
    public static func + (lhs: Variable, rhs: Scalar) -> Variable { lhs.unary(.addScalar, rhs, "add scalar") }
    public static func + (lhs: Scalar, rhs: Variable) -> Variable { rhs.unary(.addScalar, lhs, "add scalar") }
    public static func - (lhs: Variable, rhs: Scalar) -> Variable { lhs.unary(.addScalar, -rhs, "subtract scalar") }
    public static func - (lhs: Scalar, rhs: Variable) -> Variable { (-rhs).unary(.addScalar, lhs, "subtract from scalar") }
    public static func * (lhs: Variable, rhs: Scalar) -> Variable { lhs.unary(.mulScalar, rhs, "multiply scalar") }
    public static func * (lhs: Scalar, rhs: Variable) -> Variable { rhs.unary(.mulScalar, lhs, "multiply scalar") }
    public static func / (lhs: Variable, rhs: Scalar) -> Variable { lhs.unary(.mulScalar, 1 / rhs, "divide by scalar") }

    // MARK: Broadcasting binary operations

    static func binary(_ op: BinaryOp, _ a: Variable, _ b: Variable, _ name: String) throws -> Variable {
        let av = a.value, bv = b.value
        let y = try Tensor.broadcasting(op, av, bv, operation: name)
        return .recording(name, value: y, inputs: [a, b]) { g, need in
            var da: Tensor<Scalar>?, db: Tensor<Scalar>?
            switch op {
            case .add:
                if need[0] { da = g.summed(toShape: av.shape) }
                if need[1] { db = g.summed(toShape: bv.shape) }
            case .subtract:
                if need[0] { da = g.summed(toShape: av.shape) }
                if need[1] { db = (-g).summed(toShape: bv.shape) }
            case .multiply:
                if need[0] { da = try (g * bv).summed(toShape: av.shape) }
                if need[1] { db = try (g * av).summed(toShape: bv.shape) }
            case .divide:
                if need[0] { da = try (g / bv).summed(toShape: av.shape) }
                if need[1] { db = try (-(g * y) / bv).summed(toShape: bv.shape) }   // −g·a/b²
            case .pow:
                // d(aᵇ)/da = b·a^(b−1); d(aᵇ)/db = aᵇ·ln a (needs a > 0 where b varies).
                if need[0] { da = try (g * (bv * av.pow(bv - 1))).summed(toShape: av.shape) }
                if need[1] { db = try (g * (y * av.log())).summed(toShape: bv.shape) }
            }
            return [da, db]
        }
    }

    public static func + (lhs: Variable, rhs: Variable) throws -> Variable { try binary(.add, lhs, rhs, "add") }
    public static func - (lhs: Variable, rhs: Variable) throws -> Variable { try binary(.subtract, lhs, rhs, "subtract") }
    public static func * (lhs: Variable, rhs: Variable) throws -> Variable { try binary(.multiply, lhs, rhs, "multiply") }
    public static func / (lhs: Variable, rhs: Variable) throws -> Variable { try binary(.divide, lhs, rhs, "divide") }
    public func pow(_ exponent: Variable) throws -> Variable { try Variable.binary(.pow, self, exponent, "pow") }

    // MARK: Reductions

    /// Σ of all elements (rank 0).
    public func sum() -> Variable {
        let shape = self.shape
        return .recording("sum", value: value.sum(), inputs: [self]) { g, _ in
            [Tensor(shape: shape, repeating: g.scalar!)]
        }
    }

    /// Mean of all elements (rank 0).
    public func mean() -> Variable {
        let shape = self.shape, n = Scalar(Swift.max(value.count, 1))
        return .recording("mean", value: value.mean(), inputs: [self]) { g, _ in
            [Tensor(shape: shape, repeating: g.scalar! / n)]
        }
    }

    public func sum(axes: [Int], keepDims: Bool = false) throws -> Variable {
        let shape = self.shape
        let normalized = try ShapeUtil.axes(axes, shape: shape, operation: "sum")
        var kept = shape
        for a in normalized { kept[a] = 1 }
        let y = try value.sum(axes: normalized, keepDims: keepDims)
        return .recording("sum", value: y, inputs: [self]) { g, _ in
            [try g.reshaped(kept).broadcasted(to: shape)]
        }
    }

    public func sum(axis: Int, keepDims: Bool = false) throws -> Variable { try sum(axes: [axis], keepDims: keepDims) }

    public func mean(axes: [Int], keepDims: Bool = false) throws -> Variable {
        let normalized = try ShapeUtil.axes(axes, shape: shape, operation: "mean")
        let n = normalized.reduce(1) { $0 * shape[$1] }
        return try sum(axes: normalized, keepDims: keepDims) * (1 / Scalar(Swift.max(n, 1)))
    }

    public func mean(axis: Int, keepDims: Bool = false) throws -> Variable { try mean(axes: [axis], keepDims: keepDims) }

    /// Maxima over `axes`; the gradient goes to the first maximal element of each reduction.
    public func max(axes: [Int], keepDims: Bool = false) throws -> Variable {
        let normalized = try ShapeUtil.axes(axes, shape: shape, operation: "max")
        var result = self
        for axis in normalized.reversed() { result = try result.maxAlong(axis) }
        return keepDims ? result : try result.reshaped(shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element))
    }

    public func max(axis: Int, keepDims: Bool = false) throws -> Variable { try max(axes: [axis], keepDims: keepDims) }

    /// The largest element (rank 0).
    public func max() throws -> Variable { try reshaped([value.count]).max(axes: [0]) }

    func maxAlong(_ axis: Int) throws -> Variable {
        let shape = self.shape
        let (values, indices) = try value.maxAlong(axis)
        return .recording("max", value: values, inputs: [self]) { g, _ in
            let (outer, n, inner) = ShapeUtil.split(shape, axis: axis)
            var dx = Tensor<Scalar>(shape: shape, repeating: 0)
            dx.withUnsafeMutableBufferPointer { d in
                g.withUnsafeBufferPointer { gp in
                    for o in 0..<outer {
                        for i in 0..<inner {
                            d[(o * n + indices[o * inner + i]) * inner + i] = gp[o * inner + i]
                        }
                    }
                }
            }
            return [dx]
        }
    }

    // MARK: Shape manipulation

    public func reshaped(_ newShape: [Int]) throws -> Variable {
        let shape = self.shape
        return .recording("reshape", value: try value.reshaped(newShape), inputs: [self]) { g, _ in
            [try g.reshaped(shape)]
        }
    }

    public func permuted(_ axes: [Int]) throws -> Variable {
        let y = try value.permuted(axes)
        let normalized = axes.map { $0 < 0 ? $0 + rank : $0 }
        var inverse = [Int](repeating: 0, count: normalized.count)
        for (i, a) in normalized.enumerated() { inverse[a] = i }
        return .recording("permute", value: y, inputs: [self]) { g, _ in [try g.permuted(inverse)] }
    }

    public func transposed(_ axis0: Int, _ axis1: Int) throws -> Variable {
        let a = try ShapeUtil.axis(axis0, rank: rank, shape: shape, operation: "transpose")
        let b = try ShapeUtil.axis(axis1, rank: rank, shape: shape, operation: "transpose")
        var perm = Array(0..<rank)
        perm.swapAt(a, b)
        return try permuted(perm)
    }

    /// Swaps the last two axes.
    public func transposed() throws -> Variable {
        guard rank >= 2 else {
            throw TensorError.invalidArgument(operation: "transpose", message: "needs rank ≥ 2, got shape \(shape)")
        }
        return try transposed(rank - 2, rank - 1)
    }

    public func broadcasted(to target: [Int]) throws -> Variable {
        let shape = self.shape
        return .recording("broadcast", value: try value.broadcasted(to: target), inputs: [self]) { g, _ in
            [g.summed(toShape: shape)]
        }
    }

    public static func concatenate(_ variables: [Variable], axis: Int) throws -> Variable {
        let y = try Tensor.concatenate(variables.map(\.value), axis: axis)
        let ax = axis < 0 ? axis + y.rank : axis
        let sizes = variables.map { $0.shape[ax] }
        return .recording("concatenate", value: y, inputs: variables) { g, need in
            var start = 0
            var result: [Tensor<Scalar>?] = []
            for (k, n) in sizes.enumerated() {
                result.append(need[k] ? try g.sliced(axis: ax, start..<(start + n)) : nil)
                start += n
            }
            return result
        }
    }

    public static func stack(_ variables: [Variable], axis: Int) throws -> Variable {
        guard let first = variables.first else {
            throw TensorError.invalidArgument(operation: "stack", message: "needs at least one tensor")
        }
        let ax = try ShapeUtil.axis(axis, rank: first.rank + 1, shape: first.shape, operation: "stack")
        for v in variables where v.shape != first.shape {
            throw TensorError.shapeMismatch(operation: "stack", lhs: first.shape, rhs: v.shape, reason: "stacked tensors must have equal shapes")
        }
        var expanded = first.shape
        expanded.insert(1, at: ax)
        return try concatenate(try variables.map { try $0.reshaped(expanded) }, axis: ax)
    }

    public func sliced(axis: Int, _ range: Range<Int>) throws -> Variable {
        let shape = self.shape
        let y = try value.sliced(axis: axis, range)
        let ax = axis < 0 ? axis + rank : axis
        return .recording("slice", value: y, inputs: [self]) { g, _ in
            [g.embedded(in: shape, axis: ax, start: range.lowerBound)]
        }
    }

    public func gathered(indices: [Int], axis: Int) throws -> Variable {
        let n = shape[try ShapeUtil.axis(axis, rank: rank, shape: shape, operation: "gather")]
        let y = try value.gathered(indices: indices, axis: axis)
        return .recording("gather", value: y, inputs: [self]) { g, _ in
            [try g.scatterAdded(indices: indices, axis: axis, size: n)]
        }
    }

    public func scatterAdded(indices: [Int], axis: Int, size: Int) throws -> Variable {
        let y = try value.scatterAdded(indices: indices, axis: axis, size: size)
        return .recording("scatterAdd", value: y, inputs: [self]) { g, _ in
            [try g.gathered(indices: indices, axis: axis)]
        }
    }

    // MARK: Linear algebra

    /// Batched matrix product (NumPy `matmul` rules; see ``Tensor/matmul(_:)``).
    public func matmul(_ other: Variable) throws -> Variable {
        let a = value, b = other.value
        let y = try a.matmul(b)
        return .recording("matmul", value: y, inputs: [self, other]) { g, need in
            let (da, db) = try Tensor.matmulGradients(a: a, b: b, upstream: g, needA: need[0], needB: need[1])
            return [da, db]
        }
    }

    // MARK: Normalisation

    public func softmax(axis: Int = -1) throws -> Variable {
        let ax = try ShapeUtil.axis(axis, rank: rank, shape: shape, operation: "softmax")
        let y = try value.softmax(axis: ax)
        return .recording("softmax", value: y, inputs: [self]) { g, _ in
            [Tensor.softmaxGradient(output: y, upstream: g, axis: ax, log: false)]
        }
    }

    public func logSoftmax(axis: Int = -1) throws -> Variable {
        let ax = try ShapeUtil.axis(axis, rank: rank, shape: shape, operation: "logSoftmax")
        let y = try value.logSoftmax(axis: ax)
        return .recording("logSoftmax", value: y, inputs: [self]) { g, _ in
            [Tensor.softmaxGradient(output: y, upstream: g, axis: ax, log: true)]
        }
    }

    /// Layer normalisation over the trailing `scale.rank` axes with the affine map
    /// (see ``Tensor/layerNormalized(scale:offset:epsilon:)``).
    public func layerNormalized(scale: Variable, offset: Variable, epsilon: Scalar = 1e-5) throws -> Variable {
        try layerNorm(scale: scale, offset: offset, normalizedRank: scale.rank, epsilon: epsilon)
    }

    /// Layer normalisation over the trailing `normalizedRank` axes without an affine map.
    public func layerNormalized(normalizedRank: Int = 1, epsilon: Scalar = 1e-5) throws -> Variable {
        try layerNorm(scale: nil, offset: nil, normalizedRank: normalizedRank, epsilon: epsilon)
    }

    func layerNorm(scale: Variable?, offset: Variable?, normalizedRank: Int, epsilon: Scalar) throws -> Variable {
        let gamma = scale?.value
        let (y, xhat, rstd) = try Tensor.layerNorm(value, scale: gamma, offset: offset?.value,
                                                   normalizedRank: normalizedRank, epsilon: epsilon)
        let shape = self.shape
        let trailing = Array(shape.suffix(normalizedRank))
        let d = ShapeUtil.count(trailing), rows = value.count / Swift.max(d, 1)
        let inputs = [self] + [scale, offset].compactMap { $0 }
        let inputCount = inputs.count   // the VJP must not capture the variables (they hold the tape: a cycle)
        return .recording("layerNorm", value: y, inputs: inputs) { g, need in
            let dx: Tensor<Scalar>? = need[0] ? Tensor(uninitializedShape: shape) : nil
            let dgamma: Tensor<Scalar>? = (gamma != nil && need[1]) ? Tensor(shape: trailing, repeating: 0) : nil
            let dbeta: Tensor<Scalar>? = (inputCount == 3 && need[2]) ? Tensor(shape: trailing, repeating: 0) : nil
            if d > 0 {
                withExtendedLifetime((g, xhat, rstd, gamma, dx, dgamma, dbeta)) {
                    layerNormGradKernel(g.storage.base, xhat.storage.base, rstd.storage.base, gamma?.storage.base,
                                        dx?.storage.base, dgamma?.storage.base, dbeta?.storage.base, rows: rows, d: d)
                }
            }
            return [dx, dgamma, dbeta].prefix(inputCount).map { $0 }
        }
    }

    // MARK: Convolution

    /// 1-D convolution (see ``Tensor/conv1d(weight:bias:padding:mode:)``).
    public func conv1d(weight: Variable, bias: Variable? = nil, padding: Int = 0, mode: PaddingMode = .zero) throws -> Variable {
        let (x4, w4) = try Tensor.conv1dAs2d(value, weight: weight.value, bias: bias?.value, padding: padding)
        let y4 = try Tensor.conv2dForward(x4, weight: w4, bias: bias?.value, padding: (0, padding), mode: mode, operation: "conv1d")
        let y = try y4.reshaped([y4.shape[0], y4.shape[1], y4.shape[3]])
        let xShape = shape, wShape = weight.shape
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        let inputCount = inputs.count   // the VJP must not capture the variables (they hold the tape: a cycle)
        return .recording("conv1d", value: y, inputs: inputs) { g, need in
            let (dx, dw, db) = try Tensor.conv2dGradients(
                x4, weight: w4, upstream: try g.reshaped(y4.shape), padding: (0, padding), mode: mode,
                needX: need[0], needWeight: need[1], needBias: inputCount == 3 && need[2])
            return [try dx?.reshaped(xShape), try dw?.reshaped(wShape), db].prefix(inputCount).map { $0 }
        }
    }

    /// 2-D convolution (see ``Tensor/conv2d(weight:bias:padding:stride:mode:)``).
    public func conv2d(weight: Variable, bias: Variable? = nil, padding: (height: Int, width: Int) = (0, 0),
                       stride: (height: Int, width: Int) = (1, 1), mode: PaddingMode = .zero) throws -> Variable {
        let x = value, w = weight.value
        let pad = (padding.height, padding.width), step = (stride.height, stride.width)
        let y = try Tensor.conv2dForward(x, weight: w, bias: bias?.value, padding: pad, stride: step, mode: mode, operation: "conv2d")
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        let inputCount = inputs.count   // the VJP must not capture the variables (they hold the tape: a cycle)
        return .recording("conv2d", value: y, inputs: inputs) { g, need in
            let (dx, dw, db) = try Tensor.conv2dGradients(
                x, weight: w, upstream: g, padding: pad, stride: step, mode: mode,
                needX: need[0], needWeight: need[1], needBias: inputCount == 3 && need[2])
            return [dx, dw, db].prefix(inputCount).map { $0 }
        }
    }

    // MARK: Dropout

    /// Inverted dropout with a seeded mask (see ``Tensor/dropout(probability:seed:training:)``).
    public func dropout(probability p: Scalar, seed: UInt64, training: Bool = true) throws -> Variable {
        try Tensor<Scalar>.checkDropout(p)
        guard training, p > 0 else { return self }
        let mask = Tensor<Scalar>.dropoutMask(shape: shape, probability: p, seed: seed)
        let y = try value * mask
        return .recording("dropout", value: y, inputs: [self]) { g, _ in [try g * mask] }
    }
}
