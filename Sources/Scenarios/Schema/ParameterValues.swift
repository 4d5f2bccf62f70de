/// Validated parameters of a scenario, defaults filled in. Accessors are safe to use after
/// validation succeeded: every declared parameter is present with its declared type.
public struct ParameterValues: Sendable, Equatable {
    /// The parameters as JSON, in the kind's declaration order.
    public private(set) var json: JSONValue

    init(_ members: [(key: String, value: JSONValue)]) {
        json = .object(members)
    }

    public subscript(name: String) -> JSONValue? { json[name] }

    /// An optional number parameter: nil when the scenario gave `null` or left it out.
    public func optionalDouble(_ name: String) -> Double? {
        json[name]?.doubleValue
    }

    /// A number parameter (integers are widened).
    public func double(_ name: String) -> Double {
        guard let value = json[name]?.doubleValue else { preconditionFailure("parameter '\(name)' is not a validated number") }
        return value
    }

    /// An integer parameter.
    public func int(_ name: String) -> Int {
        switch json[name] {
        case .integer(let i)?: return Int(i)
        case .number(let d)? where d == d.rounded(): return Int(d)
        default: preconditionFailure("parameter '\(name)' is not a validated integer")
        }
    }

    /// An array-of-numbers parameter.
    public func doubles(_ name: String) -> [Double] {
        guard case .array(let items)? = json[name] else { preconditionFailure("parameter '\(name)' is not a validated array") }
        return items.compactMap(\.doubleValue)
    }

    public func string(_ name: String) -> String {
        guard case .string(let s)? = json[name] else { preconditionFailure("parameter '\(name)' is not a validated string") }
        return s
    }

    public func bool(_ name: String) -> Bool {
        guard case .bool(let b)? = json[name] else { preconditionFailure("parameter '\(name)' is not a validated boolean") }
        return b
    }
}

/// Checks JSON objects against parameter specs, collecting every problem.
enum SchemaValidator {
    /// Validates `object` (at JSON path `path`) against `specs`; returns the values with defaults
    /// filled in, appending a `ValidationIssue` for each problem found.
    static func validate(_ value: JSONValue?, at path: String, against specs: [ParameterSpec],
                         issues: inout [ValidationIssue]) -> ParameterValues {
        var members: [(key: String, value: JSONValue)] = []
        let given: [(key: String, value: JSONValue)]
        switch value {
        case nil, .null?:
            given = []
        case .object(let m)?:
            given = m
        case let other?:
            issues.append(ValidationIssue(path: path, value: other, expected: "an object of parameters"))
            given = []
        }
        let known = specs.map(\.name)
        for member in given where !known.contains(member.key) {
            issues.append(ValidationIssue(
                path: "\(path).\(member.key)", value: member.value,
                expected: "no such parameter\(Suggestions.hint(for: member.key, in: known)); known parameters: \(known.joined(separator: ", "))"))
        }
        for spec in specs {
            let memberPath = "\(path).\(spec.name)"
            guard let provided = given.first(where: { $0.key == spec.name })?.value else {
                if let defaultValue = spec.defaultValue {
                    members.append((spec.name, defaultValue))
                } else {
                    issues.append(ValidationIssue(path: memberPath, value: nil, expected: "\(spec.type.expectation) (required: \(spec.summary))"))
                }
                continue
            }
            if provided == .null, spec.defaultValue == .null {
                members.append((spec.name, .null))  // an optional parameter, explicitly absent
            } else if let problem = check(provided, against: spec.type) {
                issues.append(ValidationIssue(path: memberPath, value: provided, expected: problem))
            } else {
                members.append((spec.name, normalized(provided, for: spec.type)))
            }
        }
        return ParameterValues(members)
    }

    /// `nil` when `value` fits `type`, else what was expected.
    static func check(_ value: JSONValue, against type: ParameterType) -> String? {
        switch type {
        case let .number(minimum, maximum, positive):
            guard let number = value.doubleValue else { return type.expectation }
            if !number.isFinite { return type.expectation }
            if positive && !(number > 0) { return type.expectation }
            if let minimum, number < minimum { return type.expectation }
            if let maximum, number > maximum { return type.expectation }
            return nil
        case let .integer(range):
            let integer: Int64
            switch value {
            case .integer(let i): integer = i
            case .number(let d) where d == d.rounded() && abs(d) < 9.2e18: integer = Int64(d)
            case .number(let d) where d == d.rounded(): return "\(type.expectation) (the value is too large)"
            case .number: return "\(type.expectation) (a whole number, without a fraction)"
            default: return type.expectation
            }
            return range.contains(integer) ? nil : type.expectation
        case let .string(choices):
            guard case .string(let s) = value else { return type.expectation }
            if let choices, !choices.contains(s) {
                return type.expectation + Suggestions.hint(for: s, in: choices)
            }
            return nil
        case .boolean:
            if case .bool = value { return nil }
            return type.expectation
        case let .numbers(count):
            guard case .array(let items) = value else { return type.expectation }
            if items.count != count { return "\(type.expectation) (got \(items.count))" }
            for (i, item) in items.enumerated() where !(item.doubleValue?.isFinite ?? false) {
                return "\(type.expectation) (element \(i) is \(item.kindDescription))"
            }
            return nil
        case let .numberList(maximumCount):
            guard case .array(let items) = value, !items.isEmpty else { return type.expectation }
            if items.count > maximumCount { return "\(type.expectation) (got \(items.count))" }
            for (i, item) in items.enumerated() where !(item.doubleValue?.isFinite ?? false) {
                return "\(type.expectation) (element \(i) is \(item.kindDescription))"
            }
            return nil
        case let .union(types):
            return types.contains { check(value, against: $0) == nil } ? nil : type.expectation
        }
    }

    /// Integral floats given for integer parameters become integers.
    static func normalized(_ value: JSONValue, for type: ParameterType) -> JSONValue {
        if case .integer = type, case .number(let d) = value { return .integer(Int64(d)) }
        return value
    }
}
