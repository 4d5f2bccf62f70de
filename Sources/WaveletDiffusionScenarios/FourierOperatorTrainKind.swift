import Foundation
import NetCDF
import Scenarios
import Tensors
import WaveletDiffusion

/// Trains the Fourier Neural Operator baseline on a `wdno-data` file: `u` over `(t, x)` from `u0`
/// and `f` (``FourierOperatorSurrogate``), mean squared error over `t ≥ Δt`, Adam on a cosine
/// schedule (``FourierOperatorTrainer``). Writes the loss curve and the model that
/// `wdno-simulate` evaluates next to the diffusion models; checkpoints resume bit for bit.
public struct FourierOperatorTrainKind: ScenarioKind {
    public init() {}

    public let name = "wdno-fno-train"
    public let domain = "wavelet-diffusion"
    public let summary = "trains the Fourier Neural Operator baseline (u from u0 and f over the whole trajectory) on wdno-data trajectories"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("training_data", .string(), default: .string("runs/wdno-data/output.nc"), summary: "a wdno-data output"),
        ParameterSpec("iterations", .integer(1...10_000_000), default: .integer(2000), summary: "optimiser steps"),
        ParameterSpec("batch_size", .integer(1...4096), default: .integer(16), summary: "trajectories per step"),
        ParameterSpec("learning_rate", .number(positive: true), default: .number(0.001), summary: "peak Adam step size of the cosine schedule"),
        ParameterSpec("width", .integer(1...1024), default: .integer(32), summary: "channels of the Fourier layers"),
        ParameterSpec("modes", .numberList(maximumCount: 2), default: .array([.integer(12), .integer(12)]),
                      summary: "kept wavenumbers along t (first and last) and along x"),
        ParameterSpec("layers", .integer(1...64), default: .integer(4), summary: "Fourier layers"),
        ParameterSpec("padding", .numberList(maximumCount: 2), default: .array([.integer(-1), .integer(8)]),
                      summary: "zeros appended along t and x before the Fourier layers (-1: the fewest that make the side even, at least 4)"),
        ParameterSpec("projection_width", .integer(1...4096), default: .integer(128), summary: "hidden channels of the output projection"),
        ParameterSpec("max_trajectories", .integer(0...100_000_000), default: .integer(0), summary: "use at most this many training trajectories (0: all)"),
    ]

    public func check(_ p: ParameterValues, issues: inout [ValidationIssue]) {
        for name in ["modes", "padding"] {
            let values = p.doubles(name)
            if values.count != 2 {
                issues.append(ValidationIssue(path: "$.parameters.\(name)", value: p[name], expected: "two whole numbers (t, x)"))
            }
            for (i, v) in values.enumerated() where v != v.rounded() || v < (name == "modes" ? 1 : -1) {
                issues.append(ValidationIssue(path: "$.parameters.\(name)[\(i)]", value: .number(v),
                                              expected: name == "modes" ? "a whole number >= 1" : "a whole number >= -1"))
            }
        }
    }

    /// The network's shape for `rows × points` trajectories.
    static func configuration(_ p: ParameterValues, rows: Int, points: Int) -> FourierNeuralOperatorConfiguration {
        let modes = p.doubles("modes").map { Int($0) }, padding = p.doubles("padding").map { Int($0) }
        func pad(_ requested: Int, _ side: Int) -> Int { requested >= 0 ? requested : (side % 2 == 0 ? 4 : 5) }
        return FourierNeuralOperatorConfiguration(inChannels: FourierOperatorSurrogate.inputChannels, outChannels: 1, width: p.int("width"),
                                                  modesHeight: modes[0], modesWidth: modes[1], layers: p.int("layers"),
                                                  paddingHeight: pad(padding[0], rows), paddingWidth: pad(padding[1], points),
                                                  projectionWidth: p.int("projection_width"))
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let data = try BurgersControlData.read(p.string("training_data"))
        guard !data.isVorticity else {
            throw WaveletDiffusionRunError(message: "\(p.string("training_data")) holds vorticity windows; the FNO baseline is defined on wdno-data (Burgers) files")
        }
        var indices = (0..<data.count).filter { !data.isTest[$0] }
        if p.int("max_trajectories") > 0 { indices = Array(indices.prefix(p.int("max_trajectories"))) }
        guard !indices.isEmpty else { throw WaveletDiffusionRunError(message: "\(p.string("training_data")) holds no training trajectories") }
        func rootMeanSquare(_ values: [Double]) -> Double { (values.reduce(0) { $0 + $1 * $1 } / Double(max(1, values.count))).squareRoot() }
        let stateScale = rootMeanSquare(indices.flatMap { data.state($0) }), controlScale = rootMeanSquare(indices.flatMap { data.control($0) })
        let configuration = Self.configuration(p, rows: data.rows, points: data.points)
        let surrogate: FourierOperatorSurrogate
        do {
            surrogate = try FourierOperatorSurrogate(network: FourierNeuralOperator2D(configuration, seed: UInt64(scenario.seed)), rows: data.rows,
                                                     points: data.points, stateScale: max(stateScale, 1e-12), controlScale: max(controlScale, 1e-12))
        } catch {
            throw WaveletDiffusionRunError(message: "\(error)")
        }
        let iterations = p.int("iterations")
        var trainer = try FourierOperatorTrainer(surrogate: surrogate, trajectories: indices.map { (data.state($0), data.control($0)) },
                                                 batchSize: p.int("batch_size"),
                                                 schedule: .cosine(peak: p.double("learning_rate"), totalSteps: iterations), seed: UInt64(scenario.seed))
        var losses: [Double] = []
        if context.isResuming {
            let checkpoint = try context.openCheckpoint()
            defer { try? checkpoint.close() }
            let weights = try Checkpoint.readParameters(from: checkpoint, matching: trainer.surrogate.network.parameters)
            guard let state = try Checkpoint.readOptimizerState(from: checkpoint, matching: trainer.surrogate.network.parameters) else {
                throw WaveletDiffusionRunError(message: "\(context.checkpointPath) holds no optimizer state")
            }
            try trainer.restore(parameters: weights, optimizer: state)
            losses = Array(try checkpoint.read(Double.self, from: "loss").prefix(state.step))
            context.progress.note("resuming '\(scenario.name)' after iteration \(state.step)")
        }
        context.progress.begin("wdno-fno-train '\(scenario.name)' (\(indices.count) trajectories)")
        let started = Date(), resumedAt = trainer.step
        while trainer.step < iterations {
            losses.append(try trainer.trainStep())
            context.progress.update(fraction: Double(trainer.step) / Double(iterations), steps: trainer.step)
            if trainer.step < iterations, context.checkpointDue(step: trainer.step) {
                let (weights, state, log) = (trainer.surrogate.network.parameters, trainer.optimizer.state, losses)
                try context.writeCheckpoint(step: trainer.step) { dataset in
                    try Self.defineCurve(in: dataset, count: log.count)
                    try Checkpoint.write(weights, optimizerState: state, to: dataset)
                    try dataset.write(log, to: "loss")
                }
                try context.stopIfRequested(progress: "iteration \(trainer.step) of \(iterations)")
            }
        }
        let seconds = Date().timeIntervalSince(started)
        let window = max(1, min(50, losses.count / 10))
        let statistics: [(key: String, value: JSONValue)] = [
            ("iterations", .integer(Int64(iterations))), ("training_trajectories", .integer(Int64(indices.count))),
            ("parameter_count", .integer(Int64(trainer.surrogate.network.parameters.scalarCount))),
            ("initial_loss", .number(losses.prefix(window).reduce(0, +) / Double(window))),
            ("final_loss", .number(losses.suffix(window).reduce(0, +) / Double(window))),
            ("training_seconds", .number((seconds * 10).rounded() / 10)),
            ("seconds_per_iteration", .number(seconds / Double(max(1, iterations - resumedAt)))),
        ]
        let dataset = try context.createOutput(
            title: "Fourier Neural Operator baseline trained on \(p.string("training_data"))",
            references: "Z. Li et al. (2021), Fourier Neural Operator for Parametric Partial Differential Equations, ICLR; P. Hu et al. (2025), Wavelet Diffusion Neural Operator, ICLR",
            comment: "2-D FNO over (t, x): inputs u0/state_scale (every row), f/control_scale (one zero row appended), t/(rows - 1), x/(points - 1); "
                + "output u/state_scale; trained on the mean squared error over t >= dt. Read by wdno-simulate.")
        defer { dataset.discard() }
        for (name, value) in FourierOperatorDescription(configuration: configuration, rows: data.rows, points: data.points,
                                                        stateScale: trainer.surrogate.stateScale, controlScale: trainer.surrogate.controlScale).attributes() {
            try dataset.setAttribute(name, value)
        }
        try Self.defineCurve(in: dataset, count: losses.count)
        try Checkpoint.write(trainer.surrogate.network.parameters, to: dataset)
        try dataset.write(losses, to: "loss")
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        context.removeCheckpoint()
        return RunSummary(statistics: statistics)
    }

    static func defineCurve(in dataset: Dataset, count: Int) throws {
        try dataset.defineDimension("iteration", length: count)
        try dataset.defineVariable("loss", type: .float64, dimensions: ["iteration"], attributes: [
            "long_name": "mean squared error of u/state_scale over t >= dt, batch before the update", "units": "1",
        ])
    }
}

/// What a `wdno-fno-train` output records about its model, to rebuild it.
struct FourierOperatorDescription {
    var configuration: FourierNeuralOperatorConfiguration
    var rows: Int
    var points: Int
    var stateScale: Double
    var controlScale: Double

    func attributes() -> [(String, AttributeValue)] {
        let c = configuration
        return [("architecture", .text("fno")), ("task", .text("simulation")),
                ("fno_width", .int64([Int64(c.width)])), ("fno_modes", .int64([Int64(c.modesHeight), Int64(c.modesWidth)])),
                ("fno_layers", .int64([Int64(c.layers)])), ("fno_padding", .int64([Int64(c.paddingHeight), Int64(c.paddingWidth)])),
                ("fno_projection_width", .int64([Int64(c.projectionWidth)])),
                ("trajectory_rows", .int64([Int64(rows)])), ("trajectory_points", .int64([Int64(points)])),
                ("state_scale", .float64([stateScale])), ("control_scale", .float64([controlScale]))]
    }

    static func read(from dataset: Dataset, path: String) throws -> FourierOperatorDescription {
        func integers(_ name: String, _ count: Int) throws -> [Int] {
            guard case .int64(let values)? = try dataset.attribute(name), values.count == count else {
                throw WaveletDiffusionRunError(message: "\(path) is not a wdno-fno-train model: no attribute '\(name)' of \(count) integers")
            }
            return values.map(Int.init)
        }
        func number(_ name: String) throws -> Double {
            guard case .float64(let values)? = try dataset.attribute(name), let value = values.first, value > 0 else {
                throw WaveletDiffusionRunError(message: "\(path) is not a wdno-fno-train model: no positive attribute '\(name)'")
            }
            return value
        }
        let modes = try integers("fno_modes", 2), padding = try integers("fno_padding", 2)
        let configuration = FourierNeuralOperatorConfiguration(
            inChannels: FourierOperatorSurrogate.inputChannels, outChannels: 1, width: try integers("fno_width", 1)[0], modesHeight: modes[0],
            modesWidth: modes[1], layers: try integers("fno_layers", 1)[0], paddingHeight: padding[0], paddingWidth: padding[1],
            projectionWidth: try integers("fno_projection_width", 1)[0])
        return FourierOperatorDescription(configuration: configuration, rows: try integers("trajectory_rows", 1)[0],
                                          points: try integers("trajectory_points", 1)[0], stateScale: try number("state_scale"),
                                          controlScale: try number("control_scale"))
    }
}

/// The FNO of a `wdno-fno-train` output, for `data`'s grid; every mismatch is named.
/// With `otherGrid` it runs on the data's grid whatever grid it was trained on (its inputs carry
/// the coordinates scaled to [0, 1] and its spectral weights act on the lowest wavenumbers).
func loadFourierOperator(_ file: Dataset, path: String, data: BurgersControlData, dataPath: String, otherGrid: Bool = false) throws -> FourierOperatorSurrogate {
    let description = try FourierOperatorDescription.read(from: file, path: path)
    guard otherGrid || (description.rows == data.rows && description.points == data.points) else {
        throw WaveletDiffusionRunError(message: "\(path) was trained on \(description.rows) x \(description.points) trajectories, \(dataPath) holds \(data.rows) x \(data.points)"
                                           + " (set other_grid to evaluate it on this grid)")
    }
    var network = FourierNeuralOperator2D<Float>(description.configuration, seed: 0)
    do {
        network.parameters = try Checkpoint.readParameters(from: file, matching: network.parameters)
        return try FourierOperatorSurrogate(network: network, rows: data.rows, points: data.points, stateScale: description.stateScale,
                                            controlScale: description.controlScale)
    } catch {
        throw WaveletDiffusionRunError(message: "\(path) does not hold this FNO's weights: \(error)")
    }
}
