extension Tensor {
    /// Softmax along `axis`, computed stably (shifted by the maximum).
    public func softmax(axis: Int = -1) throws -> Tensor {
        try softmaxImpl(axis: axis, log: false, operation: "softmax")
    }

    /// log(softmax(x)) along `axis`, computed as x − max − log Σ exp(x − max).
    public func logSoftmax(axis: Int = -1) throws -> Tensor {
        try softmaxImpl(axis: axis, log: true, operation: "logSoftmax")
    }

    func softmaxImpl(axis: Int, log: Bool, operation: String) throws -> Tensor {
        let ax = try ShapeUtil.axis(axis, rank: rank, shape: shape, operation: operation)
        let (outer, n, inner) = ShapeUtil.split(shape, axis: ax)
        let result = Tensor(uninitializedShape: shape)
        withExtendedLifetime(self) {
            softmaxKernel(storage.base, result.storage.base, outer: outer, n: n, inner: inner, log: log)
        }
        return result
    }

    static func softmaxGradient(output y: Tensor, upstream g: Tensor, axis ax: Int, log: Bool) -> Tensor {
        let (outer, n, inner) = ShapeUtil.split(y.shape, axis: ax)
        let result = Tensor(uninitializedShape: y.shape)
        withExtendedLifetime((y, g)) {
            softmaxGradKernel(y.storage.base, g.storage.base, result.storage.base, outer: outer, n: n, inner: inner, log: log)
        }
        return result
    }

    /// Layer normalisation over the trailing `scale.rank` axes, with the affine map:
    /// `(x − mean)/√(var + ε) · scale + offset` (biased variance, as PyTorch's `LayerNorm`).
    /// `scale` and `offset` must both have the shape of those trailing axes.
    public func layerNormalized(scale: Tensor, offset: Tensor, epsilon: Scalar = 1e-5) throws -> Tensor {
        try Tensor.layerNorm(self, scale: scale, offset: offset, normalizedRank: scale.rank, epsilon: epsilon).y
    }

    /// Layer normalisation over the trailing `normalizedRank` axes without an affine map.
    public func layerNormalized(normalizedRank: Int = 1, epsilon: Scalar = 1e-5) throws -> Tensor {
        try Tensor.layerNorm(self, scale: nil, offset: nil, normalizedRank: normalizedRank, epsilon: epsilon).y
    }

    static func layerNorm(_ x: Tensor, scale: Tensor?, offset: Tensor?, normalizedRank: Int, epsilon: Scalar)
        throws -> (y: Tensor, xhat: Tensor, rstd: Tensor)
    {
        guard normalizedRank >= 1, normalizedRank <= x.rank else {
            throw TensorError.invalidArgument(operation: "layerNorm",
                                              message: "cannot normalise the last \(normalizedRank) axes of shape \(x.shape)")
        }
        let trailing = Array(x.shape.suffix(normalizedRank))
        for p in [scale, offset].compactMap({ $0 }) where p.shape != trailing {
            throw TensorError.shapeMismatch(operation: "layerNorm", lhs: x.shape, rhs: p.shape,
                                            reason: "scale and offset must have the normalised trailing shape \(trailing)")
        }
        let d = ShapeUtil.count(trailing), rows = x.count / Swift.max(d, 1)
        let y = Tensor(uninitializedShape: x.shape), xhat = Tensor(uninitializedShape: x.shape)
        let rstd = Tensor(uninitializedShape: Array(x.shape.dropLast(normalizedRank)))
        guard d > 0 else { return (y, xhat, rstd) }
        withExtendedLifetime((x, scale, offset)) {
            layerNormKernel(x.storage.base, scale?.storage.base, offset?.storage.base, y.storage.base,
                            xhat.storage.base, rstd.storage.base, rows: rows, d: d, epsilon: epsilon)
        }
        return (y, xhat, rstd)
    }
}
