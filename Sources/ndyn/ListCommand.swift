import Foundation
import Scenarios

struct ListCommand: Command {
    static let name = "list"
    static let abstract = "List the scenario kinds by domain, or the parameters of one kind."
    static let usage = "list [<kind>]"
    static let discussion = """
        Without arguments: the kinds grouped under their domain, one line each.
        With a kind's name: its parameters (name, type and range, default, meaning with units)
        and the scenario files under Scenarios/ that use it (looked for in the working
        directory and beside the ndyn build).
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
            for (domain, kinds) in registry.kindsByDomain {
                Console.out("\(domain):")
                for kind in kinds {
                    Console.out("  " + kind.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + kind.summary)
                }
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
        let examples = Self.scenarioFiles(ofKind: kind.name)
        Console.out("\nexample scenarios:" + (examples.isEmpty ? " none found here (`ndyn example` prints one)" : ""))
        for file in examples { Console.out("  \(file)") }
        return .success
    }

    /// Scenario files of `kind` under the first `Scenarios/` found: in the working directory, or
    /// in the repository the running ndyn was built in (`.build/<config>/ndyn`).
    static func scenarioFiles(ofKind kind: String) -> [String] {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let besideBuild = (((executable as NSString).deletingLastPathComponent as NSString)
            .appendingPathComponent("../../Scenarios") as NSString).standardizingPath
        for folder in ["Scenarios", besideBuild] {
            guard let enumerator = FileManager.default.enumerator(atPath: folder) else { continue }
            let files = (enumerator.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json") }.sorted()
            let matching = files.filter { file in
                let path = (folder as NSString).appendingPathComponent(file)
                guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                      let document = try? JSONParser.parse(text) else { return false }
                return document["kind"] == .string(kind)
            }
            if !files.isEmpty {
                let shown = folder == "Scenarios" ? "Scenarios" : folder
                return matching.map { (shown as NSString).appendingPathComponent($0) }
            }
        }
        return []
    }
}
