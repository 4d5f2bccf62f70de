import Dispatch
import Randomness

// Public entry points for SDEs: fixed-step and adaptive `solve` (the one driver, ``ODEIntegrator``,
// with the method on its Brownian path, run to the end; drive an `SDEIntegrator` yourself to pause,
// snapshot and resume), and ensembles. Events work as for ODE methods (terminal or not, `affect`),
// located on the straight line between a step's ends. Results reuse `ODESolution`:
//
// - `times`/`states` follow `SaveAt`; save times are hit exactly (fixed steps split the grid step
//   containing a save time, adaptive steps are shortened to land on it) — never interpolated;
// - `solution(t)` / `interpolate(_:)` (only with `denseOutput: true`) is *piecewise linear*
//   interpolation between accepted step points (`denseOutputOrder == 1`); it is not a Brownian
//   bridge and carries no strong-order guarantee between steps;
// - `statistics.rhsEvaluations` counts drift calls, `statistics.diffusionEvaluations` diffusion
//   (and `(∂g/∂X)·g`) calls; accepted/rejected steps as for ODEs.

/// Validates the common arguments and checks that `tree` can drive `problem`.
@usableFromInline
func validate(_ problem: SDEProblem, tree: BrownianTree, method: some SDEMethod) throws(IntegrationError) {
    try validate(problem)
    guard tree.dimension == problem.noiseDimension else {
        throw .invalidArgument(
            "Brownian tree has dimension \(tree.dimension) but the problem needs \(problem.noiseDimension) "
                + "(\(problem.noise == .scalar ? "scalar noise" : "diagonal noise, one per component"))")
    }
    guard tree.start <= problem.start, tree.end >= problem.end else {
        throw .invalidArgument(
            "Brownian tree span [\(tree.start), \(tree.end)] does not cover the problem span [\(problem.start), \(problem.end)]")
    }
    if method.requiresAdditiveNoise && !problem.isAdditive {
        throw .invalidArgument("\(method.name) requires additive noise (SDEProblem.isAdditive == true)")
    }
}

/// Solves `problem` with fixed steps of size `step` on the Brownian path `brownian`.
///
/// The grid is `t0 + k·step` (`ceil((t1 - t0)/step)` steps, an exact multiple within `1e-9`
/// relative is not rounded up; the last step ends exactly at `t1`). Any ``SDEMethod`` works,
/// including the adaptive ones (their error estimate is then not computed).
///
/// - Throws: ``IntegrationError`` for invalid input (empty/non-finite state, empty or backward span,
///   `step` not finite and positive, a tree of the wrong dimension or not covering the span, SRA1 on
///   non-additive noise, bad `saveAt`, `maxSteps < 1`), ``IntegrationError/nonFiniteState(_:)`` when
///   the state becomes NaN/Inf, ``IntegrationError/maxStepsReached(maxSteps:_:)``; run-time failures
///   carry the partial solution.
@inlinable
public func solve<Method: SDEMethod>(
    _ problem: SDEProblem,
    using method: Method,
    step: Double,
    brownian: BrownianTree,
    saveAt: SaveAt = .steps,
    maxSteps: Int = 10_000_000,
    denseOutput: Bool = false,
    events: [Event] = []
) throws(IntegrationError) -> ODESolution {
    var integrator = try SDEIntegrator(
        problem, using: method, step: step, brownian: brownian, saveAt: saveAt, maxSteps: maxSteps, denseOutput: denseOutput,
        events: events)
    try integrator.finish()
    return integrator.solution
}

/// Fixed-step solve on the Brownian path of `seed`: a ``BrownianTree`` over the problem's span with
/// ``BrownianTree/defaultDepth`` and the problem's noise dimension. The same seed gives the same
/// path for every step size and method.
@inlinable
public func solve<Method: SDEMethod>(
    _ problem: SDEProblem,
    using method: Method,
    step: Double,
    seed: UInt64,
    saveAt: SaveAt = .steps,
    maxSteps: Int = 10_000_000,
    denseOutput: Bool = false,
    events: [Event] = []
) throws(IntegrationError) -> ODESolution {
    try validate(problem)
    let tree = try BrownianTree(seed: seed, from: problem.start, to: problem.end, dimension: problem.noiseDimension)
    return try solve(
        problem, using: method, step: step, brownian: tree, saveAt: saveAt, maxSteps: maxSteps, denseOutput: denseOutput,
        events: events)
}

/// Adaptive solve with an embedded error estimate (``SRIW1``, ``SRA1``) on the path `brownian`.
///
/// A step is accepted when the scaled RMS norm of the method's error estimate is `<= 1` (scale
/// `atol_i + rtol_i max(|X_i|, |X_new,i|)`, see ``Tolerance``); step sizes come from `controller`
/// with exponents for an `h^1.5` estimate (`β1 = 0.7/1.5`, `β2 = 0.4/1.5` unless set). A rejected
/// step re-queries the tree over the shorter interval: the path is fixed by the tree, so the
/// result is reproducible and unbiased for any tolerance. A NaN/Inf trial state is treated as a
/// rejection (`h *= minFactor`).
///
/// - Parameters:
///   - initialStep: first step (time units, `> 0`); default `min(maxStep, (t1 - t0)/100)`.
///   - maxStep: upper bound on the step size.
///   - maxSteps: limit on attempted (accepted + rejected) steps.
@inlinable
public func solve<Method: AdaptiveSDEMethod>(
    _ problem: SDEProblem,
    using method: Method,
    tolerance: Tolerance = Tolerance(relative: 1e-3, absolute: 1e-6),
    brownian: BrownianTree,
    saveAt: SaveAt = .steps,
    controller: PIController = PIController(),
    initialStep: Double? = nil,
    maxStep: Double? = nil,
    maxSteps: Int = 100_000,
    denseOutput: Bool = false,
    events: [Event] = []
) throws(IntegrationError) -> ODESolution {
    var integrator = try SDEIntegrator(
        problem, using: method, tolerance: tolerance, brownian: brownian, saveAt: saveAt, controller: controller,
        initialStep: initialStep, maxStep: maxStep, maxSteps: maxSteps, denseOutput: denseOutput, events: events)
    try integrator.finish()
    return integrator.solution
}

/// Adaptive solve on the Brownian path of `seed` (a default-depth ``BrownianTree`` over the span).
@inlinable
public func solve<Method: AdaptiveSDEMethod>(
    _ problem: SDEProblem,
    using method: Method,
    tolerance: Tolerance = Tolerance(relative: 1e-3, absolute: 1e-6),
    seed: UInt64,
    saveAt: SaveAt = .steps,
    controller: PIController = PIController(),
    initialStep: Double? = nil,
    maxStep: Double? = nil,
    maxSteps: Int = 100_000,
    denseOutput: Bool = false,
    events: [Event] = []
) throws(IntegrationError) -> ODESolution {
    try validate(problem)
    let tree = try BrownianTree(seed: seed, from: problem.start, to: problem.end, dimension: problem.noiseDimension)
    return try solve(
        problem, using: method, tolerance: tolerance, brownian: tree, saveAt: saveAt, controller: controller,
        initialStep: initialStep, maxStep: maxStep, maxSteps: maxSteps, denseOutput: denseOutput, events: events)
}

// MARK: ensembles

/// Fixed-step ensemble of `count` paths run concurrently (`DispatchQueue.concurrentPerform`).
/// Member `i` solves `problem(i)` (built on the worker thread) on the Brownian path of seed
/// `SplitMix64.derivedSeed(base: baseSeed, index: i)`, so every member's result depends only on
/// `(baseSeed, i)` and the arguments, never on thread count or scheduling.
///
/// - Returns: one `Result` per member, in index order; a failing member does not affect others.
public func solveEnsemble<Method: SDEMethod>(
    count: Int,
    using method: Method,
    step: Double,
    baseSeed: UInt64,
    saveAt: SaveAt = .final,
    maxSteps: Int = 10_000_000,
    problem: @Sendable (Int) -> SDEProblem
) -> [Result<ODESolution, IntegrationError>] {
    runEnsemble(count: count) { i throws(IntegrationError) in
        try solve(problem(i), using: method, step: step, seed: SplitMix64.derivedSeed(base: baseSeed, index: i),
                  saveAt: saveAt, maxSteps: maxSteps)
    }
}

/// Adaptive ensemble; see ``solveEnsemble(count:using:step:baseSeed:saveAt:maxSteps:problem:)``
/// for seeding and threading.
public func solveEnsemble<Method: AdaptiveSDEMethod>(
    count: Int,
    using method: Method,
    tolerance: Tolerance = Tolerance(relative: 1e-3, absolute: 1e-6),
    baseSeed: UInt64,
    saveAt: SaveAt = .final,
    controller: PIController = PIController(),
    maxSteps: Int = 100_000,
    problem: @Sendable (Int) -> SDEProblem
) -> [Result<ODESolution, IntegrationError>] {
    runEnsemble(count: count) { i throws(IntegrationError) in
        try solve(
            problem(i), using: method, tolerance: tolerance, seed: SplitMix64.derivedSeed(base: baseSeed, index: i),
            saveAt: saveAt, controller: controller, maxSteps: maxSteps)
    }
}
