import Foundation
import NetCDF
import Integrators
import Testing
import ScenarioTestSupport
@testable import Scenarios
@testable import IntegratorScenarios

@Suite struct LorenzKindTests {
    init() { AllKinds.register() }

    @Test func equilibriumStaysPut() throws {
        // C+ = (√(β(ρ−1)), √(β(ρ−1)), ρ−1) is a fixed point of the flow.
        let c = (8.0 / 3.0 * 27).squareRoot()
        let dir = NSTemporaryDirectory() + "/lorenz-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let record = try run(#"{"kind": "lorenz", "name": "eq", "seed": 1, "parameters": {"initial": [\#(c), \#(c), 27], "t_end": 5}}"#, in: dir)
        guard case .array(let final)? = record["statistics"]?["final_state"] else { Issue.record("no final state"); return }
        #expect(abs((final[0].doubleValue ?? 0) - c) < 1e-6 && abs((final[2].doubleValue ?? 0) - 27) < 1e-6)  // rtol 1e-8 × |z| per step
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
        let record = try run(#"{"kind": "lorenz", "name": "t", "seed": 7, "parameters": {"t_end": 1, "save_at": 0.1}}"#, in: dir)
        #expect(record["status"] == .string("completed"))
        #expect(record["statistics"]?["records"] == .integer(11))
        #expect(record["statistics"]?["method"] == .string("Tsit5"))

        let dataset = try Dataset.open(dir + "/t/output.nc")
        #expect(try dataset.attribute("Conventions") == .text("CF-1.10"))
        #expect(try dataset.attribute("scenario_seed") == .int64([7]))
        #expect(try dataset.attribute("history")?.text?.hasSuffix(": test") == true)
        #expect(try dataset.attribute("solver_method") == .text("Tsit5"))
        #expect(try dataset.attribute("solver_rhs_evaluations") == record["statistics"]?["rhs_evaluations"].flatMap { if case .integer(let i) = $0 { return .int64([i]) }; return nil })
        let time = try dataset.variable("time")
        #expect(time.dimensions == [Dimension(name: "time", length: 11, isUnlimited: true)])
        #expect(time.attribute("axis") == .text("T"))
        #expect(time.attribute("standard_name") == .text("time"))
        let times = try dataset.read(Double.self, from: "time")
        #expect(zip(times, (0...10).map { Double($0) * 0.1 }).allSatisfy { abs($0 - $1) < 1e-14 })
        for name in ["x", "y", "z"] {
            let variable = try dataset.variable(name)
            #expect(variable.attribute("units") == .text("1"))
            #expect(variable.attribute("long_name")?.text?.hasPrefix("Lorenz \(name)") == true)
        }
        // The last record agrees with an independent high-accuracy solve (Verner7 at 1e-13).
        let reference = try solve(ODEProblem(initial: [1, 1, 1], timeSpan: 0...1) { _, y, dy in
            dy[0] = 10 * (y[1] - y[0]); dy[1] = y[0] * (28 - y[2]) - y[1]; dy[2] = y[0] * y[1] - 8.0 / 3.0 * y[2]
        }, using: Verner7(), tolerance: Tolerance(relative: 1e-13, absolute: 1e-13), saveAt: .final).final
        #expect(abs(try dataset.read(Double.self, from: "x").last! - reference[0]) < 1e-6)
        #expect(abs(try dataset.read(Double.self, from: "z").last! - reference[2]) < 1e-6)

        let recorded = try JSONParser.parse(String(contentsOfFile: dir + "/t/run.json", encoding: .utf8))
        #expect(recorded == record)
        #expect(recorded["versions"]?["netcdf"] != nil)
        #expect(recorded["scenario"]?["parameters"]?["save_at"] == .number(0.1))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir + "/t"))?.sorted() == ["output.nc", "run.json"])
    }

    @Test func divergingRunFailsAndKeepsThePreviousOutput() throws {
        let dir = NSTemporaryDirectory() + "/lorenz-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try run(#"{"kind": "lorenz", "name": "t", "seed": 1, "parameters": {"t_end": 1}}"#, in: dir)
        let good = try Data(contentsOf: URL(fileURLWithPath: dir + "/t/output.nc"))
        do {
            _ = try run(#"{"kind": "lorenz", "name": "t", "seed": 1, "parameters": {"method": "Euler", "dt": 0.9, "t_end": 1000}}"#, in: dir)
            Issue.record("a run with dt=0.9 did not fail")
        } catch {
            #expect(error.message.contains("NaN or infinity"), "\(error)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/t/output.nc")) == good)
        let record = try JSONParser.parse(String(contentsOfFile: dir + "/t/run.json", encoding: .utf8))
        #expect(record["status"] == .string("failed"))
        #expect(record["error"].map { "\($0)".contains("NaN or infinity") } == true)
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

/// Every method a scenario can name runs through the kind and agrees with a tight reference.
@Suite struct LorenzMethodTests {
    init() { AllKinds.register() }

    @Test(arguments: ["Tsit5", "DormandPrince5", "Verner7", "BogackiShampine3", "Rodas5P", "BDF", "RK4", "Heun", "Euler"])
    func methodRunsThroughTheScenario(method: String) throws {
        let dir = NSTemporaryDirectory() + "/lorenz-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fixed = ["RK4": 1e-4, "Heun": 1e-4, "Euler": 1e-6][method]
        let step = fixed.map { ", \"dt\": \($0)" } ?? ""
        var scenario = try Scenario.parse(#"{"kind": "lorenz", "name": "m", "seed": 1, "parameters": {"method": "\#(method)", "t_end": 1, "rtol": 1e-9, "atol": 1e-9, "save_at": 0.5\#(step)}}"#, file: "t.json")
        scenario.output = dir
        let record = try ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test").run(scenario)
        #expect(record["statistics"]?["method"] == .string(method))
        #expect(record["statistics"]?["records"] == .integer(3))
        let reference = try solve(ODEProblem(initial: [1, 1, 1], timeSpan: 0...1) { _, y, dy in
            dy[0] = 10 * (y[1] - y[0]); dy[1] = y[0] * (28 - y[2]) - y[1]; dy[2] = y[0] * y[1] - 8.0 / 3.0 * y[2]
        }, using: Verner7(), tolerance: Tolerance(relative: 1e-13, absolute: 1e-13), saveAt: .final).final
        guard case .array(let final)? = record["statistics"]?["final_state"] else { Issue.record("no final state"); return }
        let error = zip(final.compactMap(\.doubleValue), reference).map { abs($0 - $1) }.max() ?? .infinity
        let allowed = ["Euler": 1e-3, "Heun": 1e-5, "BogackiShampine3": 1e-5, "BDF": 1e-4][method] ?? 1e-6
        #expect(error < allowed, "\(method): error \(error)")
    }
}
