/// Checks a scenario's `"sweep"` object and turns it into a ``Sweep``; every problem becomes a
/// ``ValidationIssue`` at its JSON path. Member values are checked against the kind's schema
/// later, member by member, by the scenario validation.
enum SweepValidator {
    static let keys = ["grid", "list", "replicas"]

    static func validate(_ value: JSONValue, kind: any ScenarioKind, issues: inout [ValidationIssue]) -> Sweep? {
        guard case .object(let members) = value else {
            issues.append(ValidationIssue(path: "$.sweep", value: value,
                                          expected: "an object with \"grid\" (parameter: [values]), \"list\" ([{parameter: value}]) and/or \"replicas\" (integer)"))
            return nil
        }
        let before = issues.count
        for member in members where !keys.contains(member.key) {
            issues.append(ValidationIssue(path: "$.sweep.\(member.key)", value: member.value,
                                          expected: "no such key\(Suggestions.hint(for: member.key, in: keys)); a sweep has: \(keys.joined(separator: ", "))"))
        }
        let names = kind.parameters.map(\.name)
        func checkName(_ name: String, at path: String, value: JSONValue) -> Bool {
            guard names.contains(name) else {
                issues.append(ValidationIssue(path: path, value: value,
                                              expected: "a parameter of kind '\(kind.name)'\(Suggestions.hint(for: name, in: names)): \(names.joined(separator: ", "))"))
                return false
            }
            return true
        }

        var grid: [(parameter: String, values: [JSONValue])] = []
        switch value["grid"] {
        case nil: break
        case .object(let axes)?:
            if axes.isEmpty {
                issues.append(ValidationIssue(path: "$.sweep.grid", value: .object([]), expected: "at least one parameter with a list of values"))
            }
            for (name, axis) in axes {
                let path = "$.sweep.grid.\(name)"
                guard checkName(name, at: path, value: axis) else { continue }
                guard case .array(let values) = axis, !values.isEmpty else {
                    issues.append(ValidationIssue(path: path, value: axis, expected: "a non-empty array of the values \(name) takes"))
                    continue
                }
                grid.append((name, values))
            }
        case let other?:
            issues.append(ValidationIssue(path: "$.sweep.grid", value: other, expected: "an object mapping parameter names to arrays of values"))
        }

        var list: [[(parameter: String, value: JSONValue)]] = []
        switch value["list"] {
        case nil: break
        case .array(let entries)? where !entries.isEmpty:
            for (i, entry) in entries.enumerated() {
                guard case .object(let pairs) = entry, !pairs.isEmpty else {
                    issues.append(ValidationIssue(path: "$.sweep.list[\(i)]", value: entry, expected: "a non-empty object of parameter values"))
                    continue
                }
                var combination: [(parameter: String, value: JSONValue)] = []
                for (name, parameterValue) in pairs {
                    let path = "$.sweep.list[\(i)].\(name)"
                    guard checkName(name, at: path, value: parameterValue) else { continue }
                    if grid.contains(where: { $0.parameter == name }) {
                        issues.append(ValidationIssue(path: path, value: parameterValue,
                                                      expected: "a parameter not also swept by \"grid\" (a member would have two values for '\(name)')"))
                        continue
                    }
                    combination.append((name, parameterValue))
                }
                list.append(combination)
            }
        case let other?:
            issues.append(ValidationIssue(path: "$.sweep.list", value: other, expected: "a non-empty array of objects of parameter values"))
        }

        var replicas = 1
        switch value["replicas"] {
        case nil: break
        case .integer(let n)? where (1...100_000).contains(n): replicas = Int(n)
        case let other?:
            issues.append(ValidationIssue(path: "$.sweep.replicas", value: other,
                                          expected: "an integer from 1 to 100000 (independent seeds per parameter combination)"))
        }
        if grid.isEmpty && list.isEmpty && value["replicas"] == nil && issues.count == before {
            issues.append(ValidationIssue(path: "$.sweep", value: value, expected: "at least one of \"grid\", \"list\" or \"replicas\""))
        }
        guard issues.count == before else { return nil }
        let sweep = Sweep(grid: grid, list: list, replicas: replicas)
        let count = grid.reduce(Double(max(list.count, 1) * replicas)) { $0 * Double($1.values.count) }
        guard count <= Double(Sweep.maximumMembers) else {
            issues.append(ValidationIssue(path: "$.sweep", value: nil,
                                          expected: "at most \(Sweep.maximumMembers) members (this sweep has \(Int(count).formatted()))"))
            return nil
        }
        return sweep
    }
}
