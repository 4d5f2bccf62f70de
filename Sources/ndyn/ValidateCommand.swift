import Scenarios

struct ValidateCommand: Command {
    static let name = "validate"
    static let abstract = "Check a scenario file and list every problem in it, without running it."
    static let usage = "validate <scenario.json>"
    static let discussion = """
        Each problem names its JSON path, the value found and what was expected.
        Exit status: 0 valid, 2 invalid or unreadable.
        """

    var scenarioPath: String

    init(arguments: [String]) throws {
        let scanner = try ArgumentScanner(arguments, command: Self.name, flagNames: [], optionNames: [])
        scenarioPath = try scanner.single("scenario file", command: Self.name)
    }

    func run() -> ExitCode {
        do {
            let scenario = try Scenario.load(scenarioPath)
            Console.out("\(scenarioPath): valid \(scenario.kind) scenario '\(scenario.name)'; it writes to \(scenario.runDirectory)/")
            Console.out("with defaults filled in:\n" + scenario.json.serialized())
            return .success
        } catch {
            Console.error("error: \(error)")
            return .badInput
        }
    }
}
