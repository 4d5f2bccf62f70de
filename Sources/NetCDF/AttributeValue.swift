/// The value of a NetCDF attribute: text or a vector of numbers.
///
/// Literals work: `"m s-1"` is `.text`, `2.5` is `.float64([2.5])`, `3` is `.int32([3])`.
public enum AttributeValue: Equatable, Sendable, CustomStringConvertible,
                            ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    case text(String)
    case float32([Float])
    case float64([Double])
    case int32([Int32])
    case int64([Int64])

    public init(stringLiteral value: String) { self = .text(value) }
    public init(floatLiteral value: Double) { self = .float64([value]) }
    public init(integerLiteral value: Int32) { self = .int32([value]) }

    /// The text, if this is a text attribute.
    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    /// The numbers converted to `Double`, or `nil` for text.
    public var doubles: [Double]? {
        switch self {
        case .text: return nil
        case .float32(let v): return v.map(Double.init)
        case .float64(let v): return v
        case .int32(let v): return v.map(Double.init)
        case .int64(let v): return v.map(Double.init)
        }
    }

    /// CDL-like rendering: `"text"` quoted, numbers comma-separated.
    public var description: String {
        switch self {
        case .text(let s): return "\"\(s)\""
        case .float32(let v): return v.map { "\($0)f" }.joined(separator: ", ")
        case .float64(let v): return v.map { "\($0)" }.joined(separator: ", ")
        case .int32(let v): return v.map { "\($0)" }.joined(separator: ", ")
        case .int64(let v): return v.map { "\($0)LL" }.joined(separator: ", ")
        }
    }
}
