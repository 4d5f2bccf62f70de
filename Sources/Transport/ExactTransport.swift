/// Exact (unregularised) optimal transport between discrete measures: the coupling π of
/// marginals a and b that minimises ⟨π, C⟩ — the Kantorovich linear programme.
///
/// Two exact solvers, chosen by the shape of the problem:
/// - equal numbers of equally weighted points: the linear assignment problem
///   (`LinearAssignment`, Jonker–Volgenant), fast at thousands of points;
/// - any weights: successive shortest paths on the transportation network (sources → targets,
///   residual arcs back), one Dijkstra search on reduced costs per augmentation, each
///   augmentation exhausting a source, a target or a residual arc. Dense, O((n + m)²) per
///   augmentation: meant for weighted clouds of up to a few thousand points in total.
public enum ExactTransport {
    /// The optimal coupling between two clouds under a ground cost.
    ///
    /// Uniform clouds of equal size go through the assignment solver; others through
    /// successive shortest paths.
    public static func plan(from source: PointCloud, to target: PointCloud, cost ground: GroundCost) throws -> TransportPlan {
        let cost = try ground.matrix(from: source, to: target)
        if source.isUniform && target.isUniform && source.count == target.count {
            let n = source.count
            let assignment = try LinearAssignment(cost: cost, size: n)
            let mass = 1 / Double(n)
            let entries = (0..<n).map { TransportPlan.Entry(source: $0, target: assignment.columnOfRow[$0], mass: mass) }
            return TransportPlan(sourceCount: n, targetCount: n, entries: entries, cost: assignment.totalCost * mass)
        }
        return try plan(source: source.weights, target: target.weights, cost: cost)
    }

    /// The optimal coupling of marginals `a` (n values) and `b` (m values), each nonnegative and
    /// summing to one, for the n × m row-major cost matrix `cost`.
    ///
    /// - Throws: `TransportError` for marginals that are negative, do not sum to one (within
    ///   1e-9) or are empty, and for a cost matrix of the wrong size or with non-finite entries.
    public static func plan(source a: [Double], target b: [Double], cost: [Double]) throws -> TransportPlan {
        let a = try normalisedMarginal(a, role: "source")
        let b = try normalisedMarginal(b, role: "target")
        let n = a.count, m = b.count
        try validateCost(cost, rows: n, columns: m)
        var solver = SuccessiveShortestPaths(cost: cost, supply: a, demand: b)
        solver.run()
        var entries: [TransportPlan.Entry] = []
        var total = 0.0
        for i in 0..<n {
            for j in 0..<m where solver.flow[i * m + j] > 0 {
                let mass = solver.flow[i * m + j]
                entries.append(.init(source: i, target: j, mass: mass))
                total += mass * cost[i * m + j]
            }
        }
        return TransportPlan(sourceCount: n, targetCount: m, entries: entries, cost: total)
    }
}

/// Checks a marginal (nonempty, finite, ≥ 0, sums to one within 1e-9) and rescales it to sum to one.
func normalisedMarginal(_ w: [Double], role: String) throws -> [Double] {
    guard !w.isEmpty else { throw TransportError.emptyCloud(role: role) }
    if let bad = w.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
        throw TransportError.invalidWeight(role: role, index: bad, value: w[bad])
    }
    let sum = w.reduce(0, +)
    guard abs(sum - 1) <= 1e-9 else { throw TransportError.weightsDoNotSumToOne(role: role, sum: sum) }
    return w.map { $0 / sum }
}

/// Successive shortest paths for the dense transportation problem.
///
/// Nodes are the n sources and the m targets. Arcs i → j (cost c_ij, unbounded) always exist;
/// arcs j → i (cost −c_ij) exist while flow(i, j) > 0. Potentials p keep reduced costs
/// c + p(tail) − p(head) nonnegative, so each search is a Dijkstra search from every source with
/// mass left to the nearest target with demand left.
struct SuccessiveShortestPaths {
    let cost: [Double]
    let n: Int, m: Int
    var supply: [Double], demand: [Double]
    var flow: [Double]
    var sourcePotential: [Double], targetPotential: [Double]
    /// Masses below this count as exhausted (the marginals sum to one).
    let negligible = 1e-15

    init(cost: [Double], supply: [Double], demand: [Double]) {
        self.cost = cost
        n = supply.count
        m = demand.count
        self.supply = supply
        self.demand = demand
        flow = [Double](repeating: 0, count: n * m)
        sourcePotential = [Double](repeating: 0, count: n)
        targetPotential = [Double](repeating: .infinity, count: m)
        for i in 0..<n {
            for j in 0..<m { targetPotential[j] = min(targetPotential[j], cost[i * m + j]) }
        }
    }

    mutating func run() {
        var distS = [Double](repeating: 0, count: n), distT = [Double](repeating: 0, count: m)
        var doneS = [Bool](repeating: false, count: n), doneT = [Bool](repeating: false, count: m)
        var predT = [Int](repeating: -1, count: m), predS = [Int](repeating: -1, count: n)
        // Rows of the flow that carry mass into each target, to walk residual arcs j → i quickly.
        var carriers = [[Int]](repeating: [], count: m)
        while supply.contains(where: { $0 > negligible }) && demand.contains(where: { $0 > negligible }) {
            for i in 0..<n { distS[i] = supply[i] > negligible ? 0 : .infinity; doneS[i] = false; predS[i] = -1 }
            for j in 0..<m { distT[j] = .infinity; doneT[j] = false; predT[j] = -1 }
            var end = -1
            var reach = 0.0
            while true {
                // The closest unfinished node (linear scan: the graph is dense).
                var best = Double.infinity, bestNode = -1, isTarget = false
                for i in 0..<n where !doneS[i] && distS[i] < best { best = distS[i]; bestNode = i; isTarget = false }
                for j in 0..<m where !doneT[j] && distT[j] < best { best = distT[j]; bestNode = j; isTarget = true }
                if bestNode < 0 { break }
                if isTarget {
                    let j = bestNode
                    doneT[j] = true
                    if demand[j] > negligible { end = j; reach = best; break }
                    for i in carriers[j] where !doneS[i] && flow[i * m + j] > 0 {
                        let reduced = max(0, -cost[i * m + j] + targetPotential[j] - sourcePotential[i])
                        if best + reduced < distS[i] { distS[i] = best + reduced; predS[i] = j }
                    }
                } else {
                    let i = bestNode
                    doneS[i] = true
                    let base = best + sourcePotential[i]
                    cost.withUnsafeBufferPointer { c in
                        let row = c.baseAddress! + i * m
                        for j in 0..<m where !doneT[j] {
                            let candidate = base + row[j] - targetPotential[j]
                            if candidate < distT[j] { distT[j] = max(candidate, best); predT[j] = i }
                        }
                    }
                }
            }
            if end < 0 { break }
            for i in 0..<n { sourcePotential[i] += min(distS[i], reach) }
            for j in 0..<m { targetPotential[j] += min(distT[j], reach) }
            // The bottleneck: mass left at the path's first source, demand left at its target,
            // and the flow on every residual arc it walks backwards.
            var delta = demand[end]
            var j = end
            var start = -1
            while true {
                let i = predT[j]
                let back = predS[i]
                if back < 0 { start = i; break }
                delta = min(delta, flow[i * m + back])
                j = back
            }
            delta = min(delta, supply[start])
            j = end
            while true {
                let i = predT[j]
                if flow[i * m + j] == 0 { carriers[j].append(i) }
                flow[i * m + j] += delta
                let back = predS[i]
                if back < 0 { break }
                flow[i * m + back] -= delta
                if flow[i * m + back] <= negligible {
                    flow[i * m + back] = 0
                    carriers[back].removeAll { $0 == i }
                }
                j = back
            }
            supply[start] -= delta
            demand[end] -= delta
        }
    }
}
