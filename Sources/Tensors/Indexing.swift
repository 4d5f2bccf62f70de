extension Tensor {
    /// Picks entries along `axis`: result index `j` along `axis` is input index `indices[j]`
    /// (the other axes are kept). For graph message passing: node features `[N, F]` gathered
    /// with edge sources `[E]` along axis 0 give per-edge features `[E, F]`.
    public func gathered(indices: [Int], axis: Int) throws -> Tensor {
        let ax = try ShapeUtil.axis(axis, rank: rank, shape: shape, operation: "gather")
        let n = shape[ax]
        for i in indices where i < 0 || i >= n {
            throw TensorError.indexOutOfRange(operation: "gather", index: i, bound: n, shape: shape)
        }
        var outShape = shape
        outShape[ax] = indices.count
        let result = Tensor(uninitializedShape: outShape)
        let (outer, _, inner) = ShapeUtil.split(shape, axis: ax)
        let m = indices.count
        withExtendedLifetime(self) {
            let src = storage.base, dst = result.storage.base
            for o in 0..<outer {
                for (j, i) in indices.enumerated() {
                    copyScalars((dst + (o * m + j) * inner), from: src + (o * n + i) * inner, count: inner)
                }
            }
        }
        return result
    }

    /// Sums entries into `size` slots along `axis`: result slot `indices[j]` accumulates input
    /// index `j` (the adjoint of ``gathered(indices:axis:)``). Edge messages `[E, F]`
    /// scatter-added with edge targets `[E]` into `size: N` give per-node sums `[N, F]`.
    /// Accumulation is serial in index order, so the result is deterministic.
    public func scatterAdded(indices: [Int], axis: Int, size: Int) throws -> Tensor {
        let ax = try ShapeUtil.axis(axis, rank: rank, shape: shape, operation: "scatterAdd")
        guard indices.count == shape[ax] else {
            throw TensorError.shapeMismatch(operation: "scatterAdd", lhs: shape, rhs: [indices.count],
                                            reason: "axis \(ax) has \(shape[ax]) entries but \(indices.count) indices were given")
        }
        guard size >= 0 else {
            throw TensorError.invalidArgument(operation: "scatterAdd", message: "negative output size \(size)")
        }
        for i in indices where i < 0 || i >= size {
            throw TensorError.indexOutOfRange(operation: "scatterAdd", index: i, bound: size, shape: shape)
        }
        var outShape = shape
        outShape[ax] = size
        let result = Tensor(shape: outShape, repeating: 0)
        let (outer, m, inner) = ShapeUtil.split(shape, axis: ax)
        withExtendedLifetime(self) {
            let src = storage.base, dst = result.storage.base
            for o in 0..<outer {
                for (j, i) in indices.enumerated() {
                    accumulateRow(src + (o * m + j) * inner, dst + (o * size + i) * inner, inner)
                }
            }
        }
        return result
    }
}
