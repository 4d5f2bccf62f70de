import Foundation
import NetCDF
import Testing
import TestSupport
import ScenarioTestSupport
@testable import Scenarios
@testable import TemporalStencilScenarios

/// The `tsm-rollout` kind on a small reference: finer coarse grids stay correlated longer.
@Suite struct TSMRolloutKindTests {
    init() { AllKinds.register() }

    @Test func finerGridsStayCorrelatedLonger() throws {
        let dir = TemporaryDirectory()
        let runner = ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test")
        var dns = try Scenario.parse(#"{"kind": "ns2d-dns", "name": "ref", "seed": 1, "parameters": {"grid": 64, "warmup": 2, "duration": 4, "save_every": 0.25, "coarse_grids": [8, 16, 32], "write_dns": false}}"#, file: "d.json")
        dns.output = dir.path
        try runner.run(dns)
        var rollout = try Scenario.parse(#"{"kind": "tsm-rollout", "name": "roll", "seed": 0, "parameters": {"reference": "\#(dir.file("ref/output.nc"))", "grid": 8}}"#, file: "r.json")
        rollout.output = dir.path
        let record = try runner.run(rollout)
        let d8 = record["statistics"]?["duration_8"]?.doubleValue ?? -1
        let d16 = record["statistics"]?["duration_16"]?.doubleValue ?? -1
        let d32 = record["statistics"]?["duration_32"]?.doubleValue ?? -1
        #expect(d8 > 0 && d8 <= d16 && d16 <= d32 && d8 < d32, "durations \(d8), \(d16), \(d32)")
        let dataset = try Dataset.open(dir.file("roll/output.nc"))
        defer { try? dataset.close() }
        let rho = try dataset.read(Double.self, from: "rho")
        // t = 0: each run starts on the reference, and its face velocities averaged to 8² are the
        // reference's own 8² face averages, so the metric starts at exactly 1.
        #expect(rho.count == 3 * 17 && [rho[0], rho[17], rho[34]].allSatisfy { abs($0 - 1) < 1e-10 }, "rho(0) \([rho[0], rho[17], rho[34]])")
        #expect(rho[16] < 1 - 1e-3, "the 8² rollout has drifted by t = 4")
        let target = try dataset.read(Double.self, from: "reference_vorticity"), omega = try dataset.read(Double.self, from: "vorticity")
        #expect(target.count == 17 * 64 && omega.count == 3 * 17 * 64)
        let firstFrameMatches = zip(omega[0..<64], target[0..<64]).allSatisfy { (a: Double, b: Double) -> Bool in abs(a - b) <= 1e-4 * (1 + abs(b)) }
        #expect(firstFrameMatches, "the 8² run's first frame is the reference's")

        // Started from the 8² state refined without new scales: the same 8² run, and every finer
        // run still starts at ρ = 1 (the refinement averages back to the 8² state).
        var fromModelGrid = try Scenario.parse(#"{"kind": "tsm-rollout", "name": "coarse-start", "seed": 0, "parameters": {"reference": "\#(dir.file("ref/output.nc"))", "grid": 8, "initial_state": "model-grid"}}"#, file: "c.json")
        fromModelGrid.output = dir.path
        let coarseStart = try runner.run(fromModelGrid)
        #expect(coarseStart["statistics"]?["duration_8"]?.doubleValue == d8)
        let coarseRho = try Dataset.open(dir.file("coarse-start/output.nc")).read(Double.self, from: "rho")
        #expect([coarseRho[0], coarseRho[17], coarseRho[34]].allSatisfy { abs($0 - 1) < 1e-10 }, "rho(0) \([coarseRho[0], coarseRho[17], coarseRho[34]])")
        let sixteenDifference = zip(coarseRho[17..<34], rho[17..<34]).map { abs($0 - $1) }.max()!
        #expect(sixteenDifference > 1e-6, "the 16² run from the refined 8² state differs from the one from the 16² averages")
    }
}

/// `tsm-train` and `tsm-rollout` with `model: tsm` end to end on tiny grids: the DNS history
/// frames, training that lowers the held-out loss, the rollout of the trained model, and the
/// errors for mismatched inputs.
@Suite struct TSMTrainKindTests {
    init() { AllKinds.register() }

    @Test func trainsOnDNSFramesAndRollsTheModelOut() throws {
        let dir = TemporaryDirectory()
        let runner = ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test")
        var data = try Scenario.parse(#"{"kind": "ns2d-dns", "name": "data", "seed": 1, "parameters": {"grid": 32, "warmup": 1, "duration": 3, "save_every": 0.05, "coarse_grids": [8], "write_dns": false}}"#, file: "d.json")
        data.output = dir.path
        try runner.run(data)
        var reference = try Scenario.parse(#"{"kind": "ns2d-dns", "name": "ref", "seed": 2, "parameters": {"grid": 32, "warmup": 1, "duration": 2, "save_every": 0.25, "coarse_grids": [8], "write_dns": false, "history_frames": 4, "history_every": 0.05}}"#, file: "r.json")
        reference.output = dir.path
        try runner.run(reference)
        do {
            let dataset = try Dataset.open(dir.file("ref/output.nc"))
            defer { try? dataset.close() }
            let times = try dataset.read(Double.self, from: "history_time")
            #expect(zip(times, [-0.15, -0.1, -0.05, 0]).allSatisfy { abs($0 - $1) < 1e-12 })
            // The last history frame is the first record; the one before differs.
            let history = try dataset.read(Double.self, from: "u_history_8"), first = try dataset.read(Double.self, from: "u_8")
            #expect(Array(history[(3 * 64)..<(4 * 64)]) == Array(first[0..<64]))
            #expect(Array(history[(2 * 64)..<(3 * 64)]) != Array(first[0..<64]))
        }

        var train = try Scenario.parse(#"{"kind": "tsm-train", "name": "train", "seed": 0, "parameters": {"training_data": "\#(dir.file("data/output.nc"))", "grid": 8, "memory_size": 2, "history": 4, "unroll": 3, "width": 6, "depth": 2, "batch": 2, "iterations": 40, "warmup": 4, "learning_rate": 0.003, "validation_windows": 4}}"#, file: "t.json")
        train.output = dir.path
        let record = try runner.run(train)
        let before = record["statistics"]?["initial_validation_loss"]?.doubleValue ?? .nan
        let after = record["statistics"]?["final_validation_loss"]?.doubleValue ?? .nan
        #expect(after < before, "held-out loss \(before) → \(after)")
        #expect(record["statistics"]?["time_step"]?.doubleValue == 0.05)

        var rollout = try Scenario.parse(#"{"kind": "tsm-rollout", "name": "roll", "seed": 0, "parameters": {"reference": "\#(dir.file("ref/output.nc"))", "grid": 8, "refinements": [1], "model": "tsm", "model_file": "\#(dir.file("train/output.nc"))"}}"#, file: "r.json")
        rollout.output = dir.path
        let rolled = try runner.run(rollout)
        #expect(rolled["statistics"]?["model"] == .string("tsm"))
        let dataset = try Dataset.open(dir.file("roll/output.nc"))
        defer { try? dataset.close() }
        let rho = try dataset.read(Double.self, from: "rho")
        #expect(rho.count == 9 && abs(rho[0] - 1) < 1e-12 && rho.allSatisfy(\.isFinite), "rho \(rho)")
        #expect(try dataset.read(Double.self, from: "high_correlation_duration").first! > 0)

        // A reference without history frames cannot feed the memory; the message says how to make one.
        var noHistory = rollout
        noHistory.name = "roll2"
        noHistory.parameters = try Scenario.parse(#"{"kind": "tsm-rollout", "name": "roll2", "seed": 0, "parameters": {"reference": "\#(dir.file("data/output.nc"))", "grid": 8, "refinements": [1], "model": "tsm", "model_file": "\#(dir.file("train/output.nc"))"}}"#, file: "r.json").parameters
        #expect { try runner.run(noHistory) } throws: { "\($0)".contains("history_frames") }
    }

    /// A sweep directory of ns2d-dns outputs trains on every member's trajectory; members with
    /// another flow, or a directory without members, are named in the error.
    @Test func trainsOnASweepDirectoryOfTrajectories() throws {
        let dir = TemporaryDirectory()
        let runner = ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test")
        var data = try Scenario.parse(#"{"kind": "ns2d-dns", "name": "data", "seed": 1, "parameters": {"grid": 16, "warmup": 0.5, "duration": 1, "save_every": 0.05, "coarse_grids": [8], "write_dns": false}, "sweep": {"replicas": 2}}"#, file: "d.json")
        data.output = dir.path
        for index in 0..<2 { try runner.run(try data.member(index)) }
        func train(_ path: String, name: String) throws -> JSONValue {
            var train = try Scenario.parse(#"{"kind": "tsm-train", "name": "\#(name)", "seed": 0, "parameters": {"training_data": "\#(path)", "grid": 8, "memory_size": 2, "history": 4, "unroll": 3, "width": 4, "depth": 2, "batch": 2, "iterations": 3, "warmup": 1, "validation_windows": 4}}"#, file: "t.json")
            train.output = dir.path
            return try runner.run(train)
        }
        let both = try train(dir.file("data"), name: "both")
        #expect(both["statistics"]?["training_trajectories"]?.doubleValue == 2)
        let one = try train(dir.file("data/0000/output.nc"), name: "one")
        #expect(one["statistics"]?["training_trajectories"]?.doubleValue == 1)
        // The held-out windows now come from both trajectories, so the classical loss differs.
        #expect(both["statistics"]?["classical_validation_loss"] != one["statistics"]?["classical_validation_loss"])

        try FileManager.default.createDirectory(atPath: dir.file("empty"), withIntermediateDirectories: true)
        #expect { try train(dir.file("empty"), name: "empty") } throws: { "\($0)".contains("without <member>/output.nc") }
        var other = try Scenario.parse(#"{"kind": "ns2d-dns", "name": "other", "seed": 3, "parameters": {"grid": 16, "viscosity": 0.01, "warmup": 0.5, "duration": 1, "save_every": 0.05, "coarse_grids": [8], "write_dns": false}}"#, file: "o.json")
        other.output = dir.path
        try runner.run(other)
        try FileManager.default.createDirectory(atPath: dir.file("data/0002"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: dir.file("other/output.nc"), toPath: dir.file("data/0002/output.nc"))
        #expect { try train(dir.file("data"), name: "mixed") } throws: { "\($0)".contains("0002/output.nc") }
    }

    @Test func theVanLeerLimitedCorrectionNeedsTheVanLeerBase() {
        do {
            _ = try Scenario.parse(#"{"kind": "tsm-train", "name": "t", "seed": 0, "parameters": {"correction_limit": "van-leer-limited", "base_scheme": "linear"}}"#, file: "t.json")
            Issue.record("accepted the van-leer-limited correction around the linear scheme")
        } catch {
            #expect(error.issues.map(\.path) == ["$.parameters.base_scheme"])
        }
    }

    @Test func aLearnedModelRunsOnlyAtItsOwnGrid() {
        do {
            _ = try Scenario.parse(#"{"kind": "tsm-rollout", "name": "r", "seed": 0, "parameters": {"model": "tsm"}}"#, file: "r.json")
            Issue.record("accepted refinements [1, 2, 4] with a learned model")
        } catch {
            #expect(error.issues.map(\.path) == ["$.parameters.refinements"])
        }
    }

    @Test func historyEveryMustDivideSaveEvery() {
        do {
            _ = try Scenario.parse(#"{"kind": "ns2d-dns", "name": "d", "seed": 0, "parameters": {"history_frames": 4, "history_every": 0.03, "save_every": 0.2}}"#, file: "d.json")
            Issue.record("accepted a history spacing that does not divide save_every")
        } catch {
            #expect(error.issues.map(\.path) == ["$.parameters.history_every"])
        }
    }
}
