import Foundation
import Spectral

extension StaggeredVelocity {
    /// The same flow on the finer `fine × fine` grid with no scales this grid does not hold: the
    /// face averages of the divergence-free field whose stream function is the trigonometric
    /// interpolant of this grid's corner stream function, plus this grid's mean flow.
    ///
    /// A solver started from it at `fine²` has only the model grid's information, so comparing
    /// it with the same solver started from the reference's own `fine²` averages separates what
    /// the finer grid gains from its dynamics from what it gains from a better-resolved start.
    ///
    /// - The corner stream function ψ solves `−Δₕψ = ω` (5-point, zero mean) for the corner
    ///   vorticity ω, so `u = (ψ(i, j) − ψ(i, j−1))/H`, `v = −(ψ(i, j) − ψ(i−1, j))/H` reproduce
    ///   this field's face averages minus their mean when the field is discretely divergence-free.
    /// - The result is discretely divergence-free by construction. For a divergence-free field,
    ///   ``averaged(to:)`` of the result returns the field (to rounding), and for a stream
    ///   function of wavenumbers below `m/2` the result is the exact fine face averages.
    /// - Precondition: `fine` is a multiple of `m`, and `m` is even (unless `fine == m`).
    public func refined(to fine: Int) -> StaggeredVelocity {
        guard fine != m else { return self }
        precondition(fine > 0 && fine % m == 0 && m % 2 == 0, "StaggeredVelocity: \(fine) is not a multiple of the even \(m)")
        let n = m, r = fine / n, h = spacing / Double(r)
        let meanU = u.reduce(0, +) / Double(n * n), meanV = v.reduce(0, +) / Double(n * n)
        let psi = cornerStreamFunction()

        // Trigonometric interpolation weights from the n corners x_i = (i+1)H to the fine
        // corners (a+1)h, at s = (a + 1 − r)/r in coarse index units: the Dirichlet kernel with
        // the Nyquist mode as a cosine, so the interpolant is real and exact at the coarse corners.
        var weights = [Double](repeating: 0, count: fine * n)
        for a in 0..<fine {
            let s = Double(a + 1 - r) / Double(r)
            for i in 0..<n {
                let d = s - Double(i)
                var w = 1 + cos(Double.pi * d)
                for k in 1..<(n / 2) { w += 2 * cos(2 * Double.pi * Double(k) * d / Double(n)) }
                weights[a * n + i] = w / Double(n)
            }
        }
        // ψ_fine = T ψ Tᵀ: along x, then along y.
        var alongX = [Double](repeating: 0, count: n * fine)
        for j in 0..<n {
            for a in 0..<fine {
                var sum = 0.0
                for i in 0..<n { sum += psi[j * n + i] * weights[a * n + i] }
                alongX[j * fine + a] = sum
            }
        }
        var finePsi = [Double](repeating: 0, count: fine * fine)
        for b in 0..<fine {
            for j in 0..<n {
                let w = weights[b * n + j]
                for a in 0..<fine { finePsi[b * fine + a] += w * alongX[j * fine + a] }
            }
        }
        var fineU = [Double](repeating: 0, count: fine * fine), fineV = fineU
        for b in 0..<fine {
            let below = (b + fine - 1) % fine
            for a in 0..<fine {
                let left = (a + fine - 1) % fine
                fineU[b * fine + a] = (finePsi[b * fine + a] - finePsi[below * fine + a]) / h + meanU
                fineV[b * fine + a] = -(finePsi[b * fine + a] - finePsi[b * fine + left]) / h + meanV
            }
        }
        return StaggeredVelocity(m: fine, u: fineU, v: fineV)
    }

    /// The zero-mean corner stream function with `−Δₕψ = ω` (the coarse solver's FFT Poisson solve).
    func cornerStreamFunction() -> [Double] {
        let fft = RealFFT2D(nx: m, ny: m)
        for (k, omega) in cornerVorticity.enumerated() { fft.physical[k] = -omega }
        solvePeriodicPoisson(fft, laplacian: periodicLaplacianEigenvalues(m: m, spacing: spacing))
        return Array(UnsafeBufferPointer(start: fft.physical, count: m * m))
    }
}
