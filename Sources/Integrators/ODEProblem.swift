/// Right-hand side `f(t, y)` of the first-order system `dy/dt = f(t, y)`.
///
/// - Parameters:
///   - t: time (the problem's time unit).
///   - y: the state, `n` components (read-only view; valid only during the call).
///   - dy: output, `n` components: write `f(t, y)` into it in place. Every component must be written.
///
/// The closure is called many times per step and must not allocate if performance matters.
/// It must not retain the buffers. Returning NaN or ±Inf is detected and reported as an
/// ``IntegrationError`` (never a trap).
public typealias ODEFunction = (
    _ t: Double,
    _ y: UnsafeBufferPointer<Double>,
    _ dy: UnsafeMutableBufferPointer<Double>
) -> Void

/// An initial-value problem `dy/dt = f(t, y)`, `y(start) = initial`, integrated from `start` to `end`.
///
/// The state is a flat vector of `n = initial.count` `Double`s. Integration runs forward when
/// `end > start` and backward in time when `end < start` (use ``init(initial:from:to:rhs:)``).
/// Inputs are validated by `solve`, which throws ``IntegrationError`` for NaN/Inf initial values,
/// an empty span (`start == end`) or non-finite endpoints.
///
/// Design hook: a later stiff solver can add an optional Jacobian closure here without breaking
/// this initializer.
public struct ODEProblem {
    /// Initial state `y(start)`, `n` components.
    public var initial: [Double]
    /// Initial time `t0`.
    public var start: Double
    /// Final time `t1` (may be smaller than `start` for backward integration).
    public var end: Double
    /// The right-hand side `f(t, y)`.
    public var rhs: ODEFunction
    /// Optional Jacobian / `∂f/∂t` for the stiff solvers (see ``ODEJacobian``); `nil` means finite
    /// differences. Set it with ``withJacobian(_:)``, ``withTimeDerivative(_:)`` or ``autonomous()``.
    public var jacobian: ODEJacobian? = nil
    /// The right-hand side as a sum of a non-stiff and a stiff part, for IMEX methods (``ARK324L2SA``,
    /// ``ARK436L2SA``); `rhs` is then their sum. Other methods use `rhs` alone.
    public var split: ODESplit? = nil

    /// Forward problem on `timeSpan.lowerBound ... timeSpan.upperBound`.
    public init(initial: [Double], timeSpan: ClosedRange<Double>, rhs: @escaping ODEFunction) {
        self.initial = initial
        self.start = timeSpan.lowerBound
        self.end = timeSpan.upperBound
        self.rhs = rhs
    }

    /// Problem integrated from `start` to `end`; `end < start` integrates backward in time.
    public init(initial: [Double], from start: Double, to end: Double, rhs: @escaping ODEFunction) {
        self.initial = initial
        self.start = start
        self.end = end
        self.rhs = rhs
    }

    /// Number of state components `n`.
    /// A problem whose right-hand side is `f = f_E + f_I`: `explicit` non-stiff (treated explicitly
    /// by IMEX methods), `implicit` stiff (treated implicitly; Jacobian information in ``jacobian``
    /// then describes `f_I` alone). `implicitIsLinear` (`f_I(t, y) = L y` with a constant `L`) lets
    /// IMEX methods evaluate its Jacobian once and solve each stage with one linear solve.
    public init(initial: [Double], timeSpan: ClosedRange<Double>, explicit: @escaping ODEFunction,
                implicit: @escaping ODEFunction, implicitIsLinear: Bool = false) {
        let n = initial.count
        self.init(initial: initial, timeSpan: timeSpan) { t, y, dy in
            explicit(t, y, dy)
            withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { stiff in
                implicit(t, y, stiff)
                for i in 0..<n { dy[i] += stiff[i] }
            }
        }
        split = ODESplit(explicit: explicit, implicit: implicit, implicitIsLinear: implicitIsLinear)
    }

    @inlinable public var dimension: Int { initial.count }

    /// `+1` for forward integration, `-1` for backward.
    @inlinable public var direction: Double { end >= start ? 1 : -1 }
}

/// The two parts of a split right-hand side `f = f_E + f_I` (see
/// ``ODEProblem/init(initial:timeSpan:explicit:implicit:implicitIsLinear:)``).
public struct ODESplit {
    /// `f_E(t, y)`: non-stiff, treated explicitly.
    public var explicit: ODEFunction
    /// `f_I(t, y)`: stiff, treated implicitly.
    public var implicit: ODEFunction
    /// `f_I` is linear in `y` with a constant matrix.
    public var implicitIsLinear: Bool

    public init(explicit: @escaping ODEFunction, implicit: @escaping ODEFunction, implicitIsLinear: Bool = false) {
        self.explicit = explicit
        self.implicit = implicit
        self.implicitIsLinear = implicitIsLinear
    }
}
