import Integrators
import Spectral

/// 1-D viscous Burgers `∂u/∂t + u ∂u/∂x = ν ∂²u/∂x²` on `[0, 2π)`, pseudo-spectral (FFTW, 2/3
/// dealiasing) with ``ETDRK4``. State: the half spectrum as (re, im) pairs, `(n/2+1)·2` values.
public final class Burgers1D: @unchecked Sendable {
    public let n: Int
    public let viscosity: Double
    let fft: RealFFT1D
    let k: [Double]
    let dealias: [Double]

    public init(n: Int, viscosity: Double) {
        self.n = n
        self.viscosity = viscosity
        fft = RealFFT1D(n: n)
        k = Wavenumbers.half(n)
        dealias = k.map { $0 < Double(n) / 3 ? 1 : 0 }
    }

    public var stateCount: Int { (n / 2 + 1) * 2 }

    public var linear: [Double] { k.flatMap { [-viscosity * $0 * $0, -viscosity * $0 * $0] } }

    public func spectrum(of field: [Double]) -> [Double] {
        for i in 0..<n { fft.physical[i] = field[i] }
        fft.forward()
        return (0...(n / 2)).flatMap { [fft.spectrum[$0].0, fft.spectrum[$0].1] }
    }

    public func field(_ state: [Double]) -> [Double] {
        for j in 0...(n / 2) { fft.spectrum[j] = (state[2 * j], state[2 * j + 1]) }
        fft.inverse()
        return Array(UnsafeBufferPointer(start: fft.physical, count: n))
    }

    /// `N(û) = −½ ∂(u²)/∂x`, dealiased.
    public func nonlinear(_ state: [Double], into out: inout [Double]) {
        let u = field(state)
        for i in 0..<n { fft.physical[i] = 0.5 * u[i] * u[i] }
        fft.forward()
        for j in 0...(n / 2) {
            let (re, im) = fft.spectrum[j]
            // −i k (re + i im) = k im − i k re
            out[2 * j] = k[j] * im * dealias[j]
            out[2 * j + 1] = -k[j] * re * dealias[j]
        }
    }

    public func advance(_ state: inout [Double], steps: Int, step h: Double) {
        let stepper = ETDRK4(linear: linear, step: h)
        for s in 0..<steps { stepper.advance(&state, time: Double(s) * h) { _, u, out in nonlinear(u, into: &out) } }
    }
}
