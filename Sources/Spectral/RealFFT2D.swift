import CFFTW

/// Forward and inverse real FFTs of an `ny × nx` periodic grid (row-major, x fastest), with
/// their FFTW plans and aligned buffers owned together and freed in `deinit`.
///
/// `forward()` maps ``physical`` (`ny·nx` reals) to ``spectrum`` (`ny·(nx/2+1)` complex
/// coefficients, unnormalised: `f̂_k = Σ f_j e^{−i k·x_j}`); `inverse()` maps ``spectrum`` back
/// to ``physical`` including the `1/(nx·ny)` factor. The inverse overwrites ``spectrum``'s
/// scratch copy, never the caller's data. Plans use `FFTW_ESTIMATE`, so transforms are
/// bit-reproducible from run to run.
public final class RealFFT2D: @unchecked Sendable {
    // @unchecked: the buffers belong to this object; callers use one instance per thread.
    public let nx: Int
    public let ny: Int
    /// `nx/2 + 1` complex columns of the half spectrum.
    public var spectralColumns: Int { nx / 2 + 1 }
    /// Real grid values, `ny·nx`.
    public let physical: UnsafeMutablePointer<Double>
    /// Half spectrum, `ny·(nx/2+1)` complex values as (re, im) pairs.
    public let spectrum: UnsafeMutablePointer<fftw_complex>
    private let scratch: UnsafeMutablePointer<fftw_complex>
    private let forwardPlan: fftw_plan
    private let inversePlan: fftw_plan

    public init(nx: Int, ny: Int) {
        precondition(nx >= 2 && ny >= 2 && nx % 2 == 0 && ny % 2 == 0, "RealFFT2D needs even grid sizes, got \(nx)×\(ny)")
        self.nx = nx
        self.ny = ny
        let complexCount = ny * (nx / 2 + 1)
        let physical = fftw_alloc_real(nx * ny)!, spectrum = fftw_alloc_complex(complexCount)!, scratch = fftw_alloc_complex(complexCount)!
        (self.physical, self.spectrum, self.scratch) = (physical, spectrum, scratch)
        (forwardPlan, inversePlan) = FFTWPlanning.locked {
            (fftw_plan_dft_r2c_2d(Int32(ny), Int32(nx), physical, spectrum, UInt32(FFTW_ESTIMATE)),
             fftw_plan_dft_c2r_2d(Int32(ny), Int32(nx), scratch, physical, UInt32(FFTW_ESTIMATE)))
        }
        physical.initialize(repeating: 0, count: nx * ny)
        spectrum.initialize(repeating: (0, 0), count: complexCount)
        scratch.initialize(repeating: (0, 0), count: complexCount)
    }

    deinit {
        FFTWPlanning.locked {
            fftw_destroy_plan(forwardPlan)
            fftw_destroy_plan(inversePlan)
        }
        fftw_free(physical)
        fftw_free(spectrum)
        fftw_free(scratch)
    }

    /// ``physical`` → ``spectrum``.
    @inlinable public func forward() { executeForward() }

    /// ``spectrum`` → ``physical`` (normalised; ``spectrum`` is left as it was).
    @inlinable public func inverse() { executeInverse() }

    /// ``spectrum`` → ``physical`` without the `1/(nx·ny)` factor (fold it in elsewhere);
    /// ``spectrum`` is overwritten.
    public func inverseUnnormalisedInPlace() {
        FFTWTiming.measure { fftw_execute_dft_c2r(inversePlan, spectrum, physical) }
    }

    /// ``spectrum`` → `output` (`nx·ny` reals from ``allocateField()``) without the normalisation;
    /// ``spectrum`` is overwritten.
    public func inverseUnnormalised(into output: UnsafeMutablePointer<Double>) {
        FFTWTiming.measure { fftw_execute_dft_c2r(inversePlan, spectrum, output) }
    }

    /// `input` (a half spectrum from ``allocateSpectrum()``) → `output` (from ``allocateField()``)
    /// without the normalisation; `input` is overwritten. Several spectra can be filled in one
    /// pass over memory and transformed one after another with the same plan.
    public func inverseUnnormalised(_ input: UnsafeMutablePointer<fftw_complex>, into output: UnsafeMutablePointer<Double>) {
        FFTWTiming.measure { fftw_execute_dft_c2r(inversePlan, input, output) }
    }

    /// A half-spectrum buffer aligned as FFTW's plans need (`ny·(nx/2+1)` complex, zeroed); free
    /// it with ``freeSpectrum(_:)``.
    public func allocateSpectrum() -> UnsafeMutablePointer<fftw_complex> {
        let p = fftw_alloc_complex(ny * (nx / 2 + 1))!
        p.initialize(repeating: (0, 0), count: ny * (nx / 2 + 1))
        return p
    }

    public static func freeSpectrum(_ p: UnsafeMutablePointer<fftw_complex>) { fftw_free(p) }

    /// A field buffer aligned as FFTW's plans need (`nx·ny` reals, zeroed); free with `fftw_free`
    /// via ``freeField(_:)``.
    public func allocateField() -> UnsafeMutablePointer<Double> {
        let p = fftw_alloc_real(nx * ny)!
        p.initialize(repeating: 0, count: nx * ny)
        return p
    }

    public static func freeField(_ p: UnsafeMutablePointer<Double>) { fftw_free(p) }

    @usableFromInline func executeForward() { FFTWTiming.measure { fftw_execute(forwardPlan) } }

    @usableFromInline func executeInverse() {
        let count = ny * (nx / 2 + 1)
        scratch.update(from: spectrum, count: count)
        FFTWTiming.measure { fftw_execute(inversePlan) }
        let scale = 1 / Double(nx * ny)
        for i in 0..<(nx * ny) { physical[i] *= scale }
    }
}

/// Integer wavenumbers of a `2π`-periodic grid of `n` points in FFTW order: `0, 1, ..., n/2 − 1,
/// −n/2, ..., −1` (full axis), or `0 ... n/2` (the halved real-to-complex axis).
public enum Wavenumbers {
    public static func full(_ n: Int) -> [Double] { (0..<n).map { Double($0 < n / 2 ? $0 : $0 - n) } }
    public static func half(_ n: Int) -> [Double] { (0...(n / 2)).map(Double.init) }
}
