import Scenarios

struct ValidateCommand: Command {
    static let name = "validate"
    static let abstract = "Check a scenario file and list every problem in it, without running it."
    static let usage = "validate <scenario.json> [--set <path>=<value> ...]"
    static let discussion = """
        Each problem names its JSON path, the value found and what was expected.
        --set <path>=<value> changes one value first, as `ndyn run` does (repeatable).
        Exit status: 0 valid, 2 invalid or unreadable.
        """

    var scenarioPath: String
    var overrides: [ScenarioOverride]

    init(arguments: [String]) throws {
        let scanner = try ArgumentScanner(arguments, command: Self.name, flagNames: [], optionNames: [],
                                          repeatedOptionNames: ["--set"])
        scenarioPath = try scanner.single("scenario file", command: Self.name)
        overrides = try scanner.overrides()
    }

    func run() -> ExitCode {
        do {
            let scenario = try Scenario.load(scenarioPath, overrides: overrides)
            Console.out("\(scenarioPath): valid \(scenario.kind) scenario '\(scenario.name)'; it writes to \(scenario.runDirectory)/")
            Console.out("with defaults filled in:\n" + scenario.json.serialized())
            return .success
        } catch {
            Console.error("error: \(error)")
            return .badInput
        }
    }
}
