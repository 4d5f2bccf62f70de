/// What was wrong with the input of an optimal-transport or distribution-distance computation.
///
/// Every case names the offending argument, so a scenario can report it to the user unchanged.
public enum TransportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A point cloud with no points (its role: "source", "target", ...).
    case emptyCloud(role: String)
    /// A flat coordinate array whose length is not a multiple of the dimension.
    case coordinateCount(role: String, count: Int, dimension: Int)
    /// Two clouds that live in spaces of different dimension.
    case dimensionMismatch(source: Int, target: Int)
    /// A coordinate that is NaN or infinite.
    case nonFiniteCoordinate(role: String, point: Int)
    /// Weights whose count differs from the cloud's number of points.
    case weightCount(role: String, weights: Int, points: Int)
    /// A negative or non-finite weight.
    case invalidWeight(role: String, index: Int, value: Double)
    /// Weights that do not sum to one (within 1e-9).
    case weightsDoNotSumToOne(role: String, sum: Double)
    /// A cost matrix whose size does not match the marginals, or with a non-finite entry.
    case invalidCost(String)
    /// A parameter outside its domain (a regularisation ε ≤ 0, an empty kernel-bandwidth list, ...).
    case invalidParameter(String)
    /// An iterative solver that stopped before its tolerance was met.
    case notConverged(String)

    public var description: String {
        switch self {
        case let .emptyCloud(role): return "the \(role) point cloud is empty: it needs at least one point"
        case let .coordinateCount(role, count, dimension):
            return "the \(role) coordinates hold \(count) numbers, not a multiple of the dimension \(dimension)"
        case let .dimensionMismatch(source, target):
            return "the source points have dimension \(source) but the target points dimension \(target)"
        case let .nonFiniteCoordinate(role, point): return "the \(role) point \(point) has a NaN or infinite coordinate"
        case let .weightCount(role, weights, points): return "the \(role) cloud has \(points) points but \(weights) weights"
        case let .invalidWeight(role, index, value): return "the \(role) weight \(index) is \(value); weights must be finite and ≥ 0"
        case let .weightsDoNotSumToOne(role, sum): return "the \(role) weights sum to \(sum), not to one"
        case let .invalidCost(message): return "invalid cost matrix: \(message)"
        case let .invalidParameter(message): return message
        case let .notConverged(message): return message
        }
    }
}
