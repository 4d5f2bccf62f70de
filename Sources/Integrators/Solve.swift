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

/// Solves `problem` with an adaptive explicit Runge–Kutta method.
///
/// Each step's local error estimate `err = h Σ (b_i - b̂_i) k_i` is measured in the RMS (Hairer)
/// norm scaled by `atol_i + rtol_i max(|y_i|, |ynew_i|)` (see ``Tolerance``); a step is accepted if
/// that norm is `<= 1`, and the next step size comes from `controller` (``PIController``).
/// The first step is `initialStep` if given, otherwise Hairer's selection (one extra RHS call).
/// Works forward and backward in time (`problem.end < problem.start`).
///
/// - Parameters:
///   - problem: the initial-value problem.
///   - method: `BogackiShampine3()`, `DormandPrince5()`, `Tsit5()`, `Verner7()` or any
///     ``AdaptiveRungeKuttaMethod``.
///   - tolerance: `rtol` / `atol`, scalar or per component.
///   - saveAt: which points go into `times`/`states` (default: every step).
///   - controller: step-size controller parameters.
///   - initialStep: first step magnitude (time units, `> 0`), or `nil` for automatic.
///   - maxStep: upper bound on `|h|` (time units), or `nil` for none.
///   - maxSteps: limit on attempted (accepted + rejected) steps.
///   - denseOutput: store the interpolant of every step so that `solution(t)` works (default `true`).
///   - events: conditions whose zero crossings are located, recorded in `solution.events`, and may
///     stop the solve or change the state (see ``Event``).
/// - Throws: ``IntegrationError``: invalid input, or a run-time failure carrying the partial solution.
@inlinable
public func solve<Method: AdaptiveRungeKuttaMethod>(
    _ problem: ODEProblem,
    using method: Method,
    tolerance: Tolerance = Tolerance(),
    saveAt: SaveAt = .steps,
    controller: PIController = PIController(),
    initialStep: Double? = nil,
    maxStep: Double? = nil,
    maxSteps: Int = 100_000,
    denseOutput: Bool = true,
    events: [Event] = []
) throws(IntegrationError) -> ODESolution {
    var integrator = try ODEIntegrator(
        problem, using: method, tolerance: tolerance, saveAt: saveAt, controller: controller, initialStep: initialStep,
        maxStep: maxStep, maxSteps: maxSteps, denseOutput: denseOutput, events: events)
    try integrator.finish()
    return integrator.solution
}

/// Solves `problem` with fixed steps of size `step` (time units, magnitude; the sign follows the
/// integration direction). The number of steps is `ceil(|t1 - t0| / step)` (an exact multiple
/// within `1e-9` relative is not rounded up); step `k` ends at `t0 ± k·step` and the last step ends
/// exactly at `t1` (so it may be shorter). Any ``ExplicitRungeKuttaMethod`` works, including the
/// adaptive ones (their error estimate is then ignored), e.g. `solve(p, using: RK4(), step: 0.01)`.
///
/// - Parameters:
///   - maxSteps: limit on steps; exceeding it throws with the partial solution.
///   - denseOutput: store each step's interpolant (method's own, or cubic Hermite).
/// - Throws: ``IntegrationError``; a NaN/Inf state throws ``IntegrationError/nonFiniteState(_:)``
///   immediately (fixed steps cannot retreat).
@inlinable
public func solve<Method: ExplicitRungeKuttaMethod>(
    _ problem: ODEProblem,
    using method: Method,
    step: Double,
    saveAt: SaveAt = .steps,
    maxSteps: Int = 10_000_000,
    denseOutput: Bool = true,
    events: [Event] = []
) throws(IntegrationError) -> ODESolution {
    var integrator = try ODEIntegrator(
        problem, using: method, step: step, saveAt: saveAt, maxSteps: maxSteps, denseOutput: denseOutput, events: events)
    try integrator.finish()
    return integrator.solution
}
