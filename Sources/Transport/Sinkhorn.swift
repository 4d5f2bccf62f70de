import Foundation

/// Entropically regularised optimal transport by Sinkhorn's iterations, stabilised, with
/// ε-scaling.
///
/// Minimises ⟨π, C⟩ + ε KL(π ‖ a ⊗ b) over couplings of a and b. The solution is
/// π(i, j) = aᵢ bⱼ exp((fᵢ + gⱼ − c(i, j)) / ε) with dual potentials f, g. The iterations run on
/// a kernel that carries the bulk of the potentials (``KernelState``: π = diag(u) K diag(v),
/// K(i, j) = exp((fᵢ + gⱼ − c(i, j)) / ε)), so each is two BLAS passes over K instead of
/// 2·n·m exponentials, and whenever u or v grow large they are folded back into f, g — which
/// keeps the iterations exact however small ε is, as the log-domain (log-sum-exp) form does,
/// and falls back to that form when a row of K underflows.
///
/// ε-scaling solves a sequence ε₀ > ε₁ > … > ε (ε₀ = the largest cost, each the previous times
/// `scalingFactor`), each warm-started from the previous potentials, which bounds the iteration
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
    /// Over-relaxation ω of the source scaling, in [1, 2): u ← u^(1−ω) (a / Kv)^ω (Thibault et al.
    /// 2017; Lehmann et al. 2021). 1 is Sinkhorn's own update; values near 1.5 cut the iterations
    /// at small ε. The fixed point is the same. Should the error grow for 5 iterations in a row,
    /// the stage continues at ω = 1.
    public var overRelaxation: Double

    public init(epsilon: Double, tolerance: Double = 1e-9, maximumIterations: Int = 100_000, scalingFactor: Double = 0.5,
                overRelaxation: Double = 1) {
        self.overRelaxation = overRelaxation
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
        guard overRelaxation >= 1, overRelaxation < 2 else {
            throw TransportError.invalidParameter("Sinkhorn's over-relaxation is \(overRelaxation); it must lie in [1, 2)")
        }
        guard tolerance > 0 else { throw TransportError.invalidParameter("Sinkhorn's tolerance is \(tolerance); it must be > 0") }
        let a = try normalisedMarginal(a, role: "source")
        let b = try normalisedMarginal(b, role: "target")
        let n = a.count, m = b.count
        try validateCost(cost, rows: n, columns: m)
        var stages: [Double] = []
        if scalingFactor < 1 {
            var e = max(cost.max() ?? 0, epsilon)
            while e > epsilon { stages.append(e); e *= scalingFactor }
        }
        stages.append(epsilon)
        var state = KernelState(a: a, b: b, cost: cost)
        var total = 0, final = 0
        var error = Double.infinity
        for (s, e) in stages.enumerated() {
            let last = s == stages.count - 1
            // Intermediate stages only need to come close: their potentials are a warm start.
            let stageTolerance = last ? tolerance : max(tolerance, 1e-3)
            let cap = last ? maximumIterations : 1_000
            state.absorb(epsilon: e)
            var it = 0, rising = 0
            var omega = overRelaxation
            error = .infinity
            while it < cap {
                guard let measured = state.iterate(tolerance: stageTolerance, overRelaxation: omega) else {
                    // The kernel lost its scale (a row or column underflowed, or the scalings left
                    // [1e-100, 1e100]): fold the scalings into the potentials and rebuild it.
                    state.absorb(epsilon: e)
                    if state.kernelHasEmptyLine() { state.softMinimumStep(epsilon: e) }
                    it += 1
                    continue
                }
                it += 1
                rising = measured > error ? rising + 1 : 0
                if rising >= 5 { omega = 1 }
                error = measured
                if error < stageTolerance { break }
            }
            total += it
            if last { final = it }
        }
        guard error < tolerance else {
            throw TransportError.notConverged(
                "Sinkhorn at ε = \(epsilon) reached a marginal error of \(error) after \(final) iterations; the tolerance is \(tolerance) (raise maximumIterations or ε)")
        }
        let (plan, transport) = state.plan()
        let (f, g) = state.potentials()
        return Solution(sourcePotential: f, targetPotential: g, transportCost: transport, iterations: final,
                        totalIterations: total, marginalError: error, plan: plan)
    }
}
