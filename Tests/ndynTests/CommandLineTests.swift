import Foundation
import NetCDF
import Scenarios
import Testing
import TestSupport

@Suite struct CommandLineTests {
    @Test func helpIsStable() throws {
        let result = try CLI.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            OVERVIEW: NeuralDynamics \(NeuralDynamicsVersion.current) — simulate and learn dynamical systems.

            USAGE: ndyn <subcommand> [<arguments>] [--help]

            SUBCOMMANDS:
              run       Run a scenario (or members of its sweep) and write NetCDF output and run.json.
              sweep     List a sweep's members, write its Slurm job array, or gather its outputs.
              validate  Check a scenario file and list every problem in it, without running it.
              list      List the scenario kinds by domain, or the parameters of one kind.
              info      Summarise a NetCDF file, or (--system) this machine's CPU, BLAS and FFTW.
              example   Print a built-in scenario to start your own from (default: quickstart).

            OPTIONS:
              --help, -h              Show this help (or `ndyn help <subcommand>`).
              --version               Show the version.

            Start with: ndyn run Scenarios/quickstart.json

            """)
        let runHelp = try CLI.run(["run", "--help"])
        #expect(runHelp.status == 0)
        #expect(runHelp.stdout.hasPrefix("""
            Run a scenario (or members of its sweep) and write NetCDF output and run.json.

            USAGE: ndyn run <scenario.json> [--set <path>=<value> ...] [--member <k>] [--resume] [--output <dir>] [--quiet | --progress]

            """))
        #expect(try CLI.run(["help", "run"]).stdout == runHelp.stdout)
    }

    @Test func versionAndList() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("ndyn \(NeuralDynamicsVersion.current) (debug build for "))
        #expect(version.stdout.contains("OpenBLAS ") && version.stdout.contains(" core "))
        let list = try CLI.run(["list"])
        #expect(list.status == 0)
        // Kinds under their domains, one line per kind, names padded to one column (two spaces past the longest).
        let names = list.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") }.map { $0.dropFirst(2).prefix { $0 != " " } }
        let column = (names.map(\.count).max() ?? 0) + 2
        func padded(_ name: String) -> String { name.padding(toLength: column, withPad: " ", startingAt: 0) }
        #expect(list.stdout.hasPrefix("integrators:\n  \(padded("lorenz"))Lorenz (1963)"))
        #expect(list.stdout.contains("\nneural-ode:\n  \(padded("neural-ode"))Neural ODE learns the cubic spiral"))
        #expect(list.stdout.contains("\ncell-flow:\n  \(padded("vessel-network"))"))
        #expect(list.stdout.contains("\n  \(padded("cell-flow"))Radio-labelled cells"))
        #expect(list.stdout.contains("\ntemporal-stencil:\n  tsm-train  "))
        #expect(list.stdout.contains("\ntraffic:\n  \(padded("traffic-train"))trains GRAM-ODE"))
        let spiral = try CLI.run(["list", "neural-ode"])
        #expect(spiral.status == 0 && spiral.stdout.contains("  gradient_method  (one of \"backprop\", \"adjoint\"; default \"backprop\")"))
        let parameters = try CLI.run(["list", "lorenz"])
        #expect(parameters.stdout.contains("  max_steps  (an integer from 1 to 1000000000; default 10000000)"))
        // The example files that use the kind (the repository's Scenarios/, found beside the build).
        #expect(parameters.stdout.contains("example scenarios:\n"))
        #expect(parameters.stdout.contains("Scenarios/quickstart.json") && parameters.stdout.contains("Scenarios/cluster/lorenz-rho-sweep.json"))
        #expect(!parameters.stdout.contains("neural-ode-spiral.json"))
        let unknown = try CLI.run(["list", "lorentz"])
        #expect(unknown.status == 2 && unknown.stderr.contains(#"did you mean "lorenz"?"#))
    }

    @Test(arguments: [
        (["frobnicate"], "unknown subcommand 'frobnicate'"),
        (["rnu", "x.json"], #"unknown subcommand 'rnu' (did you mean "run"?)"#),
        (["run"], "missing scenario file"),
        (["run", "a.json", "b.json"], "expected one scenario file, got 2"),
        (["run", "a.json", "--qiuet"], #"unknown option '--qiuet' (did you mean "--quiet"?)"#),
        (["run", "a.json", "--output"], "--output needs a value"),
        (["run", "a.json", "--set=", "b.json"], "--set= needs a value after '='"),
        (["run", "a.json", "--quiet", "--progress"], "contradict"),
        (["info"], "missing NetCDF file"),
        ([], "USAGE: ndyn <subcommand>"),
    ])
    func badUsageExitsWithTwo(arguments: [String], fragment: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(fragment), "\(arguments): \(result.stderr)")
    }

    @Test func exampleIsTheQuickstartFile() throws {
        let result = try CLI.run(["example"])
        #expect(result.status == 0)
        let shipped = try String(contentsOf: CLI.repository.appendingPathComponent("Scenarios/quickstart.json"), encoding: .utf8)
        #expect(result.stdout == shipped)
    }

    @Test func endToEndRunThenInfo() throws {
        let dir = TemporaryDirectory()
        let scenario = CLI.repository.appendingPathComponent("Scenarios/quickstart.json").path
        let validate = try CLI.run(["validate", scenario], in: dir.path)
        #expect(validate.status == 0)
        #expect(validate.stdout.hasPrefix("\(scenario): valid lorenz scenario 'quickstart'"))

        let run = try CLI.run(["run", scenario, "--output", "out"], in: dir.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("output:  out/quickstart/output.nc"))
        #expect(run.stderr.isEmpty, "stderr is not a terminal, so no progress: \(run.stderr)")

        let dataset = try Dataset.open(dir.file("out/quickstart/output.nc"))
        #expect(try dataset.dimension("time").length == 4001)
        #expect(try dataset.read(Double.self, from: "time").last == 40)
        let record = try JSONParser.parse(String(contentsOfFile: dir.file("out/quickstart/run.json"), encoding: .utf8))
        #expect(record["status"] == .string("completed"))
        #expect(record["command"] == .string("ndyn run \(scenario) --output out"))

        let info = try CLI.run(["info", dir.file("out/quickstart/output.nc")])
        #expect(info.status == 0)
        #expect(info.stdout.contains("time = UNLIMITED ; // (4001 currently)"))
        #expect(info.stdout.contains("double x(time) ;  // deflate 4+shuffle, chunks 4096, range ["))
        #expect(info.stdout.contains(#":Conventions = "CF-1.10" ;"#))

        let forced = try CLI.run(["run", scenario, "--output", "out", "--progress"], in: dir.path)
        #expect(forced.status == 0)
        #expect(forced.stderr.contains("lorenz 'quickstart'  100%  t=40  steps "))
        #expect(forced.stderr.contains("lorenz 'quickstart'  50%  t="))
        let quiet = try CLI.run(["run", scenario, "--output", "out", "--quiet"], in: dir.path)
        #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty)
    }

    @Test func failedRunExitsWithOne() throws {
        let dir = TemporaryDirectory()
        let path = dir.write("blowup.json", #"{"kind": "lorenz", "name": "b", "seed": 1, "parameters": {"method": "Euler", "dt": 0.9, "t_end": 1000}}"#)
        let result = try CLI.run(["run", path], in: dir.path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("run 'b' failed: Integration stopped: the right-hand side returned NaN or infinity"))
        #expect(result.stderr.contains("runs/b/run.json"))
    }

    @Test func infoRefusesWhatIsNotNetCDF() throws {
        let dir = TemporaryDirectory()
        let text = dir.write("notes.txt", "hello\n")
        let result = try CLI.run(["info", text])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not a NetCDF file"))
        let empty = dir.write("empty.nc", "")
        #expect(try CLI.run(["info", empty]).stderr.contains("the file is empty"))
    }
}

/// Every scenario file shipped under `Scenarios/` validates (a renamed parameter or a bad sweep in
/// one of them would otherwise surface only when a user runs it), and the catalogue keeps its
/// shape: the quickstart, then one folder per domain, each with a README naming its scenarios.
@Suite struct ShippedScenarioTests {
    static let folder = CLI.repository.appendingPathComponent("Scenarios")

    static var files: [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        return (enumerator?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test func everyShippedScenarioValidates() throws {
        let files = Self.files
        #expect(files.count >= 35)
        for file in files {
            let result = try CLI.run(["validate", Self.folder.appendingPathComponent(file).path])
            #expect(result.status == 0, "\(file): \(result.stderr)")
        }
    }

    @Test func catalogueIsTheQuickstartAndOneFolderPerDomain() throws {
        let top = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).sorted()
        #expect(top == ["README.md", "cell-flow", "cluster", "integrators", "meta-flow-matching", "navier-stokes", "neural-ode", "quickstart.json", "temporal-stencil", "traffic", "wavelet-diffusion"])
        for file in Self.files where file.contains("/") {
            // Each scenario is named in its domain's README.
            let domain = String(file.split(separator: "/")[0])
            let readme = try String(contentsOf: Self.folder.appendingPathComponent("\(domain)/README.md"), encoding: .utf8)
            let name = (file as NSString).lastPathComponent
            let stem = (name as NSString).deletingPathExtension
            let named = readme.contains(name) || readme.contains("`\(stem)`")
                || (stem.hasSuffix("-quick") && readme.contains("*-quick.json"))
                || (file.contains("/experiments/") && (readme.contains("tsm64-*") || readme.contains("tsm-ensemble-*")))
            #expect(named, "\(file) is not named in \(domain)/README.md")
        }
    }
}

/// `ndyn run --set`: the override changes what runs, and run.json and the output say so.
@Suite struct OverrideCommandLineTests {
    @Test func overrideChangesTheRunAndIsRecorded() throws {
        let dir = TemporaryDirectory()
        let scenario = CLI.repository.appendingPathComponent("Scenarios/quickstart.json").path
        let plain = try CLI.run(["run", scenario, "--output", dir.path, "--quiet", "--set", "parameters.t_end=1"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let changed = try CLI.run(["run", scenario, "--output", dir.path, "--quiet", "--set", "parameters.t_end=1",
                                   "--set=parameters.rho=10", "--set", "name=quickstart-rho10"])
        #expect(changed.status == 0, "\(changed.stderr)")
        func record(_ name: String) throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir.file("\(name)/run.json")))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        let a = try record("quickstart"), b = try record("quickstart-rho10")
        #expect(b["overrides"] as? [String] == ["parameters.t_end=1", "parameters.rho=10", "name=quickstart-rho10"])
        let parameters = try #require((b["scenario"] as? [String: Any])?["parameters"] as? [String: Any])
        #expect(parameters["rho"] as? Double == 10)
        // A different ρ gives a different state at t = 1.
        let x0 = try Dataset.open(dir.file("quickstart/output.nc")).read(Double.self, from: "x")
        let x1 = try Dataset.open(dir.file("quickstart-rho10/output.nc")).read(Double.self, from: "x")
        #expect(x0.count == x1.count && x0.last != x1.last)
        #expect(a["overrides"] as? [String] == ["parameters.t_end=1"])
        // Bad overrides: exit 2, the override named, nothing written.
        let bad = try CLI.run(["run", scenario, "--output", dir.path, "--set", "parameters.rhoo=1", "--set", "name=never"])
        #expect(bad.status == 2 && bad.stderr.contains("--set parameters.rhoo=1"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("never")))
        let noEquals = try CLI.run(["validate", scenario, "--set", "seed"])
        #expect(noEquals.status == 2 && noEquals.stderr.contains("expected PATH=VALUE"))
    }
}

/// `ns2d-dns` on several threads (FFTW's and the grid loops'): the same flow to round-off, and the
/// thread count recorded (run in separate processes: FFTW's thread setting is process-wide).
@Suite struct DNSThreadsTests {
    @Test func twoThreadsGiveTheSameFlowAndAreRecorded() throws {
        let dir = TemporaryDirectory()
        let scenario = CLI.repository.appendingPathComponent("Scenarios/navier-stokes/ns2d-dns-quick.json").path
        let common = ["run", scenario, "--output", dir.path, "--quiet", "--set", "parameters.grid=128", "--set", "parameters.duration=0.5",
                      "--set", "parameters.warmup=0.25", "--set", "parameters.history_frames=0", "--set", "parameters.coarse_grids=[32]"]
        for threads in [1, 2] {
            let result = try CLI.run(common + ["--set", "parameters.threads=\(threads)", "--set", "name=dns-t\(threads)"])
            #expect(result.status == 0, "\(result.stderr)")
        }
        func record(_ name: String) throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir.file("\(name)/run.json")))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        let two = try record("dns-t2")
        #expect((two["machine"] as? [String: Any])?["fftw_threads"] as? Int == 2)
        #expect((two["statistics"] as? [String: Any])?["threads"] as? Int == 2)
        #expect((try record("dns-t1")["machine"] as? [String: Any])?["fftw_threads"] as? Int == 1)
        let e1 = try Dataset.open(dir.file("dns-t1/output.nc")).read(Double.self, from: "energy")
        let e2 = try Dataset.open(dir.file("dns-t2/output.nc")).read(Double.self, from: "energy")
        #expect(e1.count == e2.count && e1.count >= 2)
        #expect(zip(e1, e2).allSatisfy { abs($0 - $1) <= 1e-12 * abs($0) }, "\(e1) vs \(e2)")
    }
}
