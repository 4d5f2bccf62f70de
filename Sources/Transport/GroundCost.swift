/// The cost of moving unit mass from x to y, from which transport distances are built.
public enum GroundCost: String, Sendable, CaseIterable {
    /// c(x, y) = ‖x − y‖ (gives W1).
    case euclidean
    /// c(x, y) = ‖x − y‖² (gives W2²).
    case squaredEuclidean = "squared_euclidean"

    /// The dense cost matrix between two clouds, `source.count × target.count`, row-major.
    ///
    /// - Throws: `TransportError.dimensionMismatch` when the clouds live in different dimensions.
    public func matrix(from source: PointCloud, to target: PointCloud) throws -> [Double] {
        guard source.dimension == target.dimension else {
            throw TransportError.dimensionMismatch(source: source.dimension, target: target.dimension)
        }
        let n = source.count, m = target.count, d = source.dimension
        var cost = [Double](repeating: 0, count: n * m)
        let root = self == .euclidean
        source.coordinates.withUnsafeBufferPointer { x in
            target.coordinates.withUnsafeBufferPointer { y in
                cost.withUnsafeMutableBufferPointer { c in
                    for i in 0..<n {
                        let xi = x.baseAddress! + i * d
                        let row = c.baseAddress! + i * m
                        for j in 0..<m {
                            let yj = y.baseAddress! + j * d
                            var s = 0.0
                            for k in 0..<d { let e = xi[k] - yj[k]; s += e * e }
                            row[j] = root ? s.squareRoot() : s
                        }
                    }
                }
            }
        }
        return cost
    }
}

/// Checks that a cost matrix is `rows × columns` and finite.
func validateCost(_ cost: [Double], rows: Int, columns: Int) throws {
    guard cost.count == rows * columns else {
        throw TransportError.invalidCost("it has \(cost.count) entries; \(rows) × \(columns) = \(rows * columns) expected")
    }
    if let bad = cost.firstIndex(where: { !$0.isFinite }) {
        throw TransportError.invalidCost("entry (\(bad / max(columns, 1)), \(bad % max(columns, 1))) is \(cost[bad])")
    }
}
