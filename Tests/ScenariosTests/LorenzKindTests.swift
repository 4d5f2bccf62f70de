import Foundation
import NetCDF
import Testing
@testable import Scenarios

@Suite struct LorenzKindTests {
    let system = LorenzSystem(sigma: 10, rho: 28, beta: 8.0 / 3.0)

    func integrate(to end: Double, steps: Int) -> SIMD3<Double> {
        var state = SIMD3(1.0, 1.0, 1.0)
        for _ in 0..<steps { state = system.rk4Step(state, dt: end / Double(steps)) }
        return state
    }

    @Test func rk4ConvergesAtFourthOrder() {
        // Errors against a much finer solution, for dt = 0.1/10 ... 0.1/80 over t ∈ [0, 0.1]
        // (short enough that the chaotic growth of errors does not mask the order).
        let reference = integrate(to: 0.1, steps: 20_000)
        let errors = [10, 20, 40, 80].map { steps -> Double in
            let difference = integrate(to: 0.1, steps: steps) - reference
            return (difference * difference).sum().squareRoot()
        }
        for k in 0..<3 {
            let order = log2(errors[k] / errors[k + 1])
            #expect(abs(order - 4) < 0.1, "observed order \(order) between dt=0.1/\(10 << k) and 0.1/\(20 << k)")
        }
    }

    @Test func equilibriumStaysPut() {
        // C+ = (√(β(ρ−1)), √(β(ρ−1)), ρ−1) is a fixed point of the flow.
        let c = (system.beta * (system.rho - 1)).squareRoot()
        var state = SIMD3(c, c, system.rho - 1)
        for _ in 0..<1000 { state = system.rk4Step(state, dt: 0.001) }
        #expect(abs(state.x - c) < 1e-10 && abs(state.z - (system.rho - 1)) < 1e-10)
    }

    func run(_ json: String, in dir: String) throws(RunFailure) -> JSONValue {
        let scenario = try! Scenario.parse(json, file: "t.json")
        var placed = scenario
        placed.output = dir
        return try ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test").run(placed)
    }

    @Test func runWritesCFOutputAndRecord() throws {
        let dir = NSTemporaryDirectory() + "/lorenz-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let record = try run(#"{"kind": "lorenz", "name": "t", "seed": 7, "parameters": {"steps": 1000, "save_every": 100, "dt": 0.001}}"#, in: dir)
        #expect(record["status"] == .string("completed"))
        #expect(record["statistics"]?["records"] == .integer(11))
        #expect(record["statistics"]?["rhs_evaluations"] == .integer(4000))

        let dataset = try Dataset.open(dir + "/t/output.nc")
        #expect(try dataset.attribute("Conventions") == .text("CF-1.10"))
        #expect(try dataset.attribute("scenario_seed") == .int64([7]))
        #expect(try dataset.attribute("history")?.text?.hasSuffix(": test") == true)
        let time = try dataset.variable("time")
        #expect(time.dimensions == [Dimension(name: "time", length: 11, isUnlimited: true)])
        #expect(time.attribute("axis") == .text("T"))
        #expect(time.attribute("standard_name") == .text("time"))
        #expect(try dataset.read(Double.self, from: "time") == (0...10).map { Double($0 * 100) * 0.001 })
        for name in ["x", "y", "z"] {
            let variable = try dataset.variable(name)
            #expect(variable.attribute("units") == .text("1"))
            #expect(variable.attribute("long_name")?.text?.hasPrefix("Lorenz \(name)") == true)
        }
        // The last record is the state reached by the same RK4 steps.
        let expected = integrate(to: 1, steps: 1000)
        #expect(try dataset.read(Double.self, from: "x").last == expected.x)
        #expect(try dataset.read(Double.self, from: "z").last == expected.z)

        let recorded = try JSONParser.parse(String(contentsOfFile: dir + "/t/run.json", encoding: .utf8))
        #expect(recorded == record)
        #expect(recorded["versions"]?["netcdf"] != nil)
        #expect(recorded["scenario"]?["parameters"]?["save_every"] == .integer(100))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir + "/t"))?.sorted() == ["output.nc", "run.json"])
    }

    @Test func divergingRunFailsAndKeepsThePreviousOutput() throws {
        let dir = NSTemporaryDirectory() + "/lorenz-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try run(#"{"kind": "lorenz", "name": "t", "seed": 1, "parameters": {"steps": 100}}"#, in: dir)
        let good = try Data(contentsOf: URL(fileURLWithPath: dir + "/t/output.nc"))
        do {
            _ = try run(#"{"kind": "lorenz", "name": "t", "seed": 1, "parameters": {"steps": 2000, "dt": 0.9}}"#, in: dir)
            Issue.record("a run with dt=0.9 did not fail")
        } catch {
            #expect(error.message.contains("infinite or NaN"))
            #expect(error.message.contains("smaller dt"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/t/output.nc")) == good)
        let record = try JSONParser.parse(String(contentsOfFile: dir + "/t/run.json", encoding: .utf8))
        #expect(record["status"] == .string("failed"))
        #expect(record["error"].map { "\($0)".contains("smaller dt") } == true)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir + "/t"))?.sorted() == ["output.nc", "run.json"])
    }

    @Test func abandonedPartialsOfDeadProcessesAreRemoved() throws {
        let dir = NSTemporaryDirectory() + "/partials-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // PID 2^22+1 is above Linux's pid_max default limit, so no such process exists.
        let dead = dir + "/output.nc.partial-4194305-1"
        let alive = dir + "/output.nc.partial-\(getpid())-99"
        _ = FileManager.default.createFile(atPath: dead, contents: Data([1]))
        _ = FileManager.default.createFile(atPath: alive, contents: Data([1]))
        ScenarioRunner.removeAbandonedPartials(in: dir)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: alive))
    }
}
