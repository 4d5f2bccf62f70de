import Foundation
import NetCDF
import Testing
import TestSupport
import ScenarioTestSupport
@testable import Scenarios

/// Running sweep members, a failing member, and gathering members into one dataset.
@Suite struct SweepGatherTests {
    init() { AllKinds.register() }

    static var runner: ScenarioRunner { ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test") }

    static func sweep(in dir: TemporaryDirectory, _ sweep: String, parameters: String = #""t_end": 1, "save_at": 0.1"#) throws -> Scenario {
        var s = try Scenario.parse(#"{"kind": "lorenz", "name": "sw", "seed": 5, "parameters": {\#(parameters)}, "sweep": \#(sweep)}"#,
                                   file: "sw.json")
        s.output = dir.path
        return s
    }

    @Test func gatherStacksMembersWithParameterCoordinates() throws {
        let dir = TemporaryDirectory()
        let s = try Self.sweep(in: dir, #"{"grid": {"rho": [14, 28.5]}, "list": [{"method": "Tsit5"}, {"method": "Verner7"}]}"#)
        let members = try s.members()
        for member in members { try Self.runner.run(member) }

        let report = try SweepGather(directory: s.sweepDirectory).run()
        #expect(report.members == [0, 1, 2, 3])
        #expect(report.output == s.sweepDirectory + "/sweep.nc")
        let gathered = try Dataset.open(report.output)
        defer { try? gathered.close() }
        #expect(try gathered.dimension("member").length == 4)
        #expect(try gathered.variable("x").dimensions.map(\.name) == ["member", "time"])
        #expect(try gathered.variable("time").dimensions.map(\.name) == ["time"])
        #expect(try gathered.read(Double.self, from: "rho") == [14, 28.5, 14, 28.5])
        #expect(try gathered.read(Int32.self, from: "method") == [0, 0, 1, 1])
        #expect(try gathered.attribute("flag_meanings", of: "method") == .text("Tsit5 Verner7"))
        #expect(try gathered.read(Int64.self, from: "seed") == [5, 5, 5, 5])
        #expect(try gathered.attribute("coordinates", of: "x")?.text == "member seed replica method rho")
        #expect(try gathered.attribute("Conventions") == .text("CF-1.10"))
        // Per-member solver statistics (different for each member) become variables over member.
        #expect(try gathered.variable("solver_rhs_evaluations").dimensions.map(\.name) == ["member"])

        // Each row is exactly that member's own output.
        let x = try gathered.read(Double.self, from: "x")
        let n = try gathered.dimension("time").length
        for (m, member) in members.enumerated() {
            let own = try Dataset.open(member.runDirectory + "/output.nc")
            #expect(Array(x[(m * n)..<((m + 1) * n)]) == (try own.read(Double.self, from: "x")))
            try own.close()
        }
    }

    @Test func aFailingMemberRecordsItsErrorAndTheOthersComplete() throws {
        let dir = TemporaryDirectory()
        // max_steps 3 cannot reach t_end: member 1 fails at run time, members 0 and 2 complete.
        let s = try Self.sweep(in: dir, #"{"list": [{"max_steps": 100000}, {"max_steps": 3}, {"max_steps": 200000}]}"#)
        var failures = 0
        for member in try s.members() {
            do { try Self.runner.run(member) } catch { failures += 1 }
        }
        #expect(failures == 1)
        let record = try JSONParser.parse(String(contentsOfFile: dir.file("sw/0001/run.json"), encoding: .utf8))
        #expect(record["status"] == .string("failed"))
        #expect(record["error"].map { "\($0)" }?.contains("step") == true, "\(String(describing: record["error"]))")
        #expect(!FileManager.default.fileExists(atPath: dir.file("sw/0001/output.nc")))
        #expect(ScenarioRunner.completedRecord(of: try s.member(0)) != nil)
        #expect(ScenarioRunner.completedRecord(of: try s.member(1)) == nil)
        #expect(ScenarioRunner.completedRecord(of: try s.member(2)) != nil)

        // Gather refuses, naming the failed member, unless asked for the completed ones.
        do {
            _ = try SweepGather(directory: s.sweepDirectory).run()
            Issue.record("gathered a sweep with a failed member")
        } catch {
            #expect("\(error)".contains("member 0001: status 'failed'"), "\(error)")
            #expect("\(error)".contains("--partial"))
        }
        let report = try SweepGather(directory: s.sweepDirectory, partial: true).run()
        #expect(report.members == [0, 2])
        #expect(report.skipped.map(\.id) == ["0001"])
        let gathered = try Dataset.open(report.output)
        #expect(try gathered.read(Int64.self, from: "member") == [0, 2])
        #expect(try gathered.read(Int64.self, from: "max_steps") == [100000, 200000])
        try gathered.close()
    }

    @Test func gatherNamesMissingMembersAndUnequalCoordinates() throws {
        let dir = TemporaryDirectory()
        let s = try Self.sweep(in: dir, #"{"grid": {"rho": [10, 20, 30]}}"#)
        try Self.runner.run(try s.member(0))
        try Self.runner.run(try s.member(2))
        do {
            _ = try SweepGather(directory: s.sweepDirectory).run()
            Issue.record("gathered an incomplete sweep")
        } catch {
            #expect("\(error)".contains("member 1: not run yet"), "\(error)")
        }

        // Members whose time axes differ cannot share one `time` coordinate.
        let other = TemporaryDirectory()
        let t = try Self.sweep(in: other, #"{"list": [{"save_at": 0.1}, {"save_at": 0.2}]}"#, parameters: #""t_end": 1"#)
        for member in try t.members() { try Self.runner.run(member) }
        do {
            _ = try SweepGather(directory: t.sweepDirectory).run()
            Issue.record("gathered members with different time axes")
        } catch {
            #expect("\(error)".contains("'time'"), "\(error)")
        }

        #expect(throws: SweepGather.Failure.self) { try SweepGather(directory: other.file("nothing-here")).run() }
    }
}
