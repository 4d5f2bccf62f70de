import Foundation
import NetCDF
import Testing
import TestSupport

/// `ndyn sweep plan | sbatch | gather` and `ndyn run` on sweeps, through the real binary.
@Suite struct SweepCommandTests {
    static let sweep = #"{"kind": "lorenz", "name": "sw", "seed": 9, "parameters": {"t_end": 1, "save_at": 0.1}, "sweep": {"grid": {"rho": [14, 28]}, "replicas": 2}}"#

    @Test func planListsEveryMember() throws {
        let dir = TemporaryDirectory()
        let scenario = dir.write("sw.json", Self.sweep)
        let result = try CLI.run(["sweep", "plan", scenario], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.contains("4 members") == true, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("2  runs/sw/0002  9  rho=28, replica 0") }, "\(result.stdout)")
        #expect(lines.count == 2 + 4)
    }

    @Test func membersRunOnceAndGatherIntoOneFile() throws {
        let dir = TemporaryDirectory()
        let scenario = dir.write("sw.json", Self.sweep)
        // One member by --member, one by Slurm's array index, the rest by a plain run.
        #expect(try CLI.run(["run", scenario, "--member", "3", "--quiet"], in: dir.path).status == 0)
        #expect(try CLI.run(["run", scenario, "--quiet"], in: dir.path, environment: ["SLURM_ARRAY_TASK_ID": "1"]).status == 0)
        #expect(dir.contents().contains("runs"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("runs/sw")).sorted() == ["0001", "0003"])
        let finished = try Data(contentsOf: URL(fileURLWithPath: dir.file("runs/sw/0003/output.nc")))

        let all = try CLI.run(["run", scenario], in: dir.path)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stderr.contains("member 0001") && all.stderr.contains("already completed"), "\(all.stderr)")
        // Finished members are never rewritten.
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("runs/sw/0003/output.nc"))) == finished)

        let gathered = try CLI.run(["sweep", "gather", "runs/sw"], in: dir.path)
        #expect(gathered.status == 0, "\(gathered.stderr)")
        let dataset = try Dataset.open(dir.file("runs/sw/sweep.nc"))
        #expect(try dataset.dimension("member").length == 4)
        #expect(try dataset.read(Double.self, from: "rho") == [14, 14, 28, 28])
        try dataset.close()

        #expect(try CLI.run(["run", scenario, "--member", "4"], in: dir.path).status == 2)
        #expect(try CLI.run(["run", scenario, "--member", "-1"], in: dir.path).status == 2)
    }

    @Test func sbatchWritesTheJobArrayScript() throws {
        let dir = TemporaryDirectory()
        let scenario = dir.write("sw.json", Self.sweep)
        let result = try CLI.run(["sweep", "sbatch", scenario, "--partition", "debug", "--time", "00:10:00", "--cpus", "2"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let path = dir.file("runs/sw/sweep.sbatch")
        #expect(result.stdout.contains("sbatch \(path)") || result.stdout.contains("sweep.sbatch"), "\(result.stdout)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("#SBATCH --array=0-3\n"))
        #expect(text.contains("#SBATCH --partition=debug") && text.contains("#SBATCH --time=00:10:00") && text.contains("#SBATCH --cpus-per-task=2"))
        #expect(text.contains(CLI.executable.resolvingSymlinksInPath().path))

        let noSweep = dir.write("one.json", #"{"kind": "lorenz", "name": "one", "seed": 1}"#)
        #expect(try CLI.run(["sweep", "sbatch", noSweep], in: dir.path).status == 2)
        #expect(try CLI.run(["sweep", "launch", noSweep], in: dir.path).status == 2)
    }
}
