extension Tensor {
    /// The sum of all elements as a rank-0 tensor. Summed in fixed blocks, so the result is
    /// the same bits with or without parallelism.
    public func sum() -> Tensor {
        Tensor(withExtendedLifetime(self) { blockedSum(storage.base, count) })
    }

    /// The mean of all elements as a rank-0 tensor.
    public func mean() -> Tensor {
        Tensor(withExtendedLifetime(self) { blockedSum(storage.base, count) } / Scalar(Swift.max(count, 1)))
    }

    /// Sums over `axes` (negative axes count from the end); keeps them as size 1 if `keepDims`.
    public func sum(axes: [Int], keepDims: Bool = false) throws -> Tensor {
        let axes = try ShapeUtil.axes(axes, shape: shape, operation: "sum")
        var result = self
        for axis in axes.reversed() { result = result.sumAlong(axis) }
        return keepDims ? result : result.droppingAxes(axes)
    }

    public func sum(axis: Int, keepDims: Bool = false) throws -> Tensor {
        try sum(axes: [axis], keepDims: keepDims)
    }

    /// Means over `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) throws -> Tensor {
        let normalized = try ShapeUtil.axes(axes, shape: shape, operation: "mean")
        let n = normalized.reduce(1) { $0 * shape[$1] }
        return try sum(axes: normalized, keepDims: keepDims) * (1 / Scalar(Swift.max(n, 1)))
    }

    public func mean(axis: Int, keepDims: Bool = false) throws -> Tensor {
        try mean(axes: [axis], keepDims: keepDims)
    }

    /// The largest element as a rank-0 tensor (NaN if any element is NaN). Throws if empty.
    public func max() throws -> Tensor {
        try reshaped([count]).max(axes: [0])
    }

    /// Maxima over `axes` (NaN propagates). Throws for an empty reduced axis.
    public func max(axes: [Int], keepDims: Bool = false) throws -> Tensor {
        let axes = try ShapeUtil.axes(axes, shape: shape, operation: "max")
        var result = self
        for axis in axes.reversed() { result = try result.maxAlong(axis).values }
        return keepDims ? result : result.droppingAxes(axes)
    }

    public func max(axis: Int, keepDims: Bool = false) throws -> Tensor {
        try max(axes: [axis], keepDims: keepDims)
    }

    // MARK: Single-axis building blocks (keepdims)

    func sumAlong(_ axis: Int) -> Tensor {
        var outShape = shape
        outShape[axis] = 1
        let result = Tensor(uninitializedShape: outShape)
        let (outer, n, inner) = ShapeUtil.split(shape, axis: axis)
        if result.count > 0 {
            withExtendedLifetime(self) {
                sumAxisKernel(storage.base, result.storage.base, outer: outer, n: n, inner: inner)
            }
        }
        return result
    }

    /// Maxima along `axis` (keepdims) and, per output element, the index along `axis` of the
    /// first maximum.
    func maxAlong(_ axis: Int) throws -> (values: Tensor, indices: [Int]) {
        guard shape[axis] > 0 else {
            throw TensorError.invalidArgument(operation: "max", message: "cannot reduce the empty axis \(axis) of shape \(shape)")
        }
        var outShape = shape
        outShape[axis] = 1
        let result = Tensor(uninitializedShape: outShape)
        let (outer, n, inner) = ShapeUtil.split(shape, axis: axis)
        var indices = [Int](repeating: 0, count: outer * inner)
        indices.withUnsafeMutableBufferPointer { arg in
            withExtendedLifetime(self) {
                maxAxisKernel(storage.base, result.storage.base, arg.baseAddress!, outer: outer, n: n, inner: inner)
            }
        }
        return (result, indices)
    }

    /// Removes the given (size-1) axes.
    func droppingAxes(_ axes: [Int]) -> Tensor {
        var newShape: [Int] = []
        for (i, d) in shape.enumerated() where !axes.contains(i) { newShape.append(d) }
        return Tensor(shape: newShape, storage: storage)
    }

    /// Sums a broadcast result back to `target` (the adjoint of broadcasting `target` to `shape`).
    func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = shape.count - target.count
        precondition(lead >= 0, "Tensors: cannot sum shape \(shape) down to \(target)")
        var result = self
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            if axis < lead || (target[axis - lead] == 1 && shape[axis] != 1) {
                result = result.sumAlong(axis)
            }
        }
        precondition(result.count == ShapeUtil.count(target), "Tensors: cannot sum shape \(shape) down to \(target)")
        return Tensor(shape: target, storage: result.storage)
    }
}
