import Scenarios

/// Splits a subcommand's arguments into flags, options with values and positionals, in the
/// conventions of swift-argument-parser: `--name value` or `--name=value`, `--` ends options.
struct ArgumentScanner {
    var flags: Set<String> = []
    var options: [String: String] = [:]
    /// Values of options that may be given several times (`--set a=1 --set b=2`), in order.
    var repeated: [String: [String]] = [:]
    var positionals: [String] = []

    /// - Parameters:
    ///   - flagNames: options without a value, e.g. `["--quiet"]`.
    ///   - optionNames: options that take a value, e.g. `["--output"]`.
    init(_ arguments: [String], command: String, flagNames: [String], optionNames: [String],
         repeatedOptionNames: [String] = []) throws {
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" { optionsEnded = true; continue }
            let parts = argument.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let name = parts[0]
            if flagNames.contains(name) {
                if parts.count > 1 { throw UsageError(message: "\(name) takes no value", command: command) }
                flags.insert(name)
            } else if optionNames.contains(name) || repeatedOptionNames.contains(name) {
                let value: String
                if parts.count > 1 {
                    guard !parts[1].isEmpty else { throw UsageError(message: "\(name)= needs a value after '='", command: command) }
                    value = parts[1]
                } else if index < arguments.count {
                    value = arguments[index]
                    index += 1
                } else {
                    throw UsageError(message: "\(name) needs a value", command: command)
                }
                if repeatedOptionNames.contains(name) { repeated[name, default: []].append(value) } else { options[name] = value }
            } else {
                let known = flagNames + optionNames + repeatedOptionNames + ["--help"]
                throw UsageError(message: "unknown option '\(name)'\(Suggestions.hint(for: name, in: known))", command: command)
            }
        }
    }

    /// Exactly one positional argument, described as `what` in the message.
    func single(_ what: String, command: String) throws -> String {
        guard positionals.count == 1 else {
            throw UsageError(message: positionals.isEmpty ? "missing \(what)" : "expected one \(what), got \(positionals.count): \(positionals.joined(separator: " "))",
                             command: command)
        }
        return positionals[0]
    }
}

extension ArgumentScanner {
    /// The `--set PATH=VALUE` options, parsed (a malformed one is a usage error naming it).
    func overrides() throws -> [ScenarioOverride] {
        try (repeated["--set"] ?? []).map { text in try ScenarioOverride(parsing: text) }
    }
}
