import Foundation
import MetaFlowMatching
import NetCDF
import Scenarios
import Tensors

/// Trains a population flow on an `mfm-data` file: Meta Flow Matching (`mfm`: the field and the
/// kNN population encoder jointly), plain flow matching (`fm`) or the population-index
/// conditioned baseline (`cgfm`), in one code path (``PopulationFlowTrainer``). Writes the loss
/// curve and the model that `mfm-evaluate` reads; checkpoints resume bit for bit. Under
/// `mpirun`, the ranks share each batch's populations and sum their gradients (rank 0 writes).
public struct PopulationTrainKind: ScenarioKind {
    public init() {}

    public let name = "mfm-train"
    public let domain = "meta-flow-matching"
    public let summary = "trains Meta Flow Matching (or its FM / CGFM baselines) on mfm-data populations"
    /// Under `mpirun`, the ranks share each batch's populations and sum their gradients.
    public var isDataParallel: Bool { true }

    public let parameters: [ParameterSpec] = [
        ParameterSpec("training_data", .string(), default: .string("runs/mfm-letters-data/output.nc"), summary: "an mfm-data output"),
        ParameterSpec("model", .string(choices: FlowConditioning.allCases.map(\.rawValue)), default: .string("mfm"),
                      summary: "mfm (population embedding), fm (no condition) or cgfm (a learned vector per training population)"),
        ParameterSpec("iterations", .integer(1...100_000_000), default: .integer(2000), summary: "optimiser steps"),
        ParameterSpec("populations_per_batch", .integer(1...1_000_000), default: .integer(10), summary: "populations in every step (the paper: 10)"),
        ParameterSpec("points_per_batch", .integer(2...1_000_000), default: .integer(256), summary: "paired points of each population in every step (the paper: 700)"),
        ParameterSpec("learning_rate", .number(positive: true), default: .number(0.001), summary: "peak Adam step size of the cosine schedule (the paper: 1e-4 constant)"),
        ParameterSpec("neighbours", .integer(1...100_000), default: .integer(20), summary: "mfm: k of the kNN graph (the paper: 50)"),
        ParameterSpec("encoder_width", .integer(1...4096), default: .integer(64), summary: "mfm: width of the GraphConv layers and of the embedding (the paper: 64)"),
        ParameterSpec("encoder_layers", .integer(1...64), default: .integer(3), summary: "mfm: GraphConv layers (the paper: 3)"),
        ParameterSpec("condition_dimension", .integer(1...4096), default: .integer(64), summary: "cgfm: dimension of the learned population vectors"),
        ParameterSpec("time_dimension", .integer(2...4096), default: .integer(32), summary: "dimension of the sinusoidal time embedding (even; the paper: 128)"),
        ParameterSpec("field_width", .integer(1...8192), default: .integer(256), summary: "width of the field's hidden layers (the paper: 512)"),
        ParameterSpec("field_depth", .integer(1...64), default: .integer(3), summary: "hidden layers of the field (the paper: 4)"),
    ]

    static func configuration(_ p: ParameterValues, dimension: Int, trainingPopulations: Int) -> PopulationFlowConfiguration {
        PopulationFlowConfiguration(dimension: dimension, conditioning: FlowConditioning(rawValue: p.string("model"))!, neighbours: p.int("neighbours"),
                                    encoderWidth: p.int("encoder_width"), encoderLayers: p.int("encoder_layers"),
                                    conditionDimension: p.int("condition_dimension"), trainingPopulations: trainingPopulations,
                                    timeDimension: p.int("time_dimension"), fieldWidth: p.int("field_width"), fieldDepth: p.int("field_depth"))
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let path = p.string("training_data")
        let data = try PopulationDataFile.read(path)
        let training = data.indices(in: .training).count
        let configuration = Self.configuration(p, dimension: data.dimension, trainingPopulations: training)
        let iterations = p.int("iterations")
        var trainer: PopulationFlowTrainer
        do {
            trainer = try PopulationFlowTrainer(model: PopulationFlowModel(configuration, seed: UInt64(scenario.seed)), dataset: data,
                                                populationsPerBatch: p.int("populations_per_batch"), pointsPerPopulation: p.int("points_per_batch"),
                                                schedule: .cosine(peak: p.double("learning_rate"), totalSteps: iterations), seed: UInt64(scenario.seed))
        } catch let error as MetaFlowMatchingError {
            throw MetaFlowMatchingRunError(message: "\(path): \(error)")
        }
        let communicator = context.communicator
        trainer.distribution = DataParallelGroup(rank: communicator.rank, size: communicator.size) { try communicator.sumInPlace(&$0) }
        var losses: [Double] = []
        if context.isResuming {
            let checkpoint = try context.openCheckpoint()
            defer { try? checkpoint.close() }
            let weights = try Checkpoint.readParameters(from: checkpoint, matching: trainer.model.parameters)
            guard let state = try Checkpoint.readOptimizerState(from: checkpoint, matching: trainer.model.parameters) else {
                throw MetaFlowMatchingRunError(message: "\(context.checkpointPath) holds no optimizer state")
            }
            try trainer.restore(parameters: weights, optimizer: state)
            losses = Array(try checkpoint.read(Double.self, from: "loss").prefix(state.step))
            context.progress.note("resuming '\(scenario.name)' after iteration \(state.step)")
        }
        context.progress.begin("mfm-train '\(scenario.name)' (\(configuration.conditioning.rawValue), \(training) training populations)")
        let started = Date(), resumedAt = trainer.step
        while trainer.step < iterations {
            losses.append(try trainer.trainStep())
            context.progress.update(fraction: Double(trainer.step) / Double(iterations), steps: trainer.step)
            if trainer.step < iterations, context.checkpointDue(step: trainer.step) {
                let (weights, state, log) = (trainer.model.parameters, trainer.optimizer.state, losses)
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
            ("iterations", .integer(Int64(iterations))), ("training_populations", .integer(Int64(training))),
            ("parameter_count", .integer(Int64(trainer.model.parameters.scalarCount))),
            ("ranks", .integer(Int64(communicator.size))),
            ("initial_loss", .number(losses.prefix(window).reduce(0, +) / Double(window))),
            ("final_loss", .number(losses.suffix(window).reduce(0, +) / Double(window))),
            ("training_seconds", .number((seconds * 10).rounded() / 10)),
            ("seconds_per_iteration", .number(seconds / Double(max(1, iterations - resumedAt)))),
        ]
        // Every rank holds the same model; rank 0 writes it.
        guard communicator.isRoot else {
            context.removeCheckpoint()
            return RunSummary(statistics: statistics)
        }
        let dataset = try context.createOutput(
            title: "\(configuration.conditioning.rawValue.uppercased()) population flow trained on \(path)",
            references: "L. Atanackovic et al. (2024), Meta Flow Matching: Integrating Vector Fields on the Wasserstein Manifold, arXiv:2408.14608",
            comment: "Flow matching with linear interpolants x_t = (1 - t) x0 + t x1 and target velocity x1 - x0 on paired points; field MLP on "
                + "[x, sinusoidal e(t), condition] with SiLU; mfm: the condition is the unit-length mean of GraphConv features on the source's kNN graph. Read by mfm-evaluate.")
        defer { dataset.discard() }
        try PopulationModelFile.describe(configuration, trainingData: path, in: dataset)
        try Self.defineCurve(in: dataset, count: losses.count)
        try Checkpoint.write(trainer.model.parameters, to: dataset)
        try dataset.write(losses, to: "loss")
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        context.removeCheckpoint()
        return RunSummary(statistics: statistics)
    }

    static func defineCurve(in dataset: Dataset, count: Int) throws {
        try dataset.defineDimension("iteration", length: count)
        try dataset.defineVariable("loss", type: .float64, dimensions: ["iteration"], attributes: [
            "long_name": "flow matching loss: mean over the batch's points of |v - (x1 - x0)|^2, before the update", "units": "1",
        ])
    }
}

/// What an `mfm-train` output records about its model, to rebuild it.
enum PopulationModelFile {
    static func describe(_ c: PopulationFlowConfiguration, trainingData: String, in dataset: Dataset) throws {
        try dataset.setAttribute("architecture", .text("population_flow"))
        try dataset.setAttribute("conditioning", .text(c.conditioning.rawValue))
        try dataset.setAttribute("training_data", .text(trainingData))
        for (name, value) in [("dimension", c.dimension), ("neighbours", c.neighbours), ("encoder_width", c.encoderWidth),
                              ("encoder_layers", c.encoderLayers), ("condition_dimension", c.conditionDimension),
                              ("training_populations", c.trainingPopulations), ("time_dimension", c.timeDimension),
                              ("field_width", c.fieldWidth), ("field_depth", c.fieldDepth)] {
            try dataset.setAttribute(name, .int64([Int64(value)]))
        }
    }

    /// Rebuilds the model of an `mfm-train` output, naming what is wrong with a file that is not one.
    static func load(_ path: String) throws -> (model: PopulationFlowModel, trainingData: String) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw MetaFlowMatchingRunError(message: "\(path): no such file (run an mfm-train scenario first)")
        }
        let dataset = try Dataset.open(path)
        defer { try? dataset.close() }
        guard try dataset.attribute("architecture")?.text == "population_flow",
              let conditioning = try dataset.attribute("conditioning")?.text.flatMap(FlowConditioning.init(rawValue:)) else {
            throw MetaFlowMatchingRunError(message: "\(path) is not an mfm-train output (no population_flow architecture)")
        }
        func integer(_ name: String) throws -> Int {
            guard let value = try dataset.attribute(name)?.doubles?.first else {
                throw MetaFlowMatchingRunError(message: "\(path): the model description lacks '\(name)'")
            }
            return Int(value)
        }
        let configuration = PopulationFlowConfiguration(
            dimension: try integer("dimension"), conditioning: conditioning, neighbours: try integer("neighbours"),
            encoderWidth: try integer("encoder_width"), encoderLayers: try integer("encoder_layers"),
            conditionDimension: try integer("condition_dimension"), trainingPopulations: try integer("training_populations"),
            timeDimension: try integer("time_dimension"), fieldWidth: try integer("field_width"), fieldDepth: try integer("field_depth"))
        var model: PopulationFlowModel
        do {
            model = try PopulationFlowModel(configuration, seed: 0)
        } catch {
            throw MetaFlowMatchingRunError(message: "\(path): \(error)")
        }
        model.parameters = try Checkpoint.readParameters(from: dataset, matching: model.parameters)
        return (model, try dataset.attribute("training_data")?.text ?? "")
    }
}
