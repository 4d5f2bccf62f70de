/// The declared form of one scenario parameter: its name, meaning (with units), type,
/// constraints and default. A scenario kind lists these; validation checks a scenario
/// against them and fills in the defaults.
public struct ParameterSpec: Sendable {
    public var name: String
    /// One line saying what the parameter is, with its units.
    public var summary: String
    public var type: ParameterType
    /// The value used when the scenario omits the parameter; `nil` makes it required.
    public var defaultValue: JSONValue?

    public init(_ name: String, _ type: ParameterType, default defaultValue: JSONValue? = nil, summary: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

/// The type and allowed range of a parameter value.
public enum ParameterType: Sendable {
    /// A finite number in `[minimum, maximum]`; `positive` excludes zero and below.
    case number(minimum: Double? = nil, maximum: Double? = nil, positive: Bool = false)
    /// A whole number in `range` (written without fraction, or as an integral float like `1e3`).
    case integer(ClosedRange<Int64>)
    /// A string, optionally one of `choices`.
    case string(choices: [String]? = nil)
    case boolean
    /// An array of exactly `count` finite numbers.
    case numbers(count: Int)
    /// A non-empty array of finite numbers, at most `maximumCount` of them.
    case numberList(maximumCount: Int)
    /// Any one of several forms, e.g. a number or one of some strings.
    indirect case union([ParameterType])

    /// What the type expects, in words.
    public var expectation: String {
        switch self {
        case let .number(minimum, maximum, positive):
            var words = "a finite number"
            if positive { words += " > 0" }
            if let minimum { words += " ≥ \(JSONValue.format(minimum))" }
            if let maximum { words += " ≤ \(JSONValue.format(maximum))" }
            return words
        case let .integer(range):
            return "an integer from \(range.lowerBound) to \(range.upperBound)"
        case let .string(choices):
            guard let choices else { return "a string" }
            return "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", ")
        case .boolean:
            return "true or false"
        case let .numbers(count):
            return "an array of \(count) finite numbers"
        case let .numberList(maximumCount):
            return "a non-empty array of at most \(maximumCount) finite numbers"
        case let .union(types):
            return types.map(\.expectation).joined(separator: ", or ")
        }
    }
}
