import Scenarios

struct ExampleCommand: Command {
    static let name = "example"
    static let abstract = "Print a built-in scenario to start your own from (default: quickstart)."
    static let usage = "example [<name>]"
    static let discussion = """
        For example: ndyn example quickstart > my-run.json, edit it, then ndyn run my-run.json.
        Built-in scenarios: \(BuiltinScenarios.all.map(\.name).joined(separator: ", ")).
        """

    var name: String

    init(arguments: [String]) throws {
        let scanner = try ArgumentScanner(arguments, command: Self.name, flagNames: [], optionNames: [])
        guard scanner.positionals.count <= 1 else {
            throw UsageError(message: "expected at most one scenario name", command: Self.name)
        }
        name = scanner.positionals.first ?? "quickstart"
    }

    func run() -> ExitCode {
        guard let json = BuiltinScenarios.json(named: name) else {
            let names = BuiltinScenarios.all.map(\.name)
            Console.error("error: no built-in scenario '\(name)'\(Suggestions.hint(for: name, in: names)); built-in: \(names.joined(separator: ", "))")
            return .badInput
        }
        Console.out(json)
        return .success
    }
}
