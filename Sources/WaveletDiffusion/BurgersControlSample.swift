import Foundation
import Randomness

/// `amplitude · exp(−½((s − centre)/width)²)`.
public struct GaussianBump: Sendable, Equatable {
    public var amplitude: Double
    public var centre: Double
    public var width: Double

    public init(amplitude: Double, centre: Double, width: Double) {
        self.amplitude = amplitude
        self.centre = centre
        self.width = width
    }

    public func callAsFunction(_ s: Double) -> Double {
        let z = (s - centre) / width
        return amplitude * exp(-0.5 * z * z)
    }
}

/// One random draw of the Burgers control benchmark, with the reference generator's
/// distributions: the initial state is two Gaussian bumps (amplitudes U[0, 2] and U[−2, 0],
/// centres U[0.2, 0.4] and U[0.6, 0.8], widths U[0.05, 0.15]); the force is a sum of eight
/// separable space-time Gaussians `A·g(x)·2·h(τ)` on the normalised time `τ = t/T` (amplitudes
/// U[−1.5, 1.5], the last seven switched on with probability ½; centres U[0, 1]; widths
/// U[0.1, 0.4]).
///
/// The draw depends only on its seed (a xoshiro256** stream); a data set draws trajectory `i` from
/// `SplitMix64.derivedSeed(base: seed, index: i)`, so any trajectory can be regenerated alone.
public struct BurgersControlSample: Sendable, Equatable {
    public var initialBumps: [GaussianBump]
    /// The force's terms: space profile and time profile (the time amplitude is the factor 2).
    public var forceTerms: [(space: GaussianBump, time: GaussianBump)]

    public init(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed)
        func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * rng.nextUniform() }
        let c1 = uniform(0.2, 0.4), a1 = uniform(0, 2), s1 = uniform(0.05, 0.15)
        let c2 = uniform(0.6, 0.8), a2 = uniform(-2, 0), s2 = uniform(0.05, 0.15)
        initialBumps = [GaussianBump(amplitude: a1, centre: c1, width: s1), GaussianBump(amplitude: a2, centre: c2, width: s2)]
        forceTerms = (0..<8).map { i in
            let on = i == 0 || rng.next() & 1 == 1
            let amplitude = uniform(-1.5, 1.5) * (on ? 1 : 0)
            let space = GaussianBump(amplitude: amplitude, centre: uniform(0, 1), width: uniform(0.1, 0.4))
            let time = GaussianBump(amplitude: 2, centre: uniform(0, 1), width: uniform(0.1, 0.4))
            return (space, time)
        }
    }

    /// `u0` at the points `x`.
    public func initialState(at x: [Double]) -> [Double] {
        x.map { xi in initialBumps.reduce(0) { $0 + $1(xi) } }
    }

    /// `f` at normalised time `τ` and position `x`.
    public func force(normalisedTime tau: Double, position x: Double) -> Double {
        forceTerms.reduce(0) { $0 + $1.space(x) * $1.time(tau) }
    }

    /// The control on a setup's grid: row `k` is the force at the middle of interval `k`
    /// (`τ = (k + ½)/intervals`) at the data points; `intervals × points`, row-major.
    public func control(for setup: BurgersControlSetup) -> [Double] {
        let x = setup.pointPositions
        return (0..<setup.intervals).flatMap { k in
            let tau = (Double(k) + 0.5) / Double(setup.intervals)
            return x.map { force(normalisedTime: tau, position: $0) }
        }
    }

    public static func == (a: BurgersControlSample, b: BurgersControlSample) -> Bool {
        a.initialBumps == b.initialBumps && a.forceTerms.count == b.forceTerms.count
            && zip(a.forceTerms, b.forceTerms).allSatisfy { $0.space == $1.space && $0.time == $1.time }
    }
}
