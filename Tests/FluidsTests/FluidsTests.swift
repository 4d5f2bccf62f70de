import Fluids
import Foundation
import Integrators
import Testing

/// The pseudo-spectral solvers against exact solutions, conservation laws and convergence.
@Suite struct FluidsTests {
    static func grid(_ n: Int) -> [Double] { (0..<n).map { 2 * Double.pi * Double($0) / Double(n) } }

    @Test func taylorGreenDecaysAtTheViscousRate() {
        // ω = 2k² sin(kx) sin(ky) is a steady Euler flow (ω ∝ ψ): with viscosity and drag
        // it decays as exp(−(2νk² + α) t).
        let (n, k, nu, alpha) = (32, 2.0, 0.01, 0.1)
        let solver = VorticityNavierStokes2D(n: n, viscosity: nu, drag: alpha)
        let x = Self.grid(n)
        var omega0 = [Double](repeating: 0, count: n * n)
        for row in 0..<n { for col in 0..<n { omega0[row * n + col] = 2 * k * k * sin(k * x[col]) * sin(k * x[row]) } }
        var state = solver.spectrum(ofVorticity: omega0)
        let h = 0.01
        solver.advance(&state, steps: 1000, with: solver.stepper(step: h))
        let decay = exp(-(2 * nu * k * k + alpha) * 10)
        let omega = solver.vorticity(state)
        let error = zip(omega, omega0).map { abs($0 - decay * $1) }.max()!
        #expect(error < 1e-10 * 2 * k * k, "max error \(error)")
    }

    @Test func inviscidFlowConservesEnergyAndEnstrophyAndMeanVorticity() {
        let n = 32
        let solver = VorticityNavierStokes2D(n: n, viscosity: 0)
        let x = Self.grid(n)
        var omega0 = [Double](repeating: 0, count: n * n)
        for row in 0..<n {
            for col in 0..<n {
                let (xx, yy) = (x[col], x[row])
                omega0[row * n + col] = 0.6 * cos(xx + 0.3) * sin(2 * yy) + 0.4 * sin(3 * xx) * cos(yy - 0.7) + 0.3 * cos(2 * xx + yy)
            }
        }
        var state = solver.spectrum(ofVorticity: omega0)
        let start = solver.energyAndEnstrophy(state)
        solver.advance(&state, steps: 1000, with: solver.stepper(step: 5e-4))
        let end = solver.energyAndEnstrophy(state)
        let energyDrift = abs(end.energy - start.energy) / start.energy
        let enstrophyDrift = abs(end.enstrophy - start.enstrophy) / start.enstrophy
        print("FluidsTests: inviscid 1000 steps, energy drift \(energyDrift), enstrophy drift \(enstrophyDrift)")
        #expect(energyDrift < 1e-10 && enstrophyDrift < 1e-10)
        // Something moved: the field is not steady.
        let omega = solver.vorticity(state)
        #expect(zip(omega, omega0).map { abs($0 - $1) }.max()! > 1e-3)
        // Mean vorticity: exactly zero.
        #expect(state[0] == 0 && state[1] == 0)
    }

    @Test func forcedFlowKeepsZeroMeanAndIsForcedAtItsWavenumber() {
        let solver = VorticityNavierStokes2D(n: 32, viscosity: 0.01, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 4)
        var state = [Double](repeating: 0, count: solver.stateCount)
        solver.advance(&state, steps: 200, with: solver.stepper(step: 0.01))
        #expect(state[0] == 0 && state[1] == 0)
        // From rest, the forced mode grows toward the laminar Kolmogorov state ω = −A k cos(ky)/(νk² + α).
        let omega = solver.vorticity(state)
        let expectedPeak = 4 / (0.01 * 16 + 0.1) * (1 - exp(-(0.01 * 16 + 0.1) * 2))
        #expect(abs(omega.map(abs).max()! - expectedPeak) < 1e-6 * expectedPeak, "\(omega.map(abs).max()!) vs \(expectedPeak)")
    }

    /// Cole–Hopf: φ = 2 + e^{−νt} cos x solves the heat equation, so u = −2ν φ_x/φ solves Burgers.
    static func coleHopf(_ x: Double, _ t: Double, _ nu: Double) -> Double {
        2 * nu * exp(-nu * t) * sin(x) / (2 + exp(-nu * t) * cos(x))
    }

    static func burgersError(n: Int) -> Double {
        let nu = 0.1
        let solver = Burgers1D(n: n, viscosity: nu)
        let x = grid(n)
        var state = solver.spectrum(of: x.map { coleHopf($0, 0, nu) })
        solver.advance(&state, steps: 1000, step: 1e-3)
        let u = solver.field(state)
        return zip(u, x).map { abs($0 - coleHopf($1, 1, nu)) }.max()! / x.map { abs(coleHopf($0, 1, nu)) }.max()!
    }

    @Test func burgersMatchesColeHopfWithSpectralConvergence() {
        let errors = [16, 32, 64].map(Self.burgersError)
        print("FluidsTests: Burgers vs Cole-Hopf, relative max error at n = 16, 32, 64: \(errors)")
        #expect(errors[2] < 1e-10)
        // Spectral (exponential) convergence: each doubling gains far more than any fixed power of 2.
        #expect(errors[0] / errors[1] > 100 && errors[1] / max(errors[2], 1e-300) > 100)
    }

    @Test func etdrk4IsFourthOrder() {
        // u' = −2u + sin(t) u²... keep it scalar and smooth: u' = λu + cos(t), exact solution known.
        let lambda = -3.0
        func exact(_ t: Double) -> Double {
            // u = C e^{λt} + (−λ cos t + sin t)/(λ² + 1), u(0) = 1.
            let particular = { (t: Double) in (-lambda * cos(t) + sin(t)) / (lambda * lambda + 1) }
            return (1 - particular(0)) * exp(lambda * t) + particular(t)
        }
        var errors: [Double] = []
        for steps in [10, 20, 40] {
            let h = 2.0 / Double(steps)
            let stepper = ETDRK4(linear: [lambda], step: h)
            var u = [1.0]
            for s in 0..<steps { stepper.advance(&u, time: Double(s) * h) { t, _, out in out[0] = cos(t) } }
            errors.append(abs(u[0] - exact(2)))
        }
        let orders = zip(errors, errors.dropFirst()).map { log2($0 / $1) }
        print("FluidsTests: ETDRK4 errors \(errors), orders \(orders)")
        #expect(orders.allSatisfy { $0 > 3.7 })
    }
}

@Suite struct DownsamplingTests {
    @Test func cellAveragesOfAModeAreExact() {
        let (n, m) = (64, 16)
        let solver = VorticityNavierStokes2D(n: n, viscosity: 0)
        let x = FluidsTests.grid(n)
        var field = [Double](repeating: 0, count: n * n)
        for row in 0..<n { for col in 0..<n { field[row * n + col] = sin(3 * x[col]) * cos(2 * x[row]) } }
        let averages = solver.cellAverages(solver.spectrum(ofVorticity: field), coarse: m)
        let h = 2 * Double.pi / Double(m)
        var worst = 0.0
        for row in 0..<m {
            for col in 0..<m {
                let ax = (cos(3 * Double(col) * h) - cos(3 * Double(col + 1) * h)) / (3 * h)
                let ay = (sin(2 * Double(row + 1) * h) - sin(2 * Double(row) * h)) / (2 * h)
                worst = max(worst, abs(averages[row * m + col] - ax * ay))
            }
        }
        #expect(worst < 1e-13, "\(worst)")
        // The average of the whole box is the (zero) mean.
        #expect(abs(averages.reduce(0, +)) < 1e-12)
    }

    @Test func spectralTruncationKeepsResolvedModes() {
        let (n, m) = (64, 32)
        let fine = VorticityNavierStokes2D(n: n, viscosity: 0), coarse = VorticityNavierStokes2D(n: m, viscosity: 0)
        let xf = FluidsTests.grid(n), xc = FluidsTests.grid(m)
        var field = [Double](repeating: 0, count: n * n)
        for row in 0..<n { for col in 0..<n { field[row * n + col] = cos(4 * xf[col] + xf[row]) + 0.5 * sin(5 * xf[row]) } }
        let truncated = Downsampling.truncateSpectrum(fine.spectrum(ofVorticity: field), from: n, to: m)
        let values = coarse.vorticity(truncated)
        var worst = 0.0
        for row in 0..<m { for col in 0..<m { worst = max(worst, abs(values[row * m + col] - (cos(4 * xc[col] + xc[row]) + 0.5 * sin(5 * xc[row])))) } }
        #expect(worst < 1e-13, "\(worst)")
    }
}
