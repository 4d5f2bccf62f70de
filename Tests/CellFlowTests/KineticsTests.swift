import CellFlow
import Foundation
import Integrators
import Randomness
import Testing

/// Matrix exponential, the compartment chain against the compartment ODEs (integrator core),
/// and the input function.
@Suite struct KineticsTests {
    @Test func matrixExponentialMatchesClosedForms() throws {
        // Rotation generator: exp([[0, −θ], [θ, 0]]) = [[cos θ, −sin θ], [sin θ, cos θ]].
        for theta in [0.1, 1.0, 7.5, 40.0] {
            let r = try matrixExponential([0, -theta, theta, 0], dimension: 2)
            let expected = [cos(theta), -sin(theta), sin(theta), cos(theta)]
            for (a, b) in zip(r, expected) { #expect(abs(a - b) < 1e-12 * max(1, theta)) }
        }
        // Two-state chain a: 0→1, b: 1→0: P₀₀(t) = (b + a e^{−(a+b)t})/(a+b).
        let (a, b, t) = (0.7, 0.2, 3.0)
        let p = try matrixExponential([-a * t, a * t, b * t, -b * t], dimension: 2)
        #expect(abs(p[0] - (b + a * exp(-(a + b) * t)) / (a + b)) < 1e-14)
        #expect(abs(p[0] + p[1] - 1) < 1e-14 && abs(p[2] + p[3] - 1) < 1e-14)
        // Diagonal and zero.
        let d = try matrixExponential([1, 0, 0, 0, -2, 0, 0, 0, 30], dimension: 3)
        #expect(abs(d[0] - M_E) < 1e-14 && abs(d[4] - exp(-2)) < 1e-15 && abs(d[8] - exp(30)) < 1e-13 * exp(30))
        let identity = try matrixExponential([0, 0, 0, 0], dimension: 2)
        #expect(zip(identity, [1.0, 0, 0, 1]).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(throws: NetworkError.self) { try matrixExponential([1, 2, 3], dimension: 2) }
    }

    /// Cells stepped with P = exp(QΔt) against dp/dt = p Q solved by Tsit5: within 3 standard errors at every saved time.
    @Test func stochasticOccupancyMatchesCompartmentODEs() throws {
        let rates = CompartmentRates(K1: 0.4134, k2: 0.5089, k3: 0.0129, k4: 0.002)   // liver, with a small k4
        let elimination = 0.05
        let dt = 0.1 * 60  // 6 s steps, so 400 steps cover 40 min
        let chain = try CompartmentChain(rates: rates, elimination: elimination, step: dt)
        let cells = 20_000, steps = 400, every = 20
        var counts = [[Int]](repeating: [0, 0, 0, 0], count: steps / every + 1)
        for cell in 0..<cells {
            var rng = Xoshiro256StarStar(seed: SplitMix64.hash(17, UInt64(cell)))
            var state = CompartmentChain.State.blood
            for step in 0...steps {
                if step % every == 0 { counts[step / every][state.rawValue] += 1 }
                state = chain.next(from: state, uniform: rng.nextUniform())
            }
        }
        // Kolmogorov forward equations in minutes.
        let q = CompartmentChain.generator(rates: rates, elimination: elimination)
        let problem = ODEProblem(initial: [1, 0, 0, 0], timeSpan: 0...(Double(steps) * dt / 60)) { _, p, dp in
            for j in 0..<4 {
                var sum = 0.0
                for i in 0..<4 { sum += p[i] * q[i * 4 + j] }
                dp[j] = sum
            }
        }
        let times = (0...(steps / every)).map { Double($0 * every) * dt / 60 }
        let solution = try solve(problem, using: Tsit5(), tolerance: Tolerance(relative: 1e-10, absolute: 1e-12), saveAt: .times(times))
        var worst = 0.0
        for (k, _) in times.enumerated() {
            for state in 0..<4 {
                let p = solution.stateStorage[k * 4 + state]
                let observed = Double(counts[k][state]) / Double(cells)
                let standardError = max((p * (1 - p) / Double(cells)).squareRoot(), 1 / Double(cells))
                worst = max(worst, abs(observed - p) / standardError)
                #expect(abs(observed - p) <= 3 * standardError, "t = \(times[k]) min, state \(state): \(observed) vs \(p)")
            }
        }
        #expect(worst > 0)  // the comparison is not vacuous
        // Something happened: tissue uptake and elimination are visible at the end.
        let last = solution.stateStorage.suffix(4)
        #expect(Array(last)[2] > 0.05 && Array(last)[1] > 0.3)
    }

    @Test func inputFunctionReleasesCellsAsItsIntegral() {
        let input = InputFunction()
        #expect(input.value(atMinutes: 0.5) == 0)
        #expect(abs(input.value(atMinutes: 0.905) - (767.3 + 27.43 + 29.13)) < 1e-9)
        // The closed-form integral against the trapezoid rule.
        var trapezoid = 0.0
        let n = 200_000, h = 60.0 / Double(n)
        for i in 0..<n { trapezoid += 0.5 * h * (input.value(atMinutes: Double(i) * h) + input.value(atMinutes: Double(i + 1) * h)) }
        #expect(abs(trapezoid - input.integral(toMinutes: 60)) < 1e-3 * trapezoid)
        // Inverse-CDF release times reproduce the released fraction.
        var rng = Xoshiro256StarStar(seed: 5)
        let times = (0..<20_000).map { _ in input.releaseTime(uniform: rng.nextUniform()) }
        for t in [60.0, 90, 300, 1000] {
            let observed = Double(times.filter { $0 <= t }.count) / 20_000
            let expected = input.releasedFraction(atSeconds: t)
            #expect(abs(observed - expected) <= 3 * (expected * (1 - expected) / 20_000).squareRoot() + 1e-4, "t = \(t): \(observed) vs \(expected)")
        }
        #expect(times.allSatisfy { $0 >= 0.905 * 60 - 1e-6 })
    }
}
