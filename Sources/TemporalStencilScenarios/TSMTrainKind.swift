import Foundation
import NetCDF
import Randomness
import Scenarios
import Tensors
import TemporalStencil

/// Trains a Temporal Stencil Modeling coarse solver by unrolled rollouts against reference
/// data: windows of `history + unroll` consecutive model-grid frames from an `ns2d-dns` run
/// recorded every model time step (`save_every` = Δt, `coarse_grids` holding the model grid);
/// the model reads the history, steps `unroll` times, and the loss is the mean squared velocity
/// error over those steps (TSM's L2 loss). Adam with linear warm-up then cosine decay, gradient
/// clipping. The output holds the trained weights (read by `tsm-rollout` with `model: tsm`) and
/// the training curve. `memory_size: 0` trains the ablation without HiPPO features.
public struct TSMTrainKind: ScenarioKind {
    public init() {}

    public let name = "tsm-train"

    public let domain = "temporal-stencil"
    public let summary = "Train TSM learned stencils (CNN + HiPPO memory) by unrolled rollouts against ns2d-dns frames"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("training_data", .string(), default: .string("runs/tsm-training-data/output.nc"),
                      summary: "ns2d-dns output recorded every model time step, with u_<grid>, v_<grid>; or a sweep directory of them (one trajectory per member)"),
        ParameterSpec("grid", .integer(4...1024), default: .integer(32), summary: "model grid m (TSM: 64)"),
        ParameterSpec("memory_size", .integer(0...256), default: .integer(8), summary: "HiPPO coefficients per face value (0: no memory, the ablation; TSM: up to 256)"),
        ParameterSpec("base_scheme", .string(choices: FaceInterpolation.allCases.map(\.rawValue)), default: .string("van-leer"),
                      summary: "the classical interpolation the learned stencils correct (an untrained model is this scheme)"),
        ParameterSpec("correction_limit", .string(choices: CorrectionLimit.allCases.map(\.rawValue)), default: .string("tvd-region"),
                      summary: "tvd-region: each corrected face value stays in the TVD (Sweby) region of its upwind cell (a learned flux limiter); van-leer-limited: TSM's upwind + φ(r)·(learned − upwind), needs base_scheme van-leer; local-variation: the correction saturates at the larger neighbouring jump along the flow, with room at extrema; none: no limit"),
        ParameterSpec("learned_advecting_velocity", .boolean, default: .bool(false),
                      summary: "also learn the interpolation of the advecting velocity at each flux point (TSM's u stencils; 104 output channels instead of 52)"),
        ParameterSpec("memory_anomaly", .boolean, default: .bool(true),
                      summary: "feed the memory minus that of a constant signal at the current value (what the history adds)"),
        ParameterSpec("history", .integer(1...1024), default: .integer(32), summary: "input frames the memory reads before the rollout (TSM: 32)"),
        ParameterSpec("unroll", .integer(1...1024), default: .integer(32), summary: "steps rolled out per training window (as TSM)"),
        ParameterSpec("width", .integer(1...1024), default: .integer(32), summary: "channels of the hidden convolutions (TSM: 256)"),
        ParameterSpec("depth", .integer(2...64), default: .integer(4), summary: "3x3 convolutions in the CNN (TSM: 6)"),
        ParameterSpec("batch", .integer(1...1024), default: .integer(4), summary: "windows per iteration"),
        ParameterSpec("iterations", .integer(1...10_000_000), default: .integer(600), summary: "optimiser steps"),
        ParameterSpec("learning_rate", .number(positive: true), default: .number(1e-3), summary: "Adam's peak rate (TSM: 1e-3)"),
        ParameterSpec("warmup", .integer(0...1_000_000), default: .integer(60), summary: "iterations of linear warm-up before the cosine decay"),
        ParameterSpec("gradient_clip", .number(positive: true), default: .number(0.25), summary: "global gradient-norm clip (TSM: 0.25)"),
        ParameterSpec("vorticity_weight", .number(minimum: 0), default: .number(0),
                      summary: "w: each step's loss adds w·H²·(mean squared corner-vorticity error), weighing small scales as the correlation metric does (TSM: 0, velocity only); held-out losses stay velocity only"),
        ParameterSpec("validation_windows", .integer(1...1024), default: .integer(8),
                      summary: "windows from the last 10 % of the frames, held out of training and scored before and after"),
    ]

    public func check(_ p: ParameterValues, issues: inout [ValidationIssue]) {
        if p.string("correction_limit") == CorrectionLimit.vanLeerLimited.rawValue, p.string("base_scheme") != FaceInterpolation.vanLeer.rawValue {
            issues.append(ValidationIssue(path: "$.parameters.base_scheme", value: p["base_scheme"],
                                          expected: "van-leer with correction_limit van-leer-limited (it limits the learned stencil as van Leer limits the linear one)"))
        }
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let m = p.int("grid"), history = p.int("history"), unroll = p.int("unroll"), iterations = p.int("iterations")
        let (data, dt, setup) = try Self.readTrainingData(p.string("training_data"), grid: m)
        // Hold out the last 10 % of each trajectory's frames (and every window reaching into them) for validation.
        var trainingFrames: [[[Double]]] = [], heldOutFrames: [[[Double]]] = []
        for (k, trajectory) in data.trajectories.enumerated() {
            let frames = trajectory.count, split = frames - max(history + unroll, frames / 10)
            guard split >= history + unroll else {
                throw TemporalStencilRunError(message: "\(p.string("training_data")): trajectory \(k) holds \(frames) frames: too few for windows of history \(history) + unroll \(unroll) plus a held-out 10 %")
            }
            trainingFrames.append(Array(trajectory[0..<split]))
            heldOutFrames.append(Array(trajectory[split...]))
        }
        let training = ReferenceTrajectories(grid: m, trajectories: trainingFrames)
        let heldOut = ReferenceTrajectories(grid: m, trajectories: heldOutFrames)
        let starts = training.windowStarts(history: history, unroll: unroll)
        let validationStarts = heldOut.windowStarts(history: history, unroll: unroll)
        let configuration = TemporalStencilModel.Configuration(
            grid: m, memorySize: p.int("memory_size"), width: p.int("width"), depth: p.int("depth"), timeStep: dt,
            viscosity: setup.viscosity, drag: setup.drag, forcingAmplitude: setup.amplitude, forcingWavenumber: setup.wavenumber,
            baseScheme: FaceInterpolation(rawValue: p.string("base_scheme"))!, correctionLimit: CorrectionLimit(rawValue: p.string("correction_limit"))!,
            learnsAdvectingVelocity: p.bool("learned_advecting_velocity"),
            memoryAnomaly: p.bool("memory_anomaly"))
        var model = TemporalStencilModel(configuration: configuration, seed: UInt64(scenario.seed))
        var optimizer = Adam<Double>(schedule: .cosine(peak: p.double("learning_rate"), totalSteps: iterations,
                                                       warmupSteps: p.int("warmup"), final: p.double("learning_rate") * 0.01))
        let chosen = (0..<p.int("validation_windows")).map { validationStarts[$0 * validationStarts.count / p.int("validation_windows")] }
        let validation = try heldOut.batch(starts: chosen, history: history, unroll: unroll)
        func validationLoss() throws -> Double {
            try model.unrolledLoss(validation)
        }

        let classicalValidation = Self.classicalLoss(validation, configuration: configuration)
        var losses: [Double] = [], norms: [Double] = [], rates: [Double] = []
        var initialValidation = Double.nan
        if context.isResuming {
            let checkpoint = try context.openCheckpoint()
            defer { try? checkpoint.close() }
            model.parameters = try Checkpoint.readParameters(from: checkpoint, matching: model.parameters)
            guard let state = try Checkpoint.readOptimizerState(from: checkpoint, matching: model.parameters) else {
                throw TemporalStencilRunError(message: "\(context.checkpointPath) holds no optimizer state")
            }
            try optimizer.restore(state)
            let done = optimizer.step
            losses = Array(try checkpoint.read(Double.self, from: "loss").prefix(done))
            norms = Array(try checkpoint.read(Double.self, from: "gradient_norm").prefix(done))
            rates = Array(try checkpoint.read(Double.self, from: "learning_rate").prefix(done))
            initialValidation = try checkpoint.attribute("initial_validation_loss")?.doubles?.first ?? .nan
            context.progress.note("resuming '\(scenario.name)' after iteration \(done)")
        } else {
            initialValidation = try validationLoss()
        }
        context.progress.begin("tsm-train '\(scenario.name)'")
        let started = Date()
        var iteration = losses.count
        while iteration < iterations {
            // Windows drawn from (seed, iteration) alone, so a resumed run draws the same ones.
            var rng = SplitMix64(seed: SplitMix64.hash(UInt64(scenario.seed), UInt64(iteration)))
            let batch = try training.batch(starts: (0..<p.int("batch")).map { _ in starts[Int.random(in: 0..<starts.count, using: &rng)] },
                                           history: history, unroll: unroll)
            rates.append(optimizer.learningRate)
            let (loss, norm) = try model.trainingStep(on: batch, optimizer: &optimizer, gradientClip: p.double("gradient_clip"),
                                                         vorticityWeight: p.double("vorticity_weight"))
            guard loss.isFinite else {
                throw TemporalStencilRunError(message: "the training loss became \(loss) at iteration \(iteration + 1); lower learning_rate or unroll")
            }
            losses.append(loss)
            norms.append(norm)
            iteration += 1
            context.progress.update(fraction: Double(iteration) / Double(iterations), steps: iteration)
            if iteration < iterations, context.checkpointDue(step: iteration) {
                let (weights, state, log) = (model.parameters, optimizer.state, (losses, norms, rates))
                try context.writeCheckpoint(step: iteration) { dataset in
                    try dataset.setAttribute("initial_validation_loss", .float64([initialValidation]))
                    try Self.defineCurve(in: dataset, count: log.0.count)
                    try Checkpoint.write(weights, optimizerState: state, schedule: optimizer.schedule, to: dataset)
                    try Self.writeCurve(log.0, log.1, log.2, to: dataset)
                }
                try context.stopIfRequested(progress: "iteration \(iteration) of \(iterations)")
            }
        }
        let finalValidation = try validationLoss()
        let seconds = Date().timeIntervalSince(started)

        let dataset = try context.createOutput(
            title: "Temporal Stencil Modeling coarse solver trained on \(p.string("training_data"))",
            references: "Z. Sun, Y. Yang, S. Yoo (2023), A Neural PDE Solver with Temporal Stencil Modeling, ICML; D. Kochkov et al. (2021), PNAS 118 (learned interpolation)",
            comment: "CNN of \(configuration.depth) periodic 3x3 convolutions (\(configuration.width) channels, ReLU) reading u, v and \(configuration.memorySize) HiPPO coefficients of each, output: 4x4 convective stencils exact for linear fields; trained by \(unroll)-step unrolled rollouts after \(history) input frames, dt = \(dt). Read by tsm-rollout with model: tsm.")
        defer { dataset.discard() }
        try Self.defineCurve(in: dataset, count: losses.count)
        try dataset.setAttribute("initial_validation_loss", .float64([initialValidation]))
        try dataset.setAttribute("final_validation_loss", .float64([finalValidation]))
        try dataset.setAttribute("classical_validation_loss", .float64([classicalValidation]))
        try model.write(to: dataset, history: history)
        try Self.writeCurve(losses, norms, rates, to: dataset)
        let statistics: [(key: String, value: JSONValue)] = [
            ("iterations", .integer(Int64(iterations))), ("time_step", .number(dt)),
            ("training_trajectories", .integer(Int64(data.trajectories.count))),
            ("parameter_count", .integer(Int64(model.parameters.scalarCount))),
            ("initial_validation_loss", .number(initialValidation)), ("final_validation_loss", .number(finalValidation)),
            ("classical_validation_loss", .number(classicalValidation)),
            ("final_training_loss", .number(losses.suffix(20).reduce(0, +) / Double(max(1, min(20, losses.count))))),
            ("training_seconds", .number((seconds * 10).rounded() / 10)),
        ]
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        context.removeCheckpoint()
        return RunSummary(statistics: statistics)
    }

    /// The same held-out loss for the classical scheme the model corrects (its yardstick).
    static func classicalLoss(_ batch: UnrolledBatch, configuration c: TemporalStencilModel.Configuration) -> Double {
        let m = c.grid, cells = m * m, windows = batch.targets[0].shape[0]
        let solver = FiniteVolumeNavierStokes2D(m: m, viscosity: c.viscosity, drag: c.drag, forcingAmplitude: c.forcingAmplitude,
                                                forcingWavenumber: c.forcingWavenumber, interpolation: c.baseScheme)
        var total = 0.0
        for w in 0..<windows {
            let start = batch.history.last!
            var u = Array(start[(w * 2 * cells)..<(w * 2 * cells + cells)]), v = Array(start[(w * 2 * cells + cells)..<((w + 1) * 2 * cells)])
            for target in batch.targets {
                solver.step(u: &u, v: &v, dt: c.timeStep)
                let reference = target.scalars[(w * 2 * cells)..<((w + 1) * 2 * cells)]
                total += zip(u + v, reference).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
            }
        }
        return total / Double(windows * batch.targets.count * 2 * cells)
    }

    static func defineCurve(in dataset: Dataset, count: Int) throws {
        try dataset.defineDimension("iteration", length: count)
        try dataset.defineVariable("iteration", type: .int32, dimensions: ["iteration"], attributes: ["long_name": "optimiser step", "units": "1"])
        try dataset.defineVariable("loss", type: .float64, dimensions: ["iteration"], attributes: [
            "long_name": "unrolled training loss: mean squared velocity error over the rollout", "units": "1",
        ])
        try dataset.defineVariable("gradient_norm", type: .float64, dimensions: ["iteration"], attributes: [
            "long_name": "global gradient norm before clipping", "units": "1",
        ])
        try dataset.defineVariable("learning_rate", type: .float64, dimensions: ["iteration"], attributes: ["long_name": "Adam step size", "units": "1"])
    }

    static func writeCurve(_ losses: [Double], _ norms: [Double], _ rates: [Double], to dataset: Dataset) throws {
        guard !losses.isEmpty else { return }
        try dataset.write((1...losses.count).map { Int32($0) }, to: "iteration")
        try dataset.write(losses, to: "loss")
        try dataset.write(norms, to: "gradient_norm")
        try dataset.write(rates, to: "learning_rate")
    }

    /// The model-grid frames of the trajectories in `path`, their spacing (the model time step)
    /// and the flow's parameters. `path` is one `ns2d-dns` output, or a sweep directory of them
    /// (each member's `output.nc` one trajectory, in member order), all with the same flow and
    /// record spacing.
    static func readTrainingData(_ path: String, grid m: Int) throws -> (ReferenceTrajectories, Double, ReferenceFlow) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TemporalStencilRunError(message: "training_data \(path) does not exist")
        }
        guard isDirectory.boolValue else { return try readTrajectory(path, grid: m) }
        let members = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            .map { "\(path)/\($0)/output.nc" }.filter { FileManager.default.fileExists(atPath: $0) }
        guard let first = members.first else {
            throw TemporalStencilRunError(message: "training_data \(path) is a directory without <member>/output.nc files (expected an ns2d-dns sweep)")
        }
        let (data, dt, setup) = try readTrajectory(first, grid: m)
        var trajectories = data.trajectories
        for member in members.dropFirst() {
            let (next, memberDt, memberSetup) = try readTrajectory(member, grid: m)
            guard abs(memberDt - dt) <= 1e-9 * max(1, dt), memberSetup == setup else {
                throw TemporalStencilRunError(message: "\(member): its record spacing \(memberDt) or flow \(memberSetup) differs from \(first)'s (\(dt), \(setup))")
            }
            trajectories += next.trajectories
        }
        return (ReferenceTrajectories(grid: m, trajectories: trajectories), dt, setup)
    }

    /// One `ns2d-dns` output as a single trajectory.
    static func readTrajectory(_ path: String, grid m: Int) throws -> (ReferenceTrajectories, Double, ReferenceFlow) {
        let dataset = try Dataset.open(path)
        defer { try? dataset.close() }
        let setup = try ReferenceFlow(of: dataset)
        let variables = try dataset.variableNames()
        guard variables.contains("u_\(m)"), variables.contains("v_\(m)") else {
            throw TemporalStencilRunError(message: "\(path) has no u_\(m)/v_\(m): run ns2d-dns with \(m) in coarse_grids")
        }
        let times = try dataset.read(Double.self, from: "time")
        guard times.count >= 2 else { throw TemporalStencilRunError(message: "\(path) holds \(times.count) records; training needs many") }
        let dt = times[1] - times[0]
        for k in 1..<times.count where abs(times[k] - times[k - 1] - dt) > 1e-9 * max(1, dt) {
            throw TemporalStencilRunError(message: "\(path): records are not evenly spaced (\(times[k] - times[k - 1]) after \(dt))")
        }
        let u = try dataset.read(Double.self, from: "u_\(m)"), v = try dataset.read(Double.self, from: "v_\(m)")
        let cells = m * m
        let frames = (0..<times.count).map { k in Array(u[(k * cells)..<((k + 1) * cells)]) + Array(v[(k * cells)..<((k + 1) * cells)]) }
        return (ReferenceTrajectories(grid: m, trajectories: [frames]), dt, setup)
    }
}
