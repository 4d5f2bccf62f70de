import Foundation
import Integrators
import NetCDF
import ReferenceProblems
import ScenarioTestSupport
import Testing
@testable import IntegratorScenarios
@testable import Scenarios

@Suite struct BrusselatorKindTests {
    init() { AllKinds.register() }

    func run(_ json: String, in dir: String) throws(RunFailure) -> JSONValue {
        let scenario = try! Scenario.parse(json, file: "t.json")
        var placed = scenario
        placed.output = dir
        return try ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test").run(placed)
    }

    /// Every method × linear solver writes u, v over time × y × x, and the last field agrees with
    /// a tight direct solve of the same problem.
    @Test(arguments: [("BDF", "krylov"), ("Rodas5P", "sparse"), ("ARK436L2SA", "krylov"), ("ARK324L2SA", "dense")])
    func runWritesTheFieldsAndMatchesADirectSolve(_ method: String, _ linear: String) throws {
        let dir = NSTemporaryDirectory() + "/brusselator-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let record = try run(#"""
            {"kind": "brusselator-2d", "name": "b", "seed": 1,
             "parameters": {"grid": 8, "t_end": 2, "method": "\#(method)", "linear_solver": "\#(linear)", "save_every": 0.5}}
            """#, in: dir)
        #expect(record["status"] == .string("completed"))
        #expect(record["statistics"]?["records"] == .integer(5))
        let dataset = try Dataset.open(dir + "/b/output.nc")
        #expect(try dataset.variable("u").dimensions.map(\.name) == ["time", "y", "x"])
        let u = try dataset.read(Double.self, from: "u"), v = try dataset.read(Double.self, from: "v")
        #expect(u.count == 5 * 64 && v.count == 5 * 64)
        let model = Brusselator2D(gridSize: 8)
        let reference = try solve(model.problem(to: 2), using: Rodas5P(), tolerance: Tolerance(relative: 1e-10, absolute: 1e-10),
                                  saveAt: .final).final
        var worst = 0.0
        for q in 0..<64 {
            worst = max(worst, abs(u[4 * 64 + q] - reference[2 * q]), abs(v[4 * 64 + q] - reference[2 * q + 1]))
        }
        #expect(worst < 1e-3, "\(method)/\(linear): largest difference \(worst)")
    }

    @Test func invalidCombinationsAreRefusedByValidation() throws {
        func refusal(_ parameters: String) -> String? {
            do {
                _ = try Scenario.parse(#"{"kind": "brusselator-2d", "name": "b", "seed": 1, "parameters": \#(parameters)}"#, file: "t.json")
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(refusal(#"{"grid": 9}"#)?.contains("$.parameters.grid") == true)
        #expect(refusal(#"{"grid": 64, "linear_solver": "dense"}"#)?.contains("$.parameters.linear_solver") == true)
        #expect(refusal(#"{"method": "Tsit5"}"#)?.contains("$.parameters.method") == true)
        #expect(refusal(#"{"grid": 32}"#) == nil)
    }
}
