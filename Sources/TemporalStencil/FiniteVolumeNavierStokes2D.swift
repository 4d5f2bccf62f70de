import Foundation
import Spectral

/// The coarse solver of Temporal Stencil Modeling: incompressible Navier–Stokes on a staggered
/// `m × m` finite-volume grid over `[0, 2π)²` (JAX-CFD's layout), with
///
/// 1. explicit convection in flux form with a ``FaceInterpolation`` for the advected velocity,
///    plus Kolmogorov forcing `A sin(k_f y)` in x and linear drag `−α u` (forward Euler, as
///    JAX-CFD's semi-implicit scheme);
/// 2. implicit diffusion `(I − νΔt ∇²ₕ) u = u*`, solved exactly with FFTs (periodic 5-point Laplacian);
/// 3. pressure projection onto discretely divergence-free fields, also by FFT.
///
/// `u[j·m + i]` lives on the x-face at `x = (i+1)H, y = (j+½)H`, `v[j·m + i]` on the y-face at
/// `x = (i+½)H, y = (j+1)H`, `H = 2π/m`.
public final class FiniteVolumeNavierStokes2D: @unchecked Sendable {
    // @unchecked: immutable after init except `transforms`, which hands each caller its own FFT
    // workspace, so one solver may step several states on several threads at once.
    public let m: Int
    public let viscosity: Double
    public let drag: Double
    public let forcingAmplitude: Double
    public let forcingWavenumber: Int
    public let interpolation: FaceInterpolation
    public let spacing: Double
    let transforms: TransformPool
    /// Eigenvalues of the periodic 5-point Laplacian per half-spectrum coefficient.
    let laplacian: [Double]
    /// Forcing at u points.
    let forcing: [Double]

    public init(m: Int, viscosity: Double, drag: Double, forcingAmplitude: Double, forcingWavenumber: Int,
                interpolation: FaceInterpolation) {
        self.m = m
        self.viscosity = viscosity
        self.drag = drag
        self.forcingAmplitude = forcingAmplitude
        self.forcingWavenumber = forcingWavenumber
        self.interpolation = interpolation
        spacing = 2 * Double.pi / Double(m)
        transforms = TransformPool(nx: m, ny: m)
        laplacian = periodicLaplacianEigenvalues(m: m, spacing: spacing)
        let h = spacing
        forcing = (0..<(m * m)).map { index in forcingAmplitude * sin(Double(forcingWavenumber) * (Double(index / m) + 0.5) * h) }
    }

    @inline(__always) func at(_ field: [Double], _ i: Int, _ j: Int) -> Double {
        field[((j % m + m) % m) * m + (i % m + m) % m]
    }

    /// One step of size `dt` (in place).
    public func step(u: inout [Double], v: inout [Double], dt: Double) {
        let h = spacing
        var du = [Double](repeating: 0, count: m * m), dv = du
        let q = interpolation
        for j in 0..<m {
            for i in 0..<m {
                // u-momentum at the x-face (i, j): x-fluxes at cell centres i and i+1, y-fluxes at corners j−1 and j.
                let uc1 = 0.5 * (at(u, i, j) + at(u, i + 1, j))          // advecting u at centre of cell i+1
                let uc0 = 0.5 * (at(u, i - 1, j) + at(u, i, j))          // at centre of cell i
                let fx1 = uc1 * q.value(at(u, i - 1, j), at(u, i, j), at(u, i + 1, j), at(u, i + 2, j), velocity: uc1)
                let fx0 = uc0 * q.value(at(u, i - 2, j), at(u, i - 1, j), at(u, i, j), at(u, i + 1, j), velocity: uc0)
                let vt = 0.5 * (at(v, i, j) + at(v, i + 1, j))           // advecting v at corner (i+1, j+1)
                let vb = 0.5 * (at(v, i, j - 1) + at(v, i + 1, j - 1))   // at corner (i+1, j)
                let gy1 = vt * q.value(at(u, i, j - 1), at(u, i, j), at(u, i, j + 1), at(u, i, j + 2), velocity: vt)
                let gy0 = vb * q.value(at(u, i, j - 2), at(u, i, j - 1), at(u, i, j), at(u, i, j + 1), velocity: vb)
                du[j * m + i] = -((fx1 - fx0) + (gy1 - gy0)) / h + forcing[j * m + i] - drag * at(u, i, j)
                // v-momentum at the y-face (i, j): y-fluxes at cell centres j and j+1, x-fluxes at corners i−1 and i.
                let vc1 = 0.5 * (at(v, i, j) + at(v, i, j + 1))
                let vc0 = 0.5 * (at(v, i, j - 1) + at(v, i, j))
                let gv1 = vc1 * q.value(at(v, i, j - 1), at(v, i, j), at(v, i, j + 1), at(v, i, j + 2), velocity: vc1)
                let gv0 = vc0 * q.value(at(v, i, j - 2), at(v, i, j - 1), at(v, i, j), at(v, i, j + 1), velocity: vc0)
                let ur = 0.5 * (at(u, i, j) + at(u, i, j + 1))           // advecting u at corner (i+1, j+1)
                let ul = 0.5 * (at(u, i - 1, j) + at(u, i - 1, j + 1))   // at corner (i, j+1)
                let fv1 = ur * q.value(at(v, i - 1, j), at(v, i, j), at(v, i + 1, j), at(v, i + 2, j), velocity: ur)
                let fv0 = ul * q.value(at(v, i - 2, j), at(v, i - 1, j), at(v, i, j), at(v, i + 1, j), velocity: ul)
                dv[j * m + i] = -((gv1 - gv0) + (fv1 - fv0)) / h - drag * at(v, i, j)
            }
        }
        for k in 0..<(m * m) { u[k] += dt * du[k]; v[k] += dt * dv[k] }
        diffuse(&u, dt: dt)
        diffuse(&v, dt: dt)
        project(u: &u, v: &v)
    }

    /// (I − νΔt ∇²ₕ) x = x*.
    func diffuse(_ x: inout [Double], dt: Double) {
        guard viscosity > 0 else { return }
        transforms.borrow { fft in diffuse(&x, dt: dt, fft: fft) }
    }

    private func diffuse(_ x: inout [Double], dt: Double, fft: RealFFT2D) {
        for k in 0..<(m * m) { fft.physical[k] = x[k] }
        fft.forward()
        for k in 0..<(m * (m / 2 + 1)) {
            let factor = 1 / (1 - viscosity * dt * laplacian[k])
            fft.spectrum[k] = (fft.spectrum[k].0 * factor, fft.spectrum[k].1 * factor)
        }
        fft.inverse()
        for k in 0..<(m * m) { x[k] = fft.physical[k] }
    }

    /// Removes the discrete gradient part: div at cell centres, ∇²ₕ p = div, u −= ∂ₓp, v −= ∂ᵧp.
    public func project(u: inout [Double], v: inout [Double]) {
        transforms.borrow { fft in project(u: &u, v: &v, fft: fft) }
    }

    private func project(u: inout [Double], v: inout [Double], fft: RealFFT2D) {
        let h = spacing
        for j in 0..<m { for i in 0..<m { fft.physical[j * m + i] = (at(u, i, j) - at(u, i - 1, j) + at(v, i, j) - at(v, i, j - 1)) / h } }
        solvePeriodicPoisson(fft, laplacian: laplacian)
        let p = Array(UnsafeBufferPointer(start: fft.physical, count: m * m))
        var un = u, vn = v
        for j in 0..<m {
            for i in 0..<m {
                un[j * m + i] -= (at(p, i + 1, j) - at(p, i, j)) / h
                vn[j * m + i] -= (at(p, i, j + 1) - at(p, i, j)) / h
            }
        }
        u = un
        v = vn
    }

    /// Largest |divergence| over the cells (≈ 0 after a step).
    public func maximumDivergence(u: [Double], v: [Double]) -> Double {
        var worst = 0.0
        for j in 0..<m { for i in 0..<m { worst = max(worst, abs(at(u, i, j) - at(u, i - 1, j) + at(v, i, j) - at(v, i, j - 1)) / spacing) } }
        return worst
    }

    /// Vorticity at cell centres: the mean of the four corner vorticities around the cell
    /// (``StaggeredVelocity/cornerVorticity``).
    public func vorticity(u: [Double], v: [Double]) -> [Double] {
        let corners = StaggeredVelocity(m: m, u: u, v: v).cornerVorticity
        func corner(_ i: Int, _ j: Int) -> Double { corners[((j + m) % m) * m + (i + m) % m] }
        var omega = [Double](repeating: 0, count: m * m)
        for j in 0..<m { for i in 0..<m { omega[j * m + i] = 0.25 * (corner(i, j) + corner(i - 1, j) + corner(i, j - 1) + corner(i - 1, j - 1)) } }
        return omega
    }
}

/// Eigenvalues of the periodic 5-point Laplacian on an `m × m` grid of spacing `h`, one per
/// half-spectrum coefficient of ``RealFFT2D`` (row `l`, column `k`):
/// `−(4/h²)(sin²(πk/m) + sin²(πl/m))`.
func periodicLaplacianEigenvalues(m: Int, spacing h: Double) -> [Double] {
    let columns = m / 2 + 1
    var eigen = [Double](repeating: 0, count: m * columns)
    for row in 0..<m {
        for col in 0..<columns {
            let sx = sin(Double.pi * Double(col) / Double(m)), sy = sin(Double.pi * Double(row) / Double(m))
            eigen[row * columns + col] = -4 / (h * h) * (sx * sx + sy * sy)
        }
    }
    return eigen
}

/// Solves the periodic `∇²ₕ p = f` in place: `fft.physical` holds `f` on entry and the
/// zero-mean `p` on return (`laplacian` from ``periodicLaplacianEigenvalues(m:spacing:)``).
func solvePeriodicPoisson(_ fft: RealFFT2D, laplacian: [Double]) {
    fft.forward()
    for k in 0..<laplacian.count {
        let l = laplacian[k]
        fft.spectrum[k] = l == 0 ? (0, 0) : (fft.spectrum[k].0 / l, fft.spectrum[k].1 / l)
    }
    fft.inverse()
}

/// Pearson correlation of two fields (the TSM metric ρ between vorticity fields).
public func vorticityCorrelation(_ a: [Double], _ b: [Double]) -> Double {
    let n = Double(a.count)
    let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for (x, y) in zip(a, b) { sab += (x - ma) * (y - mb); saa += (x - ma) * (x - ma); sbb += (y - mb) * (y - mb) }
    return sab / (saa * sbb).squareRoot()
}

/// FFT workspaces for a solver shared between threads: `borrow` lends a free `RealFFT2D` (making
/// one when all are out) and takes it back afterwards.
final class TransformPool: @unchecked Sendable {
    // @unchecked: `free` is only touched under `lock`; a lent transform belongs to one caller.
    let nx: Int, ny: Int
    private var free: [RealFFT2D] = []
    private let lock = NSLock()

    init(nx: Int, ny: Int) {
        (self.nx, self.ny) = (nx, ny)
        free = [RealFFT2D(nx: nx, ny: ny)]
    }

    func borrow<R>(_ body: (RealFFT2D) throws -> R) rethrows -> R {
        let fft = lock.withLock { free.popLast() } ?? RealFFT2D(nx: nx, ny: ny)
        defer { lock.withLock { free.append(fft) } }
        return try body(fft)
    }
}
