import Foundation
import Integrators

/// Geometric Brownian motion dX = μX dt + σX dW (diagonal noise, n = 1).
func gbmProblem(mu: Double, sigma: Double, x0: Double = 1, to T: Double = 1, analyticDerivative: Bool = false) -> SDEProblem {
    SDEProblem(
        initial: [x0], timeSpan: 0...T,
        drift: { _, y, dy in dy[0] = mu * y[0] },
        diffusion: { _, y, g in g[0] = sigma * y[0] },
        diffusionDerivative: analyticDerivative ? { _, y, out in out[0] = sigma * sigma * y[0] } : nil)
}

/// Exact GBM value X_T = X0 exp((μ - σ²/2)T + σ W_T).
func gbmExact(mu: Double, sigma: Double, x0: Double = 1, T: Double = 1, w: Double) -> Double {
    x0 * exp((mu - 0.5 * sigma * sigma) * T + sigma * w)
}

/// Two uncoupled Ornstein–Uhlenbeck components with time-dependent additive noise:
/// dX_i = θ_i(μ_i - X_i) dt + σ_i(t) dW_i, σ_i(t) = s_i (1 + t).
struct OUParameters: Sendable {
    var theta: [Double] = [2.0, 1.0]
    var mean: [Double] = [1.0, -0.5]
    var scale: [Double] = [0.8, 0.5]
    var x0: [Double] = [0.0, 1.0]

    func sigma(_ i: Int, _ t: Double) -> Double { scale[i] * (1 + t) }
    func sigmaPrime(_ i: Int, _ t: Double) -> Double { scale[i] }
}

func ouProblem(_ p: OUParameters, to T: Double = 1) -> SDEProblem {
    SDEProblem(
        initial: p.x0, timeSpan: 0...T, noise: .diagonal, isAdditive: true,
        drift: { _, y, dy in
            for i in 0..<2 { dy[i] = p.theta[i] * (p.mean[i] - y[i]) }
        },
        diffusion: { t, _, g in
            for i in 0..<2 { g[i] = p.sigma(i, t) }
        })
}

/// Reference OU solution on the tree's path: the deterministic part exactly, the stochastic integral
/// ∫ φ(s) dW_s with φ(s) = σ(s) e^{-θ(T-s)} by the first-order Taylor rule on a fine grid,
/// Σ φ(a)ΔW + φ'(a)(hΔW - ΔZ) (exact for linear φ; neglected term RMS ≈ |φ''| h² √(T/5)/2 ≈ 1e-6).
func ouReference(_ p: OUParameters, tree: BrownianTree, T: Double = 1, fineSteps: Int = 1024) -> [Double] {
    var result = [Double](repeating: 0, count: 2)
    let h = T / Double(fineSteps)
    var sums = [0.0, 0.0]
    for k in 0..<fineSteps {
        let a = Double(k) * h
        let inc = tree.levyIncrement(from: a, to: k + 1 == fineSteps ? T : a + h)
        for i in 0..<2 {
            let e = exp(-p.theta[i] * (T - a))
            let phi = p.sigma(i, a) * e
            let phiPrime = (p.sigmaPrime(i, a) + p.theta[i] * p.sigma(i, a)) * e
            sums[i] += phi * inc.dW[i] + phiPrime * (h * inc.dW[i] - inc.dZ[i])
        }
    }
    for i in 0..<2 {
        let e = exp(-p.theta[i] * T)
        result[i] = e * p.x0[i] + p.mean[i] * (1 - e) + sums[i]
    }
    return result
}

func sampleMean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }

/// Sample standard deviation.
func sampleStandardDeviation(_ x: [Double]) -> Double {
    let m = sampleMean(x)
    return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)).squareRoot()
}

func sdeFormat(_ x: Double) -> String { String(format: "%.4g", x) }

/// Strong errors E|X_N - X_exact| (mean over paths) for each step count, with standard errors,
/// from fixed-step solves that share each path's Brownian tree (seed = path index + seedOffset).
func strongErrors<M: SDEMethod>(
    _ method: M, problem: SDEProblem, stepCounts: [Int], paths: Int, seedOffset: UInt64 = 0,
    exact: (BrownianTree) -> [Double]
) throws -> (means: [Double], standardErrors: [Double]) {
    var errors = [[Double]](repeating: [], count: stepCounts.count)
    let T = problem.end - problem.start
    for p in 0..<paths {
        let tree = try BrownianTree(
            seed: UInt64(p) + seedOffset, from: problem.start, to: problem.end, dimension: problem.noiseDimension)
        let reference = exact(tree)
        for (level, count) in stepCounts.enumerated() {
            let s = try solve(problem, using: method, step: T / Double(count), brownian: tree, saveAt: .final)
            errors[level].append(zip(s.final, reference).map { abs($0 - $1) }.max()!)
        }
    }
    return (errors.map(sampleMean), errors.map { sampleStandardDeviation($0) / Double($0.count).squareRoot() })
}
