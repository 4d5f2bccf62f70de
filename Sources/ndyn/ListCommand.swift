import Scenarios

struct ListCommand: Command {
    static let name = "list"
    static let abstract = "List the scenario kinds, or the parameters of one kind."
    static let usage = "list [<kind>]"
    static let discussion = """
        With a kind's name, lists its parameters: name, type and range, default, meaning.
        """

    var kind: String?

    init(arguments: [String]) throws {
        let scanner = try ArgumentScanner(arguments, command: Self.name, flagNames: [], optionNames: [])
        guard scanner.positionals.count <= 1 else {
            throw UsageError(message: "expected at most one kind name", command: Self.name)
        }
        kind = scanner.positionals.first
    }

    func run() -> ExitCode {
        let registry = ScenarioRegistry.standard
        guard let name = kind else {
            let width = registry.kinds.map(\.name.count).max() ?? 0
            for kind in registry.kinds {
                Console.out(kind.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + kind.summary)
            }
            return .success
        }
        guard let kind = registry.kind(named: name) else {
            let names = registry.kinds.map(\.name)
            Console.error("error: no scenario kind '\(name)'\(Suggestions.hint(for: name, in: names)); kinds: \(names.joined(separator: ", "))")
            return .badInput
        }
        Console.out("\(kind.name): \(kind.summary)\n\nparameters:")
        for parameter in kind.parameters {
            let defaultText = parameter.defaultValue.map { "default \($0.serialized(pretty: false))" } ?? "required"
            Console.out("  \(parameter.name)  (\(parameter.type.expectation); \(defaultText))\n      \(parameter.summary)")
        }
        return .success
    }
}
