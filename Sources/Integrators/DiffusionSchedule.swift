import Foundation

/// The noise schedule of a variance-preserving diffusion in continuous time `t ∈ [0, 1]`:
/// `x_t = α(t) x_0 + σ(t) ε` with `α² + σ² = 1`, the forward SDE `dx = f(t) x dt + g(t) dW`
/// with `f = d log α/dt` and `g² = −2f`, and the half log signal-to-noise ratio
/// `λ(t) = log(α/σ)` (decreasing in `t`) that the exponential samplers step in.
public struct DiffusionSchedule: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Nichol & Dhariwal's cosine schedule, `ᾱ(t) = cos²(((t + s)/(1 + s))·π/2) / cos²((s/(1 + s))·π/2)`.
        case cosine(offset: Double)
        /// The linear VP schedule of Song et al., `β(t) = β_min + t (β_max − β_min)`.
        case linear(betaMin: Double, betaMax: Double)
    }

    public let kind: Kind

    /// The cosine schedule with `s = 0.008` (the improved-DDPM value, used by the WDNO paper).
    public static let cosine = DiffusionSchedule(kind: .cosine(offset: 0.008))
    /// The linear VP schedule with `β ∈ [0.1, 20]`.
    public static let linearVP = DiffusionSchedule(kind: .linear(betaMin: 0.1, betaMax: 20))

    public init(kind: Kind) { self.kind = kind }

    /// `log α(t)`.
    public func logAlpha(_ t: Double) -> Double {
        switch kind {
        case .cosine(let s):
            let theta = (t + s) / (1 + s) * Double.pi / 2, theta0 = s / (1 + s) * Double.pi / 2
            return log(cos(theta) / cos(theta0))
        case let .linear(b0, b1):
            return -0.25 * t * t * (b1 - b0) - 0.5 * t * b0
        }
    }

    /// `α(t)`, the signal scale.
    public func alpha(_ t: Double) -> Double { exp(logAlpha(t)) }
    /// `σ(t) = √(1 − α²)`, the noise scale.
    public func sigma(_ t: Double) -> Double { (-expm1(2 * logAlpha(t))).squareRoot() }
    /// `λ(t) = log(α/σ)`.
    public func lambda(_ t: Double) -> Double { logAlpha(t) - 0.5 * log(-expm1(2 * logAlpha(t))) }
    /// The drift coefficient `f(t) = d log α/dt` (negative).
    public func drift(_ t: Double) -> Double {
        switch kind {
        case .cosine(let s):
            return -Double.pi / (2 * (1 + s)) * tan((t + s) / (1 + s) * Double.pi / 2)
        case let .linear(b0, b1):
            return -0.5 * (b0 + t * (b1 - b0))
        }
    }
    /// The squared diffusion coefficient `g²(t) = −2 f(t)`.
    public func diffusionSquared(_ t: Double) -> Double { -2 * drift(t) }

    /// The time at which `λ(t) = λ` (the schedule's inverse), by bisection on `[0, 1)` for the
    /// linear kind and in closed form for the cosine kind.
    public func time(atLambda l: Double) -> Double {
        // ᾱ = sigmoid(2λ).
        let alphaBar = 1 / (1 + exp(-2 * l))
        switch kind {
        case .cosine(let s):
            let theta0 = s / (1 + s) * Double.pi / 2
            return acos(alphaBar.squareRoot() * cos(theta0)) * 2 / Double.pi * (1 + s) - s
        case .linear:
            var (lo, hi) = (0.0, 1.0)
            for _ in 0..<200 {
                let mid = 0.5 * (lo + hi)
                if lambda(mid) > l { lo = mid } else { hi = mid }
            }
            return 0.5 * (lo + hi)
        }
    }
}
