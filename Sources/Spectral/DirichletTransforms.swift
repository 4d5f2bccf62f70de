import CFFTW
import Foundation

/// The sine series of functions that vanish at both ends of `[0, 1]`, sampled at the `n` interior
/// points `x_j = j/(n + 1)` (`j = 1…n`): `u(x) = Σ_{k=1}^{n} b_k sin(kπx)`, through FFTW's
/// real-to-real transform RODFT00 (the DST-I). Also the cosine series of the derivative on the
/// closed grid `j = 0…n+1` (REDFT00, the DCT-I), which pseudo-spectral Dirichlet solvers need.
///
/// One instance holds its plans and buffers: not for concurrent use (make one per thread).
public final class SineTransform: @unchecked Sendable {
    /// Interior points (and sine modes) `n`.
    public let count: Int
    private let samples: UnsafeMutablePointer<Double>
    private let output: UnsafeMutablePointer<Double>
    private let closed: UnsafeMutablePointer<Double>
    private let closedOutput: UnsafeMutablePointer<Double>
    private let sinePlan: fftw_plan
    private let cosinePlan: fftw_plan

    /// - Precondition: `count >= 1`.
    public init(count n: Int) {
        precondition(n >= 1, "SineTransform needs at least one interior point, got \(n)")
        count = n
        samples = fftw_alloc_real(n)!
        output = fftw_alloc_real(n)!
        closed = fftw_alloc_real(n + 2)!
        closedOutput = fftw_alloc_real(n + 2)!
        samples.initialize(repeating: 0, count: n)
        output.initialize(repeating: 0, count: n)
        closed.initialize(repeating: 0, count: n + 2)
        closedOutput.initialize(repeating: 0, count: n + 2)
        let (s, o, c, co) = (samples, output, closed, closedOutput)
        (sinePlan, cosinePlan) = FFTWPlanning.locked {
            (fftw_plan_r2r_1d(Int32(n), s, o, FFTW_RODFT00, UInt32(FFTW_ESTIMATE)),
             fftw_plan_r2r_1d(Int32(n + 2), c, co, FFTW_REDFT00, UInt32(FFTW_ESTIMATE)))
        }
    }

    deinit {
        FFTWPlanning.locked {
            fftw_destroy_plan(sinePlan)
            fftw_destroy_plan(cosinePlan)
        }
        fftw_free(samples)
        fftw_free(output)
        fftw_free(closed)
        fftw_free(closedOutput)
    }

    /// The interior points `x_j = j/(n + 1)`, `j = 1…n`.
    public var points: [Double] { (1...count).map { Double($0) / Double(count + 1) } }

    /// Sine coefficients `b_1…b_n` of the samples `u(x_1)…u(x_n)` (exact for a series of `n` modes).
    public func coefficients(of values: UnsafePointer<Double>, into b: UnsafeMutablePointer<Double>) {
        samples.update(from: values, count: count)
        fftw_execute(sinePlan)
        let scale = 1 / Double(count + 1)
        for k in 0..<count { b[k] = output[k] * scale }
    }

    /// Samples `u(x_1)…u(x_n)` of the sine series with coefficients `b_1…b_n`.
    public func values(of b: UnsafePointer<Double>, into u: UnsafeMutablePointer<Double>) {
        samples.update(from: b, count: count)
        fftw_execute(sinePlan)
        for j in 0..<count { u[j] = 0.5 * output[j] }
    }

    /// Samples of the derivative `u'(x) = Σ kπ b_k cos(kπx)` at the interior points.
    public func derivativeValues(of b: UnsafePointer<Double>, into du: UnsafeMutablePointer<Double>) {
        // DCT-I on j = 0…n+1: Y_j = X_0 + (−1)^j X_{n+1} + 2 Σ_{k=1}^{n} X_k cos(πjk/(n+1)).
        closed[0] = 0
        closed[count + 1] = 0
        for k in 1...count { closed[k] = 0.5 * Double(k) * Double.pi * b[k - 1] }
        fftw_execute(cosinePlan)
        for j in 0..<count { du[j] = closedOutput[j + 1] }
    }

    /// The transpose of ``derivativeValues(of:into:)``: `out_k = kπ Σ_j g_j cos(kπ x_j)` for values
    /// `g` at the interior points (adjoint solvers need it).
    public func derivativeValuesTransposed(_ g: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        closed[0] = 0
        closed[count + 1] = 0
        for j in 0..<count { closed[j + 1] = g[j] }
        fftw_execute(cosinePlan)
        for k in 1...count { out[k - 1] = 0.5 * Double(k) * Double.pi * closedOutput[k] }
    }

    /// Array conveniences of ``coefficients(of:into:)`` and ``values(of:into:)``.
    public func coefficients(of values: [Double]) -> [Double] {
        precondition(values.count == count, "SineTransform: \(values.count) samples, expected \(count)")
        var b = [Double](repeating: 0, count: count)
        values.withUnsafeBufferPointer { v in b.withUnsafeMutableBufferPointer { coefficients(of: v.baseAddress!, into: $0.baseAddress!) } }
        return b
    }

    public func values(of b: [Double]) -> [Double] {
        precondition(b.count == count, "SineTransform: \(b.count) coefficients, expected \(count)")
        var u = [Double](repeating: 0, count: count)
        b.withUnsafeBufferPointer { c in u.withUnsafeMutableBufferPointer { values(of: c.baseAddress!, into: $0.baseAddress!) } }
        return u
    }

    /// The sine series with coefficients `b` at arbitrary points `x` (direct sums, `O(n·|x|)`).
    public static func evaluate(_ b: [Double], at x: [Double]) -> [Double] {
        x.map { xi in
            // sin(kθ) by the Chebyshev recurrence sin((k+1)θ) = 2cosθ sin(kθ) − sin((k−1)θ).
            let theta = Double.pi * xi, c = 2 * cos(theta)
            var (previous, current) = (0.0, sin(theta))
            var sum = 0.0
            for k in b.indices {
                sum += b[k] * current
                (previous, current) = (current, c * current - previous)
            }
            return sum
        }
    }
}
