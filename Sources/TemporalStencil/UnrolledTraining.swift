import Tensors

/// Reference trajectories on the model grid for unrolled training: each trajectory is a list
/// of frames `[u (m²), v (m²)]` spaced by the model time step.
public struct ReferenceTrajectories: Sendable {
    public let grid: Int
    public let trajectories: [[[Double]]]

    public init(grid: Int, trajectories: [[[Double]]]) {
        self.grid = grid
        self.trajectories = trajectories
    }

    /// Frames per trajectory.
    public var frameCounts: [Int] { trajectories.map(\.count) }

    /// Every start `(trajectory, frame)` whose window of `history + unroll` frames fits.
    public func windowStarts(history: Int, unroll: Int) -> [(trajectory: Int, frame: Int)] {
        var starts: [(Int, Int)] = []
        for (t, frames) in trajectories.enumerated() where frames.count >= history + unroll {
            for f in 0...(frames.count - history - unroll) { starts.append((t, f)) }
        }
        return starts
    }

    /// The batch of windows starting at `starts`: `history` frames (the last one is the initial
    /// state) and the `unroll` frames after them as targets.
    public func batch(starts: [(trajectory: Int, frame: Int)], history: Int, unroll: Int) throws -> UnrolledBatch {
        let m = grid, size = 2 * m * m
        let h = (0..<history).map { k in starts.flatMap { trajectories[$0.trajectory][$0.frame + k] } }
        let targets = try (0..<unroll).map { k in
            try Tensor(shape: [starts.count, 2, m, m], scalars: starts.flatMap { trajectories[$0.trajectory][$0.frame + history + k] })
        }
        precondition(h.allSatisfy { $0.count == starts.count * size }, "ReferenceTrajectories: frames of the wrong size")
        return UnrolledBatch(history: h, targets: targets)
    }
}

/// One training batch: `history[k]` is frame k of every window (`B · 2 · m²` values, oldest
/// first; the last is the initial state), `targets[k]` the reference `[B, 2, m, m]` k + 1 steps later.
public struct UnrolledBatch: Sendable {
    public let history: [[Double]]
    public let targets: [Tensor<Double>]

    /// The number of windows in the batch.
    public var windowCount: Int { targets.first?.shape[0] ?? 0 }

    /// Window `i` alone, as a batch of one.
    public func window(_ i: Int) throws -> UnrolledBatch {
        let b = windowCount
        precondition(i >= 0 && i < b, "UnrolledBatch: window \(i) of \(b)")
        let frame = history[0].count / b
        let h = history.map { Array($0[(i * frame)..<((i + 1) * frame)]) }
        let t = try targets.map { try $0.sliced(axis: 0, i..<(i + 1)) }
        return UnrolledBatch(history: h, targets: t)
    }
}

extension TemporalStencilModel {
    /// TSM's training loss: the mean over the unrolled steps of the mean squared velocity error
    /// against the reference, rolling the model out from each window's last history frame
    /// (its memory built from the history) through `batch.targets.count` steps.
    ///
    /// With `vorticityWeight` w > 0 each step's error also counts w·H²·(mean squared error of
    /// the corner vorticity, ``StaggeredVelocity/cornerVorticity``), which weighs small scales
    /// as the correlation metric does (H² keeps the units of velocity²). TSM uses w = 0.
    public func unrolledLoss(_ batch: UnrolledBatch, parameters p: ParameterVariables<Double>,
                             vorticityWeight: Double = 0) throws -> Variable<Double> {
        guard let last = batch.history.last, let first = batch.targets.first else {
            throw TensorError.invalidArgument(operation: "unrolledLoss", message: "needs at least one history frame and one target")
        }
        var state = Variable(try Tensor(shape: first.shape, scalars: last))
        var memory = try encodeMemory(history: batch.history).map { Variable($0) }
        var total: Variable<Double>?
        let h = solver.spacing
        let curl = vorticityWeight > 0 ? Variable(Self.curlKernel(spacing: h)) : nil
        for target in batch.targets {
            (state, memory) = try step(state: state, memory: memory, parameters: p)
            let difference = try state - Variable(target)
            var error = difference.squared().mean()
            if let curl {
                error = try error + (try difference.conv2d(weight: curl, padding: (1, 1), mode: .circular)
                    .squared().mean()) * (vorticityWeight * h * h)
            }
            total = try total.map { try $0 + error } ?? error
        }
        return total! / Double(batch.targets.count)
    }

    /// The corner-vorticity curl of a `[B, 2, m, m]` velocity (u, v) as a `[1, 2, 3, 3]` kernel for
    /// a circular convolution: ω(i, j) = (v(i+1, j) − v(i, j))/H − (u(i, j+1) − u(i, j))/H.
    static func curlKernel(spacing h: Double) -> Tensor<Double> {
        var w = [Double](repeating: 0, count: 18)   // [channel][row (y offset + 1)][column (x offset + 1)]
        w[0 * 9 + 1 * 3 + 1] = 1 / h; w[0 * 9 + 2 * 3 + 1] = -1 / h    // −∂u/∂y
        w[1 * 9 + 1 * 3 + 1] = -1 / h; w[1 * 9 + 1 * 3 + 2] = 1 / h    // ∂v/∂x
        return try! Tensor(shape: [1, 2, 3, 3], scalars: w)
    }

    /// The unrolled loss of `batch` (the mean over its windows) without gradients. Windows run
    /// as parallel shards; the result does not depend on the number of cores.
    public func unrolledLoss(_ batch: UnrolledBatch, vorticityWeight: Double = 0) throws -> Double {
        let losses = try Parallelism.shards(batch.windowCount) { i in
            try unrolledLoss(batch.window(i), parameters: parameters.constants, vorticityWeight: vorticityWeight).value.scalar!
        }
        return losses.reduce(0, +) / Double(losses.count)
    }

    /// The unrolled loss of `batch` and its gradient with respect to the weights: each window on
    /// its own tape as a parallel shard, the losses and gradients averaged in window order (so
    /// the result does not depend on the number of cores).
    public func unrolledLossWithGradients(_ batch: UnrolledBatch, vorticityWeight: Double = 0) throws -> (loss: Double, gradients: Parameters<Double>) {
        let shards = try Parallelism.shards(batch.windowCount) { i in
            let window = try batch.window(i)
            return try network.valueWithGradients { _, p in try unrolledLoss(window, parameters: p, vorticityWeight: vorticityWeight) }
        }
        let scale = 1 / Double(shards.count)
        var gradients = shards[0].gradients
        for shard in shards.dropFirst() {
            gradients = try gradients.mapTensors { name, sum in try sum + shard.gradients.tensor(named: name) }
        }
        return (shards.map(\.value).reduce(0, +) * scale, gradients.mapTensors { _, sum in sum * scale })
    }

    /// One optimiser step on `batch` with gradient-norm clipping; returns the loss before the
    /// update and the gradient norm before clipping. A non-finite loss or gradient skips the
    /// update (the weights stay as they were).
    @discardableResult
    public mutating func trainingStep<O: Optimizer>(on batch: UnrolledBatch, optimizer: inout O, gradientClip: Double,
                                                    vorticityWeight: Double = 0) throws -> (loss: Double, gradientNorm: Double)
    where O.Scalar == Double {
        let (loss, gradients) = try unrolledLossWithGradients(batch, vorticityWeight: vorticityWeight)
        var clipped = gradients
        let norm = clipped.clipNorm(to: gradientClip)
        guard loss.isFinite, norm.isFinite else { return (loss, norm) }
        var weights = parameters
        try optimizer.update(&weights, with: clipped)
        parameters = weights
        return (loss, norm)
    }
}
