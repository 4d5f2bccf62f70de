import Fluids
import Foundation
import Testing
import TemporalStencil

/// The finite-volume coarse solver (the TSM baseline) against the spectral DNS it is meant to
/// follow: divergence-free steps, correlation at the start, and a finer grid staying correlated longer.
@Suite struct CoarseSolverTests {
    @Test func projectionIsExactAndCoarseGridsDecorrelateInOrder() throws {
        let n = 64
        let dns = VorticityNavierStokes2D(n: n, viscosity: 0.001, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 4)
        var state = dns.randomInitialState(peakWavenumber: 4, maxVelocity: 3, seed: 11)
        let dt = dns.cflStep(cfl: 0.5, maxVelocity: 7)
        let stepper = dns.stepper(step: dt)
        dns.advance(&state, steps: 300, with: stepper)   // spin-up

        var correlations: [Int: [Double]] = [:]
        for m in [16, 32] {
            let fv = FiniteVolumeNavierStokes2D(m: m, viscosity: 0.001, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 4,
                                                interpolation: .vanLeer)
            var (u, v) = dns.faceAveragedVelocity(state, coarse: m)
            var reference = state
            let coarseDt = 0.5 * fv.spacing / 7
            let ratio = max(1, Int((coarseDt / dt).rounded()))
            var rho: [Double] = [vorticityCorrelation(fv.vorticity(u: u, v: v), dns.cellAverages(reference, coarse: m))]
            for _ in 0..<12 {
                for _ in 0..<40 { fv.step(u: &u, v: &v, dt: dt * Double(ratio)) }
                dns.advance(&reference, steps: 40 * ratio, with: stepper)
                rho.append(vorticityCorrelation(fv.vorticity(u: u, v: v), dns.cellAverages(reference, coarse: m)))
            }
            #expect(fv.maximumDivergence(u: u, v: v) < 1e-10, "divergence after the steps")
            correlations[m] = rho
            print("CoarseSolverTests: m = \(m), rho = \(rho.map { ($0 * 1000).rounded() / 1000 })")
        }
        #expect(correlations[16]![0] > 0.9 && correlations[32]![0] > 0.97)
        // The finer coarse grid follows the DNS at least as well, on average over the run.
        let mean16 = correlations[16]!.reduce(0, +) / 13, mean32 = correlations[32]!.reduce(0, +) / 13
        #expect(mean32 > mean16, "mean rho: 32² \(mean32) vs 16² \(mean16)")
    }

    @Test func faceInterpolationsAreConsistent() {
        for q in FaceInterpolation.allCases {
            #expect(q.value(1, 1, 1, 1, velocity: 1) == 1)                    // constants
            #expect(abs(q.value(0, 1, 2, 3, velocity: 1) - 1.5) < 1e-15)     // linear profiles are exact
            #expect(abs(q.value(0, 1, 2, 3, velocity: -1) - 1.5) < 1e-15)
        }
        // Van Leer is TVD: no new extremum at a jump.
        let jump = FaceInterpolation.vanLeer.value(0, 0, 1, 1, velocity: 1)
        #expect(jump >= 0 && jump <= 1)
    }
}
