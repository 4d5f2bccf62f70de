import Foundation
import Testing
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
}
