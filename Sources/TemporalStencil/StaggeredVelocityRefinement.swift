import Foundation

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
        let n = m, r = fine / n, coarseSpacing = spacing, h = coarseSpacing / Double(r)
        let meanU = u.reduce(0, +) / Double(n * n), meanV = v.reduce(0, +) / Double(n * n)
        let psi = cornerStreamFunction(spacing: coarseSpacing)

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

    /// The zero-mean corner stream function with `−Δₕψ = ω`, by a direct discrete Fourier
    /// transform (a one-off `O(m³)` solve; the 5-point Laplacian's eigenvalues are
    /// `−(4/H²)(sin²(πk/m) + sin²(πl/m))`).
    func cornerStreamFunction(spacing: Double) -> [Double] {
        let n = m, omega = cornerVorticity
        var cosine = [Double](repeating: 0, count: n * n), sine = cosine
        for k in 0..<n {
            for i in 0..<n {
                let angle = 2 * Double.pi * Double((k * i) % n) / Double(n)
                (cosine[k * n + i], sine[k * n + i]) = (cos(angle), sin(angle))
            }
        }
        // ω̂[l][k] = Σ_j Σ_i ω[j][i] e^{−2πi(k i + l j)/n}, first along x.
        var rowRe = [Double](repeating: 0, count: n * n), rowIm = rowRe
        for j in 0..<n {
            for k in 0..<n {
                var re = 0.0, im = 0.0
                for i in 0..<n {
                    re += omega[j * n + i] * cosine[k * n + i]
                    im -= omega[j * n + i] * sine[k * n + i]
                }
                (rowRe[j * n + k], rowIm[j * n + k]) = (re, im)
            }
        }
        var hatRe = [Double](repeating: 0, count: n * n), hatIm = hatRe
        for l in 0..<n {
            let sl = sin(Double.pi * Double(l) / Double(n))
            for k in 0..<n {
                var re = 0.0, im = 0.0
                for j in 0..<n {
                    let (c, s) = (cosine[l * n + j], sine[l * n + j])
                    re += rowRe[j * n + k] * c + rowIm[j * n + k] * s
                    im += rowIm[j * n + k] * c - rowRe[j * n + k] * s
                }
                let sk = sin(Double.pi * Double(k) / Double(n))
                let minusLaplacian = 4 / (spacing * spacing) * (sk * sk + sl * sl)
                let scale = (k == 0 && l == 0) ? 0 : 1 / minusLaplacian
                (hatRe[l * n + k], hatIm[l * n + k]) = (re * scale, im * scale)
            }
        }
        // Inverse: ψ[j][i] = (1/n²) Re Σ_l Σ_k ψ̂[l][k] e^{+2πi(k i + l j)/n}, first along y.
        var colRe = [Double](repeating: 0, count: n * n), colIm = colRe
        for j in 0..<n {
            for k in 0..<n {
                var re = 0.0, im = 0.0
                for l in 0..<n {
                    let (c, s) = (cosine[l * n + j], sine[l * n + j])
                    re += hatRe[l * n + k] * c - hatIm[l * n + k] * s
                    im += hatIm[l * n + k] * c + hatRe[l * n + k] * s
                }
                (colRe[j * n + k], colIm[j * n + k]) = (re, im)
            }
        }
        var psi = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            for i in 0..<n {
                var re = 0.0
                for k in 0..<n { re += colRe[j * n + k] * cosine[k * n + i] - colIm[j * n + k] * sine[k * n + i] }
                psi[j * n + i] = re / Double(n * n)
            }
        }
        return psi
    }
}
