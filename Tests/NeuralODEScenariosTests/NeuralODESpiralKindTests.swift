import Foundation
import NetCDF
import NeuralODE
import Randomness
import Tensors
import Testing
import ScenarioTestSupport
@testable import Scenarios
@testable import NeuralODEScenarios

/// The `neural-ode` kind (the cubic-spiral benchmark): validation, a short reproducible
/// training run, and the CF output. Runs are tiny (a short span, a few iterations).
@Suite struct NeuralODESpiralKindTests {
    init() { AllKinds.register() }

    /// A small, fast scenario: 200 samples over 0 ... 5, batches of 10 windows of 5 samples, the default 50-wide network.
    static func quickJSON(name: String = "s", seed: Int = 3, iterations: Int = 30, extra: String = "") -> String {
        #"{"kind": "neural-ode", "name": "\#(name)", "seed": \#(seed), "parameters": {"t_end": 5, "samples": 200, "iterations": \#(iterations), "batch_size": 10, "batch_time": 5, "learning_rate": 0.01, "lr_final": 0.001, "rtol": 1e-5, "atol": 1e-7, "eval_every": 10, "loss": "l1", "gradient_clip": 0, "warmup": 0\#(extra)}}"#
    }

    static func issues(_ json: String) -> [ValidationIssue] {
        do {
            _ = try Scenario.parse(json, file: "bad.json")
            return []
        } catch {
            return error.issues
        }
    }

    @Test func badParametersAreAllReportedWithTheirPaths() {
        let issues = Self.issues(#"{"kind": "neural-ode", "name": "x", "seed": 1, "parameters": {"iterations": 0, "batch_time": 1, "learning_rate": -0.1, "hidden_width": 2.5, "method": "RK45", "gradient_method": "adjoin", "rtol": 0, "eval_every": "often", "batchsize": 20}}"#)
        let paths = Set(issues.map(\.path))
        #expect(paths == ["$.parameters.iterations", "$.parameters.batch_time", "$.parameters.learning_rate",
                          "$.parameters.hidden_width", "$.parameters.method", "$.parameters.gradient_method",
                          "$.parameters.rtol", "$.parameters.eval_every", "$.parameters.batchsize"], "\(issues)")
        let byPath = Dictionary(issues.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byPath["$.parameters.gradient_method"]?.expected.contains(#"did you mean "adjoint"?"#) == true)
        #expect(byPath["$.parameters.batchsize"]?.expected.contains(#"did you mean "batch_size"?"#) == true)
        #expect(byPath["$.parameters.method"]?.expected.contains(#""DormandPrince5""#) == true)
        #expect(byPath["$.parameters.hidden_width"]?.found == "2.5")
    }

    @Test func crossParameterChecksNameTheParameter() {
        let tooLong = Self.issues(#"{"kind": "neural-ode", "name": "x", "seed": 1, "parameters": {"samples": 50, "batch_time": 50, "lr_final": 0.5}}"#)
        #expect(tooLong.map(\.path) == ["$.parameters.batch_time", "$.parameters.lr_final"], "\(tooLong)")
        #expect(tooLong.first?.expected.contains("at most 49") == true)
        let tooMany = Self.issues(#"{"kind": "neural-ode", "name": "x", "seed": 1, "parameters": {"samples": 50, "batch_time": 10, "batch_size": 41}}"#)
        #expect(tooMany.map(\.path) == ["$.parameters.batch_size"], "\(tooMany)")
        #expect(tooMany.first?.expected.contains("at most 40 windows") == true)
    }

    @Test func shippedScenariosValidate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let full = try Scenario.load(root.appendingPathComponent("Scenarios/neural-ode/neural-ode-spiral.json").path)
        #expect(full.kind == "neural-ode" && full.parameters.int("samples") == 1000 && full.parameters.double("t_end") == 25)
        #expect(full.parameters.int("batch_size") == 20 && full.parameters.int("batch_time") == 10)
        // The shipped file spells out every default.
        let defaults = try Scenario.parse(#"{"kind": "neural-ode", "name": "neural-ode-spiral", "seed": 0}"#, file: "d.json")
        #expect(defaults.parameters == full.parameters)
        // `ndyn example neural-ode-spiral` prints the shipped file.
        let shipped = try String(contentsOf: root.appendingPathComponent("Scenarios/neural-ode/neural-ode-spiral.json"), encoding: .utf8)
        #expect(shipped.trimmingCharacters(in: .whitespacesAndNewlines) == BuiltinScenarios.json(named: "neural-ode-spiral"))
        let quick = try Scenario.load(root.appendingPathComponent("Scenarios/neural-ode/neural-ode-spiral-quick.json").path)
        #expect(quick.parameters.int("iterations") <= 100)
    }

    @Test func windowsAreDistinctAndReproducible() {
        var a = Xoshiro256StarStar(seed: 11), b = Xoshiro256StarStar(seed: 11)
        for _ in 0..<50 {
            let first = SpiralTraining.distinctIndices(20, of: 990, using: &a)
            #expect(first == SpiralTraining.distinctIndices(20, of: 990, using: &b))
            #expect(Set(first).count == 20 && first.allSatisfy { (0..<990).contains($0) })
        }
        var c = Xoshiro256StarStar(seed: 5)
        #expect(Set(SpiralTraining.distinctIndices(7, of: 7, using: &c)) == Set(0..<7))
    }

    @Test func trueTrajectoryFollowsTheCubicSpiral() throws {
        // d/dt (y1⁴ + y2⁴)/4 = y1³ẏ1 + y2³ẏ2 = −0.1 (y1⁶ + y2⁶): the quartic "energy" decays at that rate.
        let times = (0...400).map { 2.0 * Double($0) / 400 }
        let y = try SpiralTraining.trueTrajectory(initial: [2, 0], times: times)
        #expect(y[0] == 2 && y[1] == 0)
        func energy(_ k: Int) -> Double { (pow(y[2 * k], 4) + pow(y[2 * k + 1], 4)) / 4 }
        func rate(_ k: Int) -> Double { -0.1 * (pow(y[2 * k], 6) + pow(y[2 * k + 1], 6)) }
        // Trapezoidal integral of the rate against the energy change, step by step (h = 0.005).
        var worst = 0.0
        for k in 0..<400 {
            let change = energy(k + 1) - energy(k)
            let integral = 0.005 * (rate(k) + rate(k + 1)) / 2
            worst = max(worst, abs(change - integral) / max(abs(change), 1e-3))
        }
        #expect(worst < 1e-3, "energy budget off by \(worst)")
        // The demo's direction: starting at (2, 0), y2 grows (dy2/dt = 2·y1³ > 0).
        #expect(y[2 * 1 + 1] > 0)
    }

    @Test func shortTrainingReducesTheLossAndIsBitReproducible() throws {
        let scenario = try Scenario.parse(Self.quickJSON(), file: "q.json")
        let first = try SpiralTraining(NeuralODESpiralKind.settings(scenario.parameters), seed: 3).train()
        let second = try SpiralTraining(NeuralODESpiralKind.settings(scenario.parameters), seed: 3).train()
        let other = try SpiralTraining(NeuralODESpiralKind.settings(scenario.parameters), seed: 4).train()
        #expect(first.losses.count == 30)
        #expect(first.losses.map(\.bitPattern) == second.losses.map(\.bitPattern))
        #expect(first.predictedStates.map(\.bitPattern) == second.predictedStates.map(\.bitPattern))
        #expect(first.parameters == second.parameters)
        #expect(first.losses.map(\.bitPattern) != other.losses.map(\.bitPattern))
        // Batches differ from iteration to iteration, so compare averages over ten of them.
        let early = first.losses.prefix(10).reduce(0, +) / 10, late = first.losses.suffix(10).reduce(0, +) / 10
        #expect(late < 0.6 * early, "loss \(early) -> \(late): \(first.losses)")
        #expect(first.evaluationIterations == [0, 10, 20, 30])
        #expect(first.evaluationErrors.allSatisfy { $0.isFinite })
    }

    @Test func adjointGradientsTrainToo() throws {
        let scenario = try Scenario.parse(Self.quickJSON(iterations: 12, extra: #", "gradient_method": "adjoint""#), file: "a.json")
        let adjoint = try SpiralTraining(NeuralODESpiralKind.settings(scenario.parameters), seed: 3).train()
        let backprop = try SpiralTraining(NeuralODESpiralKind.settings(try Scenario.parse(Self.quickJSON(iterations: 12), file: "b.json").parameters), seed: 3).train()
        // Same batches and initial network; the first loss is the same forward solve (up to the
        // adjoint's own bookkeeping of the saved points).
        #expect(abs(adjoint.losses[0] - backprop.losses[0]) <= 1e-9 * backprop.losses[0])
        // The two gradients agree to the solver tolerance, so the training paths stay close.
        #expect(zip(adjoint.losses, backprop.losses).allSatisfy { abs($0 - $1) <= 1e-3 * max(1, abs($1)) },
                "\(adjoint.losses) vs \(backprop.losses)")
    }

    @Test func runWritesCFOutputCheckpointAndRecord() throws {
        let dir = NSTemporaryDirectory() + "/spiral-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var scenario = try Scenario.parse(Self.quickJSON(name: "t", iterations: 25), file: "t.json")
        scenario.output = dir
        let record = try ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test").run(scenario)
        #expect(record["status"] == .string("completed"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir + "/t"))?.sorted() == ["checkpoint.nc", "output.nc", "run.json"])

        let dataset = try Dataset.open(dir + "/t/output.nc")
        defer { try? dataset.close() }
        #expect(try dataset.attribute("Conventions") == .text("CF-1.10"))
        #expect(try dataset.attribute("title")?.text?.contains("spiral") == true)
        for name in ["history", "source", "institution", "references"] {
            #expect(try dataset.attribute(name)?.text?.isEmpty == false, "\(name)")
        }
        guard case .float64(let finalError)? = try dataset.attribute("final_mean_absolute_error") else {
            Issue.record("no final_mean_absolute_error attribute"); return
        }
        #expect(record["statistics"]?["final_mean_absolute_error"] == .number(finalError[0]))
        #expect(finalError[0].isFinite && finalError[0] > 0)

        #expect(try dataset.dimension("iteration") == Dimension(name: "iteration", length: 25, isUnlimited: true))
        #expect(try dataset.dimension("time").length == 200)
        #expect(try dataset.dimension("component").length == 2)
        #expect(try dataset.dimension("eval_iteration").length == 4)  // 0, 10, 20, 25
        #expect(try dataset.read(Int64.self, from: "eval_iteration") == [0, 10, 20, 25])
        #expect(try dataset.read(Int64.self, from: "iteration") == (1...25).map { Int64($0) })
        #expect(try dataset.read(Int32.self, from: "component") == [1, 2])
        let time = try dataset.variable("time")
        #expect(time.attribute("axis") == .text("T") && time.attribute("standard_name") == .text("time"))
        for name in ["true_y", "pred_y"] {
            let variable = try dataset.variable(name)
            #expect(variable.dimensions.map(\.name) == ["time", "component"])
            #expect(variable.attribute("units") == .text("1") && variable.attribute("long_name") != nil)
        }
        for name in ["loss", "gradient_norm", "learning_rate", "trajectory_error", "iteration", "eval_iteration", "component"] {
            let variable = try dataset.variable(name)
            #expect(variable.attribute("units") != nil && variable.attribute("long_name") != nil, "\(name)")
        }
        let trueY = try dataset.read(Double.self, from: "true_y"), predY = try dataset.read(Double.self, from: "pred_y")
        #expect(trueY.count == 400 && Array(trueY.prefix(2)) == [2, 0] && Array(predY.prefix(2)) == [2, 0])
        let error = zip(trueY, predY).map { abs($0 - $1) }.reduce(0, +) / 400
        #expect(abs(error - finalError[0]) <= 1e-12 * max(1, error))
        #expect(try dataset.read(Double.self, from: "trajectory_error").last == finalError[0])
        let losses = try dataset.read(Double.self, from: "loss")
        #expect(losses.count == 25 && losses.allSatisfy(\.isFinite))

        // The checkpoint holds the trained parameters and Adam's state (step = iterations).
        let checkpoint = try Dataset.open(dir + "/t/checkpoint.nc")
        defer { try? checkpoint.close() }
        let template = Parameters<Double>([("weight0", Tensor.zeros([2, 50])), ("bias0", Tensor.zeros([50])),
                                           ("weight1", Tensor.zeros([50, 2])), ("bias1", Tensor.zeros([2]))])
        let trained = try Checkpoint.readParameters(from: checkpoint, matching: template)
        #expect(trained.scalarCount == 2 * 50 + 50 + 50 * 2 + 2)
        #expect(try Checkpoint.readOptimizerState(from: checkpoint, matching: template)?.step == 25)
        #expect(try Checkpoint.readOptimizerState(from: checkpoint, matching: template)?.kind == "adam")
    }
}
