import Foundation
import MetaFlowMatching
import NetCDF
import ScenarioTestSupport
import Testing
import TestSupport
@testable import MetaFlowMatchingScenarios
@testable import Scenarios

/// mfm-data → mfm-train → mfm-evaluate at a miniature size, for both benchmarks and all three
/// models: the files chain and equal the module's own generators, the evaluation is scored
/// against the baselines, and mismatched inputs are refused with a message naming them.
@Suite struct PopulationPipelineTests {
    init() { AllKinds.register() }

    func run(_ json: String, in dir: TemporaryDirectory) throws -> [String: JSONValue] { try runScenarioStatistics(json, in: dir.path) }

    static let model = #""populations_per_batch": 4, "points_per_batch": 24, "neighbours": 5, "encoder_width": 8, "encoder_layers": 2, "condition_dimension": 4, "time_dimension": 8, "field_width": 16, "field_depth": 2"#

    @Test func lettersChainForEveryModel() throws {
        let dir = TemporaryDirectory()
        let data = try run(#"{"kind": "mfm-data", "name": "letters", "seed": 3, "parameters": {"points_per_population": 40, "rotations_per_letter": 1}}"#, in: dir)
        #expect(data["training_populations"] == .integer(24) && data["test_populations"] == .integer(1))
        // The file holds exactly what the module generates.
        let file = dir.file("letters/output.nc")
        let direct = try LetterPopulations(pointsPerPopulation: 40, rotationsPerLetter: 1).generate(seed: 3)
        #expect(try PopulationDataFile.read(file) == direct)
        let output = try Dataset.open(file)
        #expect(try output.variable("source").dimensions.map(\.name) == ["population", "point", "coordinate"])
        try output.close()
        for model in ["mfm", "fm", "cgfm"] {
            let training = try run(#"{"kind": "mfm-train", "name": "\#(model)", "seed": 4, "parameters": {"training_data": "\#(file)", "model": "\#(model)", "iterations": 30, "learning_rate": 0.003, \#(Self.model)}}"#, in: dir)
            guard case .number(let first)? = training["initial_loss"], case .number(let last)? = training["final_loss"] else {
                Issue.record("no losses in \(training)")
                continue
            }
            #expect(last < first, "\(model): \(first) → \(last)")
            let scores = try run(#"{"kind": "mfm-evaluate", "name": "\#(model)-eval", "seed": 0, "parameters": {"model": "\#(dir.file("\(model)/output.nc"))", "training_populations": 3}}"#, in: dir)
            #expect(scores["training_populations"] == .integer(3) && scores["test_populations"] == .integer(1) && scores["validation_populations"] == .integer(1))
            for key in ["test_w1", "test_w2", "test_mmd", "identity_test_w2", "mean_shift_test_w2"] {
                guard case .number(let value)? = scores[key] else { Issue.record("\(model): no \(key)"); continue }
                #expect(value.isFinite && value >= 0, "\(model) \(key) = \(value)")
            }
            let evaluation = try Dataset.open(dir.file("\(model)-eval/output.nc"))
            #expect(try evaluation.variable("predicted").shape == [5, 40, 2])
            #expect(try evaluation.read(Int32.self, from: "split") == [0, 0, 0, 1, 2])
            try evaluation.close()
        }
    }

    @Test func particlesChainAndBadInputs() throws {
        let dir = TemporaryDirectory()
        _ = try run(#"{"kind": "mfm-data", "name": "particles", "seed": 5, "parameters": {"benchmark": "particles", "points_per_population": 30, "training_populations": 6, "validation_populations": 0, "test_populations": 3, "steps": 20}}"#, in: dir)
        let file = dir.file("particles/output.nc")
        let system = InteractingParticles(steps: 20)
        #expect(try PopulationDataFile.read(file) == ParticlePopulations(system: system, pointsPerPopulation: 30, trainingPopulations: 6,
                                                                          validationPopulations: 0, testPopulations: 3).generate(seed: 5))
        _ = try run(#"{"kind": "mfm-train", "name": "cgfm", "seed": 4, "parameters": {"training_data": "\#(file)", "model": "cgfm", "iterations": 5, \#(Self.model)}}"#, in: dir)
        let scores = try run(#"{"kind": "mfm-evaluate", "name": "cgfm-eval", "seed": 0, "parameters": {"model": "\#(dir.file("cgfm/output.nc"))"}}"#, in: dir)
        #expect(scores["training_populations"] == .integer(6) && scores["test_populations"] == .integer(3))

        // k not smaller than the batch's points; a data file that is not one; a CGFM model on data
        // with another number of training populations; a model file that is not one.
        #expect(throws: (any Error).self) {
            try run(#"{"kind": "mfm-train", "name": "bad", "seed": 4, "parameters": {"training_data": "\#(file)", "model": "mfm", "iterations": 1, "points_per_batch": 5, "neighbours": 5}}"#, in: dir)
        }
        #expect(throws: (any Error).self) {
            try run(#"{"kind": "mfm-train", "name": "bad", "seed": 4, "parameters": {"training_data": "\#(dir.file("cgfm/output.nc"))", "iterations": 1}}"#, in: dir)
        }
        _ = try run(#"{"kind": "mfm-data", "name": "letters", "seed": 3, "parameters": {"points_per_population": 30, "rotations_per_letter": 1}}"#, in: dir)
        do {
            _ = try run(#"{"kind": "mfm-evaluate", "name": "bad", "seed": 0, "parameters": {"model": "\#(dir.file("cgfm/output.nc"))", "data": "\#(dir.file("letters/output.nc"))"}}"#, in: dir)
            Issue.record("a CGFM model evaluated data with other training populations")
        } catch {
            #expect("\(error)".contains("training populations"), "\(error)")
        }
        #expect(throws: (any Error).self) {
            try run(#"{"kind": "mfm-evaluate", "name": "bad", "seed": 0, "parameters": {"model": "\#(file)"}}"#, in: dir)
        }
        // Nothing was written where a run failed.
        #expect(!FileManager.default.fileExists(atPath: dir.file("bad/output.nc")))
    }

    @Test func badParametersAreRefused() {
        for (kind, parameters, path) in [
            ("mfm-data", #"{"benchmark": "galaxies"}"#, "$.parameters.benchmark"),
            ("mfm-data", #"{"test_letter": "y"}"#, "$.parameters.test_letter"),
            ("mfm-train", #"{"model": "gan"}"#, "$.parameters.model"),
            ("mfm-train", #"{"points_per_batch": 1}"#, "$.parameters.points_per_batch"),
        ] {
            do {
                _ = try Scenario.parse(#"{"kind": "\#(kind)", "name": "d", "seed": 1, "parameters": \#(parameters)}"#, file: "d.json")
                Issue.record("accepted \(parameters)")
            } catch {
                #expect(error.issues.map(\.path) == [path])
            }
        }
    }
}
