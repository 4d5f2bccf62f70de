import Foundation

/// The arterial input function that paces the release of injected cells into the blood: a
/// shifted sum of three exponentials (CeFloPS's averaged FDG input),
///
///     c(t) = 0 for t < t₀,   c(t) = Σᵢ Aᵢ exp(λᵢ (t − t₀)) for t ≥ t₀,   t in minutes,
///
/// with t₀ = 0.905 min, A = (767.3, 27.43, 29.13), λ = (−4.195, −0.232, −0.0165) per min.
/// Release times are drawn from `c` normalised over `0 ... horizon` (CeFloPS: 60 min) by
/// inverse-CDF sampling on a fine grid, so the fraction of cells in the blood rises as the
/// input function's integral.
public struct InputFunction: Sendable, Equatable {
    public var delay: Double
    public var amplitudes: [Double]
    public var exponents: [Double]
    /// Normalisation window, minutes.
    public var horizon: Double

    public init(delay: Double = 0.905, amplitudes: [Double] = [767.3, 27.43, 29.13],
                exponents: [Double] = [-4.195, -0.232, -0.0165], horizon: Double = 60) {
        self.delay = delay
        self.amplitudes = amplitudes
        self.exponents = exponents
        self.horizon = horizon
    }

    /// c(t), t in minutes.
    public func value(atMinutes t: Double) -> Double {
        guard t >= delay else { return 0 }
        var sum = 0.0
        for (a, l) in zip(amplitudes, exponents) { sum += a * exp(l * (t - delay)) }
        return sum
    }

    /// ∫₀ᵗ c, t in minutes (closed form).
    public func integral(toMinutes t: Double) -> Double {
        guard t > delay else { return 0 }
        var sum = 0.0
        for (a, l) in zip(amplitudes, exponents) { sum += a / l * (exp(l * (t - delay)) - 1) }
        return sum
    }

    /// Fraction of cells released by `t` seconds.
    public func releasedFraction(atSeconds t: Double) -> Double {
        min(1, integral(toMinutes: t / 60) / integral(toMinutes: horizon))
    }

    /// The release time, in seconds, of a cell with uniform variate `u ∈ [0, 1)` (inverse CDF by bisection).
    public func releaseTime(uniform u: Double) -> Double {
        let target = u * integral(toMinutes: horizon)
        var lo = delay, hi = horizon
        for _ in 0..<60 {
            let mid = 0.5 * (lo + hi)
            if integral(toMinutes: mid) < target { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi) * 60
    }
}
