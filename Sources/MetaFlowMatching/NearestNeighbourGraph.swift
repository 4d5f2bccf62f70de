import Tensors

/// The k-nearest-neighbour graph of a point cloud, the graph a population encoder reads.
public enum NearestNeighbourGraph {
    /// Edges j → i from each point i's `k` nearest other points j (Euclidean distance, ties broken
    /// by index), with weight 1/k so that a ``GraphConv`` averages the neighbours' features.
    /// `points` is `count × dimension`, point-major.
    ///
    /// - Throws: ``MetaFlowMatchingError/invalidArgument(_:)`` when k < 1, when k is not smaller than
    ///   the number of points (a point has only count − 1 others), or for NaN coordinates.
    public static func build(points: [Double], dimension d: Int, neighbours k: Int) throws -> WeightedGraph {
        guard d >= 1, points.count % d == 0 else {
            throw MetaFlowMatchingError.invalidArgument("kNN graph: \(points.count) coordinates are not points of dimension \(d)")
        }
        let n = points.count / d
        guard k >= 1 else { throw MetaFlowMatchingError.invalidArgument("kNN graph: k is \(k); it must be ≥ 1") }
        guard k < n else {
            throw MetaFlowMatchingError.invalidArgument("kNN graph: k = \(k) neighbours but the population has \(n) points (at most \(n - 1) neighbours each)")
        }
        if let bad = points.firstIndex(where: { !$0.isFinite }) {
            throw MetaFlowMatchingError.invalidArgument("kNN graph: point \(bad / d) has a NaN or infinite coordinate")
        }
        var sources: [Int] = [], targets: [Int] = []
        sources.reserveCapacity(n * k)
        targets.reserveCapacity(n * k)
        // The k smallest (distance, index) pairs of each point, kept sorted by insertion: j runs
        // upwards and only a strictly smaller distance displaces, so ties go to the lower index.
        var bestDistance = [Double](repeating: .infinity, count: k)
        var bestIndex = [Int](repeating: -1, count: k)
        points.withUnsafeBufferPointer { x in
            for i in 0..<n {
                for s in 0..<k { bestDistance[s] = .infinity; bestIndex[s] = -1 }
                for j in 0..<n where j != i {
                    var distance = 0.0
                    for c in 0..<d { let e = x[i * d + c] - x[j * d + c]; distance += e * e }
                    guard distance < bestDistance[k - 1] else { continue }
                    var slot = k - 1
                    while slot > 0 && bestDistance[slot - 1] > distance {
                        bestDistance[slot] = bestDistance[slot - 1]
                        bestIndex[slot] = bestIndex[slot - 1]
                        slot -= 1
                    }
                    bestDistance[slot] = distance
                    bestIndex[slot] = j
                }
                for j in bestIndex {
                    sources.append(j)
                    targets.append(i)
                }
            }
        }
        return try WeightedGraph(nodeCount: n, sources: sources, targets: targets,
                                 weights: [Double](repeating: 1 / Double(k), count: n * k))
    }

    /// The disjoint union of graphs: graph g's node i becomes node offset(g) + i.
    public static func union(_ graphs: [WeightedGraph]) throws -> WeightedGraph {
        var sources: [Int] = [], targets: [Int] = [], weights: [Double] = []
        var offset = 0
        for g in graphs {
            sources += g.sources.map { $0 + offset }
            targets += g.targets.map { $0 + offset }
            weights += g.weights
            offset += g.nodeCount
        }
        return try WeightedGraph(nodeCount: offset, sources: sources, targets: targets, weights: weights)
    }
}
