/// The values of a numeric variable or attribute, in the type they are stored with.
public enum NetCDFArray: Equatable, Sendable {
    case float32([Float])
    case float64([Double])
    case int32([Int32])
    case int64([Int64])

    /// The number of values.
    public var count: Int {
        switch self {
        case .float32(let v): return v.count
        case .float64(let v): return v.count
        case .int32(let v): return v.count
        case .int64(let v): return v.count
        }
    }

    /// The external type these values are written as.
    public var dataType: DataType {
        switch self {
        case .float32: return .float32
        case .float64: return .float64
        case .int32: return .int32
        case .int64: return .int64
        }
    }

    /// The values converted to `Double` (exact for all but very large `Int64`).
    public var doubles: [Double] {
        switch self {
        case .float32(let v): return v.map(Double.init)
        case .float64(let v): return v
        case .int32(let v): return v.map(Double.init)
        case .int64(let v): return v.map(Double.init)
        }
    }
}
