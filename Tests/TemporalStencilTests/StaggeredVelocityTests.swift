import Foundation
import Testing
import Randomness
import TemporalStencil

/// The representation TSM's metric compares in: face averages on the model grid and their curl
/// at the cell corners, checked against a stream function whose face averages are exact.
@Suite struct StaggeredVelocityTests {
    /// ψ = sin 2x · cos 3y: u = ∂ψ/∂y, v = −∂ψ/∂x, ω = −Δψ = 13 ψ.
    static func psi(_ x: Double, _ y: Double) -> Double { sin(2 * x) * cos(3 * y) }

    /// Exact face averages of the stream function's velocity on an `m × m` grid (a face average
    /// of ∂ψ/∂y is the difference of ψ at the face's ends over its length).
    static func exactFaceAverages(_ m: Int) -> StaggeredVelocity {
        let h = 2 * Double.pi / Double(m)
        var u = [Double](repeating: 0, count: m * m), v = u
        for j in 0..<m {
            for i in 0..<m {
                let x = Double(i + 1) * h, y = Double(j + 1) * h
                u[j * m + i] = (psi(x, y) - psi(x, y - h)) / h
                v[j * m + i] = -(psi(x, y) - psi(x - h, y)) / h
            }
        }
        return StaggeredVelocity(m: m, u: u, v: v)
    }

    @Test func cornerVorticityConvergesAtSecondOrderAtTheCorners() {
        var errors: [Double] = []
        for m in [16, 32, 64] {
            let omega = Self.exactFaceAverages(m).cornerVorticity
            let h = 2 * Double.pi / Double(m)
            var worst = 0.0
            for j in 0..<m {
                for i in 0..<m {
                    worst = max(worst, abs(omega[j * m + i] - 13 * Self.psi(Double(i + 1) * h, Double(j + 1) * h)))
                }
            }
            errors.append(worst / 13)
            #expect(abs(omega.reduce(0, +)) < 1e-10, "the curl sums to zero on the periodic grid")
        }
        for (coarse, fine) in zip(errors, errors.dropFirst()) {
            #expect(coarse / fine > 3.7 && coarse / fine < 4.3, "errors \(errors)")
        }
    }

    @Test func averagingFacesEqualsTheCoarseGridsOwnFaceAverages() {
        let fine = Self.exactFaceAverages(64)
        for coarse in [64, 32, 16, 8] {
            let averaged = fine.averaged(to: coarse), exact = Self.exactFaceAverages(coarse)
            let error = zip(averaged.u + averaged.v, exact.u + exact.v).map { abs($0 - $1) }.max()!
            #expect(error < 1e-12, "\(coarse)²: \(error)")
        }
        // A field correlates perfectly with itself and not with its negative.
        let omega = fine.averaged(to: 16).cornerVorticity
        #expect(abs(vorticityCorrelation(omega, omega) - 1) < 1e-14)
        #expect(abs(vorticityCorrelation(omega, omega.map { -$0 }) + 1) < 1e-14)
    }

    /// Refinement adds no information: averaging the refined field back gives the field, and a
    /// stream function of low wavenumbers is refined to its exact fine face averages (with the
    /// mean flow kept).
    @Test func bandLimitedRefinementKeepsTheCoarseFaceAverages() {
        let (meanU, meanV) = (0.3, -0.2)
        func withMeanFlow(_ field: StaggeredVelocity) -> StaggeredVelocity {
            StaggeredVelocity(m: field.m, u: field.u.map { $0 + meanU }, v: field.v.map { $0 + meanV })
        }
        // A field with content up to the coarse grid's Nyquist wavenumber: a random corner stream function.
        var rng = SplitMix64(seed: 41)
        let psi = (0..<256).map { _ in Double.random(in: -1..<1, using: &rng) }, h16 = 2 * Double.pi / 16
        var u16 = [Double](repeating: 0, count: 256), v16 = u16
        for j in 0..<16 {
            for i in 0..<16 {
                u16[j * 16 + i] = (psi[j * 16 + i] - psi[((j + 15) % 16) * 16 + i]) / h16
                v16[j * 16 + i] = -(psi[j * 16 + i] - psi[j * 16 + (i + 15) % 16]) / h16
            }
        }
        let random = withMeanFlow(StaggeredVelocity(m: 16, u: u16, v: v16))
        let smooth = withMeanFlow(StaggeredVelocity(m: 16, u: Self.exactFaceAverages(16).u, v: Self.exactFaceAverages(16).v))
        for fine in [32, 64] {
            let refined = smooth.refined(to: fine)
            let back = refined.averaged(to: 16)
            #expect(zip(back.u + back.v, smooth.u + smooth.v).map { abs($0 - $1) }.max()! < 1e-12, "\(fine)²: averaged back")
            let exact = withMeanFlow(Self.exactFaceAverages(fine))
            let error = zip(refined.u + refined.v, exact.u + exact.v).map { abs($0 - $1) }.max()!
            #expect(error < 1e-12, "\(fine)²: wavenumbers 2 and 3 are refined exactly (\(error))")
        }
        let back = random.refined(to: 64).averaged(to: 16)
        #expect(zip(back.u + back.v, random.u + random.v).map { abs($0 - $1) }.max()! < 1e-10, "random field averaged back")
    }
}
