import Randomness
import Tensors

/// Supervised training of a ``FourierOperatorSurrogate``: each step draws a batch of training
/// trajectories from `(seed, step)` and minimises the mean squared error of the scaled `u` over
/// `t ≥ Δt` (the paper's metric; the first row is given) with Adam on a cosine schedule. The
/// batch runs in shards of four on their own tapes, summed in shard order, so a run does not
/// depend on the number of cores and a run resumed from (parameters, optimizer, step) continues
/// bit for bit.
public struct FourierOperatorTrainer {
    public var surrogate: FourierOperatorSurrogate
    public var optimizer: Adam<Float>
    public private(set) var step = 0
    public let batchSize: Int
    public let seed: UInt64
    /// Encoded inputs (`count × inputSize`) and scaled targets (`count × rows × points`).
    let inputs: [Float]
    let targets: [Float]
    public let sampleCount: Int

    /// - Parameters:
    ///   - trajectories: the training pairs, `u` (`rows × points`) and `f` (`(rows − 1) × points`).
    public init(surrogate: FourierOperatorSurrogate, trajectories: [(state: [Double], control: [Double])], batchSize: Int,
                schedule: LearningRateSchedule, seed: UInt64) throws {
        guard !trajectories.isEmpty, batchSize >= 1 else {
            throw WaveletDiffusionError.invalidArgument("FNO training needs trajectories and a positive batch size")
        }
        let plane = surrogate.rows * surrogate.points
        var inputs: [Float] = [], targets: [Float] = []
        inputs.reserveCapacity(trajectories.count * surrogate.inputSize)
        targets.reserveCapacity(trajectories.count * plane)
        for (u, f) in trajectories {
            guard u.count == plane else {
                throw WaveletDiffusionError.invalidShape("FNO training: u has \(u.count) values, expected \(surrogate.rows) x \(surrogate.points)")
            }
            inputs += try surrogate.encode(initial: Array(u.prefix(surrogate.points)), control: f)
            targets += u.map { Float($0 / surrogate.stateScale) }
        }
        (self.surrogate, self.inputs, self.targets, self.batchSize, self.seed) = (surrogate, inputs, targets, batchSize, seed)
        sampleCount = trajectories.count
        optimizer = Adam(schedule: schedule)
    }

    /// The trajectories of the batch of `step`.
    func batchIndices(at step: Int) -> [Int] {
        var rng = Xoshiro256StarStar(seed: SplitMix64.derivedSeed(base: seed, index: step))
        return (0..<batchSize).map { _ in Int(rng.next() % UInt64(sampleCount)) }
    }

    static let shardSize = 4

    /// The loss of the batch of `step` and, when asked, its gradients.
    func lossAndGradients(at step: Int, gradients: Bool) throws -> (Double, Parameters<Float>?) {
        let indices = batchIndices(at: step)
        let (rows, points, size) = (surrogate.rows, surrogate.points, surrogate.inputSize)
        let plane = rows * points
        // Weight 1 on t ≥ Δt, 0 on the given first row; the mean over the batch's weighted values.
        var mask = [Float](repeating: 1, count: plane)
        for j in 0..<points { mask[j] = 0 }
        let weight = try Tensor<Float>(shape: [1, 1, rows, points], scalars: mask)
        let normaliser = Float(indices.count * (plane - points))
        let network = surrogate.network
        let (inputs, targets) = (self.inputs, self.targets)
        let parts = try Parallelism.shards((indices.count + Self.shardSize - 1) / Self.shardSize) { k -> (Float, Parameters<Float>?) in
            let members = Array(indices[(k * Self.shardSize)..<min(indices.count, (k + 1) * Self.shardSize)])
            let x = try Tensor<Float>(shape: [members.count, FourierOperatorSurrogate.inputChannels, rows, points],
                                      scalars: members.flatMap { inputs[($0 * size)..<(($0 + 1) * size)] })
            let y = try Tensor<Float>(shape: [members.count, 1, rows, points], scalars: members.flatMap { targets[($0 * plane)..<(($0 + 1) * plane)] })
            let tape = gradients ? Tape<Float>() : nil
            let p = tape.map { network.parameters.bind(to: $0) } ?? network.parameters.constants
            let residual = try network(Variable(x), parameters: p) - Variable(y)
            let loss = try (residual.squared() * Variable(weight)).sum() * (1 / normaliser)
            return (loss.value.scalar!, gradients ? p.gradients(from: try loss.backward()) : nil)
        }
        let value = parts.reduce(0.0) { $0 + Double($1.0) }
        guard gradients else { return (value, nil) }
        var total = parts[0].1!
        for part in parts.dropFirst() { total = try total.mapTensors { name, g in try g + part.1![name]! } }
        return (value, total)
    }

    /// One Adam step; returns the batch loss before the update.
    @discardableResult
    public mutating func trainStep() throws -> Double {
        let (value, gradients) = try lossAndGradients(at: step, gradients: true)
        guard value.isFinite, let gradients else {
            throw WaveletDiffusionError.invalidArgument("FNO training step \(step): the loss is \(value)")
        }
        var parameters = surrogate.network.parameters
        try optimizer.update(&parameters, with: gradients)
        surrogate.network.parameters = parameters
        step += 1
        return value
    }

    /// The loss of the batch of `step` with the current weights (no update).
    public func loss(at step: Int) throws -> Double { try lossAndGradients(at: step, gradients: false).0 }

    /// Continues from a checkpoint's state.
    public mutating func restore(parameters: Parameters<Float>, optimizer state: OptimizerState<Float>) throws {
        surrogate.network.parameters = parameters
        try optimizer.restore(state)
        step = state.step
    }
}
