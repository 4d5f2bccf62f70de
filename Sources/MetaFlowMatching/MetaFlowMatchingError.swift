/// What was wrong with the input of a Meta Flow Matching computation.
public enum MetaFlowMatchingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An argument outside its domain, with what was expected.
    case invalidArgument(String)
    /// A data set or model file whose contents do not fit (wrong variables, shapes or architecture).
    case invalidData(String)

    public var description: String {
        switch self {
        case let .invalidArgument(message): return message
        case let .invalidData(message): return message
        }
    }
}
