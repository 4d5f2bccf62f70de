/// Validates the problem itself (state and span).
@usableFromInline
func validate(_ problem: ODEProblem) throws(IntegrationError) {
    guard !problem.initial.isEmpty else { throw .emptyInitialState }
    for (i, v) in problem.initial.enumerated() where !v.isFinite {
        throw .invalidInitialState(index: i, value: v)
    }
    guard problem.start.isFinite, problem.end.isFinite, problem.start != problem.end else {
        throw .invalidTimeSpan(start: problem.start, end: problem.end)
    }
}

/// Solves `problem` with any ``ODEMethod``, step-size controller, events and saving policy: the one
/// entry point of the integrator core.
///
/// ```swift
/// let solution = try solve(robertson, using: Rodas5P(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-10),
///                          events: [Event(condition: { _, y in y[0] - 0.5 }, terminal: true)])
/// ```
///
/// With the default ``PIController`` each step's local error estimate is measured in the RMS
/// (Hairer) norm scaled by `atol_i + rtol_i max(|y_i|, |ynew_i|)` (see ``Tolerance``); a step is
/// accepted if that norm is `<= 1`, and the next step size comes from the controller (``BDF``
/// chooses its own order and step). ``FixedStep`` takes a fixed grid instead. The first step is
/// `initialStep` if given, otherwise Hairer's selection (one extra RHS call). Works forward and
/// backward in time (`problem.end < problem.start`).
///
/// - Parameters:
///   - problem: the initial-value problem (with a Jacobian for the stiff methods, or a finite difference).
///   - method: `Tsit5()`, `DormandPrince5()`, `Verner7()`, `BogackiShampine3()`, `RK4()`, `Heun()`,
///     `Euler()`, `Rodas5P()`, `BDF()`, or any ``ODEMethod``; by name through ``MethodCatalogue``.
///   - tolerance: `rtol` / `atol`, scalar or per component (ignored by fixed steps).
///   - saveAt: which points go into `times`/`states` (default: every step).
///   - controller: ``PIController`` (default) or ``FixedStep``.
///   - initialStep: first step magnitude (time units, `> 0`), or `nil` for automatic.
///   - maxStep: upper bound on `|h|` (time units), or `nil` for none.
///   - maxSteps: limit on attempted (accepted + rejected) steps; `nil`: 100 000 adaptive, 10⁷ fixed.
///   - denseOutput: store the interpolant of every step so that `solution(t)` works (default `true`;
///     memory grows with the steps).
///   - events: conditions whose zero crossings are located, recorded in `solution.events`, and may
///     stop the solve or change the state (see ``Event``).
/// - Throws: ``IntegrationError``: invalid input, or a run-time failure carrying the partial solution.
@inlinable
public func solve<Method: ODEMethod, Controller: StepSizeController>(
    _ problem: ODEProblem,
    using method: Method,
    tolerance: Tolerance = Tolerance(),
    saveAt: SaveAt = .steps,
    controller: Controller = PIController(),
    initialStep: Double? = nil,
    maxStep: Double? = nil,
    maxSteps: Int? = nil,
    denseOutput: Bool = true,
    events: [Event] = []
) throws(IntegrationError) -> ODESolution {
    var integrator = try ODEIntegrator(
        problem, using: method, tolerance: tolerance, saveAt: saveAt, controller: controller, initialStep: initialStep,
        maxStep: maxStep, maxSteps: maxSteps, denseOutput: denseOutput, events: events)
    try integrator.finish()
    return integrator.solution
}

/// Solves `problem` with fixed steps of size `step`: shorthand for `controller: FixedStep(step)`
/// (see ``FixedStep`` for the grid), e.g. `solve(p, using: RK4(), step: 0.01)`.
@inlinable
public func solve<Method: ODEMethod>(
    _ problem: ODEProblem,
    using method: Method,
    step: Double,
    saveAt: SaveAt = .steps,
    maxSteps: Int = 10_000_000,
    denseOutput: Bool = true,
    events: [Event] = []
) throws(IntegrationError) -> ODESolution {
    try solve(problem, using: method, saveAt: saveAt, controller: FixedStep(step), maxSteps: maxSteps,
              denseOutput: denseOutput, events: events)
}
