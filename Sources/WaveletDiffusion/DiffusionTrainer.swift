import Foundation
import Integrators
import Randomness
import Tensors

/// Settings of diffusion training (the paper's: batch 16, Adam 1e-4 with β₂ = 0.99, gradient
/// norm clipped at 1, EMA 0.995 every 10 steps, 1000 cosine steps).
public struct DiffusionTrainingOptions: Sendable, Equatable, Codable {
    public var batchSize: Int
    public var learningRate: Double
    public var gradientClip: Double
    public var emaDecay: Double
    public var emaEvery: Int
    /// Steps of the discrete diffusion (the cosine schedule at `t = (i + 1)/steps`).
    public var diffusionSteps: Int
    public var seed: UInt64

    public init(batchSize: Int = 16, learningRate: Double = 1e-4, gradientClip: Double = 1, emaDecay: Double = 0.995,
                emaEvery: Int = 10, diffusionSteps: Int = 1000, seed: UInt64 = 0) {
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.gradientClip = gradientClip
        self.emaDecay = emaDecay
        self.emaEvery = emaEvery
        self.diffusionSteps = diffusionSteps
        self.seed = seed
    }
}

/// ε-prediction training of a ``DiffusionUNet`` on encoded trajectories (``WaveletChannels``):
/// each step draws a batch and a diffusion step `i` per sample, noises the generated values
/// `x_t = α x₀ + σ ε` (the task's known values stay clean, the padding zero, as the network will
/// see them when sampling), and minimises the per-channel-weighted squared error of ε̂ over the
/// generated values. Adam, gradient-norm clipping and an exponential moving average of the
/// weights; every draw comes from `(seed, step)`, so a run resumed from a checkpoint of
/// (parameters, optimizer, EMA, step) continues bit for bit.
public struct DiffusionTrainer {
    public var network: DiffusionUNet<Float>
    public var optimizer: Adam<Float>
    /// The moving average of the weights (with a warm-up of its decay).
    public var averaged: Parameters<Float>
    public private(set) var step = 0
    public let options: DiffusionTrainingOptions
    /// Data parallelism (under `mpirun`): each rank computes the shards `k` with
    /// `k mod size == rank` of every batch and the gradients are summed over the ranks.
    public var distribution = DataParallelGroup()
    public let task: DiffusionTask
    public let layout: any TrajectoryRepresentation
    public let schedule = DiffusionSchedule.cosine
    /// Encoded samples, `count × layout.sampleSize`.
    let data: [Float]
    public let sampleCount: Int
    /// Per-value weights of the loss over the generated values (`channel weight`, 0 where known or padding).
    let lossWeights: [Float]
    let known: [Float]
    let valid: [Float]

    /// - Parameters:
    ///   - samples: encoded samples (``WaveletChannels/encode(state:control:condition:)`` with the
    ///     task's condition), `count × layout.sampleSize` values.
    ///   - channelWeights: loss weight of each channel (the paper: the channel scales
    ///     `[10, 3, 3, 1, 21, 5, 5, 1, 10]`).
    public init(network: DiffusionUNet<Float>, layout: any TrajectoryRepresentation, task: DiffusionTask, samples: [Float],
                channelWeights: [Double], options: DiffusionTrainingOptions) throws {
        guard !samples.isEmpty, samples.count % layout.sampleSize == 0 else {
            throw WaveletDiffusionError.invalidShape("training data: \(samples.count) values is not a whole number of \(layout.sampleSize)-value samples")
        }
        guard channelWeights.count == layout.channelCount, channelWeights.allSatisfy({ $0 >= 0 }) else {
            throw WaveletDiffusionError.invalidArgument("training: \(layout.channelCount) non-negative channel weights are needed, got \(channelWeights)")
        }
        guard options.batchSize >= 1, options.learningRate > 0, options.gradientClip > 0, options.emaDecay >= 0, options.emaDecay < 1,
              options.emaEvery >= 1, options.diffusionSteps >= 2 else {
            throw WaveletDiffusionError.invalidArgument("training options out of range: \(options)")
        }
        try network.configuration.validate(height: layout.paddedHeight, width: layout.paddedWidth)
        guard network.configuration.channels == layout.channelCount else {
            throw WaveletDiffusionError.invalidArgument("U-Net has \(network.configuration.channels) channels, the samples \(layout.channelCount)")
        }
        self.network = network
        self.layout = layout
        self.task = task
        self.options = options
        data = samples
        sampleCount = samples.count / layout.sampleSize
        optimizer = Adam(learningRate: options.learningRate, beta1: 0.9, beta2: 0.99)
        averaged = network.parameters
        let plane = layout.paddedHeight * layout.paddedWidth
        let knownMask = layout.knownMask(for: task), validMask = layout.validMask
        known = knownMask.map(Float.init)
        valid = validMask.map(Float.init)
        lossWeights = (0..<layout.sampleSize).map { i in
            Float(validMask[i] * (1 - knownMask[i]) * channelWeights[i / plane])
        }
    }

    /// The noised batch for `step`: inputs `x_t`, targets ε (zero where known or padding), and the
    /// diffusion step of each sample.
    func batch(at step: Int) -> (inputs: [Float], noise: [Float], steps: [Float]) {
        var rng = Xoshiro256StarStar(seed: SplitMix64.derivedSeed(base: options.seed, index: step))
        let size = layout.sampleSize, b = options.batchSize
        var inputs = [Float](repeating: 0, count: b * size), noise = inputs, steps = [Float](repeating: 0, count: b)
        for s in 0..<b {
            let index = Int(rng.next() % UInt64(sampleCount))
            let i = Int(rng.next() % UInt64(options.diffusionSteps))
            steps[s] = Float(i)
            let t = Double(i + 1) / Double(options.diffusionSteps)
            let (alpha, sigma) = (Float(schedule.alpha(t)), Float(schedule.sigma(t)))
            for j in 0..<size {
                let x0 = data[index * size + j]
                let e = Float(rng.nextNormal())
                let generated = valid[j] * (1 - known[j])
                inputs[s * size + j] = generated * (alpha * x0 + sigma * e) + known[j] * valid[j] * x0
                noise[s * size + j] = generated * e
            }
        }
        return (inputs, noise, steps)
    }

    /// The weighted loss of the batch of `step` for `parameters` (no update).
    public func loss(at step: Int, parameters: Parameters<Float>) throws -> Double {
        var probe = network
        probe.parameters = parameters
        let (value, _) = try Self.lossAndGradients(probe, batch: batch(at: step), weights: lossWeights, layout: layout,
                                                   batchSize: options.batchSize, gradients: false)
        return value
    }

    /// Samples per shard: the batch is split into shards of this many samples, run concurrently
    /// on their own tapes (OpenBLAS held to one thread) and summed in shard order, so the result
    /// does not depend on the number of cores.
    static let shardSize = 4

    static func lossAndGradients(_ network: DiffusionUNet<Float>, batch: (inputs: [Float], noise: [Float], steps: [Float]),
                                 weights: [Float], layout: any TrajectoryRepresentation, batchSize b: Int,
                                 gradients: Bool, distribution: DataParallelGroup = DataParallelGroup()) throws -> (Double, Parameters<Float>?) {
        let size = layout.sampleSize
        let normaliser = Float(b) * weights.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        let w = try Tensor<Float>(shape: [1, layout.channelCount, layout.paddedHeight, layout.paddedWidth], scalars: weights)
        let mine = distribution.share(of: (b + shardSize - 1) / shardSize)
        let parts = try Parallelism.shards(mine.count) { index -> (Float, Parameters<Float>?) in
            let k = mine[index]
            let range = (k * shardSize)..<min(b, (k + 1) * shardSize)
            let shape = [range.count, layout.channelCount, layout.paddedHeight, layout.paddedWidth]
            let x = try Tensor<Float>(shape: shape, scalars: Array(batch.inputs[(range.lowerBound * size)..<(range.upperBound * size)]))
            let target = try Tensor<Float>(shape: shape, scalars: Array(batch.noise[(range.lowerBound * size)..<(range.upperBound * size)]))
            let steps = try Tensor<Float>(shape: [range.count], scalars: Array(batch.steps[range]))
            let tape = gradients ? Tape<Float>() : nil
            let p = tape.map { network.parameters.bind(to: $0) } ?? network.parameters.constants
            let prediction = try network(Variable(x), step: Variable(steps), parameters: p)
            let loss = try ((prediction - Variable(target)).squared() * Variable(w)).sum() * (1 / normaliser)
            return (loss.value.scalar!, gradients ? p.gradients(from: try loss.backward()) : nil)
        }
        let value = parts.reduce(0.0) { $0 + Double($1.0) }
        var total: Parameters<Float>? = nil
        if gradients {
            total = parts.first?.1 ?? network.parameters.zeros()
            for part in parts.dropFirst() { total = try total!.mapTensors { name, g in try g + part.1![name]! } }
        }
        return try distribution.sum(loss: value, gradients: total)
    }

    /// One training step; returns the batch loss (before the update) and the gradient norm
    /// (before clipping).
    @discardableResult
    public mutating func trainStep() throws -> (loss: Double, gradientNorm: Double) {
        let (value, raw) = try Self.lossAndGradients(network, batch: batch(at: step), weights: lossWeights, layout: layout,
                                                     batchSize: options.batchSize, gradients: true, distribution: distribution)
        guard var gradients = raw, value.isFinite else {
            throw WaveletDiffusionError.invalidArgument("training step \(step): the loss is \(value)")
        }
        let norm = gradients.clipNorm(to: options.gradientClip)
        var parameters = network.parameters
        try optimizer.update(&parameters, with: gradients)
        network.parameters = parameters
        step += 1
        if step % options.emaEvery == 0 {
            // Warm-up (as ema_pytorch and Karras et al.): the decay grows as (1 + k)/(10 + k) over the
            // first updates k, so a short run's average is not dominated by the initial weights.
            let updates = Double(step / options.emaEvery)
            let decay = Float(min(options.emaDecay, (1 + updates) / (10 + updates)))
            averaged = try averaged.mapTensors { name, old in try old * decay + parameters[name]! * (1 - decay) }
        }
        return (value, norm)
    }

    /// Continues from a checkpoint's state.
    public mutating func restore(parameters: Parameters<Float>, averaged: Parameters<Float>, optimizer state: OptimizerState<Float>, step: Int) throws {
        network.parameters = parameters
        self.averaged = averaged
        try optimizer.restore(state)
        self.step = step
    }
}
