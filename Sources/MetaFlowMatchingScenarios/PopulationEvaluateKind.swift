import Dispatch
import Foundation
import Integrators
import MetaFlowMatching
import NetCDF
import Scenarios

/// Evaluates a trained population flow on held-out and training populations: each source
/// population is pushed to t = 1 by the adaptive Dormand–Prince solver and compared with its true
/// target by exact W1, W2 and the RBF-kernel MMD (the paper's metrics), next to two trivial
/// baselines on the same populations — the identity map (predict the source) and the mean
/// displacement of the training data added to every point.
public struct PopulationEvaluateKind: ScenarioKind {
    public init() {}

    public let name = "mfm-evaluate"
    public let domain = "meta-flow-matching"
    public let summary = "pushes held-out and training populations through a trained flow and scores them by W1, W2 and MMD against the truth"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("model", .string(), default: .string("runs/mfm-letters-train/output.nc"), summary: "an mfm-train output"),
        ParameterSpec("data", .string(), default: .string(""), summary: "an mfm-data output (empty: the model's training data)"),
        ParameterSpec("training_populations", .integer(0...1_000_000), default: .integer(10),
                      summary: "training populations scored (evenly spaced through the training split; the reference code scores 10)"),
        ParameterSpec("tolerance", .number(positive: true), default: .number(1e-4), summary: "relative and absolute tolerance of the push-forward (the paper: 1e-4)"),
    ]

    struct Scored {
        var predicted: [Double]
        var steps: Int
        var model: PopulationDistances
        var identity: PopulationDistances
        var meanShift: PopulationDistances
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let (model, trainedOn) = try PopulationModelFile.load(p.string("model"))
        let dataPath = p.string("data").isEmpty ? trainedOn : p.string("data")
        let data = try PopulationDataFile.read(dataPath)
        guard data.dimension == model.configuration.dimension else {
            throw MetaFlowMatchingRunError(message: "\(dataPath) holds points of dimension \(data.dimension) but the model moves dimension \(model.configuration.dimension)")
        }
        if model.configuration.conditioning == .populationEmbedding, model.configuration.neighbours >= data.pointsPerPopulation {
            throw MetaFlowMatchingRunError(message: "the model's k = \(model.configuration.neighbours) neighbours needs populations of more than \(model.configuration.neighbours) points; \(dataPath) has \(data.pointsPerPopulation)")
        }
        let training = data.indices(in: .training)
        if model.configuration.conditioning == .populationIndex, model.configuration.trainingPopulations != training.count {
            throw MetaFlowMatchingRunError(message: "the CGFM model learned \(model.configuration.trainingPopulations) training populations but \(dataPath) has \(training.count)")
        }
        let wanted = min(p.int("training_populations"), training.count)
        let trainingChosen = (0..<wanted).map { training[$0 * training.count / max(wanted, 1)] }
        let chosen = trainingChosen + data.indices(in: .validation) + data.indices(in: .test)
        guard !chosen.isEmpty else { throw MetaFlowMatchingRunError(message: "\(dataPath) holds no population to evaluate") }

        // The mean displacement of the training data (the second trivial baseline).
        let d = data.dimension
        var shift = [Double](repeating: 0, count: d)
        for i in training {
            for (k, (a, b)) in zip(data.populations[i].source, data.populations[i].target).enumerated() { shift[k % d] += b - a }
        }
        shift = shift.map { $0 / Double(training.count * data.pointsPerPopulation) }

        context.progress.begin("mfm-evaluate '\(scenario.name)' (\(chosen.count) populations)")
        let tolerance = Tolerance(relative: p.double("tolerance"), absolute: p.double("tolerance"))
        let shared = ScoreSlots(count: chosen.count)
        let displacement = shift
        DispatchQueue.concurrentPerform(iterations: chosen.count) { c in
            let population = data.populations[chosen[c]]
            shared.slots[c] = Result {
                let condition = try model.condition(source: population.source, trainingIndex: training.firstIndex(of: chosen[c]))
                let (predicted, steps) = try model.push(source: population.source, condition: condition, tolerance: tolerance)
                let shifted = population.source.enumerated().map { $0.element + displacement[$0.offset % d] }
                return Scored(predicted: predicted, steps: steps,
                              model: try PopulationDistances(predicted: predicted, truth: population.target, dimension: d),
                              identity: try PopulationDistances(predicted: population.source, truth: population.target, dimension: d),
                              meanShift: try PopulationDistances(predicted: shifted, truth: population.target, dimension: d))
            }
        }
        let scored = try shared.slots.map { try $0!.get() }

        var statistics: [(key: String, value: JSONValue)] = [("conditioning", .string(model.configuration.conditioning.rawValue))]
        for split in PopulationSplit.allCases {
            let members = chosen.indices.filter { data.populations[chosen[$0]].split == split }
            guard !members.isEmpty else { continue }
            statistics.append(("\(split.name)_populations", .integer(Int64(members.count))))
            for (prefix, pick) in [("", \Scored.model), ("identity_", \Scored.identity), ("mean_shift_", \Scored.meanShift)] {
                let mean = PopulationDistances.mean(members.map { scored[$0][keyPath: pick] })
                statistics += [("\(prefix)\(split.name)_w1", .number(mean.w1)), ("\(prefix)\(split.name)_w2", .number(mean.w2)),
                               ("\(prefix)\(split.name)_mmd", .number(mean.mmd))]
            }
        }
        statistics.append(("mean_solver_steps", .number(Double(scored.reduce(0) { $0 + $1.steps }) / Double(scored.count))))

        let dataset = try context.createOutput(
            title: "\(model.configuration.conditioning.rawValue.uppercased()) flow evaluated on \(dataPath)",
            references: "L. Atanackovic et al. (2024), Meta Flow Matching: Integrating Vector Fields on the Wasserstein Manifold, arXiv:2408.14608",
            comment: "predicted = the source pushed to t = 1 by Dormand-Prince 5(4) (rtol = atol = \(p.double("tolerance"))); w1, w2: exact optimal transport "
                + "(W2 the square root of the optimal squared cost); mmd: biased RBF MMD^2, exp(-gamma |x - y|^2), mean over gamma in {2, 1, 0.5, 0.1, 0.01, 0.005}. "
                + "identity_*: the source as prediction; mean_shift_*: the source plus the training data's mean displacement.")
        defer { dataset.discard() }
        try dataset.setAttribute("model", .text(p.string("model")))
        try dataset.setAttribute("label_names", .text(data.labelNames.joined(separator: ",")))
        try dataset.defineDimension("population", length: chosen.count)
        try dataset.defineDimension("point", length: data.pointsPerPopulation)
        try dataset.defineDimension("coordinate", length: d)
        for (name, meaning) in [("source", "the population before the process (x0)"), ("target", "the true population after the process (x1)"),
                                ("predicted", "the source pushed through the learned flow to t = 1")] {
            try dataset.defineVariable(name, type: .float64, dimensions: ["population", "point", "coordinate"], attributes: [
                "long_name": .text(meaning), "units": "1",
            ], compression: Compression(), chunkSizes: [1, data.pointsPerPopulation, d])
        }
        try dataset.defineVariable("data_index", type: .int32, dimensions: ["population"], attributes: ["long_name": "index of the population in the data file"])
        try dataset.defineVariable("label", type: .int32, dimensions: ["population"], attributes: ["long_name": "index into the global attribute label_names"])
        try dataset.defineVariable("split", type: .int32, dimensions: ["population"], attributes: [
            "long_name": "split of the population", "flag_values": .int32([0, 1, 2]), "flag_meanings": "training validation test",
        ])
        let metrics: [(String, String, KeyPath<Scored, PopulationDistances>)] = [("", "the learned flow", \.model), ("identity_", "the identity map", \.identity),
                                                                              ("mean_shift_", "the mean training displacement", \.meanShift)]
        for (prefix, what, _) in metrics {
            for (metric, meaning) in [("w1", "exact W1"), ("w2", "exact W2"), ("mmd", "biased RBF MMD^2 averaged over six bandwidths")] {
                try dataset.defineVariable("\(prefix)\(metric)", type: .float64, dimensions: ["population"], attributes: [
                    "long_name": .text("\(meaning) between the prediction of \(what) and the true target"), "units": "1",
                ])
            }
        }
        try dataset.write(chosen.flatMap { data.populations[$0].source }, to: "source")
        try dataset.write(chosen.flatMap { data.populations[$0].target }, to: "target")
        try dataset.write(scored.flatMap(\.predicted), to: "predicted")
        try dataset.write(chosen.map { Int32($0) }, to: "data_index")
        try dataset.write(chosen.map { Int32(data.populations[$0].label) }, to: "label")
        try dataset.write(chosen.map { Int32(data.populations[$0].split.rawValue) }, to: "split")
        for (prefix, _, pick) in metrics {
            try dataset.write(scored.map { $0[keyPath: pick].w1 }, to: "\(prefix)w1")
            try dataset.write(scored.map { $0[keyPath: pick].w2 }, to: "\(prefix)w2")
            try dataset.write(scored.map { $0[keyPath: pick].mmd }, to: "\(prefix)mmd")
        }
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        return RunSummary(statistics: statistics)
    }
}

/// One result slot per evaluated population, each written by exactly one worker and read after all finished.
final class ScoreSlots: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<Result<PopulationEvaluateKind.Scored, Error>?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }
}
