import Foundation

/// Entropically regularised optimal transport solved by Sinkhorn's iterations in the log
/// domain, with ε-scaling.
///
/// Minimises ⟨π, C⟩ + ε KL(π ‖ a ⊗ b) over couplings of a and b. The solution is
/// π(i, j) = aᵢ bⱼ exp((fᵢ + gⱼ − c(i, j)) / ε); the dual potentials f, g are updated by
/// soft-minimum (log-sum-exp) steps, which never overflow however small ε is:
///
///     fᵢ ← −ε log Σⱼ bⱼ exp((gⱼ − c(i, j)) / ε),   gⱼ ← −ε log Σᵢ aᵢ exp((fᵢ − c(i, j)) / ε).
///
/// ε-scaling solves a sequence ε₀ > ε₁ > … > ε (ε₀ = the largest cost, each the previous times
/// `scalingFactor`), each warm-started from the previous potentials, which cuts the iteration
/// count at small ε. The minimiser is the same as POT's `ot.sinkhorn` (the entropy reference
/// a ⊗ b only shifts the objective by a constant).
public struct Sinkhorn: Sendable {
    /// The regularisation ε (in the units of the cost), > 0.
    public var epsilon: Double
    /// Stop when the L1 violation of the source marginal, Σᵢ |Σⱼ π(i, j) − aᵢ|, is below this.
    public var tolerance: Double
    /// The most iterations (one f and one g update each) at the final ε.
    public var maximumIterations: Int
    /// The factor between consecutive ε of the scaling sequence, in (0, 1); 1 switches scaling off.
    public var scalingFactor: Double

    public init(epsilon: Double, tolerance: Double = 1e-9, maximumIterations: Int = 100_000, scalingFactor: Double = 0.5) {
        self.epsilon = epsilon
        self.tolerance = tolerance
        self.maximumIterations = maximumIterations
        self.scalingFactor = scalingFactor
    }

    /// The solution of one regularised problem.
    public struct Solution: Sendable {
        /// The dual potential on the source points (n values, cost units).
        public let sourcePotential: [Double]
        /// The dual potential on the target points (m values, cost units).
        public let targetPotential: [Double]
        /// The transport cost ⟨π, C⟩ of the regularised plan (what `ot.sinkhorn2` returns).
        public let transportCost: Double
        /// Iterations at the final ε (the scaling stages not counted).
        public let iterations: Int
        /// Iterations of all stages together.
        public let totalIterations: Int
        /// The final L1 violation of the source marginal (the target marginal is exact).
        public let marginalError: Double
        /// The regularised plan, n × m row-major.
        public let plan: [Double]
    }

    /// Solves the regularised problem between two clouds under a ground cost.
    public func solve(from source: PointCloud, to target: PointCloud, cost ground: GroundCost = .squaredEuclidean) throws -> Solution {
        try solve(source: source.weights, target: target.weights, cost: ground.matrix(from: source, to: target))
    }

    /// Solves the regularised problem for marginals a (n), b (m) and an n × m row-major cost.
    ///
    /// - Throws: `TransportError` for invalid marginals or costs, ε ≤ 0 or a scaling factor
    ///   outside (0, 1], and `.notConverged` when the tolerance is not met within
    ///   `maximumIterations`.
    public func solve(source a: [Double], target b: [Double], cost: [Double]) throws -> Solution {
        guard epsilon > 0, epsilon.isFinite else { throw TransportError.invalidParameter("Sinkhorn's ε is \(epsilon); it must be > 0") }
        guard scalingFactor > 0, scalingFactor <= 1 else {
            throw TransportError.invalidParameter("Sinkhorn's ε-scaling factor is \(scalingFactor); it must lie in (0, 1]")
        }
        guard tolerance > 0 else { throw TransportError.invalidParameter("Sinkhorn's tolerance is \(tolerance); it must be > 0") }
        let a = try normalisedMarginal(a, role: "source")
        let b = try normalisedMarginal(b, role: "target")
        let n = a.count, m = b.count
        try validateCost(cost, rows: n, columns: m)
        let logA = a.map { Foundation.log($0) }, logB = b.map { Foundation.log($0) }
        var f = [Double](repeating: 0, count: n), g = [Double](repeating: 0, count: m)
        var stages: [Double] = []
        if scalingFactor < 1 {
            var e = max(cost.max() ?? 0, epsilon)
            while e > epsilon { stages.append(e); e *= scalingFactor }
        }
        stages.append(epsilon)
        var total = 0, final = 0
        var error = Double.infinity
        var scratch = [Double](repeating: 0, count: max(n, m))
        var costT = [Double](repeating: 0, count: n * m)
        for i in 0..<n { for j in 0..<m { costT[j * n + i] = cost[i * m + j] } }
        for (s, e) in stages.enumerated() {
            let last = s == stages.count - 1
            // Intermediate stages only need to come close: their potentials are a warm start.
            let stageTolerance = last ? tolerance : max(tolerance, 1e-3)
            let cap = last ? maximumIterations : 1_000
            var it = 0
            error = .infinity
            while it < cap {
                softMinimum(into: &f, potential: g, logWeights: logB, cost: cost, count: n, inner: m, epsilon: e, scratch: &scratch)
                softMinimum(into: &g, potential: f, logWeights: logA, cost: costT, count: m, inner: n, epsilon: e, scratch: &scratch)
                it += 1
                if it % 10 == 0 || it == cap {
                    error = marginalError(f: f, g: g, logA: logA, logB: logB, a: a, cost: cost, n: n, m: m, epsilon: e)
                    if error < stageTolerance { break }
                }
            }
            total += it
            if last { final = it }
        }
        guard error < tolerance else {
            throw TransportError.notConverged(
                "Sinkhorn at ε = \(epsilon) reached a marginal error of \(error) after \(final) iterations; the tolerance is \(tolerance) (raise maximumIterations or ε)")
        }
        var plan = [Double](repeating: 0, count: n * m)
        var transport = 0.0
        for i in 0..<n {
            for j in 0..<m {
                let p = Foundation.exp((f[i] + g[j] - cost[i * m + j]) / epsilon + logA[i] + logB[j])
                plan[i * m + j] = p
                transport += p * cost[i * m + j]
            }
        }
        return Solution(sourcePotential: f, targetPotential: g, transportCost: transport, iterations: final,
                        totalIterations: total, marginalError: error, plan: plan)
    }

    /// One half-step: for every point p of one side, the soft minimum over the other side's points q
    /// of (h_q − c(p, q)) with log-weights, read from `cost` laid out p-major (`count × inner`).
    private func softMinimum(into out: inout [Double], potential other: [Double], logWeights: [Double], cost: [Double],
                             count: Int, inner: Int, epsilon e: Double, scratch: inout [Double]) {
        let inverse = 1 / e
        cost.withUnsafeBufferPointer { c in
            other.withUnsafeBufferPointer { h in
                logWeights.withUnsafeBufferPointer { lw in
                    out.withUnsafeMutableBufferPointer { o in
                        scratch.withUnsafeMutableBufferPointer { s in
                            for p in 0..<count {
                                let row = c.baseAddress! + p * inner
                                var largest = -Double.infinity
                                for q in 0..<inner {
                                    let z = (h[q] - row[q]) * inverse + lw[q]
                                    s[q] = z
                                    largest = Swift.max(largest, z)
                                }
                                var sum = 0.0
                                for q in 0..<inner { sum += Foundation.exp(s[q] - largest) }
                                o[p] = -e * (largest + Foundation.log(sum))
                            }
                        }
                    }
                }
            }
        }
    }

    private func marginalError(f: [Double], g: [Double], logA: [Double], logB: [Double], a: [Double], cost: [Double],
                               n: Int, m: Int, epsilon e: Double) -> Double {
        var error = 0.0
        for i in 0..<n {
            var row = 0.0
            for j in 0..<m { row += Foundation.exp((f[i] + g[j] - cost[i * m + j]) / e + logA[i] + logB[j]) }
            error += abs(row - a[i])
        }
        return error
    }
}
