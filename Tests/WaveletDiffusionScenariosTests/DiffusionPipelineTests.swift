import Foundation
import NetCDF
import Testing
import TestSupport
import ScenarioTestSupport
@testable import Scenarios
@testable import WaveletDiffusionScenarios

/// wdno-data → wdno-train (and wdno-fno-train) → wdno-simulate at a miniature size (17 × 24 trajectories, a width-8
/// U-Net): the files chain, the model records what rebuilds it, the simulation is scored, and
/// mismatched inputs are refused with a message naming them.
@Suite struct DiffusionPipelineTests {
    init() { AllKinds.register() }

    func run(_ json: String, in dir: TemporaryDirectory) throws -> [String: JSONValue] { try runScenarioStatistics(json, in: dir.path) }

    /// The 2-D path: windows of an ns2d-dns vorticity record through wdno-train and wdno-simulate.
    @Test func vorticityWindowsTrainAndSimulate() throws {
        let dir = TemporaryDirectory()
        _ = try run(#"{"kind": "ns2d-dns", "name": "dns", "seed": 1, "parameters": {"grid": 32, "warmup": 0.5, "duration": 4, "save_every": 0.1, "coarse_grids": [16], "write_dns": false}}"#, in: dir)
        let record = dir.file("dns/output.nc")
        let windows = #""frames": 8, "vorticity_grid": 16, "window_stride": 2, "test_fraction": 0.25"#
        let training = try run(#"{"kind": "wdno-train", "name": "vort", "seed": 2, "parameters": {"training_data": "\#(record)", \#(windows), "iterations": 4, "batch_size": 2, "width": 8, "multipliers": [1, 2], "groups": 2}}"#, in: dir)
        // 41 frames: training windows end before frame 30 (starts 0, 2, ..., 22), test windows start at 30 and 32.
        #expect(training["training_trajectories"] == .integer(12))
        let model = try Dataset.open(dir.file("vort/output.nc"))
        #expect(try model.attribute("representation") == .text("vorticity-wavelet") && model.attribute("spatial_shape") == .int64([16, 16]))
        try model.close()
        let simulation = try run(#"{"kind": "wdno-simulate", "name": "vortsim", "seed": 3, "parameters": {"model": "\#(dir.file("vort/output.nc"))", "data": "\#(record)", \#(windows), "test_trajectories": 5, "steps": 2, "batch": 2, "clamp": 5}}"#, in: dir)
        guard case .number(let mse)? = simulation["mse"], case .number(let persistence)? = simulation["mse_persistence"] else {
            Issue.record("no mse in \(simulation)")
            return
        }
        #expect(mse.isFinite && persistence > 0 && simulation["test_trajectories"] == .integer(2))
        let output = try Dataset.open(dir.file("vortsim/output.nc"))
        #expect(try output.variable("u_predicted").dimensions.map(\.name) == ["trajectory", "time", "y", "x"])
        #expect(try output.variable("u_predicted").dimensions.map(\.length) == [2, 8, 16, 16])
        try output.close()
        // Control and the FNO baseline are not defined on vorticity windows; a Burgers model does not read them.
        #expect(throws: (any Error).self) {
            try run(#"{"kind": "wdno-train", "name": "vortctl", "seed": 2, "parameters": {"training_data": "\#(record)", \#(windows), "task": "control", "iterations": 1}}"#, in: dir)
        }
        #expect(throws: (any Error).self) {
            try run(#"{"kind": "wdno-fno-train", "name": "vortfno", "seed": 2, "parameters": {"training_data": "\#(record)", "iterations": 1}}"#, in: dir)
        }
    }

    @Test func dataTrainSimulateChain() throws {
        let dir = TemporaryDirectory()
        _ = try run(#"{"kind": "wdno-data", "name": "data", "seed": 1, "parameters": {"train_trajectories": 6, "test_trajectories": 2, "duration": 1.6, "intervals": 16, "points": 24, "solver_modes": 63, "solver_step": 0.004}}"#, in: dir)
        let data = dir.file("data/output.nc")
        let training = try run(#"{"kind": "wdno-train", "name": "model", "seed": 2, "parameters": {"training_data": "\#(data)", "iterations": 12, "batch_size": 4, "learning_rate": 0.002, "width": 8, "multipliers": [1, 2], "groups": 2}}"#, in: dir)
        #expect(training["training_trajectories"] == .integer(6) && training["iterations"] == .integer(12))
        let model = try Dataset.open(dir.file("model/output.nc"))
        #expect(try model.attribute("task") == .text("simulation"))
        #expect(try model.read(Double.self, from: "loss").count == 12)
        try model.close()
        let simulation = try run(#"{"kind": "wdno-simulate", "name": "sim", "seed": 3, "parameters": {"model": "\#(dir.file("model/output.nc"))", "data": "\#(data)", "test_trajectories": 2, "steps": 4, "batch": 2}}"#, in: dir)
        guard case .number(let mse)? = simulation["mse"], case .number(let persistence)? = simulation["mse_persistence"] else {
            Issue.record("no mse in \(simulation)")
            return
        }
        #expect(mse.isFinite && persistence > 0)
        let output = try Dataset.open(dir.file("sim/output.nc"))
        defer { try? output.close() }
        #expect(try output.variable("u_predicted").dimensions.map(\.length) == [2, 17, 24])
        // The recorded mse is the mean over t >= dt of the stored fields' squared difference.
        let (u, truth) = (try output.read(Float.self, from: "u_predicted"), try output.read(Float.self, from: "u_true"))
        var total = 0.0
        for k in 0..<2 { for i in 24..<(17 * 24) { let d = Double(u[k * 408 + i]) - Double(truth[k * 408 + i]); total += d * d } }
        #expect(abs(total / Double(2 * 16 * 24) - mse) < 1e-5 * max(mse, 1e-3))

        // Super-resolution: the model trained on 17 x 24 runs on a 2x finer grid (33 x 48) when asked.
        _ = try run(#"{"kind": "wdno-data", "name": "fine", "seed": 1, "parameters": {"train_trajectories": 0, "test_trajectories": 2, "duration": 1.6, "intervals": 32, "points": 48, "solver_modes": 63, "solver_step": 0.004}}"#, in: dir)
        let fine = dir.file("fine/output.nc")
        do {
            _ = try run(#"{"kind": "wdno-simulate", "name": "finebad", "seed": 3, "parameters": {"model": "\#(dir.file("model/output.nc"))", "data": "\#(fine)", "test_trajectories": 1, "steps": 2}}"#, in: dir)
            Issue.record("a 17 x 24 model ran on 33 x 48 data without other_grid")
        } catch {
            #expect("\(error)".contains("other_grid"), "\(error)")
        }
        let superResolution = try run(#"{"kind": "wdno-simulate", "name": "finesim", "seed": 3, "parameters": {"model": "\#(dir.file("model/output.nc"))", "data": "\#(fine)", "test_trajectories": 2, "steps": 2, "batch": 2, "other_grid": true}}"#, in: dir)
        guard case .number(let fineError)? = superResolution["mse"] else {
            Issue.record("no mse in \(superResolution)")
            return
        }
        #expect(fineError.isFinite)
        let fineOutput = try Dataset.open(dir.file("finesim/output.nc"))
        #expect(try fineOutput.variable("u_predicted").dimensions.map(\.length) == [2, 33, 48])
        try fineOutput.close()

        // The ablation without wavelets goes through the same kinds.
        _ = try run(#"{"kind": "wdno-train", "name": "raw", "seed": 2, "parameters": {"training_data": "\#(data)", "representation": "raw", "iterations": 2, "batch_size": 2, "width": 8, "multipliers": [1, 2], "groups": 2}}"#, in: dir)
        let rawModel = try Dataset.open(dir.file("raw/output.nc"))
        #expect(try rawModel.attribute("representation") == .text("raw"))
        try rawModel.close()
        let raw = try run(#"{"kind": "wdno-simulate", "name": "rawsim", "seed": 3, "parameters": {"model": "\#(dir.file("raw/output.nc"))", "data": "\#(data)", "test_trajectories": 1, "steps": 2, "batch": 1}}"#, in: dir)
        guard case .number(let rawError)? = raw["mse"] else {
            Issue.record("no mse in \(raw)")
            return
        }
        #expect(rawError.isFinite)

        // The FNO baseline: trained by its own kind, evaluated by wdno-simulate in one call.
        let fno = try run(#"{"kind": "wdno-fno-train", "name": "fno", "seed": 2, "parameters": {"training_data": "\#(data)", "iterations": 6, "batch_size": 4, "width": 4, "modes": [3, 4], "layers": 2, "projection_width": 8}}"#, in: dir)
        #expect(fno["iterations"] == .integer(6))
        let fnoModel = try Dataset.open(dir.file("fno/output.nc"))
        #expect(try fnoModel.attribute("architecture") == .text("fno") && fnoModel.attribute("fno_padding") == .int64([5, 8]))
        try fnoModel.close()
        let fnoSimulation = try run(#"{"kind": "wdno-simulate", "name": "fnosim", "seed": 3, "parameters": {"model": "\#(dir.file("fno/output.nc"))", "data": "\#(data)", "test_trajectories": 2, "batch": 2}}"#, in: dir)
        guard case .number(let fnoError)? = fnoSimulation["mse"] else {
            Issue.record("no mse in \(fnoSimulation)")
            return
        }
        #expect(fnoError.isFinite && fnoSimulation["network_evaluations"] == .integer(1) && fnoSimulation["model"] == .string("fno"))
        let fnoFine = try run(#"{"kind": "wdno-simulate", "name": "fnofine", "seed": 3, "parameters": {"model": "\#(dir.file("fno/output.nc"))", "data": "\#(fine)", "test_trajectories": 2, "other_grid": true}}"#, in: dir)
        #expect(fnoFine["test_trajectories"] == .integer(2))
        do {
            _ = try run(#"{"kind": "wdno-fno-train", "name": "fnobad", "seed": 2, "parameters": {"training_data": "\#(data)", "iterations": 1, "modes": [12, 12]}}"#, in: dir)
            Issue.record("an FNO with more modes than the 17 x 24 grid holds was trained")
        } catch {
            #expect("\(error)".contains("modes"), "\(error)")
        }

        // A control model cannot simulate; a missing file is named.
        _ = try run(#"{"kind": "wdno-train", "name": "control", "seed": 2, "parameters": {"training_data": "\#(data)", "task": "control", "iterations": 2, "batch_size": 2, "width": 8, "multipliers": [1, 2], "groups": 2}}"#, in: dir)
        #expect(throws: (any Error).self) {
            try run(#"{"kind": "wdno-simulate", "name": "bad", "seed": 3, "parameters": {"model": "\#(dir.file("control/output.nc"))", "data": "\#(data)"}}"#, in: dir)
        }
        // Control: the proposal is re-simulated and scored; the data's own control reaches the
        // target (the same simulator), the uncontrolled flow does not.
        let control = try run(#"{"kind": "wdno-control", "name": "ctl", "seed": 4, "parameters": {"model": "\#(dir.file("control/output.nc"))", "data": "\#(data)", "test_trajectories": 2, "steps": 3, "batch": 2, "solver_modes": 63, "solver_step": 0.004, "adjoint_targets": 1, "adjoint_iterations": 8}}"#, in: dir)
        guard case .number(let j)? = control["j"], case .number(let own)? = control["j_data_control"],
              case .number(let free)? = control["j_uncontrolled"] else {
            Issue.record("no scores in \(control)")
            return
        }
        #expect(j.isFinite && j >= 0 && free > 0)
        // The adjoint optimum improves on no control.
        guard case .number(let adjoint)? = control["j_adjoint"] else {
            Issue.record("no adjoint baseline in \(control)")
            return
        }
        #expect(adjoint < free)
        let scored = try Dataset.open(dir.file("ctl/output.nc"))
        defer { try? scored.close() }
        #expect(try scored.read(Double.self, from: "j_actual_data").allSatisfy { $0 < 1e-8 })
        #expect(abs(own - 2e-5 * (try scored.read(Double.self, from: "energy_data").reduce(0, +) / 2)) < 1e-8)
        #expect(throws: (any Error).self) {
            try run(#"{"kind": "wdno-control", "name": "bad2", "seed": 3, "parameters": {"model": "\#(dir.file("model/output.nc"))", "data": "\#(data)"}}"#, in: dir)
        }
        #expect(throws: (any Error).self) {
            try run(#"{"kind": "wdno-control", "name": "bad3", "seed": 3, "parameters": {"model": "\#(dir.file("fno/output.nc"))", "data": "\#(data)"}}"#, in: dir)
        }
        do {
            _ = try run(#"{"kind": "wdno-train", "name": "missing", "seed": 2, "parameters": {"training_data": "\#(dir.file("nothing.nc"))"}}"#, in: dir)
            Issue.record("trained on a missing file")
        } catch {
            #expect("\(error)".contains("nothing.nc"), "\(error)")
        }
    }
}
