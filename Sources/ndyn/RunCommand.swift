import Foundation
import MPI
import Scenarios

struct RunCommand: Command {
    static let name = "run"
    static let abstract = "Run a scenario (or members of its sweep) and write NetCDF output and run.json."
    static let usage = "run <scenario.json> [--set <path>=<value> ...] [--member <k>] [--resume] [--output <dir>] [--quiet | --progress]"
    static let discussion = """
        ARGUMENTS:
          <scenario.json>     The scenario file (see `ndyn example quickstart`).

        OPTIONS:
          --set <path>=<value>
                              Change one value of the scenario before it is validated (repeatable):
                              --set parameters.viscosity=0.002 --set seed=7. The value is read as
                              JSON, else as a string. run.json and the output record the result.
          --member <k>        Run member k of the scenario's sweep (`ndyn sweep plan` lists them).
                              Without it: SLURM_ARRAY_TASK_ID inside a Slurm array job; under
                              mpirun, rank r runs members r, r+R, ...; otherwise every member in turn.
          --resume            Continue from the run's checkpoint.nc if there is one (else start).
          --output <dir>      Write under <dir>/<name>/ instead of the scenario's "output" directory.
          --quiet             No progress line and no summary; errors still go to stderr.
          --progress          Show progress even when stderr is not a terminal (batch logs).
          --help              Show this help.

        Files: <output>/<name>/output.nc (CF-1.10 NetCDF-4) and run.json, each replaced
        atomically, so an interrupted run never leaves a broken file in place of a good one.
        A sweep member writes <output>/<name>/<member>/; a member that already completed is
        skipped, never rewritten. SIGTERM or SIGINT (Slurm before a time limit or preemption,
        Ctrl-C) writes checkpoint.nc and stops; `--resume` continues bit-identically.
        Under mpirun without a sweep, training kinds share each batch across the ranks.
        Exit status: 0 success, 1 a run failed, 2 bad usage or an invalid scenario,
        75 stopped at a checkpoint (resume with --resume).
        """

    var scenarioPath: String
    var overrides: [ScenarioOverride]
    var output: String?
    var member: Int?
    var resume: Bool
    var progress: ProgressReporter.Mode
    var commandLine: String

    init(arguments: [String]) throws {
        let scanner = try ArgumentScanner(arguments, command: Self.name, flagNames: ["--quiet", "--progress", "--resume"],
                                          optionNames: ["--output", "--member"], repeatedOptionNames: ["--set"])
        scenarioPath = try scanner.single("scenario file", command: Self.name)
        overrides = try scanner.overrides()
        output = scanner.options["--output"]
        if let output, output.isEmpty { throw UsageError(message: "--output needs a directory path", command: Self.name) }
        if let text = scanner.options["--member"] {
            guard let index = Int(text), index >= 0 else {
                throw UsageError(message: "--member needs a member index ≥ 0, got '\(text)'", command: Self.name)
            }
            member = index
        }
        resume = scanner.flags.contains("--resume")
        if scanner.flags.contains("--quiet") && scanner.flags.contains("--progress") {
            throw UsageError(message: "--quiet and --progress contradict each other; give one", command: Self.name)
        }
        progress = scanner.flags.contains("--quiet") ? .quiet : scanner.flags.contains("--progress") ? .always : .automatic
        commandLine = (["ndyn", Self.name] + arguments).joined(separator: " ")
    }

    func run() -> ExitCode {
        var scenario: Scenario
        do {
            scenario = try Scenario.load(scenarioPath, overrides: overrides)
        } catch {
            Console.error("error: \(error)")
            return .badInput
        }
        if let output { scenario.output = output }
        StopRequest.install()
        let world = Communicator.world
        let assignment: MemberAssignment
        do {
            assignment = try MemberAssignment.resolve(scenario: scenario, member: member,
                                                      environment: ProcessInfo.processInfo.environment,
                                                      rank: world.rank, size: world.size)
        } catch {
            Console.error("error: \(error)")
            return .badInput
        }
        let reporter = ProgressReporter(mode: world.isRoot || assignment != .single ? progress : .quiet)
        let runner = ScenarioRunner(progress: reporter, commandLine: commandLine)

        switch assignment {
        case .single:
            let isDataParallel = ScenarioRegistry.standard.kind(named: scenario.kind)?.isDataParallel ?? false
            if world.size > 1 && !isDataParallel {
                guard world.isRoot else { return .success }
                reporter.note("'\(scenario.kind)' runs on one rank; ranks 1 ... \(world.size - 1) have nothing to do (declare a sweep to use them)")
            }
            let communicator = isDataParallel ? world : .single
            return runOne(scenario, runner: runner, communicator: communicator)
        case .members(let indices):
            var status = ExitCode.success
            for index in indices {
                let instance: Scenario
                do {
                    instance = try scenario.member(index)
                } catch {
                    Console.error("error: \(error)")
                    return .badInput
                }
                if ScenarioRunner.completedRecord(of: instance) != nil {
                    reporter.note("member \(instance.member!.id) (\(instance.member!.label)) already completed in \(instance.runDirectory); skipped")
                    continue
                }
                switch runOne(instance, runner: runner, communicator: .single) {
                case .interrupted: return .interrupted
                case .success: break
                default: status = .failure  // the other members still run
                }
                if StopRequest.isRequested { return .interrupted }
            }
            return status
        }
    }

    private func runOne(_ scenario: Scenario, runner: ScenarioRunner, communicator: Communicator) -> ExitCode {
        let label = scenario.member.map { "member \($0.id) of '\(scenario.name)'" } ?? "'\(scenario.name)'"
        do {
            let record = try runner.run(scenario, resume: resume, communicator: communicator)
            if progress != .quiet && communicator.isRoot {
                let seconds = record["wall_seconds"]?.doubleValue ?? 0
                Console.out("""
                    ran \(label) (\(scenario.kind)) in \(seconds) s
                      output:  \(scenario.runDirectory)/output.nc
                      record:  \(scenario.runDirectory)/run.json
                      inspect: ndyn info \(scenario.runDirectory)/output.nc
                      python:  xarray.open_dataset("\(scenario.runDirectory)/output.nc")
                    """)
            }
            return .success
        } catch {
            Console.error("error: \(error)")
            if communicator.isRoot { Console.error("(details in \(error.runDirectory)/run.json)") }
            return error.interrupted ? .interrupted : .failure
        }
    }
}
