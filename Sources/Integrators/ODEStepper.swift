// The two protocols every ODE method implements, so that one driver (``ODEIntegrator``) owns what
// all methods share: span clipping, step limits, the step-size controller, events, saved points,
// dense output, statistics and snapshots. A method (``ODEMethod``) is a small value — a tableau, a
// linear-solver choice — that makes its per-solve stepping state (``ODEStepper``); the stepper knows
// how to attempt one step, what its error was, and the interpolant of the step it just took.

/// Why a stepper cannot go on; the driver turns it into an ``IntegrationError`` carrying the
/// partial solution.
public enum StepFailure: Error, Sendable, Equatable {
    /// `f(t, y)` returned NaN/Inf at an accepted point.
    case nonFiniteDerivative
    /// The state became NaN/Inf and the step cannot be retried (fixed steps, repeated failures).
    case nonFiniteState
    /// The iteration matrix stayed singular.
    case singularMatrix
    /// The Newton iteration kept failing.
    case newtonFailure
    /// The step size fell below what `t` can resolve.
    case stepSizeUnderflow
    /// The linear solver kept failing (GMRES not converging within its limit).
    case linearSolverFailure(String)
    /// The problem's Jacobian information is wrong (a sparsity pattern that contradicts it,
    /// a preconditioner that returns NaN): an input error, not something a smaller step fixes.
    case invalidJacobian(String)
}

/// What one step attempt produced.
public enum StepVerdict: Sendable, Equatable {
    /// The trial step is good. `error` is the scaled error norm (`<= 1`; 0 for fixed steps);
    /// `stepFactor`, when given, is the method's own choice of the next step relative to this one
    /// (BDF's order-and-step selection); otherwise the controller chooses.
    case accepted(error: Double, stepFactor: Double?)
    /// The trial step is refused: `error > 1`, or not finite when the trial state or the linear
    /// algebra failed. `stepFactor`, when given, is the method's own reduction.
    case rejected(error: Double, stepFactor: Double?)
    /// Try the same step again (nothing counted), e.g. after refreshing a stale Jacobian.
    case retry
}

/// The per-solve stepping state of an ODE method: buffers, the current point and what the method
/// carries from step to step. ``ODEIntegrator`` drives it; users choose a method (``ODEMethod``)
/// and never call these members themselves unless they write a new method.
///
/// A step goes: ``attempt(from:to:step:estimatingError:)`` computes the trial step
/// `t → tNew` without committing it; after an accepted attempt the driver may ask for the step's
/// interpolant (``interpolant()``), then either ``commit(to:)``s the step or, when an event cut it
/// short, ``restart(at:)``s from the root with the state it wrote into ``currentState``.
public protocol ODEStepper {
    /// Number of state components `n`.
    var dimension: Int { get }
    /// The method's name, recorded in the solution and in snapshots.
    var methodName: String { get }
    /// Classical order (for the first-step heuristic).
    var order: Int { get }
    /// Degree `d` of the interpolant in θ and its order of accuracy.
    var interpolantDegree: Int { get }
    var interpolantOrder: Int { get }
    /// The state at the current point, `n` values (the driver may overwrite it before ``restart(at:)``).
    var currentState: UnsafeMutablePointer<Double> { get }
    /// The trial state of the last accepted attempt, `n` values, valid until the next call.
    var trialState: UnsafeMutablePointer<Double> { get }
    /// `f(t, y)` at the current point (valid after ``start(at:)``).
    var currentDerivative: UnsafeMutablePointer<Double> { get }
    /// `2n` scratch values the driver may use between calls (interpolated states).
    var scratch: UnsafeMutablePointer<Double> { get }
    /// Work counters.
    var statistics: SolverStatistics { get set }
    /// The failure to report when the step size vanishes (a stepper that kept failing for a
    /// reason of its own names it; otherwise ``StepFailure/stepSizeUnderflow``).
    var failureWhenStepVanishes: StepFailure { get }

    /// Evaluates what the first step needs at `(t0, y0)` (at least `f(t0, y0)`).
    mutating func start(at t: Double) throws(StepFailure)
    /// Attempts the step from `t` to `tNew` (signed size `h = tNew - t`, except that the span's
    /// last step ends exactly at the span's end). With `estimatingError: false` (fixed steps) the
    /// step is accepted unless its state is not finite (then it throws).
    mutating func attempt(from t: Double, to tNew: Double, step h: Double, estimatingError: Bool) throws(StepFailure) -> StepVerdict
    /// The interpolating polynomial of the last accepted (not yet committed) step in
    /// θ = (t - t_n)/h ∈ [0, 1]: `(degree + 1) × n` coefficients, the one of θ^p at `p·n`.
    /// It may be overwritten by the driver (to cut the step at an event).
    mutating func interpolant() -> UnsafeMutablePointer<Double>
    /// Makes the accepted trial step the current point.
    mutating func commit(to tNew: Double) throws(StepFailure)
    /// Continues from `(t, currentState)`, which the driver set (a step cut at an event root,
    /// possibly changed by the event): what the method carried from the last step is refreshed.
    mutating func restart(at t: Double) throws(StepFailure)

    /// The method's own state for a snapshot (the driver adds time, step, controller, counters,
    /// the current state and the saved-points cursor).
    func snapshotFields() -> (scalars: [String: Double], integers: [String: Int64], vectors: [String: [Double]])
    /// Restores what ``snapshotFields()`` wrote (the current state is restored by the driver).
    mutating func restoreFields(from snapshot: IntegratorSnapshot) throws(IntegrationError)
    /// Whether ``start(at:)`` evaluates `f(t0, y0)` into ``currentDerivative`` (the driver then
    /// checks it is finite). Stochastic steppers, which evaluate the drift only inside a step, say no.
    var startsWithDerivative: Bool { get }
}

extension ODEStepper {
    public var startsWithDerivative: Bool { true }
}

/// An ODE method: a value that describes the method (its coefficients, its linear solver) and
/// makes the stepper for one solve. `Tsit5()`, `DormandPrince5()`, `Verner7()`,
/// `BogackiShampine3()`, `RK4()`, `Heun()`, `Euler()`, `Rodas5P()` and `BDF()` are ODE methods;
/// any of them goes into the one ``solve(_:using:tolerance:saveAt:controller:initialStep:maxStep:maxSteps:denseOutput:events:)``
/// with any controller, events and saving policy.
public protocol ODEMethod {
    associatedtype Stepper: ODEStepper
    /// The method's name (`"Tsit5"`, `"Rodas5P"`, ...).
    var name: String { get }
    /// Order of the embedded error estimator, or `nil` for a method without one (fixed steps only).
    var errorEstimatorOrder: Int? { get }
    /// Checks the method's own settings against the problem (throws a clear error).
    func validate(for problem: ODEProblem) throws(IntegrationError)
    /// Whether the method runs on a fixed grid (``FixedStep``) through the driver.
    var takesFixedSteps: Bool { get }
    /// The stepper for one solve of `problem`, with per-component tolerances (`n` each; fixed-step
    /// solves pass ones) starting at `problem.initial`.
    func makeStepper(for problem: ODEProblem, relative: [Double], absolute: [Double]) -> Stepper
    /// For a stochastic method: `k` such that its error estimate scales like `h^k` (non-integer;
    /// the controller's exponents follow from it); `nil` for deterministic methods.
    var stochasticErrorExponent: Double? { get }
    /// Whether steps must land on every save time (stochastic methods: a saved state is a solver
    /// value, never interpolated between steps). Adaptive steps are shortened to reach the next
    /// save time (without shrinking the step proposal); fixed grid steps are split there.
    var stepsToSaveTimes: Bool { get }
    /// The first step when none is given (`nil`: Hairer's selection from `f(t0, y0)`), from the
    /// span's length `|t1 - t0|`.
    func defaultInitialStep(span: Double) -> Double?
}

extension ODEMethod {
    public func validate(for problem: ODEProblem) throws(IntegrationError) {}
    public var takesFixedSteps: Bool { true }
    public var stochasticErrorExponent: Double? { nil }
    public var stepsToSaveTimes: Bool { false }
    public func defaultInitialStep(span: Double) -> Double? { nil }
}
