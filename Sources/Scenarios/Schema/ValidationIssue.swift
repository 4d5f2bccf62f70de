/// One problem found in a scenario: where (a JSON path such as `$.parameters.dt`), what value
/// was there, and what was expected instead.
public struct ValidationIssue: Equatable, Sendable, CustomStringConvertible {
    /// JSON path of the offending value, `$` for the whole document.
    public var path: String
    /// The value found, as compact JSON, or `(missing)`.
    public var found: String
    /// What was expected, in words a scientist can act on.
    public var expected: String

    public init(path: String, found: String, expected: String) {
        self.path = path
        self.found = found
        self.expected = expected
    }

    public init(path: String, value: JSONValue?, expected: String) {
        self.init(path: path, found: value?.brief ?? "(missing)", expected: expected)
    }

    public var description: String { "\(path): found \(found); expected \(expected)" }
}

/// Why a scenario could not be used: the file could not be read, is not JSON, or does not
/// validate (with every problem listed at once).
public enum ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case syntax(file: String, JSONSyntaxError)
    case invalid(file: String, issues: [ValidationIssue])

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read the scenario: \(reason)"
        case let .syntax(file, error):
            return "\(file): not valid JSON: \(error)"
        case let .invalid(file, issues):
            let noun = issues.count == 1 ? "problem" : "problems"
            return "\(file): \(issues.count) \(noun) in the scenario:\n" + issues.map { "  - \($0)" }.joined(separator: "\n")
        }
    }

    /// The individual problems (one for an unreadable or malformed file).
    public var issues: [ValidationIssue] {
        switch self {
        case let .invalid(_, issues): return issues
        case let .syntax(_, error): return [ValidationIssue(path: "$", found: "malformed JSON", expected: "valid JSON (\(error))")]
        case let .unreadable(_, reason): return [ValidationIssue(path: "$", found: "unreadable file", expected: reason)]
        }
    }
}
