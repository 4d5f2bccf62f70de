import Scenarios

struct RunCommand: Command {
    static let name = "run"
    static let abstract = "Run a scenario and write its NetCDF output and run.json."
    static let usage = "run <scenario.json> [--output <dir>] [--quiet | --progress]"
    static let discussion = """
        ARGUMENTS:
          <scenario.json>     The scenario file (see `ndyn example quickstart`).

        OPTIONS:
          --output <dir>      Write under <dir>/<name>/ instead of the scenario's "output" directory.
          --quiet             No progress line and no summary; errors still go to stderr.
          --progress          Show progress even when stderr is not a terminal (batch logs).
          --help              Show this help.

        Files: <output>/<name>/output.nc (CF-1.10 NetCDF-4) and run.json, each replaced
        atomically, so an interrupted run never leaves a broken file in place of a good one.
        Exit status: 0 success, 1 the run failed, 2 bad usage or an invalid scenario.
        """

    var scenarioPath: String
    var output: String?
    var progress: ProgressReporter.Mode
    var commandLine: String

    init(arguments: [String]) throws {
        let scanner = try ArgumentScanner(arguments, command: Self.name, flagNames: ["--quiet", "--progress"], optionNames: ["--output"])
        scenarioPath = try scanner.single("scenario file", command: Self.name)
        output = scanner.options["--output"]
        if let output, output.isEmpty { throw UsageError(message: "--output needs a directory path", command: Self.name) }
        if scanner.flags.contains("--quiet") && scanner.flags.contains("--progress") {
            throw UsageError(message: "--quiet and --progress contradict each other; give one", command: Self.name)
        }
        progress = scanner.flags.contains("--quiet") ? .quiet : scanner.flags.contains("--progress") ? .always : .automatic
        commandLine = (["ndyn", Self.name] + arguments).joined(separator: " ")
    }

    func run() -> ExitCode {
        var scenario: Scenario
        do {
            scenario = try Scenario.load(scenarioPath)
        } catch {
            Console.error("error: \(error)")
            return .badInput
        }
        if let output { scenario.output = output }
        let runner = ScenarioRunner(progress: ProgressReporter(mode: progress), commandLine: commandLine)
        do {
            let record = try runner.run(scenario)
            if progress != .quiet {
                let seconds = record["wall_seconds"]?.doubleValue ?? 0
                Console.out("""
                    ran '\(scenario.name)' (\(scenario.kind)) in \(seconds) s
                      output:  \(scenario.runDirectory)/output.nc
                      record:  \(scenario.runDirectory)/run.json
                      inspect: ndyn info \(scenario.runDirectory)/output.nc
                      python:  xarray.open_dataset("\(scenario.runDirectory)/output.nc")
                    """)
            }
            return .success
        } catch {
            Console.error("error: \(error)")
            Console.error("(details in \(error.runDirectory)/run.json)")
            return .failure
        }
    }
}
