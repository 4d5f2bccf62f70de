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
