extension Tensor {
    /// The same elements under a new shape (no copy). One dimension may be `-1` (inferred).
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        var resolved = newShape
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        guard unknown.count <= 1, newShape.allSatisfy({ $0 >= -1 }) else {
            throw TensorError.shapeMismatch(operation: "reshape", lhs: shape, rhs: newShape,
                                            reason: "at most one dimension may be -1 and none may be negative otherwise")
        }
        if let u = unknown.first {
            let known = newShape.enumerated().reduce(1) { $1.offset == u ? $0 : $0 * $1.element }
            guard known > 0, count % known == 0 else {
                throw TensorError.shapeMismatch(operation: "reshape", lhs: shape, rhs: newShape,
                                                reason: "\(count) elements cannot fill the known dimensions (\(known) per slot)")
            }
            resolved[u] = count / known
        }
        guard ShapeUtil.count(resolved) == count else {
            throw TensorError.shapeMismatch(operation: "reshape", lhs: shape, rhs: newShape,
                                            reason: "\(count) elements cannot be reshaped to \(ShapeUtil.count(resolved))")
        }
        return Tensor(shape: resolved, storage: storage)
    }

    /// Reorders the axes: result dimension `i` is input dimension `axes[i]` (NumPy `transpose(axes)`).
    public func permuted(_ axes: [Int]) throws -> Tensor {
        guard axes.count == rank else {
            throw TensorError.shapeMismatch(operation: "permute", lhs: shape, rhs: axes,
                                            reason: "a permutation of a rank-\(rank) tensor needs \(rank) axes")
        }
        let normalized = try axes.map { try ShapeUtil.axis($0, rank: rank, shape: shape, operation: "permute") }
        guard Set(normalized).count == rank else {
            throw TensorError.shapeMismatch(operation: "permute", lhs: shape, rhs: axes, reason: "the axes are not a permutation")
        }
        if normalized == Array(0..<rank) { return self }
        let own = strides
        let dims = normalized.map { shape[$0] }
        let result = Tensor(uninitializedShape: dims)
        withExtendedLifetime(self) {
            gatherStrided(storage.base, strides: normalized.map { own[$0] }, dims: dims, into: result.storage.base)
        }
        return result
    }

    /// Swaps two axes.
    public func transposed(_ axis0: Int, _ axis1: Int) throws -> Tensor {
        let a = try ShapeUtil.axis(axis0, rank: rank, shape: shape, operation: "transpose")
        let b = try ShapeUtil.axis(axis1, rank: rank, shape: shape, operation: "transpose")
        var perm = Array(0..<rank)
        perm.swapAt(a, b)
        return try permuted(perm)
    }

    /// Swaps the last two axes (the matrix transpose, batched). Throws below rank 2.
    public func transposed() throws -> Tensor {
        guard rank >= 2 else {
            throw TensorError.invalidArgument(operation: "transpose", message: "needs rank ≥ 2, got shape \(shape)")
        }
        return try transposed(rank - 2, rank - 1)
    }

    /// This tensor repeated along broadcast dimensions to `target` (NumPy `broadcast_to`).
    public func broadcasted(to target: [Int]) throws -> Tensor {
        let out = try ShapeUtil.broadcast(shape, target, operation: "broadcast")
        guard out == target else {
            throw TensorError.shapeMismatch(operation: "broadcast", lhs: shape, rhs: target,
                                            reason: "the source does not broadcast to exactly the target")
        }
        if shape == target { return self }
        let result = Tensor(uninitializedShape: target)
        withExtendedLifetime(self) {
            gatherStrided(storage.base, strides: ShapeUtil.broadcastStrides(shape, to: target),
                          dims: target, into: result.storage.base)
        }
        return result
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else {
            throw TensorError.invalidArgument(operation: "concatenate", message: "needs at least one tensor")
        }
        let ax = try ShapeUtil.axis(axis, rank: first.rank, shape: first.shape, operation: "concatenate")
        var total = 0
        for t in tensors {
            var a = first.shape, b = t.shape
            guard a.count == b.count else {
                throw TensorError.shapeMismatch(operation: "concatenate", lhs: first.shape, rhs: t.shape,
                                                reason: "ranks differ (\(a.count) vs \(b.count))")
            }
            a[ax] = 0; b[ax] = 0
            guard a == b else {
                throw TensorError.shapeMismatch(operation: "concatenate", lhs: first.shape, rhs: t.shape,
                                                reason: "dimensions other than axis \(ax) must be equal")
            }
            total += t.shape[ax]
        }
        var outShape = first.shape
        outShape[ax] = total
        let result = Tensor(uninitializedShape: outShape)
        let (outer, _, inner) = ShapeUtil.split(outShape, axis: ax)
        let rowLength = total * inner
        var offset = 0
        for t in tensors {
            let block = t.shape[ax] * inner
            withExtendedLifetime(t) {
                let src = t.storage.base
                for o in 0..<outer {
                    copyScalars((result.storage.base + o * rowLength + offset), from: src + o * block, count: block)
                }
            }
            offset += block
        }
        return result
    }

    /// Stacks equal-shaped tensors along a new axis at position `axis` (in `0...rank`).
    public static func stack(_ tensors: [Tensor], axis: Int) throws -> Tensor {
        guard let first = tensors.first else {
            throw TensorError.invalidArgument(operation: "stack", message: "needs at least one tensor")
        }
        let ax = try ShapeUtil.axis(axis, rank: first.rank + 1, shape: first.shape, operation: "stack")
        for t in tensors where t.shape != first.shape {
            throw TensorError.shapeMismatch(operation: "stack", lhs: first.shape, rhs: t.shape, reason: "stacked tensors must have equal shapes")
        }
        var expanded = first.shape
        expanded.insert(1, at: ax)
        return try concatenate(tensors.map { Tensor(shape: expanded, storage: $0.storage) }, axis: ax)
    }

    /// The elements with index in `range` along `axis` (a copy).
    public func sliced(axis: Int, _ range: Range<Int>) throws -> Tensor {
        let ax = try ShapeUtil.axis(axis, rank: rank, shape: shape, operation: "slice")
        guard range.lowerBound >= 0, range.upperBound <= shape[ax] else {
            throw TensorError.indexOutOfRange(operation: "slice", index: range.lowerBound < 0 ? range.lowerBound : range.upperBound,
                                              bound: shape[ax] + 1, shape: shape)
        }
        var outShape = shape
        outShape[ax] = range.count
        let result = Tensor(uninitializedShape: outShape)
        let (outer, n, inner) = ShapeUtil.split(shape, axis: ax)
        let block = range.count * inner
        withExtendedLifetime(self) {
            for o in 0..<outer {
                copyScalars((result.storage.base + o * block), from: storage.base + (o * n + range.lowerBound) * inner, count: block)
            }
        }
        return result
    }

    /// The adjoint of `sliced`: zeros of `shape` with this tensor placed at `start` along `axis`.
    func embedded(in fullShape: [Int], axis ax: Int, start: Int) -> Tensor {
        let result = Tensor(shape: fullShape, repeating: 0)
        let (outer, n, inner) = ShapeUtil.split(fullShape, axis: ax)
        let block = shape[ax] * inner
        withExtendedLifetime(self) {
            for o in 0..<outer {
                copyScalars((result.storage.base + (o * n + start) * inner), from: storage.base + o * block, count: block)
            }
        }
        return result
    }
}
