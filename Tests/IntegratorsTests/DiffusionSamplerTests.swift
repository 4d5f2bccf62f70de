import Foundation
import Integrators
import Randomness
import Testing

/// A 2-D Gaussian mixture whose diffused marginals, score and noise prediction are exact:
/// p_t = Σ w_k N(α μ_k, (α² s_k² + σ²) I).
struct ExactMixture {
    let weights = [0.5, 0.3, 0.2]
    let means: [[Double]] = [[-2, 0], [2, 1], [0, -2.5]]
    let scales = [0.5, 0.4, 0.6]
    let schedule = DiffusionSchedule.cosine

    /// ε̂(t, x) = −σ ∇log p_t(x).
    func noisePrediction(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ out: UnsafeMutableBufferPointer<Double>) {
        let (a, s) = (schedule.alpha(t), schedule.sigma(t))
        var logs = [Double](repeating: 0, count: 3), grads = [[Double]](repeating: [0, 0], count: 3)
        for k in 0..<3 {
            let v = a * a * scales[k] * scales[k] + s * s
            let d = [x[0] - a * means[k][0], x[1] - a * means[k][1]]
            logs[k] = log(weights[k]) - (d[0] * d[0] + d[1] * d[1]) / (2 * v) - log(v)
            grads[k] = [-d[0] / v, -d[1] / v]
        }
        let top = logs.max()!
        let r = logs.map { exp($0 - top) }
        let total = r.reduce(0, +)
        for i in 0..<2 { out[i] = -s * (0..<3).reduce(0) { $0 + r[$1] * grads[$1][i] } / total }
    }

    /// Exact samples of p_t.
    func samples(_ count: Int, at t: Double, seed: UInt64) -> [[Double]] {
        var rng = Xoshiro256StarStar(seed: seed)
        let (a, s) = (schedule.alpha(t), schedule.sigma(t))
        return (0..<count).map { _ in
            let u = rng.nextUniform()
            let k = u < weights[0] ? 0 : u < weights[0] + weights[1] ? 1 : 2
            let sd = (a * a * scales[k] * scales[k] + s * s).squareRoot()
            return [a * means[k][0] + sd * rng.nextNormal(), a * means[k][1] + sd * rng.nextNormal()]
        }
    }

    var epsilon: NoisePrediction { { t, x, out in self.noisePrediction(t, x, out) } }
}

/// Unbiased MMD² with the RBF kernel exp(−|x − y|²/2).
func mmdSquared(_ x: [[Double]], _ y: [[Double]]) -> Double {
    func k(_ a: [Double], _ b: [Double]) -> Double { exp(-0.5 * ((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]))) }
    var xx = 0.0, yy = 0.0, xy = 0.0
    for i in x.indices { for j in x.indices where j != i { xx += k(x[i], x[j]) } }
    for i in y.indices { for j in y.indices where j != i { yy += k(y[i], y[j]) } }
    for a in x { for b in y { xy += k(a, b) } }
    let (m, n) = (Double(x.count), Double(y.count))
    return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n)
}

@Suite("Diffusion samplers")
struct DiffusionSamplerTests {
    static let (start, end) = (0.95, 1e-3)

    @Test func scheduleIdentities() {
        for schedule in [DiffusionSchedule.cosine, .linearVP] {
            for t in [0.01, 0.3, 0.7, 0.95] {
                let (a, s) = (schedule.alpha(t), schedule.sigma(t))
                #expect(abs(a * a + s * s - 1) < 1e-14)
                #expect(abs(schedule.time(atLambda: schedule.lambda(t)) - t) < 1e-9, "\(schedule.kind) t = \(t)")
                let h = 1e-6
                let fd = (schedule.logAlpha(t + h) - schedule.logAlpha(t - h)) / (2 * h)
                #expect(abs(fd - schedule.drift(t)) < 1e-6 * max(1, abs(fd)))
            }
        }
    }

    /// DDIM converges with order 1 and DPM-Solver++(2M) with order 2 to the exact probability-flow
    /// map (a Verner7 solve at rtol 1e-12), one model evaluation per step.
    @Test func deterministicSamplersReachTheirOrders() throws {
        let mixture = ExactMixture()
        let starts = mixture.samples(12, at: Self.start, seed: 1)
        func endStates(_ solve1: (ODEProblem) throws -> ODESolution) throws -> [[Double]] {
            try starts.map { x in
                try solve1(mixture.schedule.probabilityFlow(initial: x, from: Self.start, to: Self.end, noisePrediction: mixture.epsilon)).final
            }
        }
        let reference = try endStates { try solve($0, using: Verner7(), tolerance: Tolerance(relative: 1e-12, absolute: 1e-12), saveAt: .final) }
        var orders: [String: Double] = [:]
        for (name, method) in [("DDIM", 1), ("DPMSolver++2M", 2)] {
            var errors: [Double] = []
            for steps in [25, 50, 100, 200] {
                let h = (Self.start - Self.end) / Double(steps)
                let ends = try endStates { problem in
                    let s = method == 1
                        ? try solve(problem, using: DDIM(), saveAt: .final, controller: FixedStep(h))
                        : try solve(problem, using: DPMSolverPlusPlus2M(), saveAt: .final, controller: FixedStep(h))
                    #expect(s.statistics.rhsEvaluations == steps + 1)
                    return s
                }
                errors.append(zip(ends, reference).map { a, b in max(abs(a[0] - b[0]), abs(a[1] - b[1])) }.max()!)
            }
            let order = log2(errors[2] / errors[3])
            orders[name] = order
            print("DIFFUSION SAMPLER \(name): errors \(errors), orders \((0..<3).map { log2(errors[$0] / errors[$0 + 1]) })")
        }
        #expect(abs(orders["DDIM"]! - 1) < 0.25, "DDIM order \(orders["DDIM"]!)")
        #expect(abs(orders["DPMSolver++2M"]! - 2) < 0.3, "DPM-Solver++(2M) order \(orders["DPMSolver++2M"]!)")
    }

    /// Samples from the exact p_start pushed through the probability-flow ODE (adaptive Tsit5) and
    /// through the reverse SDE (Euler–Maruyama) against exact samples of p_end: the MMD² falls to
    /// the sampling noise as the SDE's steps are refined.
    @Test func samplesMatchTheExactDistribution() throws {
        let mixture = ExactMixture()
        let count = 300
        let starts = mixture.samples(count, at: Self.start, seed: 2)
        let exact = mixture.samples(count, at: Self.end, seed: 3)
        let flow = try starts.map { x in
            try solve(mixture.schedule.probabilityFlow(initial: x, from: Self.start, to: Self.end, noisePrediction: mixture.epsilon),
                      using: Tsit5(), tolerance: Tolerance(relative: 1e-6, absolute: 1e-6), saveAt: .final).final
        }
        let noiseFloor = abs(mmdSquared(mixture.samples(count, at: Self.end, seed: 4), exact))
        let flowDistance = mmdSquared(flow, exact)
        var sdeDistances: [Double] = []
        for steps in [4, 16, 128] {
            let h = (Self.start - Self.end) / Double(steps)
            let finals = try starts.enumerated().map { i, x in
                try solve(mixture.schedule.reverseSDE(initial: x, from: Self.start, to: Self.end, noisePrediction: mixture.epsilon),
                          using: EulerMaruyama(), step: h, seed: UInt64(1000 + i), saveAt: .final).final
            }
            sdeDistances.append(mmdSquared(finals, exact))
        }
        var ancestralDistances: [Double] = [], ddimDistances: [Double] = []
        for steps in [4, 16, 128] {
            let h = (Self.start - Self.end) / Double(steps)
            let ancestral = try starts.enumerated().map { i, x in
                try solve(mixture.schedule.reverseSDE(initial: x, from: Self.start, to: Self.end, noisePrediction: mixture.epsilon),
                          using: AncestralSampling(start: Self.start), step: h, seed: UInt64(5000 + i), saveAt: .final).final
            }
            ancestralDistances.append(mmdSquared(ancestral, exact))
            let ddim = try starts.map { x in
                try solve(mixture.schedule.probabilityFlow(initial: x, from: Self.start, to: Self.end, noisePrediction: mixture.epsilon),
                          using: DDIM(), saveAt: .final, controller: FixedStep(h)).final
            }
            ddimDistances.append(mmdSquared(ddim, exact))
        }
        print("DIFFUSION SAMPLES: MMD^2 noise floor \(noiseFloor), probability flow (Tsit5) \(flowDistance), reverse SDE (EM, 4/16/128 steps) \(sdeDistances), ancestral DDPM \(ancestralDistances), DDIM \(ddimDistances)")
        #expect(flowDistance < 5 * noiseFloor + 2e-3)
        for distances in [sdeDistances, ancestralDistances, ddimDistances] {
            #expect(distances[0] > distances[2])
            #expect(distances[2] < 5 * noiseFloor + 2e-3)
        }
    }

    @Test func multistepHistoryResumesBitIdenticallyAndBadSpansAreRefused() throws {
        let mixture = ExactMixture()
        let problem = mixture.schedule.probabilityFlow(initial: [0.3, -0.7], from: Self.start, to: Self.end, noisePrediction: mixture.epsilon)
        let h = 0.01
        var whole = try ODEIntegrator(problem, using: DPMSolverPlusPlus2M(), saveAt: .final, controller: FixedStep(h))
        try whole.finish()
        var first = try ODEIntegrator(problem, using: DPMSolverPlusPlus2M(), saveAt: .final, controller: FixedStep(h))
        try first.advance(to: 0.5)
        var resumed = try ODEIntegrator(problem, using: DPMSolverPlusPlus2M(), saveAt: .final, controller: FixedStep(h))
        try resumed.restore(first.snapshot())
        try resumed.finish()
        #expect(resumed.state.map(\.bitPattern) == whole.state.map(\.bitPattern))
        let forwards = mixture.schedule.probabilityFlow(initial: [0, 0], from: 0.1, to: 0.9, noisePrediction: mixture.epsilon)
        #expect(throws: IntegrationError.self) { try solve(forwards, using: DDIM(), controller: FixedStep(0.1)) }
        let toZero = mixture.schedule.probabilityFlow(initial: [0, 0], from: 0.9, to: 0, noisePrediction: mixture.epsilon)
        #expect(throws: IntegrationError.self) { try solve(toZero, using: DDIM(), controller: FixedStep(0.1)) }
    }
}
