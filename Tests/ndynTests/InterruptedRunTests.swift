import Foundation
import NetCDF
import Testing
import TestSupport

/// A run killed with SIGKILL in the middle of writing never leaves a corrupt output.nc in
/// place of the previous good one.
@Suite struct InterruptedRunTests {
    @Test func sigkillMidWriteKeepsThePreviousOutput() throws {
        let dir = TemporaryDirectory()
        let small = dir.write("small.json", #"{"kind": "lorenz", "name": "k", "seed": 1, "parameters": {"t_end": 2, "save_at": 0.01}}"#)
        #expect(try CLI.run(["run", small, "--quiet"], in: dir.path).status == 0)
        let output = dir.file("runs/k/output.nc")
        let good = try Data(contentsOf: URL(fileURLWithPath: output))
        let goodRecord = try Data(contentsOf: URL(fileURLWithPath: dir.file("runs/k/run.json")))

        // A long run (minutes) writing records continuously; kill it while its temporary
        // file exists and it is still writing.
        let long = dir.write("long.json", #"{"kind": "lorenz", "name": "k", "seed": 1, "parameters": {"t_end": 100000, "save_at": 0.01}}"#)
        let (process, _, _) = try CLI.start(["run", long, "--quiet"], in: dir.path)
        let deadline = Date().addingTimeInterval(60)
        var sawPartial = false
        while Date() < deadline, !sawPartial {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.file("runs/k"))) ?? []
            sawPartial = names.contains { $0.hasPrefix("output.nc.partial-\(process.processIdentifier)-") }
            usleep(20_000)
        }
        usleep(700_000)  // let it append for a while
        #expect(process.isRunning, "the long run ended before it could be killed")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(sawPartial, "the long run never started writing")
        #expect(process.terminationReason == .uncaughtSignal)

        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == good)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("runs/k/run.json"))) == goodRecord)
        #expect(try Dataset.open(output).dimension("time").length == 201)

        // The next run clears the dead process's partial file.
        #expect(try CLI.run(["run", small, "--quiet"], in: dir.path).status == 0)
        #expect(dir.contents().contains("runs"))
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.file("runs/k")).sorted()
        #expect(left == ["output.nc", "run.json"])
    }
}
