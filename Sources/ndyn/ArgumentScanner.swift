import Scenarios

/// Splits a subcommand's arguments into flags, options with values and positionals, in the
/// conventions of swift-argument-parser: `--name value` or `--name=value`, `--` ends options.
struct ArgumentScanner {
    var flags: Set<String> = []
    var options: [String: String] = [:]
    var positionals: [String] = []

    /// - Parameters:
    ///   - flagNames: options without a value, e.g. `["--quiet"]`.
    ///   - optionNames: options that take a value, e.g. `["--output"]`.
    init(_ arguments: [String], command: String, flagNames: [String], optionNames: [String]) throws {
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
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0]
            if flagNames.contains(name) {
                if parts.count > 1 { throw UsageError(message: "\(name) takes no value", command: command) }
                flags.insert(name)
            } else if optionNames.contains(name) {
                if parts.count > 1 {
                    options[name] = parts[1]
                } else if index < arguments.count {
                    options[name] = arguments[index]
                    index += 1
                } else {
                    throw UsageError(message: "\(name) needs a value", command: command)
                }
            } else {
                let known = flagNames + optionNames + ["--help"]
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
