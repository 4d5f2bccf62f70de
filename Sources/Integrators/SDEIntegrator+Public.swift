// SDE solves you drive step by step: the one driver (``ODEIntegrator``) running an SDE method on a
// Brownian path (``SDEMethodOnPath``). Advance to a time, take the saved points, snapshot the
// complete state (the Brownian tree is stateless given its seed, so the snapshot stores only its
// identity) and resume later with bit-identical results; events work as for any other method
// (roots located on the straight line between a step's ends).

/// An SDE solve you drive step by step: ``ODEIntegrator`` with an ``SDEMethod`` on a Brownian path.
public typealias SDEIntegrator<Method: SDEMethod> = ODEIntegrator<SDEMethodOnPath<Method>>

extension ODEIntegrator {
    /// A fixed-step solve of `problem` on the Brownian path `brownian` (see
    /// `solve(_:using:step:brownian:...)`); any ``SDEMethod``, including the adaptive ones (their
    /// error estimate is then not computed).
    @inlinable
    public init<Stochastic: SDEMethod>(
        _ problem: SDEProblem, using method: Stochastic, step: Double, brownian: BrownianTree,
        saveAt: SaveAt = .steps, maxSteps: Int = 10_000_000, denseOutput: Bool = false, events: [Event] = []
    ) throws(IntegrationError) where Method == SDEMethodOnPath<Stochastic> {
        try validate(problem)
        try self.init(problem.driftProblem, using: SDEMethodOnPath(method, problem: problem, path: brownian),
                      saveAt: saveAt, controller: FixedStep(step), maxSteps: maxSteps, denseOutput: denseOutput,
                      events: events)
    }

    /// An adaptive solve of `problem` on the Brownian path `brownian` with a method that has an
    /// embedded error estimate (see `solve(_:using:tolerance:brownian:...)`).
    @inlinable
    public init<Stochastic: AdaptiveSDEMethod>(
        _ problem: SDEProblem, using method: Stochastic, tolerance: Tolerance = Tolerance(relative: 1e-3, absolute: 1e-6),
        brownian: BrownianTree, saveAt: SaveAt = .steps, controller: PIController = PIController(),
        initialStep: Double? = nil, maxStep: Double? = nil, maxSteps: Int = 100_000, denseOutput: Bool = false,
        events: [Event] = []
    ) throws(IntegrationError) where Method == SDEMethodOnPath<Stochastic> {
        try validate(problem)
        try self.init(problem.driftProblem, using: SDEMethodOnPath(method, problem: problem, path: brownian),
                      tolerance: tolerance, saveAt: saveAt, controller: controller, initialStep: initialStep,
                      maxStep: maxStep, maxSteps: maxSteps, denseOutput: denseOutput, events: events)
    }
}
