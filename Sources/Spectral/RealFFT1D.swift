import CFFTW

/// Forward and inverse real FFTs of `n` periodic samples (the 1-D counterpart of ``RealFFT2D``).
public final class RealFFT1D: @unchecked Sendable {
    public let n: Int
    public let physical: UnsafeMutablePointer<Double>
    /// `n/2 + 1` complex coefficients.
    public let spectrum: UnsafeMutablePointer<fftw_complex>
    private let scratch: UnsafeMutablePointer<fftw_complex>
    private let forwardPlan: fftw_plan
    private let inversePlan: fftw_plan

    public init(n: Int) {
        precondition(n >= 2 && n % 2 == 0, "RealFFT1D needs an even size, got \(n)")
        self.n = n
        let physical = fftw_alloc_real(n)!, spectrum = fftw_alloc_complex(n / 2 + 1)!, scratch = fftw_alloc_complex(n / 2 + 1)!
        (self.physical, self.spectrum, self.scratch) = (physical, spectrum, scratch)
        (forwardPlan, inversePlan) = FFTWPlanning.locked {
            (fftw_plan_dft_r2c_1d(Int32(n), physical, spectrum, UInt32(FFTW_ESTIMATE)),
             fftw_plan_dft_c2r_1d(Int32(n), scratch, physical, UInt32(FFTW_ESTIMATE)))
        }
        physical.initialize(repeating: 0, count: n)
        spectrum.initialize(repeating: (0, 0), count: n / 2 + 1)
        scratch.initialize(repeating: (0, 0), count: n / 2 + 1)
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

    public func forward() { fftw_execute(forwardPlan) }

    public func inverse() {
        scratch.update(from: spectrum, count: n / 2 + 1)
        fftw_execute(inversePlan)
        let scale = 1 / Double(n)
        for i in 0..<n { physical[i] *= scale }
    }
}
