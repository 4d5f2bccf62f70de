// The two processes that turn noise into samples of a diffusion model, as problems for the
// integrator core: the probability-flow ODE (deterministic: any ODE method, including the
// exponential samplers DDIM and DPM-Solver++(2M)) and the reverse-time SDE (any SDE method).
// Both are written with the model's noise prediction ε̂(x, t) (the network of an ε-prediction
// DDPM), from which the score is ∇log p_t(x) = −ε̂/σ(t).

/// The model's noise prediction `ε̂(t, x)`: writes `n` values into `out` for the state `x` at
/// diffusion time `t`.
public typealias NoisePrediction = (_ t: Double, _ x: UnsafeBufferPointer<Double>, _ out: UnsafeMutableBufferPointer<Double>) -> Void

extension DiffusionSchedule {
    /// The probability-flow ODE `dx/dt = f(t) x + g²(t) ε̂(t, x) / (2σ(t))`, integrated backwards
    /// from `start` (near 1: noise) to `end` (near 0: data) from `initial`. Its solution has the
    /// marginals of the diffusion, so an exact `ε̂` maps samples of `p_start` to samples of `p_end`.
    public func probabilityFlow(initial: [Double], from start: Double, to end: Double,
                                noisePrediction epsilon: @escaping NoisePrediction) -> ODEProblem {
        let schedule = self
        return ODEProblem(initial: initial, from: start, to: end) { t, x, dx in
            epsilon(t, x, dx)
            let (f, scale) = (schedule.drift(t), schedule.diffusionSquared(t) / (2 * schedule.sigma(t)))
            for i in 0..<x.count { dx[i] = f * x[i] + scale * dx[i] }
        }
    }

    /// The reverse-time SDE in the running time `τ = start − t` (so the core integrates it
    /// forwards): `dx = [−f(t) x − g²(t) ε̂(t, x)/σ(t)] dτ + g(t) dW̄`, from `initial` at
    /// `t = start` to `t = end`, diagonal additive noise.
    public func reverseSDE(initial: [Double], from start: Double, to end: Double,
                           noisePrediction epsilon: @escaping NoisePrediction) -> SDEProblem {
        let schedule = self
        return SDEProblem(
            initial: initial, from: 0, to: start - end, noise: .diagonal, isAdditive: true,
            drift: { tau, x, dx in
                let t = start - tau
                epsilon(t, x, dx)
                let (f, scale) = (schedule.drift(t), schedule.diffusionSquared(t) / schedule.sigma(t))
                for i in 0..<x.count { dx[i] = -f * x[i] - scale * dx[i] }
            },
            diffusion: { tau, x, g in
                let value = schedule.diffusionSquared(start - tau).squareRoot()
                for i in 0..<x.count { g[i] = value }
            })
    }
}

/// Ancestral DDPM sampling (Ho et al. 2020) as an SDE method of the core, for the reverse-time
/// SDE of ``DiffusionSchedule/reverseSDE(initial:from:to:noisePrediction:)`` started at diffusion
/// time `start`: a step from `t` to `s < t` (running time `τ → τ + h`) draws `x_s` from the
/// Gaussian posterior `q(x_s | x_t, x̂₀)` of the forward process given the data prediction
/// `x̂₀ = (x_t − σ_t ε̂)/α_t`,
///
///     x_s = (α_s σ²_{t|s}/σ_t²) x̂₀ + (α_{t|s} σ_s²/σ_t²) x_t + (σ_{t|s} σ_s/σ_t) z,
///     α_{t|s} = α_t/α_s,  σ²_{t|s} = σ_t² − α²_{t|s} σ_s²,  z = ΔW/√h,
///
/// with `ε̂` recovered from the problem's drift. One drift and one diffusion call a step; fixed steps.
public struct AncestralSampling: SDEMethod {
    public let schedule: DiffusionSchedule
    /// The diffusion time at running time 0 (the reverse SDE's `start`).
    public let start: Double

    public init(schedule: DiffusionSchedule = .cosine, start: Double) {
        self.schedule = schedule
        self.start = start
    }

    public var name: String { "AncestralDDPM" }
    public var strongOrder: Double { 0.5 }
    public var requiresAdditiveNoise: Bool { true }

    @inlinable
    public func _step(_ w: SDEWorkspace, t tau: Double, h: Double, estimateError: Bool) -> Double {
        let (t, s) = (start - tau, start - tau - h)
        let (alphaT, sigmaT, alphaS, sigmaS) = (schedule.alpha(t), schedule.sigma(t), schedule.alpha(s), schedule.sigma(s))
        let alphaTS = alphaT / alphaS
        let sigmaTS2 = Swift.max(0, sigmaT * sigmaT - alphaTS * alphaTS * sigmaS * sigmaS)
        let (dataWeight, stateWeight) = (alphaS * sigmaTS2 / (sigmaT * sigmaT), alphaTS * sigmaS * sigmaS / (sigmaT * sigmaT))
        let spread = sigmaTS2.squareRoot() * sigmaS / sigmaT
        let (drift, toNoise) = (schedule.drift(t), -sigmaT / schedule.diffusionSquared(t))
        w.f(tau, w.y, into: w.f1)
        w.g(tau, w.y, into: w.g1)  // counted like the other methods (its value is the schedule's g)
        let root = h.squareRoot()
        for i in 0..<w.n {
            let epsilon = (w.f1[i] + drift * w.y[i]) * toNoise
            let data = (w.y[i] - sigmaT * epsilon) / alphaT
            w.yNew[i] = dataWeight * data + stateWeight * w.y[i] + spread * w.dW[w.noiseIndex(i)] / root
        }
        return 0
    }
}
