import Integrators

/// A classic initial-value problem with a reference solution nobody here computed: the
/// problems the test suite checks the integrators against and `Benchmarks/` times them on
/// (side by side with SUNDIALS, diffrax and scipy, which solve the same definitions).
public struct ReferenceProblem {
    /// Short name used by the benchmarks and their peers: `lorenz`, `pleiades`, `hires`, ...
    public var name: String
    /// The problem on its full span.
    public var problem: ODEProblem
    /// Analytic Jacobian ∂f/∂y, column-major n×n (`J[i + j n] = ∂f_i/∂y_j`), when the problem has one.
    public var jacobian: ((_ t: Double, _ y: UnsafeBufferPointer<Double>, _ J: UnsafeMutableBufferPointer<Double>) -> Void)?
    /// The tolerances the benchmark uses.
    public var tolerance: Tolerance
    /// Time of the reference state (the end of the span, except Lorenz: t = 10).
    public var referenceTime: Double
    /// The reference state at `referenceTime`.
    public var reference: [Double]
    /// Where the reference comes from.
    public var source: String
    /// Whether the problem is stiff (for choosing methods).
    public var isStiff: Bool

    /// The problem on `0 ... referenceTime` (differs from `problem` only for Lorenz).
    public var referenceProblem: ODEProblem {
        var shortened = problem
        shortened.end = referenceTime
        return shortened
    }

    /// Max-abs difference between `state` and the reference.
    public func error(of state: [Double]) -> Double {
        zip(state, reference).map { abs($0 - $1) }.max() ?? .nan
    }
}
