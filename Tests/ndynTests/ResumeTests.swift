import Foundation
import NetCDF
import Testing
import TestSupport

/// SIGTERM (what Slurm sends before a time limit or preemption) at a random moment: the run
/// writes a checkpoint and exits 75; `--resume` finishes it, and every byte of every data
/// variable equals an uninterrupted run's.
@Suite(.serialized) struct ResumeTests {
    /// Runs `scenario` uninterrupted into `reference/`, then again into `runs/`, sends SIGTERM
    /// after a random delay once the run is under way, resumes, and compares the outputs.
    func interruptAndResume(_ json: String, name: String, earliest: Double, latest: Double) throws {
        let dir = TemporaryDirectory()
        let scenario = dir.write("s.json", json)
        let reference = try CLI.run(["run", scenario, "--output", "reference", "--quiet"], in: dir.path)
        #expect(reference.status == 0, "\(reference.stderr)")

        var generator = SystemRandomNumberGenerator()
        let delay = Double.random(in: earliest...latest, using: &generator)
        let (process, _, errors) = try CLI.start(["run", scenario, "--quiet"], in: dir.path)
        usleep(useconds_t(delay * 1e6))
        #expect(process.isRunning, "the run ended before SIGTERM (delay \(delay) s); lengthen the scenario")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 75, "status \(process.terminationStatus) after SIGTERM at \(delay) s: \(stderr)")
        #expect(stderr.contains("checkpoint written"), "\(stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.file("runs/\(name)/checkpoint.nc")))
        #expect(!FileManager.default.fileExists(atPath: dir.file("runs/\(name)/output.nc")))
        let interrupted = try String(contentsOfFile: dir.file("runs/\(name)/run.json"), encoding: .utf8)
        #expect(interrupted.contains(#""status": "interrupted""#))

        let resumed = try CLI.run(["run", scenario, "--resume"], in: dir.path)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming"), "\(resumed.stderr)")

        let a = try Dataset.open(dir.file("reference/\(name)/output.nc"))
        let b = try Dataset.open(dir.file("runs/\(name)/output.nc"))
        defer { try? a.close(); try? b.close() }
        let names = try a.variableNames()
        #expect(try b.variableNames() == names)
        for variable in names {
            let x = try a.read(variable), y = try b.read(variable)
            #expect(x.count > 0)
            // Bit patterns, not values: NaN == NaN and -0 != +0 here.
            #expect(x.doubles.map(\.bitPattern) == y.doubles.map(\.bitPattern), "\(variable) differs after resume (SIGTERM at \(delay) s)")
        }
    }

    @Test func lorenzResumesBitIdentically() throws {
        try interruptAndResume(#"{"kind": "lorenz", "name": "long", "seed": 1, "parameters": {"t_end": 3000, "rtol": 1e-10, "atol": 1e-12}}"#,
                               name: "long", earliest: 0.3, latest: 1.2)
    }

    @Test func neuralODETrainingResumesBitIdentically() throws {
        try interruptAndResume(#"{"kind": "neural-ode", "name": "train", "seed": 3, "parameters": {"t_end": 5, "samples": 200, "iterations": 400, "batch_size": 10, "batch_time": 5, "rtol": 1e-5, "atol": 1e-7, "eval_every": 10}}"#,
                               name: "train", earliest: 0.4, latest: 1.5)
    }

    @Test func dnsResumesBitIdentically() throws {
        try interruptAndResume(#"{"kind": "ns2d-dns", "name": "dns", "seed": 2, "parameters": {"grid": 64, "warmup": 0.5, "duration": 40, "save_every": 0.5, "coarse_grids": [16]}}"#,
                               name: "dns", earliest: 0.5, latest: 1.5)
    }

    @Test func tsmTrainingResumesBitIdentically() throws {
        let data = TemporaryDirectory()
        let dns = data.write("d.json", #"{"kind": "ns2d-dns", "name": "data", "seed": 1, "parameters": {"grid": 32, "warmup": 1, "duration": 3, "save_every": 0.05, "coarse_grids": [8], "write_dns": false}}"#)
        let made = try CLI.run(["run", dns, "--quiet"], in: data.path)
        #expect(made.status == 0, "\(made.stderr)")
        try interruptAndResume(#"{"kind": "tsm-train", "name": "tsm", "seed": 4, "parameters": {"training_data": "\#(data.file("runs/data/output.nc"))", "grid": 8, "memory_size": 2, "history": 4, "unroll": 3, "width": 6, "depth": 2, "batch": 2, "iterations": 500, "warmup": 4}}"#,
                               name: "tsm", earliest: 0.4, latest: 1.0)
    }

    @Test func wdnoDataResumesBitIdentically() throws {
        try interruptAndResume(#"{"kind": "wdno-data", "name": "wdno", "seed": 5, "parameters": {"train_trajectories": 400, "test_trajectories": 4, "duration": 1.6, "intervals": 16, "points": 24, "solver_modes": 63, "solver_step": 0.004, "threads": 2}}"#,
                               name: "wdno", earliest: 0.3, latest: 1.0)
    }

    @Test func wdnoTrainingResumesBitIdentically() throws {
        let data = TemporaryDirectory()
        let made = try CLI.run(["run", data.write("d.json", #"{"kind": "wdno-data", "name": "data", "seed": 1, "parameters": {"train_trajectories": 6, "test_trajectories": 1, "duration": 1.6, "intervals": 16, "points": 24, "solver_modes": 63, "solver_step": 0.004}}"#), "--quiet"], in: data.path)
        #expect(made.status == 0, "\(made.stderr)")
        try interruptAndResume(#"{"kind": "wdno-train", "name": "wdno", "seed": 6, "parameters": {"training_data": "\#(data.file("runs/data/output.nc"))", "iterations": 120, "batch_size": 4, "learning_rate": 0.002, "width": 8, "multipliers": [1, 2], "groups": 2}}"#,
                               name: "wdno", earliest: 0.5, latest: 1.2)
    }

    @Test func fnoTrainingResumesBitIdentically() throws {
        let data = TemporaryDirectory()
        let made = try CLI.run(["run", data.write("d.json", #"{"kind": "wdno-data", "name": "data", "seed": 1, "parameters": {"train_trajectories": 6, "test_trajectories": 1, "duration": 1.6, "intervals": 16, "points": 24, "solver_modes": 63, "solver_step": 0.004}}"#), "--quiet"], in: data.path)
        #expect(made.status == 0, "\(made.stderr)")
        try interruptAndResume(#"{"kind": "wdno-fno-train", "name": "fno", "seed": 6, "parameters": {"training_data": "\#(data.file("runs/data/output.nc"))", "iterations": 300, "batch_size": 4, "width": 8, "modes": [4, 4], "layers": 2, "projection_width": 16}}"#,
                               name: "fno", earliest: 0.4, latest: 1.0)
    }

    @Test func mfmTrainingResumesBitIdentically() throws {
        let data = TemporaryDirectory()
        let made = try CLI.run(["run", data.write("d.json", #"{"kind": "mfm-data", "name": "data", "seed": 1, "parameters": {"points_per_population": 48, "rotations_per_letter": 1}}"#), "--quiet"], in: data.path)
        #expect(made.status == 0, "\(made.stderr)")
        try interruptAndResume(#"{"kind": "mfm-train", "name": "mfm", "seed": 6, "parameters": {"training_data": "\#(data.file("runs/data/output.nc"))", "iterations": 250, "populations_per_batch": 4, "points_per_batch": 32, "neighbours": 5, "encoder_width": 16, "encoder_layers": 2, "time_dimension": 8, "field_width": 32, "field_depth": 2}}"#,
                               name: "mfm", earliest: 0.4, latest: 1.0)
    }

    @Test func resumingWithAnotherScenarioIsRefused() throws {
        let dir = TemporaryDirectory()
        let first = dir.write("a.json", #"{"kind": "lorenz", "name": "r", "seed": 1, "parameters": {"t_end": 3000}}"#)
        let (process, _, _) = try CLI.start(["run", first, "--quiet"], in: dir.path)
        usleep(400_000)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 75)
        let changed = dir.write("b.json", #"{"kind": "lorenz", "name": "r", "seed": 1, "parameters": {"t_end": 3000, "rho": 30}}"#)
        let result = try CLI.run(["run", changed, "--resume", "--quiet"], in: dir.path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("written by a different scenario"), "\(result.stderr)")
        // The checkpoint is still there for the scenario that wrote it.
        #expect(FileManager.default.fileExists(atPath: dir.file("runs/r/checkpoint.nc")))
    }

    @Test func resumeWithoutACheckpointStartsFromTheBeginning() throws {
        let dir = TemporaryDirectory()
        let scenario = dir.write("s.json", #"{"kind": "lorenz", "name": "fresh", "seed": 1, "parameters": {"t_end": 1}}"#)
        let result = try CLI.run(["run", scenario, "--resume"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("no checkpoint"), "\(result.stderr)")
    }
}
