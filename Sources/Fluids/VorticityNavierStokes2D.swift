import Dispatch
import Foundation
import CFFTW
import Integrators
import Spectral

/// 2-D incompressible Navier–Stokes in vorticity form on the periodic square `[0, 2π)²`,
///
///     ∂ω/∂t + u·∇ω = ν ∇²ω − α ω + F,    u = (∂ψ/∂y, −∂ψ/∂x),   −∇²ψ = ω,
///
/// pseudo-spectral on an `n × n` grid with FFTW real transforms and the 2/3 dealiasing rule,
/// stepped by ``ETDRK4`` (diffusion and drag exactly, advection and forcing explicitly).
/// Kolmogorov forcing (as in JAX-CFD / TSM) is the body force `f_x = A sin(k_f y)` whose curl
/// is `F = −A k_f cos(k_f y)`.
///
/// The state is the half spectrum `ω̂` as interleaved (re, im) pairs, `n·(n/2+1)·2` values,
/// row `ky`, column `kx ≥ 0`.
public final class VorticityNavierStokes2D: @unchecked Sendable {
    public let n: Int
    /// Kinematic viscosity ν (m²/s in units where the box is 2π).
    public let viscosity: Double
    /// Linear drag α.
    public let drag: Double
    /// Kolmogorov forcing amplitude and wavenumber (0 amplitude: unforced).
    public let forcingAmplitude: Double
    public let forcingWavenumber: Int
    let fft: RealFFT2D
    let kx: [Double], ky: [Double]
    /// 1 where a mode survives the 2/3 rule, 0 elsewhere (per complex coefficient).
    let dealias: [Double]
    let forcingSpectrum: [Double]
    let columns: Int
    /// Physical work fields u, v, ∂ω/∂x, ∂ω/∂y (`n·n` each), reused by every evaluation.
    let work: WorkFields
    /// The forced modes: half-spectrum index and F̂ there (Kolmogorov forcing has two; the
    /// output loop adds them afterwards instead of streaming a mostly-zero array every evaluation).
    let forcedModes: [(index: Int, value: (Double, Double))]
    /// Workers for the grid loops (FFTW's thread count when the solver was made).
    let workers: Int
    /// The ETDRK4 scratch arrays of ``advance(_:steps:with:from:)``, made on first use (like the
    /// FFT buffers, one solver serves one thread at a time).
    private var stepperWorkspace: ETDRK4Workspace?

    public init(n: Int, viscosity: Double, drag: Double = 0, forcingAmplitude: Double = 0, forcingWavenumber: Int = 4) {
        self.n = n
        self.viscosity = viscosity
        self.drag = drag
        self.forcingAmplitude = forcingAmplitude
        self.forcingWavenumber = forcingWavenumber
        fft = RealFFT2D(nx: n, ny: n)
        kx = Wavenumbers.half(n)
        ky = Wavenumbers.full(n)
        columns = n / 2 + 1
        work = WorkFields(fft: fft)
        var mask = [Double](repeating: 0, count: n * columns)
        let cutoff = Double(n) / 3
        for row in 0..<n { for col in 0..<columns { mask[row * columns + col] = Self.dealiasingMask(kx: kx[col], ky: ky[row], cutoff: cutoff) } }
        dealias = mask
        // F(x, y) = −A k_f cos(k_f y): physical grid, then transform.
        var forcing = [Double](repeating: 0, count: n * columns * 2)
        if forcingAmplitude != 0 {
            for row in 0..<n {
                let y = 2 * Double.pi * Double(row) / Double(n)
                for col in 0..<n { fft.physical[row * n + col] = -forcingAmplitude * Double(forcingWavenumber) * cos(Double(forcingWavenumber) * y) }
            }
            fft.forward()
            for i in 0..<(n * columns) { forcing[2 * i] = fft.spectrum[i].0 * mask[i]; forcing[2 * i + 1] = fft.spectrum[i].1 * mask[i] }
            forcing[0] = 0
            forcing[1] = 0
        }
        forcingSpectrum = forcing
        forcedModes = (0..<(n * columns)).compactMap { i in
            forcing[2 * i] != 0 || forcing[2 * i + 1] != 0 ? (i, (forcing[2 * i], forcing[2 * i + 1])) : nil
        }
        workers = n >= 128 ? FFTWPlanning.threadCount : 1
    }

    /// Number of state values: `n·(n/2+1)·2`.
    public var stateCount: Int { n * columns * 2 }

    /// The diagonal linear part `−ν|k|² − α` per state value.
    public var linear: [Double] {
        var l = [Double](repeating: 0, count: stateCount)
        for row in 0..<n {
            for col in 0..<columns {
                let k2 = kx[col] * kx[col] + ky[row] * ky[row]
                let value = -viscosity * k2 - drag
                l[2 * (row * columns + col)] = value
                l[2 * (row * columns + col) + 1] = value
            }
        }
        return l
    }

    /// Spectrum of a physical vorticity field (`n·n`, row `y`, column `x`), dealiased and with
    /// its mean removed (on a periodic box the mean vorticity, the circulation, is zero).
    public func spectrum(ofVorticity field: [Double]) -> [Double] {
        precondition(field.count == n * n)
        for i in 0..<(n * n) { fft.physical[i] = field[i] }
        fft.forward()
        var state = [Double](repeating: 0, count: stateCount)
        for i in 0..<(n * columns) { state[2 * i] = fft.spectrum[i].0 * dealias[i]; state[2 * i + 1] = fft.spectrum[i].1 * dealias[i] }
        state[0] = 0
        state[1] = 0
        return state
    }

    /// The physical vorticity of a state.
    public func vorticity(_ state: [Double]) -> [Double] {
        for i in 0..<(n * columns) { fft.spectrum[i] = (state[2 * i], state[2 * i + 1]) }
        fft.inverse()
        return Array(UnsafeBufferPointer(start: fft.physical, count: n * n))
    }

    /// Physical velocity `(u, v)` of a state.
    public func velocity(_ state: [Double]) -> (u: [Double], v: [Double]) {
        (field(state) { kx, ky, k2, re, im in k2 == 0 ? (0, 0) : (-ky * im / k2, ky * re / k2) },
         field(state) { kx, ky, k2, re, im in k2 == 0 ? (0, 0) : (kx * im / k2, -kx * re / k2) })
    }

    /// Kinetic energy `½⟨|u|²⟩` (box average) and enstrophy `½⟨ω²⟩`, by Parseval on the half spectrum.
    public func energyAndEnstrophy(_ state: [Double]) -> (energy: Double, enstrophy: Double) {
        var energy = 0.0, enstrophy = 0.0
        let norm = 1 / Double(n * n * n * n)
        for row in 0..<n {
            for col in 0..<columns {
                let i = row * columns + col
                let power = state[2 * i] * state[2 * i] + state[2 * i + 1] * state[2 * i + 1]
                let weight = (col == 0 || (col == n / 2)) ? 1.0 : 2.0
                let k2 = kx[col] * kx[col] + ky[row] * ky[row]
                enstrophy += 0.5 * weight * power * norm
                if k2 > 0 { energy += 0.5 * weight * power / k2 * norm }
            }
        }
        return (energy, enstrophy)
    }

    /// A physical field from the spectrum through a per-mode map `(kx, ky, |k|², re, im) → (re, im)`.
    func field(_ state: [Double], _ map: (Double, Double, Double, Double, Double) -> (Double, Double)) -> [Double] {
        for row in 0..<n {
            for col in 0..<columns {
                let i = row * columns + col
                let k2 = kx[col] * kx[col] + ky[row] * ky[row]
                fft.spectrum[i] = map(kx[col], ky[row], k2, state[2 * i], state[2 * i + 1])
            }
        }
        fft.inverse()
        return Array(UnsafeBufferPointer(start: fft.physical, count: n * n))
    }

    /// `N(ω̂) = −(u·∇ω)^ (dealiased) + F̂`: four inverse and one forward FFT, no allocation;
    /// the grid loops are split over ``FFTWPlanning/threadCount`` workers (row by row, so the
    /// result does not depend on the split).
    ///
    /// The four spectra (u, v, ∂ω/∂x, ∂ω/∂y) are filled in one pass that reads `ω̂` once and
    /// computes kₓ, k_y and 1/|k|² from the indices (the same values and operations as stored
    /// tables, so the same bits), then transformed one after another: the loops outside FFTW are
    /// bound by memory traffic, and this pass moves about a third of what four passes did.
    public func nonlinear(_ state: [Double], into out: inout [Double]) {
        let n = self.n, count = n * n
        let spectrum = fft.spectrum, physical = fft.physical
        let columns = self.columns, workers = self.workers
        let scale = 1 / Double(count)  // the inverse transform's normalisation, folded in
        let (su, sv, sx, sy) = (work.uSpectrum, work.vSpectrum, work.wxSpectrum, work.wySpectrum)
        state.withUnsafeBufferPointer { w in
            // ψ̂ = ω̂/|k|²; u = ∂ψ/∂y ↔ i ky ψ̂, v = −∂ψ/∂x ↔ −i kx ψ̂, ω_x ↔ i kx ω̂, ω_y ↔ i ky ω̂.
            forEachChunk(n, workers: workers) { rows in
                for row in rows {
                    let ky = Self.wavenumber(row: row, n: n)
                    let start = row * columns
                    for col in 0..<columns {
                        let i = start + col
                        let kx = Double(col)
                        let k2 = kx * kx + ky * ky
                        let inv = k2 == 0 ? 0 : 1 / k2
                        let (re, im) = (w[2 * i] * scale, w[2 * i + 1] * scale)
                        su[i] = (-ky * im * inv, ky * re * inv)
                        sv[i] = (kx * im * inv, -kx * re * inv)
                        sx[i] = (-kx * im, kx * re)
                        sy[i] = (-ky * im, ky * re)
                    }
                }
            }
        }
        let (u, v, wx, wy) = (work.u, work.v, work.wx, work.wy)
        fft.inverseUnnormalised(su, into: u)
        fft.inverseUnnormalised(sv, into: v)
        fft.inverseUnnormalised(sx, into: wx)
        fft.inverseUnnormalised(sy, into: wy)
        forEachChunk(n, workers: workers) { rows in
            for i in (rows.lowerBound * n)..<(rows.upperBound * n) { physical[i] = u[i] * wx[i] + v[i] * wy[i] }
        }
        fft.forward()
        let cutoff = Double(n) / 3
        out.withUnsafeMutableBufferPointer { out in
            // −(u·∇ω)^ masked, plus F̂: 0 except at the forced modes, which are redone below (adding
            // the literal 0 keeps the bits of adding a zero forcing, signed zeros included).
            forEachChunk(n, workers: workers) { rows in
                for row in rows {
                    let ky = Self.wavenumber(row: row, n: n)
                    let start = row * columns
                    for col in 0..<columns {
                        let i = start + col
                        let mask = Self.dealiasingMask(kx: Double(col), ky: ky, cutoff: cutoff)
                        out[2 * i] = -spectrum[i].0 * mask + 0
                        out[2 * i + 1] = -spectrum[i].1 * mask + 0
                    }
                }
            }
            for (i, f) in forcedModes {
                let mask = Self.dealiasingMask(kx: Double(i % columns), ky: Self.wavenumber(row: i / columns, n: n), cutoff: cutoff)
                out[2 * i] = -spectrum[i].0 * mask + f.0
                out[2 * i + 1] = -spectrum[i].1 * mask + f.1
            }
            // The mean of u·∇ω = ∇·(uω) is zero on a periodic box; drop its round-off so the mean
            // vorticity (the circulation) stays exactly zero.
            out[0] = 0
            out[1] = 0
        }
    }

    /// k_y of spectrum row `row` (FFTW order, as ``Wavenumbers/full(_:)``).
    @inline(__always)
    static func wavenumber(row: Int, n: Int) -> Double { Double(row < n / 2 ? row : row - n) }

    /// 1 where a mode survives the 2/3 rule (`|k_y| < cutoff`, `k_x < cutoff`), else 0.
    @inline(__always)
    static func dealiasingMask(kx: Double, ky: Double, cutoff: Double) -> Double { abs(ky) < cutoff && kx < cutoff ? 1 : 0 }

    /// An ETDRK4 stepper with step `h`.
    public func stepper(step h: Double) -> ETDRK4 { ETDRK4(linear: linear, step: h) }

    /// Advances `state` by `steps` steps of `stepper`, from time `t`. The stepper's scratch
    /// arrays (seven states) are kept between calls: allocating and first touching them each call
    /// cost as much as a step at 1024².
    public func advance(_ state: inout [Double], steps: Int, with stepper: ETDRK4, from t: Double = 0) {
        let workspace: ETDRK4Workspace
        if let cached = stepperWorkspace, cached.count == state.count {
            workspace = cached
        } else {
            workspace = ETDRK4Workspace(count: state.count, workers: workers)
            stepperWorkspace = workspace
        }
        for s in 0..<steps {
            stepper.advance(&state, time: t + Double(s) * stepper.step, workspace: workspace) { _, u, out in nonlinear(u, into: &out) }
        }
    }

    /// The largest stable step for a CFL number `cfl` at maximum speed `maxVelocity`: `cfl·Δx/|u|max`.
    public func cflStep(cfl: Double, maxVelocity: Double) -> Double {
        cfl * (2 * Double.pi / Double(n)) / max(maxVelocity, 1e-12)
    }
}

/// Four physical fields of one grid and their four half spectra, allocated once with FFTW's
/// alignment (the inverse transforms read and write them directly).
final class WorkFields {
    let u, v, wx, wy: UnsafeMutablePointer<Double>
    let uSpectrum, vSpectrum, wxSpectrum, wySpectrum: UnsafeMutablePointer<fftw_complex>
    init(fft: RealFFT2D) {
        (u, v, wx, wy) = (fft.allocateField(), fft.allocateField(), fft.allocateField(), fft.allocateField())
        (uSpectrum, vSpectrum, wxSpectrum, wySpectrum) =
            (fft.allocateSpectrum(), fft.allocateSpectrum(), fft.allocateSpectrum(), fft.allocateSpectrum())
    }
    deinit {
        for p in [u, v, wx, wy] { RealFFT2D.freeField(p) }
        for p in [uSpectrum, vSpectrum, wxSpectrum, wySpectrum] { RealFFT2D.freeSpectrum(p) }
    }
}

extension VorticityNavierStokes2D {
    /// Exact finite-volume averages of the (band-limited) vorticity over the cells of an
    /// `m × m` grid (`m` divides `n`), coarse cell `(J, I)` covering `[J·H, (J+1)·H) × [I·H, (I+1)·H)`
    /// with `H = 2π/m`: each mode is multiplied by `sinc(kₓH/2)·sinc(k_yH/2)` and shifted by
    /// half a coarse cell, and the filtered field is sampled every `n/m` fine points.
    /// Returns `m·m` values, row `y`, column `x` (how TSM's coarse data are made from DNS).
    public func cellAverages(_ state: [Double], coarse m: Int) -> [Double] {
        precondition(m >= 1 && n % m == 0, "cellAverages: \(m) must divide \(n)")
        let h = 2 * Double.pi / Double(m)
        func sinc(_ x: Double) -> Double { x == 0 ? 1 : sin(x) / x }
        for row in 0..<n {
            for col in 0..<columns {
                let i = row * columns + col
                let (kxc, kyr) = (kx[col], ky[row])
                let filter = sinc(kxc * h / 2) * sinc(kyr * h / 2)
                let phase = (kxc + kyr) * h / 2
                let (c, s) = (cos(phase), sin(phase))
                let (re, im) = (state[2 * i] * filter, state[2 * i + 1] * filter)
                fft.spectrum[i] = (re * c - im * s, re * s + im * c)
            }
        }
        fft.inverse()
        let f = n / m
        var coarse = [Double](repeating: 0, count: m * m)
        for row in 0..<m { for col in 0..<m { coarse[row * m + col] = fft.physical[(row * f) * n + col * f] } }
        return coarse
    }
}

extension VorticityNavierStokes2D {
    /// Face-averaged velocities on a staggered `m × m` grid (`m` divides `n`), cell size `H = 2π/m`,
    /// the layout of the finite-volume coarse solver (JAX-CFD's offsets): `u[j·m + i]` is the mean
    /// of u over the x-face at `x = (i+1)H`, `y ∈ [jH, (j+1)H)`; `v[j·m + i]` the mean of v over the
    /// y-face at `y = (j+1)H`, `x ∈ [iH, (i+1)H)`. Exact for the band-limited DNS field.
    public func faceAveragedVelocity(_ state: [Double], coarse m: Int) -> (u: [Double], v: [Double]) {
        precondition(m >= 1 && n % m == 0, "faceAveragedVelocity: \(m) must divide \(n)")
        let h = 2 * Double.pi / Double(m)
        let f = n / m
        func sinc(_ x: Double) -> Double { x == 0 ? 1 : sin(x) / x }
        func sample(_ component: Int) -> [Double] {
            for row in 0..<n {
                for col in 0..<columns {
                    let i = row * columns + col
                    let (kxc, kyr) = (kx[col], ky[row])
                    let k2 = kxc * kxc + kyr * kyr
                    let (re, im) = (state[2 * i], state[2 * i + 1])
                    // û = i ky ω̂/|k|², v̂ = −i kx ω̂/|k|².
                    var (a, b) = k2 == 0 ? (0.0, 0.0) : (component == 0 ? (-kyr * im / k2, kyr * re / k2) : (kxc * im / k2, -kxc * re / k2))
                    // Average along the face (y for u, x for v) and evaluate at the face's position.
                    let (filter, phase) = component == 0
                        ? (sinc(kyr * h / 2), kxc * h + kyr * h / 2)
                        : (sinc(kxc * h / 2), kxc * h / 2 + kyr * h)
                    a *= filter; b *= filter
                    let (c, s) = (cos(phase), sin(phase))
                    fft.spectrum[i] = (a * c - b * s, a * s + b * c)
                }
            }
            fft.inverse()
            var coarse = [Double](repeating: 0, count: m * m)
            for row in 0..<m { for col in 0..<m { coarse[row * m + col] = fft.physical[(row * f) * n + col * f] } }
            return coarse
        }
        return (sample(0), sample(1))
    }
}
