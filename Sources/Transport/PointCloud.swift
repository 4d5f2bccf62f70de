/// A finite weighted set of points in ℝᵈ: an empirical probability measure Σᵢ wᵢ δ(xᵢ).
///
/// Coordinates are stored point after point (`count × dimension`, row-major); weights are
/// nonnegative and sum to one. A cloud built without weights gets the uniform weights 1/count.
public struct PointCloud: Sendable, Equatable {
    /// Coordinates, `count × dimension`, point-major.
    public let coordinates: [Double]
    /// The dimension d of the space the points live in.
    public let dimension: Int
    /// The probability mass of each point (`count` values, summing to one).
    public let weights: [Double]
    /// True when every weight is 1/count (the cloud was built without weights).
    public let isUniform: Bool

    /// The number of points.
    public var count: Int { weights.count }

    /// A cloud from flat coordinates (`count × dimension`), with uniform or given weights.
    ///
    /// - Parameter role: how errors name this cloud ("source", "target", "population 3", ...).
    /// - Throws: `TransportError` for an empty cloud, a coordinate count that is not a multiple of
    ///   `dimension`, a NaN or infinite coordinate, or weights that are negative, of the wrong count
    ///   or that do not sum to one within 1e-9 (they are then rescaled to sum to one exactly).
    public init(coordinates: [Double], dimension: Int, weights: [Double]? = nil, role: String = "point") throws {
        guard dimension > 0 else { throw TransportError.invalidParameter("the \(role) cloud's dimension is \(dimension); it must be ≥ 1") }
        guard coordinates.count % dimension == 0 else {
            throw TransportError.coordinateCount(role: role, count: coordinates.count, dimension: dimension)
        }
        let n = coordinates.count / dimension
        guard n > 0 else { throw TransportError.emptyCloud(role: role) }
        if let bad = coordinates.firstIndex(where: { !$0.isFinite }) {
            throw TransportError.nonFiniteCoordinate(role: role, point: bad / dimension)
        }
        self.coordinates = coordinates
        self.dimension = dimension
        if let weights {
            guard weights.count == n else { throw TransportError.weightCount(role: role, weights: weights.count, points: n) }
            if let bad = weights.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
                throw TransportError.invalidWeight(role: role, index: bad, value: weights[bad])
            }
            let sum = weights.reduce(0, +)
            guard abs(sum - 1) <= 1e-9 else { throw TransportError.weightsDoNotSumToOne(role: role, sum: sum) }
            self.weights = weights.map { $0 / sum }
            isUniform = false
        } else {
            self.weights = [Double](repeating: 1 / Double(n), count: n)
            isUniform = true
        }
    }

    /// A cloud from an array of points (each of the same dimension).
    public init(points: [[Double]], weights: [Double]? = nil, role: String = "point") throws {
        guard let first = points.first else { throw TransportError.emptyCloud(role: role) }
        if let bad = points.firstIndex(where: { $0.count != first.count }) {
            throw TransportError.invalidParameter(
                "the \(role) point \(bad) has \(points[bad].count) coordinates but point 0 has \(first.count)")
        }
        try self.init(coordinates: points.flatMap { $0 }, dimension: first.count, weights: weights, role: role)
    }

    /// The coordinates of point `i`.
    public func point(_ i: Int) -> ArraySlice<Double> { coordinates[(i * dimension)..<((i + 1) * dimension)] }
}
