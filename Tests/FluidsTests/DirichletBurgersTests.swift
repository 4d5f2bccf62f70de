import Foundation
import Fluids
import Integrators
import Spectral
import Testing

/// Modified Bessel function I_n(c) by its power series (all terms positive; c ≲ 20 here).
func besselI(_ n: Int, _ c: Double) -> Double {
    var term = pow(c / 2, Double(n)) / tgamma(Double(n + 1))
    var sum = term
    for k in 1..<200 {
        term *= (c / 2) * (c / 2) / (Double(k) * Double(k + n))
        sum += term
        if term < 1e-18 * sum { break }
    }
    return sum
}

/// Cole–Hopf: u0 = sin(πx) with u = 0 at the walls gives
/// u = 4πν Σ n I_n(c) e^{−νn²π²t} sin(nπx) / (I_0(c) + 2 Σ I_n(c) e^{−νn²π²t} cos(nπx)), c = 1/(2πν).
func coleHopf(viscosity nu: Double, time t: Double, at x: [Double]) -> [Double] {
    let c = 1 / (2 * Double.pi * nu)
    let terms = (1...80).map { n in besselI(n, c) * exp(-nu * Double(n * n) * Double.pi * Double.pi * t) }
    let i0 = besselI(0, c)
    return x.map { xi in
        var numerator = 0.0, denominator = i0
        for (i, a) in terms.enumerated() {
            let n = Double(i + 1)
            numerator += n * a * sin(n * Double.pi * xi)
            denominator += 2 * a * cos(n * Double.pi * xi)
        }
        return 4 * Double.pi * nu * numerator / denominator
    }
}

@Suite struct DirichletBurgersTests {
    @Test func sineTransformsInvertAndDifferentiate() throws {
        let t = SineTransform(count: 15)
        let b = (1...15).map { 1 / Double($0 * $0) }
        let u = t.values(of: b)
        let direct = SineTransform.evaluate(b, at: t.points)
        #expect(zip(u, direct).allSatisfy { abs($0 - $1) < 1e-13 })
        #expect(zip(t.coefficients(of: u), b).allSatisfy { abs($0 - $1) < 1e-14 })
        var du = [Double](repeating: 0, count: 15)
        b.withUnsafeBufferPointer { t.derivativeValues(of: $0.baseAddress!, into: &du) }
        let exact: [Double] = t.points.map { (x: Double) -> Double in
            var sum = 0.0
            for k in 1...15 {
                let wave = Double(k) * Double.pi
                sum += wave * b[k - 1] * cos(wave * x)
            }
            return sum
        }
        #expect(zip(du, exact).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    /// The unforced solution from sin(πx) against the Cole–Hopf series, and its spectral convergence.
    @Test func unforcedMatchesColeHopfWithSpectralConvergence() throws {
        let (nu, t) = (0.05, 0.4)
        var errors: [Double] = []
        for modes in [15, 31, 63, 95] {
            let burgers = try DirichletBurgers(modes: modes, viscosity: nu)
            let solution = try burgers.solve(initial: burgers.coefficients { sin(Double.pi * $0) }, times: [t], step: 1e-3)
            let exact = coleHopf(viscosity: nu, time: t, at: burgers.points)
            errors.append(zip(solution.profile(at: 0), exact).map { abs($0 - $1) }.max()!)
        }
        print("DIRICHLET BURGERS: Cole-Hopf errors at N = 15, 31, 63, 95: \(errors)")
        #expect(errors[3] < 1e-8)
        #expect(errors[0] / errors[1] > 30 && errors[1] / errors[2] > 30)
    }

    /// A forced case against second-order finite differences on 255 and 511 interior points
    /// (Richardson-extrapolated), both solved with tight Tsit5.
    @Test func forcedMatchesFiniteDifferences() throws {
        let nu = 0.01
        let forcing: @Sendable (Double, Double) -> Double = { t, x in
            1.2 * exp(-0.5 * pow((x - 0.35) / 0.1, 2)) * exp(-0.5 * pow((t - 0.3) / 0.2, 2))
        }
        let initial: (Double) -> Double = { x in sin(Double.pi * x) - 0.6 * sin(2 * Double.pi * x) + 0.3 * sin(5 * Double.pi * x) }
        let burgers = try DirichletBurgers(modes: 255, viscosity: nu)
        func finiteDifferences(_ m: Int) throws -> [Double] {
            let dx = 1 / Double(m + 1)
            let x = (1...m).map { Double($0) * dx }
            let problem = ODEProblem(initial: x.map(initial), from: 0, to: 0.6) { t, u, du in
                for j in 0..<m {
                    let left = j > 0 ? u[j - 1] : 0, right = j < m - 1 ? u[j + 1] : 0
                    du[j] = nu * (right - 2 * u[j] + left) / (dx * dx) - (right * right - left * left) / (4 * dx) + forcing(t, x[j])
                }
            }
            return try solve(problem, using: Tsit5(), tolerance: Tolerance(relative: 1e-11, absolute: 1e-12), saveAt: .final).final
        }
        let coarse = try finiteDifferences(255), fine = try finiteDifferences(511)
        // Points j/256 are the coarse grid and every other fine point.
        let extrapolated: [Double] = (0..<255).map { (j: Int) -> Double in (4 * fine[2 * j + 1] - coarse[j]) / 3 }
        let xs = (1...255).map { Double($0) / 256 }
        let spectral = try burgers.solve(initial: burgers.coefficients(of: initial), times: [0.6], step: 2e-4, forcing: forcing, at: xs)
        let differenceFine = (0..<255).map { abs(spectral.values[$0] - fine[2 * $0 + 1]) }.max()!
        let differenceExtrapolated = zip(spectral.values, extrapolated).map { abs($0 - $1) }.max()!
        print("DIRICHLET BURGERS: forced, spectral vs FD 511: \(differenceFine), vs Richardson (255, 511): \(differenceExtrapolated)")
        #expect(differenceFine < 1e-3)
        #expect(differenceExtrapolated < differenceFine / 10)
    }

    /// The adjoint gradient of the final-state cost with respect to a piecewise-constant force
    /// against central differences of the solver itself.
    @Test func adjointGradientMatchesFiniteDifferences() throws {
        let burgers = try DirichletBurgers(modes: 31, viscosity: 0.05)
        let x = burgers.points
        let initial = burgers.coefficients { sin(Double.pi * $0) + 0.5 * sin(3 * Double.pi * $0) }
        let rows = (0..<4).map { k in x.map { 0.8 * sin(2 * Double.pi * $0 + Double(k)) } }
        let targetPoints = (0..<8).map { Double($0 + 1) / 9 }, target = targetPoints.map { 0.3 * sin(Double.pi * $0) }
        let (interval, step) = (0.1, 0.001)
        let result = try burgers.adjointGradient(initial: initial, piecewiseForcing: rows, interval: interval, step: step,
                                                 target: target, targetPoints: targetPoints)
        func cost(_ forcing: [[Double]]) throws -> Double {
            let final = try burgers.solve(initial: initial, piecewiseForcing: forcing, interval: interval, step: step, at: targetPoints)
            return zip(final.profile(at: 4), target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 8
        }
        #expect(abs(try cost(rows) - result.cost) < 1e-12)
        var worst = 0.0, scale = 0.0
        for (k, j) in [(0, 3), (1, 10), (2, 17), (3, 25), (3, 5), (0, 28)] {
            var plus = rows, minus = rows
            plus[k][j] += 1e-4
            minus[k][j] -= 1e-4
            let numeric = (try cost(plus) - cost(minus)) / 2e-4
            worst = max(worst, abs(numeric - result.gradient[k][j]))
            scale = max(scale, abs(numeric))
        }
        print("DIRICHLET BURGERS: adjoint gradient vs central differences: max difference \(worst), scale \(scale)")
        #expect(scale > 1e-4 && worst < 1e-3 * scale)
    }

    @Test func badInputIsRefused() throws {
        #expect(throws: FluidsError.self) { try DirichletBurgers(modes: 2, viscosity: 0.01) }
        #expect(throws: FluidsError.self) { try DirichletBurgers(modes: 16, viscosity: -1) }
        let b = try DirichletBurgers(modes: 16, viscosity: 0.01)
        #expect(throws: FluidsError.self) { try b.solve(initial: [1, 2], times: [1], step: 0.01) }
        #expect(throws: FluidsError.self) { try b.solve(initial: [Double](repeating: 0, count: 16), times: [1, 0.5], step: 0.01) }
        #expect(throws: FluidsError.self) { try b.solve(initial: [Double](repeating: 0, count: 16), times: [1], step: 0) }
    }
}
