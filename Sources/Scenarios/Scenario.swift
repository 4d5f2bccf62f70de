import Foundation

/// A validated scenario: what to run (`kind` and its parameters), under which `name`, with
/// which random `seed`, and where to write (`output`/`name`/).
///
/// A scenario file is a JSON object:
/// ```json
/// {"kind": "lorenz", "name": "quickstart", "seed": 42, "output": "runs",
///  "description": "optional free text", "parameters": {"steps": 40000}}
/// ```
public struct Scenario: Sendable {
    /// The scenario kind, e.g. `"lorenz"`; `ndyn list` shows them all.
    public var kind: String
    /// The run's name: letters, digits, `.`, `_`, `-`; the run directory is `output/name`.
    public var name: String
    /// Seed of every random draw in the run.
    public var seed: Int64
    /// Directory under which the run directory is made (relative to the working directory).
    public var output: String
    /// Free text for the user's own notes.
    public var description: String?
    /// The kind's parameters, validated, with defaults filled in.
    public var parameters: ParameterValues
    /// Where the scenario was read from (a path, or `<built-in name>`).
    public var file: String
    /// When long runs write their checkpoint (top-level `"checkpoint"`; default every 10 minutes).
    public var checkpoint: CheckpointPolicy = .standard
    /// The family of runs the scenario declares, if any (see ``Sweep``).
    public var sweep: Sweep?
    /// Which member of `sweep` this is, for a scenario made by ``member(_:)``; nil for the
    /// scenario as written.
    public var member: SweepMember?
    /// The `"parameters"` object as written (before defaults), from which members are made.
    var writtenParameters: JSONValue?
    /// The command line's `--set` overrides applied to the file (recorded in `run.json`, and
    /// passed on by the Slurm script so requeued members run the same scenario).
    public var overrides: [ScenarioOverride] = []

    /// The directory this run writes into: `output/name`, or `output/name/<member id>` for a
    /// member of a sweep.
    public var runDirectory: String {
        let base = (output as NSString).appendingPathComponent(name)
        guard let member else { return base }
        return (base as NSString).appendingPathComponent(member.id)
    }

    /// The directory holding every member of the sweep (`output/name`).
    public var sweepDirectory: String { (output as NSString).appendingPathComponent(name) }

    /// Number of runs the scenario stands for: the sweep's members, or 1.
    public var memberCount: Int { member == nil ? (sweep?.memberCount ?? 1) : 1 }

    /// Member `index` of the sweep as a runnable scenario: the member's parameter values over
    /// the written parameters (validated, defaults filled in), the member's seed, and a run
    /// directory `output/name/<member id>`.
    public func member(_ index: Int, registry: ScenarioRegistry = .standard) throws(ScenarioError) -> Scenario {
        guard let sweep, member == nil else {
            throw .invalid(file: file, issues: [ValidationIssue(path: "$.sweep", value: nil, expected: "a sweep (this scenario declares none; leave out --member)")])
        }
        guard (0..<sweep.memberCount).contains(index) else {
            throw .invalid(file: file, issues: [ValidationIssue(
                path: "member", value: .integer(Int64(index)),
                expected: "a member index from 0 to \(sweep.memberCount - 1) (the sweep has \(sweep.memberCount) members; `ndyn sweep plan` lists them)")])
        }
        let chosen = sweep.member(index, baseSeed: seed)
        var issues: [ValidationIssue] = []
        guard let instance = Self.instantiate(chosen, of: self, registry: registry, issues: &issues) else {
            throw .invalid(file: file, issues: issues)
        }
        return instance
    }

    /// Every member of the sweep, or just this scenario when it declares none.
    public func members(registry: ScenarioRegistry = .standard) throws(ScenarioError) -> [Scenario] {
        guard let sweep, member == nil else { return [self] }
        var result: [Scenario] = []
        for index in 0..<sweep.memberCount { result.append(try member(index, registry: registry)) }
        return result
    }

    static func instantiate(_ member: SweepMember, of base: Scenario, registry: ScenarioRegistry,
                            issues: inout [ValidationIssue]) -> Scenario? {
        guard let kind = registry.kind(named: base.kind) else { return nil }
        var written: [(key: String, value: JSONValue)] = []
        if case .object(let members)? = base.writtenParameters { written = members }
        for (name, value) in member.values {
            if let index = written.firstIndex(where: { $0.key == name }) {
                written[index].value = value
            } else {
                written.append((name, value))
            }
        }
        var memberIssues: [ValidationIssue] = []
        let parameters = SchemaValidator.validate(.object(written), at: "$.parameters", against: kind.parameters, issues: &memberIssues)
        if memberIssues.isEmpty { kind.check(parameters, issues: &memberIssues) }
        guard memberIssues.isEmpty else {
            for issue in memberIssues {
                var issue = issue
                issue.path = "$.sweep (member \(member.index): \(member.label)) \(issue.path)"
                issues.append(issue)
            }
            return nil
        }
        var instance = base
        instance.parameters = parameters
        instance.seed = member.seed
        instance.member = member
        return instance
    }

    /// The complete scenario as JSON, defaults included (what `run.json` records).
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("kind", .string(kind)), ("name", .string(name)), ("seed", .integer(seed)), ("output", .string(output)),
        ]
        if let description { members.append(("description", .string(description))) }
        members.append(("parameters", parameters.json))
        if checkpoint != .standard { members.append(("checkpoint", checkpoint.json)) }
        if let sweep { members.append(("sweep", sweep.json)) }
        if let member { members.append(("member", member.json)) }
        return .object(members)
    }

    /// The top-level keys a scenario may have.
    static let topLevelKeys = ["kind", "name", "seed", "output", "description", "parameters", "checkpoint", "sweep"]

    /// Reads and validates a scenario file, with `overrides` (`--set PATH=VALUE`) applied first.
    public static func load(_ path: String, overrides: [ScenarioOverride] = [],
                            registry: ScenarioRegistry = .standard) throws(ScenarioError) -> Scenario {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(file: path, reason: "no such file")
        }
        if isDirectory.boolValue { throw .unreadable(file: path, reason: "this is a directory; give the path of a .json scenario file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(file: path, reason: "the file cannot be read (check its permissions)")
        }
        if data.count > 16 << 20 {
            throw .unreadable(file: path, reason: "the file is \(data.count) bytes; a scenario file is at most 16 MiB")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: path, reason: "the file is not UTF-8 text")
        }
        return try parse(text, file: path, overrides: overrides, registry: registry)
    }

    /// Parses and validates scenario JSON text with `overrides` applied first; `file` names it in
    /// messages. A problem caused by an override names the override.
    public static func parse(_ text: String, file: String, overrides: [ScenarioOverride] = [],
                             registry: ScenarioRegistry = .standard) throws(ScenarioError) -> Scenario {
        var document: JSONValue
        do {
            document = try JSONParser.parse(text)
        } catch {
            throw .syntax(file: file, error)
        }
        var issues: [ValidationIssue] = []
        let axes = sweepAxes(of: document)
        for override in overrides { override.apply(to: &document, sweepAxes: axes, issues: &issues) }
        guard issues.isEmpty else { throw .invalid(file: file, issues: issues) }
        var scenario = validate(document, file: file, registry: registry, issues: &issues)
        for index in issues.indices {
            // The last override that set this value (or an object around it) is the one to name.
            if let override = overrides.last(where: { issues[index].path == $0.jsonPath || issues[index].path.hasPrefix($0.jsonPath + ".") }) {
                issues[index].path = "\(override) (\(issues[index].path))"
            }
        }
        guard issues.isEmpty, scenario != nil else { throw .invalid(file: file, issues: issues) }
        scenario!.overrides = overrides
        return scenario!
    }

    /// The parameter names a document's `"sweep"` varies (grid keys and list entries' keys),
    /// read from the JSON before validation.
    static func sweepAxes(of document: JSONValue) -> [String] {
        var names: [String] = []
        if case .object(let grid)? = document["sweep"]?["grid"] { names += grid.map(\.key) }
        if case .array(let entries)? = document["sweep"]?["list"] {
            for case .object(let entry) in entries { names += entry.map(\.key) }
        }
        return names
    }

    private static func validate(_ document: JSONValue, file: String, registry: ScenarioRegistry,
                                 issues: inout [ValidationIssue]) -> Scenario? {
        guard case .object(let members) = document else {
            issues.append(ValidationIssue(path: "$", value: document,
                                          expected: "a JSON object with \"kind\", \"name\", \"seed\" and \"parameters\""))
            return nil
        }
        for member in members where !topLevelKeys.contains(member.key) {
            issues.append(ValidationIssue(
                path: "$.\(member.key)", value: member.value,
                expected: "no such key\(Suggestions.hint(for: member.key, in: topLevelKeys)); a scenario has: \(topLevelKeys.joined(separator: ", ")) (the kind's own settings go inside \"parameters\")"))
        }
        let kindNames = registry.kinds.map(\.name)
        var kind: (any ScenarioKind)?
        switch document["kind"] {
        case .string(let name)?:
            kind = registry.kind(named: name)
            if kind == nil {
                issues.append(ValidationIssue(path: "$.kind", value: .string(name),
                                              expected: "a known scenario kind\(Suggestions.hint(for: name, in: kindNames)): \(kindNames.joined(separator: ", "))"))
            }
        case let other:
            issues.append(ValidationIssue(path: "$.kind", value: other, expected: "a string naming the scenario kind: \(kindNames.joined(separator: ", "))"))
        }
        var name: String?
        switch document["name"] {
        case .string(let s)? where isValidName(s): name = s
        case let other:
            issues.append(ValidationIssue(path: "$.name", value: other,
                                          expected: "a run name of 1-100 letters, digits, '.', '_' or '-', not starting with '.' or '-' (it becomes a directory name)"))
        }
        var seed: Int64?
        switch document["seed"] {
        case .integer(let i)? where i >= 0: seed = i
        case let other:
            issues.append(ValidationIssue(path: "$.seed", value: other, expected: "an integer from 0 to \(Int64.max) (the seed of every random draw)"))
        }
        var output = "runs"
        switch document["output"] {
        case nil: break
        case .string(let s)? where !s.isEmpty && !s.contains("\0"): output = s
        case let other?:
            issues.append(ValidationIssue(path: "$.output", value: other, expected: "a non-empty directory path (default \"runs\")"))
        }
        var description: String?
        switch document["description"] {
        case nil: break
        case .string(let s)?: description = s
        case let other?: issues.append(ValidationIssue(path: "$.description", value: other, expected: "a string"))
        }
        guard let kind else { return nil }
        let parameters = SchemaValidator.validate(document["parameters"], at: "$.parameters", against: kind.parameters, issues: &issues)
        if !issues.contains(where: { $0.path.hasPrefix("$.parameters") }) {
            kind.check(parameters, issues: &issues)  // cross-parameter checks need valid parameters
        }
        let checkpoint = CheckpointPolicy.validate(document["checkpoint"], issues: &issues)
        let sweep = document["sweep"].flatMap { SweepValidator.validate($0, kind: kind, issues: &issues) }
        guard issues.isEmpty, let name, let seed else { return nil }
        var scenario = Scenario(kind: kind.name, name: name, seed: seed, output: output, description: description,
                                parameters: parameters, file: file)
        scenario.writtenParameters = document["parameters"]
        scenario.checkpoint = checkpoint
        scenario.sweep = sweep
        if let sweep {
            // Every distinct parameter combination must make a valid scenario (replicas share them).
            var reported = 0
            for combination in stride(from: 0, to: sweep.memberCount, by: sweep.replicas) where reported < 20 {
                let before = issues.count
                _ = instantiate(sweep.member(combination, baseSeed: seed), of: scenario, registry: registry, issues: &issues)
                if issues.count > before { reported += 1 }
            }
            if !issues.isEmpty { return nil }
        }
        return scenario
    }

    static func isValidName(_ name: String) -> Bool {
        guard (1...100).contains(name.count), let first = name.unicodeScalars.first, first != ".", first != "-" else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-"
        }
    }
}
