/// One `--set PATH=VALUE` from the command line: a change to the scenario document made before
/// it is validated, in the form users know from Hydra (`parameters.viscosity=0.002`, `seed=7`).
///
/// `PATH` is dotted keys from the top of the scenario (`parameters.x`, `checkpoint.every_minutes`,
/// `name`, `sweep.replicas`); `VALUE` is parsed as JSON (`0.002`, `[1, 2]`, `true`, `"text"`), and taken as a string
/// when it is not JSON (`method=Tsit5`). The scenario with its overrides applied is validated
/// exactly as a file is, and is what `run.json` and the output record.
public struct ScenarioOverride: Sendable, Equatable, CustomStringConvertible {
    /// The keys from the top of the document, e.g. `["parameters", "viscosity"]`.
    public let path: [String]
    /// The value to put there.
    public let value: JSONValue
    /// The argument as given, e.g. `"parameters.viscosity=0.002"`.
    public let text: String

    /// Parses `PATH=VALUE`; a usage error names the argument.
    public init(parsing text: String) throws(ScenarioError) {
        self.text = text
        guard let equals = text.firstIndex(of: "=") else {
            throw .invalid(file: "--set \(text)", issues: [ValidationIssue(
                path: "--set \(text)", found: "no '='", expected: "PATH=VALUE, e.g. --set parameters.viscosity=0.002 or --set seed=7")])
        }
        let keys = text[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !keys.isEmpty, keys.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
            throw .invalid(file: "--set \(text)", issues: [ValidationIssue(
                path: "--set \(text)", found: "the path '\(text[..<equals])'",
                expected: "dotted keys without spaces, e.g. parameters.viscosity")])
        }
        path = keys
        let raw = String(text[text.index(after: equals)...])
        value = (try? JSONParser.parse(raw)) ?? .string(raw)
    }

    public var description: String { "--set \(text)" }

    /// The JSON path of the value it sets, as validation issues name it (`$.parameters.viscosity`).
    var jsonPath: String { "$." + path.joined(separator: ".") }

    /// Applies this override to `document`, or appends an issue naming the override when its
    /// path cannot be followed (a key inside something that is not an object, a top-level key a
    /// scenario does not have, a parameter the sweep varies).
    func apply(to document: inout JSONValue, sweepAxes: [String], issues: inout [ValidationIssue]) {
        let top = path[0]
        // Of the sweep, only the number of replicas may change (its axes define the members).
        let isReplicas = path == ["sweep", "replicas"]
        guard Scenario.topLevelKeys.contains(top), top != "sweep" || isReplicas else {
            let expected = top == "sweep"
                ? "sweep.replicas or a change outside the sweep (edit the file's \"sweep\" to change its axes)"
                : "a path starting with one of \(Scenario.topLevelKeys.filter { $0 != "sweep" }.joined(separator: ", "))\(Suggestions.hint(for: top, in: Scenario.topLevelKeys))"
            issues.append(ValidationIssue(path: description, found: "'\(top)'", expected: expected))
            return
        }
        if top == "parameters", path.count >= 2, sweepAxes.contains(path[1]) {
            issues.append(ValidationIssue(
                path: description, found: "'\(path[1])', a parameter the sweep varies",
                expected: "a parameter the sweep leaves alone (each member sets '\(path[1])'; change the sweep instead)"))
            return
        }
        guard let result = Self.setting(path[...], to: value, in: document) else {
            issues.append(ValidationIssue(path: description, found: "a value that is not a JSON object on the way",
                                          expected: "a path through objects only (\(jsonPath))"))
            return
        }
        document = result
    }

    /// `document` with `value` at `keys` (objects made where missing), or nil when a key is
    /// asked of something that is not an object.
    static func setting(_ keys: ArraySlice<String>, to value: JSONValue, in document: JSONValue?) -> JSONValue? {
        guard let key = keys.first else { return value }
        var members: [(key: String, value: JSONValue)]
        switch document {
        case nil: members = []
        case .object(let existing)?: members = existing
        default: return nil
        }
        let index = members.firstIndex { $0.key == key }
        guard let inner = setting(keys.dropFirst(), to: value, in: index.map { members[$0].value }) else { return nil }
        if let index { members[index].value = inner } else { members.append((key, inner)) }
        return .object(members)
    }
}
