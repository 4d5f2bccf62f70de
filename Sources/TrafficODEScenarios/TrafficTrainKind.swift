import Foundation
import NetCDF
import Scenarios
import Tensors
import TrafficODE

/// Trains a traffic network (GRAM-ODE, the single-ODE graph baseline or the GRU encoder–decoder)
/// on the training windows of a series with GRAM-ODE's recipe (Smooth-L1 on de-normalised
/// forecasts, AdamW, ×decay at the milestone epochs, validation MAPE after every epoch, best
/// weights kept, early stop), checkpointing every epoch; then scores the best weights on the test
/// windows. Data-parallel under `mpirun`.
public struct TrafficTrainKind: ScenarioKind {
    public init() {}

    public let name = "traffic-train"
    public let domain = "traffic"
    public let summary = "trains GRAM-ODE or a learned baseline (graph-ode, gru) on a sensor series; best weights by validation MAPE"
    public var isDataParallel: Bool { true }

    public let parameters: [ParameterSpec] = TrafficInputs.parameters + [
        ParameterSpec("model", .string(choices: ["gram-ode", "graph-ode", "gru"]), default: .string("gram-ode"), summary: "which network"),
        ParameterSpec("width", .integer(2...4_096), default: .integer(16), summary: "channels in the blocks (the paper: 64) or the GRU's state"),
        ParameterSpec("branches", .string(), default: .string("spatial,semantic"),
                      summary: "GRAM-ODE's branches, each by its graph (the paper: spatial,spatial,spatial,semantic,semantic,semantic); graph-ode runs on their union"),
        ParameterSpec("blocks", .integer(1...16), default: .integer(2), summary: "GRAM-ODE blocks per branch (the paper: 2)"),
        ParameterSpec("edge_ode", .boolean, default: .bool(false),
                      summary: "GRAM-ODE: the edge ODE on the (B, N, N, T) dynamic edges in each block (the paper: on; 8× the cost of the rest at 207 sensors)"),
        ParameterSpec("local_odes", .boolean, default: .bool(true), summary: "GRAM-ODE: the local ODEs on temporal tokens in each block"),
        ParameterSpec("attention_width", .integer(1...4_096), default: .integer(32), summary: "key width of the token and horizon attentions"),
        ParameterSpec("solver", .string(), default: .string("Euler"), summary: "core method of the ODE blocks (Euler, RK4, Tsit5, …)"),
        ParameterSpec("steps_per_unit_time", .integer(0...10_000), default: .integer(1),
                      summary: "fixed steps per unit time (the reference code: 1); 0: adaptive with `tolerance`"),
        ParameterSpec("tolerance", .number(positive: true), default: .number(1e-3), summary: "adaptive ODE solves: relative and absolute tolerance"),
        ParameterSpec("residual", .boolean, default: .bool(false),
                      summary: "forecast the change from the last observed reading (not in the paper: a lever for short series)"),
        ParameterSpec("dtw_band", .integer(0...100_000), default: .integer(6), summary: "Sakoe–Chiba band of the DTW between daily profiles (0: none)"),
        ParameterSpec("epochs", .integer(1...100_000), default: .integer(30), summary: "most epochs (the paper: 200)"),
        ParameterSpec("batch_size", .integer(1...100_000), default: .integer(64), summary: "windows a batch"),
        ParameterSpec("learning_rate", .number(positive: true), default: .number(1e-3),
                      summary: "AdamW's initial rate (the paper: 2e-4, with 9× more batches an epoch on PEMS08 than Los-loop has)"),
        ParameterSpec("weight_decay", .number(minimum: 0), default: .number(0.01), summary: "AdamW's decoupled weight decay"),
        ParameterSpec("milestones", .numberList(maximumCount: 64), default: .array([.integer(20), .integer(27)]),
                      summary: "epochs after which the rate is multiplied by `decay` (the paper: 15, 50, 105, 145)"),
        ParameterSpec("decay", .number(positive: true), default: .number(0.13), summary: "the rate's factor at each milestone"),
        ParameterSpec("patience", .integer(1...100_000), default: .integer(30), summary: "epochs without a better validation MAPE before stopping"),
    ]

    static func configuration(_ p: ParameterValues, sensors: Int) -> TrafficModelConfiguration {
        var c = TrafficModelConfiguration(model: p.string("model"), sensors: sensors)
        c.width = p.int("width")
        c.branches = p.string("branches").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        c.blocks = p.int("blocks")
        c.edgeODE = p.bool("edge_ode")
        c.localODEs = p.bool("local_odes")
        c.attentionWidth = p.int("attention_width")
        c.solver = p.string("solver")
        c.stepsPerUnitTime = p.int("steps_per_unit_time")
        c.tolerance = p.double("tolerance")
        c.residual = p.bool("residual") ? true : nil
        return c
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let inputs = try TrafficInputs.load(scenario)
        let series = inputs.series
        let seriesPath = TrafficInputs.resolve(p.string("series"), scenario: scenario)
        let windows = try ForecastWindows.standard(timeSteps: series.timeSteps, origin: seriesPath)
        let configuration = Self.configuration(p, sensors: series.sensors)
        do { try configuration.validate() } catch { throw TrafficRunError(message: "\(error)") }
        var graphs: [String: SensorGraph] = [:]
        let needed: Set<String> = configuration.model == "gru" ? [] : Set(configuration.branches)
        if needed.contains("spatial") {
            guard let spatial = inputs.graph else { throw TrafficRunError(message: "the \(configuration.model) model runs on the road graph: set \"graph\"") }
            graphs["spatial"] = spatial
        }
        if needed.contains("semantic") {
            context.progress.note("DTW between the \(series.sensors) sensors' mean training days")
            graphs["semantic"] = try SensorGraph.semantic(of: series, feature: inputs.feature, steps: windows.segments[0],
                                                          band: p.int("dtw_band") > 0 ? p.int("dtw_band") : nil).graph
        }
        if !graphs.isEmpty {
            let connected = Set((0..<series.sensors).filter { s in !graphs.values.allSatisfy { $0.isolatedSensors.contains(s) } })
            if connected.count < series.sensors {
                let lonely = (0..<series.sensors).filter { !connected.contains($0) }.prefix(5).map { series.sensorIDs[$0] }
                let which = graphs.keys.sorted().map { $0 == "spatial" ? "the road graph \(p.string("graph"))" : "the semantic (DTW) graph" }
                throw TrafficRunError(message: "sensor(s) \(lonely.joined(separator: ", ")) have no neighbour in \(which.joined(separator: " or ")); "
                    + "a graph model cannot forecast a disconnected sensor (\"branches\": \"spatial,semantic\" uses both graphs)")
            }
        }
        let network = try AnyTrafficNetwork(configuration, graphs: graphs, seed: UInt64(scenario.seed))
        var trainer = try TrafficTrainer(network: network, series: series, feature: inputs.feature, windows: windows, batchSize: p.int("batch_size"),
                                         learningRate: p.double("learning_rate"), weightDecay: p.double("weight_decay"),
                                         milestones: p.doubles("milestones").map { Int($0) }, decay: p.double("decay"),
                                         patience: p.int("patience"), seed: UInt64(scenario.seed))
        let communicator = context.communicator
        trainer.distribution = DataParallelGroup(rank: communicator.rank, size: communicator.size) { try communicator.sumInPlace(&$0) }
        var curves: [[Double]] = [[], [], [], []]   // training loss, validation MAE, RMSE, MAPE per epoch
        if context.isResuming {
            let checkpoint = try context.openCheckpoint()
            defer { try? checkpoint.close() }
            let template = TrafficModelFile.combined(trainer.network.parameters, trainer.network.parameters)
            let weights = try Checkpoint.readParameters(from: checkpoint, matching: template)
            guard let state = try Checkpoint.readOptimizerState(from: checkpoint, matching: trainer.network.parameters),
                  let best = try checkpoint.attribute("best_validation_mape")?.doubles?.first,
                  let bestEpoch = try checkpoint.attribute("best_epoch")?.doubles?.first else {
                throw TrafficRunError(message: "\(context.checkpointPath) holds no optimizer state or best epoch")
            }
            try trainer.restore(parameters: weights.mapTensorsDroppingBest(), optimizer: state, best: weights.scoped("best"),
                                bestValidationMAPE: best, bestEpoch: Int(bestEpoch))
            for (k, name) in ["training_loss", "validation_mae", "validation_rmse", "validation_mape"].enumerated() {
                curves[k] = Array(try checkpoint.read(Double.self, from: name).prefix(trainer.epoch))
            }
            context.progress.note("resuming '\(scenario.name)' after epoch \(trainer.epoch)")
        }
        context.progress.begin("traffic-train '\(scenario.name)' (\(configuration.model), \(trainer.network.parameters.scalarCount) weights, "
            + "\(windows.windowStarts(in: .training).count) training windows)")
        let started = Date(), resumedAt = trainer.epoch, epochs = p.int("epochs")
        var stopped = false
        while trainer.epoch < epochs && !stopped {
            curves[0].append(try trainer.trainEpoch())
            let validation = try trainer.errors(on: .validation).metrics()
            curves[1].append(validation.mae)
            curves[2].append(validation.rmse)
            curves[3].append(validation.mape)
            stopped = trainer.recordValidation(mape: validation.mape)
            context.progress.update(fraction: Double(trainer.epoch) / Double(epochs), steps: trainer.epoch)
            if trainer.epoch < epochs, !stopped, context.checkpointDue(step: trainer.epoch) {
                let weights = TrafficModelFile.combined(trainer.network.parameters, trainer.bestParameters)
                let (state, log, best, bestEpoch) = (trainer.optimizer.state, curves, trainer.bestValidationMAPE, trainer.bestEpoch)
                try context.writeCheckpoint(step: trainer.epoch) { dataset in
                    try Self.defineCurves(in: dataset, count: log[0].count)
                    try dataset.setAttribute("best_validation_mape", .float64([best]))
                    try dataset.setAttribute("best_epoch", .float64([Double(bestEpoch)]))
                    try Checkpoint.write(weights, optimizerState: state, to: dataset)
                    for (k, name) in Self.curveNames.enumerated() { try dataset.write(log[k], to: name) }
                }
                try context.stopIfRequested(progress: "epoch \(trainer.epoch) of \(epochs)")
            }
        }
        let seconds = Date().timeIntervalSince(started)
        let test = try trainer.errors(on: .test, parameters: trainer.bestParameters)
        var statistics: [(key: String, value: JSONValue)] = [
            ("model", .string(configuration.model)), ("parameter_count", .integer(Int64(trainer.network.parameters.scalarCount))),
            ("epochs", .integer(Int64(trainer.epoch))), ("best_epoch", .integer(Int64(trainer.bestEpoch))),
            ("early_stopped", .bool(stopped)), ("ranks", .integer(Int64(communicator.size))),
            ("initial_loss", .number(curves[0].first ?? .nan)), ("final_loss", .number(curves[0].last ?? .nan)),
            ("best_validation_mape", .number(trainer.bestValidationMAPE)),
            ("test_mae", .number(test.metrics().mae)), ("test_rmse", .number(test.metrics().rmse)), ("test_mape", .number(test.metrics().mape)),
        ]
        for (minutes, k) in [(15, 3), (30, 6), (60, 12)] where k <= windows.horizon {
            let m = test.metrics(step: k)
            statistics += [("test_mae_\(minutes)min", .number(m.mae)), ("test_rmse_\(minutes)min", .number(m.rmse)), ("test_mape_\(minutes)min", .number(m.mape))]
        }
        statistics += [("training_seconds", .number((seconds * 10).rounded() / 10)),
                       ("seconds_per_epoch", .number(seconds / Double(max(1, trainer.epoch - resumedAt))))]
        guard communicator.isRoot else {
            context.removeCheckpoint()
            return RunSummary(statistics: statistics)
        }
        let dataset = try context.createOutput(
            title: "\(configuration.model) trained on \(seriesPath)",
            references: "Z. Liu, P. Shojaee, C. K. Reddy (2023), Graph-based Multi-ODE Neural Networks for Spatio-Temporal Traffic Forecasting, TMLR",
            comment: "60/20/20 split in time order, 12 -> 12 windows, inputs z-scored with the training segment's mean and deviation; Smooth-L1 on de-normalised "
                + "forecasts; best weights (best.*) by validation MAPE. Read by traffic-evaluate and traffic-forecast (\"model\": this file).")
        defer { dataset.discard() }
        try TrafficModelFile.describe(configuration, scaler: trainer.scaler, graphs: graphs, series: seriesPath, feature: inputs.feature, in: dataset)
        try Self.defineCurves(in: dataset, count: curves[0].count)
        try Checkpoint.write(TrafficModelFile.combined(trainer.network.parameters, trainer.bestParameters), to: dataset)
        try TrafficModelFile.writeGraphs(graphs, to: dataset)
        for (k, name) in Self.curveNames.enumerated() { try dataset.write(curves[k], to: name) }
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        context.removeCheckpoint()
        return RunSummary(statistics: statistics)
    }

    static let curveNames = ["training_loss", "validation_mae", "validation_rmse", "validation_mape"]

    static func defineCurves(in dataset: Dataset, count: Int) throws {
        try dataset.defineDimension("epoch", length: count)
        for (name, meaning, units) in [("training_loss", "mean Smooth-L1 loss of the epoch's batches (before each update)", "1"),
                                       ("validation_mae", "masked MAE on the validation windows after the epoch", "1"),
                                       ("validation_rmse", "masked RMSE on the validation windows after the epoch", "1"),
                                       ("validation_mape", "masked MAPE on the validation windows after the epoch", "percent")] {
            try dataset.defineVariable(name, type: .float64, dimensions: ["epoch"], attributes: ["long_name": .text(meaning), "units": .text(units)])
        }
    }
}
