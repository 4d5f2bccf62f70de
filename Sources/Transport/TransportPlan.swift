/// A coupling π between a source measure (n points) and a target measure (m points): the mass
/// moved from each source point to each target point, kept as its nonzero entries.
public struct TransportPlan: Sendable {
    /// One nonzero entry of the coupling: `mass` moved from source point `source` to target point `target`.
    public struct Entry: Sendable, Equatable {
        public let source: Int
        public let target: Int
        public let mass: Double
    }

    /// The number of source points n.
    public let sourceCount: Int
    /// The number of target points m.
    public let targetCount: Int
    /// The nonzero entries, ordered by source then target.
    public let entries: [Entry]
    /// The transport cost ⟨π, C⟩ = Σ π(i, j) c(i, j) under the cost matrix the plan was solved for.
    public let cost: Double

    public init(sourceCount: Int, targetCount: Int, entries: [Entry], cost: Double) {
        self.sourceCount = sourceCount
        self.targetCount = targetCount
        self.entries = entries.sorted { ($0.source, $0.target) < ($1.source, $1.target) }
        self.cost = cost
    }

    /// The coupling as a dense `sourceCount × targetCount` row-major matrix.
    public func dense() -> [Double] {
        var p = [Double](repeating: 0, count: sourceCount * targetCount)
        for e in entries { p[e.source * targetCount + e.target] += e.mass }
        return p
    }

    /// The mass leaving each source point (the plan's first marginal).
    public var sourceMarginal: [Double] {
        var a = [Double](repeating: 0, count: sourceCount)
        for e in entries { a[e.source] += e.mass }
        return a
    }

    /// The mass arriving at each target point (the plan's second marginal).
    public var targetMarginal: [Double] {
        var b = [Double](repeating: 0, count: targetCount)
        for e in entries { b[e.target] += e.mass }
        return b
    }
}
