/// A solver of this module refused its input; the message names what was wrong.
public enum FluidsError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidArgument(let message): return message
        }
    }
}
