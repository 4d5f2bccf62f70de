/// A velocity field on the staggered `m × m` grid of ``FiniteVolumeNavierStokes2D`` over
/// `[0, 2π)²`, as face averages: `u[j·m + i]` is the mean x-velocity over the x-face at
/// `x = (i+1)H`, `y ∈ [jH, (j+1)H]`, and `v[j·m + i]` the mean y-velocity over the y-face at
/// `y = (j+1)H`, `x ∈ [iH, (i+1)H]`, with `H = 2π/m`.
///
/// This is the representation TSM's metric compares in (JAX-CFD's evaluation): every solution,
/// the reference included, is averaged to the model grid's faces, and vorticity is taken with the
/// same discrete curl (``cornerVorticity``), so a perfect model has ρ = 1 at every time.
public struct StaggeredVelocity: Sendable, Equatable {
    /// Cells per side.
    public let m: Int
    /// Face-averaged x-velocity, `m²` values, row `j` (y) major.
    public var u: [Double]
    /// Face-averaged y-velocity, `m²` values, row `j` (y) major.
    public var v: [Double]

    /// - Precondition: `u` and `v` hold `m²` values each.
    public init(m: Int, u: [Double], v: [Double]) {
        precondition(m > 0 && u.count == m * m && v.count == m * m, "StaggeredVelocity: u and v need \(m)² values each")
        (self.m, self.u, self.v) = (m, u, v)
    }

    /// The grid spacing `H = 2π/m`.
    public var spacing: Double { 2 * Double.pi / Double(m) }

    /// Vorticity `∂v/∂x − ∂u/∂y` at the cell corners, `ω[j·m + i]` at `x = (i+1)H, y = (j+1)H`:
    /// the circulation around the dual cell divided by its area (forward differences, JAX-CFD's
    /// `curl_2d` at offset (1, 1)). Second-order accurate; it sums to zero on the periodic grid.
    public var cornerVorticity: [Double] {
        let h = spacing
        var omega = [Double](repeating: 0, count: m * m)
        u.withUnsafeBufferPointer { u in
            v.withUnsafeBufferPointer { v in
                for j in 0..<m {
                    let up = (j + 1) % m
                    for i in 0..<m {
                        let right = (i + 1) % m
                        omega[j * m + i] = (v[j * m + right] - v[j * m + i]) / h - (u[up * m + i] - u[j * m + i]) / h
                    }
                }
            }
        }
        return omega
    }

    /// The face averages on the coarser `coarse × coarse` grid (`m` a multiple of `coarse`): each
    /// coarse face lies on a fine face line and is the mean of the `m / coarse` fine faces it
    /// covers, exactly as averaging the continuous field over the coarse face.
    /// - Precondition: `coarse` divides `m`.
    public func averaged(to coarse: Int) -> StaggeredVelocity {
        precondition(coarse > 0 && m % coarse == 0, "StaggeredVelocity: \(coarse) does not divide \(m)")
        guard coarse != m else { return self }
        let r = m / coarse
        var uc = [Double](repeating: 0, count: coarse * coarse), vc = uc
        for jc in 0..<coarse {
            for ic in 0..<coarse {
                var su = 0.0, sv = 0.0
                for k in 0..<r {
                    su += u[(r * jc + k) * m + r * (ic + 1) - 1]   // x-face line x = (ic+1)H, rows of the coarse cell
                    sv += v[(r * (jc + 1) - 1) * m + r * ic + k]   // y-face line y = (jc+1)H, columns of the coarse cell
                }
                uc[jc * coarse + ic] = su / Double(r)
                vc[jc * coarse + ic] = sv / Double(r)
            }
        }
        return StaggeredVelocity(m: coarse, u: uc, v: vc)
    }
}
