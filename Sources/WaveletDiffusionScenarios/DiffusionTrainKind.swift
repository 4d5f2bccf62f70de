import Foundation
import NetCDF
import Scenarios
import Tensors
import WaveletDiffusion

/// Trains the Wavelet Diffusion Neural Operator's noise predictor on a `wdno-data` file: the
/// training trajectories as wavelet channels (``WaveletChannels``), ε-prediction with the task's
/// known values held clean (``DiffusionTrainer``), Adam, gradient clipping and an EMA of the
/// weights. Writes the loss curve and the model (raw and averaged weights) that `wdno-simulate`
/// reads; checkpoints resume bit for bit.
public struct DiffusionTrainKind: ScenarioKind {
    public init() {}

    public let name = "wdno-train"
    public let domain = "wavelet-diffusion"
    public let summary = "trains the wavelet diffusion model (U-Net noise predictor) for simulation or control on wdno-data trajectories"
    /// Under `mpirun`, the ranks share each batch's shards and sum their gradients.
    public var isDataParallel: Bool { true }

    public let parameters: [ParameterSpec] = [
        ParameterSpec("training_data", .string(), default: .string("runs/wdno-data/output.nc"), summary: "a wdno-data output"),
        ParameterSpec("task", .string(choices: DiffusionTask.allCases.map(\.rawValue)), default: .string("simulation"),
                      summary: "simulation (given u0 and f) or control (given u0 and u_T)"),
        ParameterSpec("representation", .string(choices: ["wavelet", "raw"]), default: .string("wavelet"),
                      summary: "wavelet (WDNO) or raw (the paper's ablation: the same diffusion on the (t, x) values, padded to 128 x 128)"),
        ParameterSpec("iterations", .integer(1...10_000_000), default: .integer(2000), summary: "optimiser steps (the paper: 100,000)"),
        ParameterSpec("batch_size", .integer(1...4096), default: .integer(16), summary: "trajectories per step"),
        ParameterSpec("learning_rate", .number(positive: true), default: .number(0.0002), summary: "Adam step size (the paper: 1e-4 over 100k steps)"),
        ParameterSpec("gradient_clip", .number(positive: true), default: .number(1), summary: "global gradient-norm clip"),
        ParameterSpec("ema_decay", .number(minimum: 0, maximum: 0.999999), default: .number(0.995), summary: "decay of the weights' moving average"),
        ParameterSpec("ema_every", .integer(1...100_000), default: .integer(10), summary: "steps between moving-average updates"),
        ParameterSpec("width", .integer(2...1024), default: .integer(32), summary: "U-Net channels at the first level (the paper: 128)"),
        ParameterSpec("multipliers", .numberList(maximumCount: 6), default: .array([.integer(1), .integer(2), .integer(4)]),
                      summary: "channel multipliers of the U-Net levels (the paper: 1, 2, 4, 8)"),
        ParameterSpec("blocks_per_level", .integer(1...8), default: .integer(1), summary: "residual blocks per level (the paper: 2)"),
        ParameterSpec("groups", .integer(1...64), default: .integer(1), summary: "GroupNorm groups (the paper: 1)"),
        ParameterSpec("middle_attention", .boolean, default: .bool(true), summary: "self-attention on the coarsest grid"),
        ParameterSpec("max_trajectories", .integer(0...100_000_000), default: .integer(0), summary: "use at most this many training trajectories (0: all)"),
    ] + VorticityWindowing.parameters

    public func check(_ p: ParameterValues, issues: inout [ValidationIssue]) {
        for (i, m) in p.doubles("multipliers").enumerated() where m < 1 || m != m.rounded() {
            issues.append(ValidationIssue(path: "$.parameters.multipliers[\(i)]", value: .number(m), expected: "a whole number >= 1"))
        }
        if p.doubles("multipliers").isEmpty {
            issues.append(ValidationIssue(path: "$.parameters.multipliers", value: p["multipliers"], expected: "at least one level"))
        }
    }

    static func configuration(_ p: ParameterValues, channels: Int) -> DiffusionUNetConfiguration {
        DiffusionUNetConfiguration(channels: channels, width: p.int("width"), multipliers: p.doubles("multipliers").map { Int($0) },
                                   blocksPerLevel: p.int("blocks_per_level"), groups: p.int("groups"), middleAttention: p.bool("middle_attention"))
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let data = try BurgersControlData.read(p.string("training_data"), windowing: VorticityWindowing(p))
        let task = DiffusionTask(rawValue: p.string("task"))!
        guard !data.isVorticity || task == .simulation else {
            throw WaveletDiffusionRunError(message: "\(p.string("training_data")) holds vorticity windows: only task simulation is defined on them")
        }
        let layout = try data.representation(p.string("representation"))
        var indices = (0..<data.count).filter { !data.isTest[$0] }
        if p.int("max_trajectories") > 0 { indices = Array(indices.prefix(p.int("max_trajectories"))) }
        guard !indices.isEmpty else { throw WaveletDiffusionRunError(message: "\(p.string("training_data")) holds no training trajectories") }
        var samples: [Float] = []
        samples.reserveCapacity(indices.count * layout.sampleSize)
        for i in indices {
            samples += try layout.encode(state: data.state(i), control: data.control(i), condition: task.condition).map(Float.init)
        }
        let configuration = Self.configuration(p, channels: layout.channelCount)
        do { try configuration.validate(height: layout.paddedHeight, width: layout.paddedWidth) } catch {
            throw WaveletDiffusionRunError(message: "\(error)")
        }
        if configuration.width < layout.channelCount {
            context.progress.note("the U-Net's first level (width \(configuration.width)) is narrower than the \(layout.channelCount) channels it predicts; "
                                  + "the noise of every channel cannot pass through it (use a width of at least \(layout.channelCount))")
        }
        let iterations = p.int("iterations")
        let options = DiffusionTrainingOptions(batchSize: p.int("batch_size"), learningRate: p.double("learning_rate"),
                                               gradientClip: p.double("gradient_clip"), emaDecay: p.double("ema_decay"),
                                               emaEvery: p.int("ema_every"), seed: UInt64(scenario.seed))
        var trainer = try DiffusionTrainer(network: DiffusionUNet(configuration, seed: UInt64(scenario.seed)), layout: layout, task: task,
                                           samples: samples, channelWeights: layout.channelWeights, options: options)
        let communicator = context.communicator
        trainer.distribution.rank = communicator.rank
        trainer.distribution.size = communicator.size
        trainer.distribution.sumOverRanks = { try communicator.sumInPlace(&$0) }
        var losses: [Double] = [], norms: [Double] = []
        if context.isResuming {
            let checkpoint = try context.openCheckpoint()
            defer { try? checkpoint.close() }
            let template = combinedWeights(trainer.network.parameters, trainer.averaged)
            let weights = try Checkpoint.readParameters(from: checkpoint, matching: template)
            guard let state = try Checkpoint.readOptimizerState(from: checkpoint, matching: trainer.network.parameters) else {
                throw WaveletDiffusionRunError(message: "\(context.checkpointPath) holds no optimizer state")
            }
            var raw = Parameters<Float>()
            for name in trainer.network.parameters.names { raw[name] = weights[name] }
            try trainer.restore(parameters: raw, averaged: weights.scoped("ema"), optimizer: state, step: state.step)
            losses = Array(try checkpoint.read(Double.self, from: "loss").prefix(state.step))
            norms = Array(try checkpoint.read(Double.self, from: "gradient_norm").prefix(state.step))
            context.progress.note("resuming '\(scenario.name)' after iteration \(state.step)")
        }
        context.progress.begin("wdno-train '\(scenario.name)' (\(task.rawValue), \(indices.count) trajectories)")
        let started = Date()
        while trainer.step < iterations {
            let (loss, norm) = try trainer.trainStep()
            losses.append(loss)
            norms.append(norm)
            context.progress.update(fraction: Double(trainer.step) / Double(iterations), steps: trainer.step)
            if trainer.step < iterations, context.checkpointDue(step: trainer.step) {
                let (weights, state, log) = (combinedWeights(trainer.network.parameters, trainer.averaged), trainer.optimizer.state, (losses, norms))
                try context.writeCheckpoint(step: trainer.step) { dataset in
                    try Self.defineCurve(in: dataset, count: log.0.count)
                    try Checkpoint.write(weights, optimizerState: state, to: dataset)
                    try dataset.write(log.0, to: "loss")
                    try dataset.write(log.1, to: "gradient_norm")
                }
                try context.stopIfRequested(progress: "iteration \(trainer.step) of \(iterations)")
            }
        }
        let seconds = Date().timeIntervalSince(started)
        let window = max(1, min(50, losses.count / 10))
        let statistics: [(key: String, value: JSONValue)] = [
            ("iterations", .integer(Int64(iterations))), ("training_trajectories", .integer(Int64(indices.count))),
            ("parameter_count", .integer(Int64(trainer.network.parameters.scalarCount))),
            ("initial_loss", .number(losses.prefix(window).reduce(0, +) / Double(window))),
            ("final_loss", .number(losses.suffix(window).reduce(0, +) / Double(window))),
            ("ranks", .integer(Int64(communicator.size))),
            ("training_seconds", .number((seconds * 10).rounded() / 10)),
            ("seconds_per_iteration", .number(seconds / Double(max(1, iterations - (losses.count - iterations))))),
        ]
        // Every rank holds the same model; rank 0 writes it.
        guard communicator.isRoot else {
            context.removeCheckpoint()
            return RunSummary(statistics: statistics)
        }
        var description = TrainedModelDescription(task: task, representation: layout.name, configuration: configuration, rows: data.rows,
                                                  points: data.points, diffusionSteps: options.diffusionSteps)
        if let vorticity = layout as? VorticityWaveletChannels {
            description.spatialShape = data.spatialShape
            description.vorticityScales = (vorticity.bandScales, vorticity.conditionScale)
        }
        let representationNote = layout.name == "vorticity-wavelet"
            ? "the one-level bior2.4 (periodization) DWT over (t, y, x) of \(data.rows)-frame vorticity windows, time slices as channels, the first frame's 2-D DWT as condition"
            : layout.name == "raw"
            ? "the raw (t, x) values of (u, f) (the paper's ablation without wavelets), 2 channels padded to \(layout.paddedHeight) x \(layout.paddedWidth)"
            : "the one-level bior2.4 (periodization) DWT of (u, f) over (t, x), 9 channels padded to \(layout.paddedHeight) x \(layout.paddedWidth)"
        let dataset = try context.createOutput(
            title: "Diffusion model (\(layout.name), \(task.rawValue)) trained on \(p.string("training_data"))",
            references: "P. Hu et al. (2025), Wavelet Diffusion Neural Operator, ICLR; J. Ho, A. Jain, P. Abbeel (2020), Denoising Diffusion Probabilistic Models, NeurIPS",
            comment: "U-Net noise predictor on \(representationNote), "
                + "1000-step cosine schedule, epsilon prediction weighted per channel by the channel scales; parameters 'ema.*' are the moving average. Read by wdno-simulate.")
        defer { dataset.discard() }
        for (name, value) in description.attributes() { try dataset.setAttribute(name, value) }
        try Self.defineCurve(in: dataset, count: losses.count)
        try Checkpoint.write(combinedWeights(trainer.network.parameters, trainer.averaged), to: dataset)
        try dataset.write(losses, to: "loss")
        try dataset.write(norms, to: "gradient_norm")
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        context.removeCheckpoint()
        return RunSummary(statistics: statistics)
    }

    static func defineCurve(in dataset: Dataset, count: Int) throws {
        try dataset.defineDimension("iteration", length: count)
        try dataset.defineVariable("loss", type: .float64, dimensions: ["iteration"], attributes: [
            "long_name": "channel-weighted mean squared error of the predicted noise over the generated values", "units": "1",
        ])
        try dataset.defineVariable("gradient_norm", type: .float64, dimensions: ["iteration"], attributes: [
            "long_name": "global gradient norm before clipping", "units": "1",
        ])
    }
}
