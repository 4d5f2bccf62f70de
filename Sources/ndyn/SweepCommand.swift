import Foundation
import Scenarios

/// `ndyn sweep plan | sbatch | gather`: the members of a scenario's sweep, a Slurm job array
/// that runs them, and one NetCDF file that combines their outputs.
struct SweepCommand: Command {
    static let name = "sweep"
    static let abstract = "List a sweep's members, write its Slurm job array, or gather its outputs."
    static let usage = """
        sweep plan <scenario.json> [--set <path>=<value> ...] [--output <dir>]
               ndyn sweep sbatch <scenario.json> [--set <path>=<value> ...] [--partition <p>] [--time <t>] [--cpus <n>] [--max-parallel <k>] [--output <dir>]
               ndyn sweep gather <sweep dir> [--to <file.nc>] [--partial]
        """
    static let discussion = """
        plan      Print every member: index, directory, seed and the parameter values it sets.
        sbatch    Write <output>/<name>/sweep.sbatch, a job array with one task per member
                  (#SBATCH --array=0-(N-1), --requeue, a log per member, SIGTERM forwarded so a
                  task checkpoints and is requeued), and print the sbatch command to submit it.
                    --partition <p>     Slurm partition.
                    --time <t>          time limit per member (e.g. 02:00:00).
                    --cpus <n>          CPUs per member (default 1).
                    --max-parallel <k>  at most k members at once (--array=...%k).
        gather    Combine <sweep dir>/<member>/output.nc into <sweep dir>/sweep.nc with a
                  leading `member` dimension and the swept parameters, seed and replica as
                  coordinates (xarray.open_dataset opens it as one dataset).
                    --to <file.nc>      write here instead.
                    --partial           combine the completed members even if some are not.

        A sweep is declared in the scenario:
          "sweep": {"grid": {"rho": [14, 28]}, "list": [{"beta": 2}, {"beta": 3}], "replicas": 3}
        Members are list entries × grid points × replicas (replica fastest); replica 0 keeps the
        scenario's seed, replica r > 0 gets a seed derived from it.
        """

    enum Action {
        case plan(scenario: String, output: String?, overrides: [ScenarioOverride])
        case sbatch(scenario: String, output: String?, overrides: [ScenarioOverride], partition: String?, time: String?,
                    cpus: Int, maxParallel: Int?)
        case gather(directory: String, to: String?, partial: Bool)
    }

    var action: Action

    init(arguments: [String]) throws {
        guard let verb = arguments.first else {
            throw UsageError(message: "missing action: plan, sbatch or gather", command: Self.name)
        }
        let rest = Array(arguments.dropFirst())
        switch verb {
        case "plan":
            let scanner = try ArgumentScanner(rest, command: Self.name, flagNames: [], optionNames: ["--output"],
                                              repeatedOptionNames: ["--set"])
            action = .plan(scenario: try scanner.single("scenario file", command: Self.name), output: scanner.options["--output"],
                           overrides: try scanner.overrides())
        case "sbatch":
            let scanner = try ArgumentScanner(rest, command: Self.name, flagNames: [],
                                              optionNames: ["--output", "--partition", "--time", "--cpus", "--max-parallel"],
                                              repeatedOptionNames: ["--set"])
            func positive(_ name: String) throws -> Int? {
                guard let text = scanner.options[name] else { return nil }
                guard let value = Int(text), value >= 1 else {
                    throw UsageError(message: "\(name) needs a whole number ≥ 1, got '\(text)'", command: Self.name)
                }
                return value
            }
            action = .sbatch(scenario: try scanner.single("scenario file", command: Self.name), output: scanner.options["--output"],
                             overrides: try scanner.overrides(), partition: scanner.options["--partition"], time: scanner.options["--time"],
                             cpus: try positive("--cpus") ?? 1, maxParallel: try positive("--max-parallel"))
        case "gather":
            let scanner = try ArgumentScanner(rest, command: Self.name, flagNames: ["--partial"], optionNames: ["--to"])
            action = .gather(directory: try scanner.single("sweep directory", command: Self.name), to: scanner.options["--to"],
                             partial: scanner.flags.contains("--partial"))
        default:
            throw UsageError(message: "unknown action '\(verb)'\(Suggestions.hint(for: verb, in: ["plan", "sbatch", "gather"])); actions: plan, sbatch, gather",
                             command: Self.name)
        }
    }

    func run() -> ExitCode {
        switch action {
        case let .plan(path, output, overrides):
            guard let scenario = load(path, output: output, overrides: overrides) else { return .badInput }
            guard let sweep = scenario.sweep else {
                Console.out("'\(scenario.name)' declares no sweep: one run, writing \(scenario.runDirectory)/")
                return .success
            }
            Console.out("sweep '\(scenario.name)' (\(scenario.kind)): \(sweep.memberCount) members"
                        + " (\(max(sweep.list.count, 1)) list × \(sweep.grid.map { String($0.values.count) }.joined(separator: " × ").ifEmpty("1")) grid × \(sweep.replicas) replicas)")
            Console.out("member  directory  seed  values")
            for index in 0..<sweep.memberCount {
                let member = sweep.member(index, baseSeed: scenario.seed)
                let directory = (scenario.sweepDirectory as NSString).appendingPathComponent(member.id)
                Console.out("\(member.index)  \(directory)  \(member.seed)  \(member.label)")
            }
            return .success
        case let .sbatch(path, output, overrides, partition, time, cpus, maxParallel):
            guard let scenario = load(path, output: output, overrides: overrides) else { return .badInput }
            guard scenario.sweep != nil else {
                Console.error("error: '\(scenario.name)' declares no sweep; submit `ndyn run \(path)` as an ordinary batch job")
                return .badInput
            }
            let cwd = FileManager.default.currentDirectoryPath
            // #SBATCH directives take the paths unquoted: refuse what they cannot carry.
            let sweepDirectory = scenario.sweepDirectory.hasPrefix("/") ? scenario.sweepDirectory
                : (cwd as NSString).appendingPathComponent(scenario.sweepDirectory)
            if let path = [cwd, sweepDirectory].first(where: { $0.contains(where: \.isWhitespace) }) {
                Console.error("error: '\(path)' contains whitespace, which #SBATCH directives cannot carry; run from (and write to) a directory without spaces")
                return .badInput
            }
            let script = SlurmArrayScript(
                scenario: scenario, scenarioPath: path.hasPrefix("/") ? path : (cwd as NSString).appendingPathComponent(path),
                executable: Self.executablePath, workingDirectory: cwd, partition: partition, timeLimit: time,
                cpusPerTask: cpus, maxConcurrent: maxParallel, outputDirectory: output)
            do {
                let written = try script.write()
                Console.out("wrote \(written) (\(scenario.memberCount) array tasks)\nsubmit with:\n  sbatch \(written)")
                return .success
            } catch {
                Console.error("error: cannot write \(script.path): \(error.localizedDescription)")
                return .failure
            }
        case let .gather(directory, to, partial):
            do {
                let report = try SweepGather(directory: directory, output: to, partial: partial).run()
                Console.out("gathered \(report.members.count) members into \(report.output) (variables: \(report.variables.joined(separator: ", ")))")
                for (id, reason) in report.skipped { Console.out("  left out member \(id): \(reason)") }
                return .success
            } catch {
                Console.error("error: \(error)")
                return .failure
            }
        }
    }

    private func load(_ path: String, output: String?, overrides: [ScenarioOverride]) -> Scenario? {
        do {
            var scenario = try Scenario.load(path, overrides: overrides)
            if let output { scenario.output = output }
            return scenario
        } catch {
            Console.error("error: \(error)")
            return nil
        }
    }

    /// The absolute path of the running ndyn (what the job array calls).
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
