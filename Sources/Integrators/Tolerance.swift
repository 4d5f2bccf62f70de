/// Error tolerances for adaptive step-size control.
///
/// A step is accepted when the RMS (Hairer) norm of the scaled local error estimate is at most 1:
///
///     sc_i  = atol_i + rtol_i * max(|y_i|, |ynew_i|)
///     ‖err‖ = sqrt( (1/n) * Σ_i (err_i / sc_i)^2 )
///
/// `relative` and `absolute` each hold either one value (applied to every component) or exactly
/// `n` values (one per state component, same units as the state). `solve` throws
/// ``IntegrationError/invalidTolerance(component:relative:absolute:)`` when some `rtol_i <= 0`,
/// `atol_i < 0` or either is not finite, and
/// ``IntegrationError/toleranceCountMismatch(dimension:relative:absolute:)`` on a length mismatch.
public struct Tolerance: Sendable, Equatable {
    /// Relative tolerances `rtol` (dimensionless): 1 value or `n` values, each `> 0`.
    public var relative: [Double]
    /// Absolute tolerances `atol` (state units): 1 value or `n` values, each `>= 0`.
    public var absolute: [Double]

    /// Scalar tolerances applied to every component. Defaults: `rtol = 1e-6`, `atol = 1e-8`.
    public init(relative: Double = 1e-6, absolute: Double = 1e-8) {
        self.relative = [relative]
        self.absolute = [absolute]
    }

    /// Scalar relative tolerance with per-component absolute tolerances (`absolute.count == n`).
    public init(relative: Double, absolute: [Double]) {
        self.relative = [relative]
        self.absolute = absolute
    }

    /// Per-component relative and absolute tolerances (each of length 1 or `n`).
    public init(relative: [Double], absolute: [Double]) {
        self.relative = relative
        self.absolute = absolute
    }

    /// Validates and broadcasts to `dimension` components.
    @usableFromInline
    func resolved(dimension n: Int) throws(IntegrationError) -> (relative: [Double], absolute: [Double]) {
        guard relative.count == 1 || relative.count == n,
              absolute.count == 1 || absolute.count == n
        else {
            throw .toleranceCountMismatch(dimension: n, relative: relative.count, absolute: absolute.count)
        }
        var r = [Double](repeating: 0, count: n)
        var a = [Double](repeating: 0, count: n)
        for i in 0..<n {
            r[i] = relative.count == 1 ? relative[0] : relative[i]
            a[i] = absolute.count == 1 ? absolute[0] : absolute[i]
            guard r[i].isFinite, r[i] > 0, a[i].isFinite, a[i] >= 0 else {
                throw .invalidTolerance(component: i, relative: r[i], absolute: a[i])
            }
        }
        return (r, a)
    }
}
