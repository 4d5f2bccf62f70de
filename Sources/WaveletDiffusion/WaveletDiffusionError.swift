/// What the Wavelet Diffusion Neural Operator's code refused, naming the input at fault.
public enum WaveletDiffusionError: Error, Equatable, CustomStringConvertible, Sendable {
    /// An array, data file or checkpoint whose shape does not fit.
    case invalidShape(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .invalidShape(message), let .invalidArgument(message): return message
        }
    }
}
