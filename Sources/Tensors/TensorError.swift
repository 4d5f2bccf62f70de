/// Errors thrown by tensor operations whose operands do not fit together.
///
/// Policy (see the `Tensors` documentation article): every operation whose validity depends on run-time shapes,
/// axes or indices **throws** a `TensorError` — construction from a scalar array, reshape, the
/// broadcasting operators, matmul, concat/stack/slice, gather/scatter, convolution, layer norm,
/// `backward()` from a non-scalar. Messages name the operation and both shapes.
/// Programmer errors that have no shape to report **trap** with a message instead, as `Array`
/// does: an element subscript out of bounds, a negative dimension in `init(shape:repeating:)`,
/// mixing variables from two different tapes, looking a gradient up with another tape's variable.
public enum TensorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Two shapes that `operation` cannot combine; `reason` says which dimensions disagree.
    case shapeMismatch(operation: String, lhs: [Int], rhs: [Int], reason: String)
    /// An axis outside `-rank..<rank` for a tensor of `shape`.
    case invalidAxis(operation: String, axis: Int, shape: [Int])
    /// An index outside `0..<bound` (gather/scatter indices, slice bounds).
    case indexOutOfRange(operation: String, index: Int, bound: Int, shape: [Int])
    /// Any other invalid argument (negative padding, dropout probability outside [0, 1), …).
    case invalidArgument(operation: String, message: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(operation, lhs, rhs, reason):
            return "\(operation): shapes \(lhs) and \(rhs) are incompatible: \(reason)"
        case let .invalidAxis(operation, axis, shape):
            return "\(operation): axis \(axis) is out of range for a tensor of shape \(shape) (rank \(shape.count))"
        case let .indexOutOfRange(operation, index, bound, shape):
            return "\(operation): index \(index) is out of range 0..<\(bound) for shape \(shape)"
        case let .invalidArgument(operation, message):
            return "\(operation): \(message)"
        }
    }
}
