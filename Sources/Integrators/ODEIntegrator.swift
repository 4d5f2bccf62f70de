/// A solve you drive step by step: advance to a time, take the points saved so far, snapshot
/// the complete integrator state, and resume from a snapshot later (even in another process)
/// with bit-identical results.
///
/// ```swift
/// var integrator = try ODEIntegrator(lorenz, using: Tsit5(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-8),
///                                    saveAt: .every(0.01))
/// while !integrator.isFinished {
///     try integrator.advance(to: integrator.time + 10)
///     let chunk = integrator.takeSavedPoints()        // write it out
///     let snapshot = integrator.snapshot()            // checkpoint it
/// }
/// ```
///
/// `solve(...)` is this type run to the end. Pausing never changes the step sequence: a solve
/// advanced in many pieces, or resumed from a snapshot, takes exactly the steps an
/// uninterrupted solve takes and produces the same bits.
public struct ODEIntegrator<Method: ExplicitRungeKuttaMethod> {
    @usableFromInline enum Mode {
        case adaptive(controller: PIController.Resolved, initialStep: Double?, maxStep: Double)
        case fixed(step: Double)
    }

    @usableFromInline var core: ExplicitRKIntegrator<Method>
    @usableFromInline let mode: Mode
    @usableFromInline let maxSteps: Int
    @usableFromInline let tolerance: (relative: [Double], absolute: [Double])

    /// Current time `t` (the end of the last accepted step).
    @inlinable public var time: Double { core.t }
    /// Current state `y(t)`, `n` components.
    @inlinable public var state: [Double] { Array(UnsafeBufferPointer(start: core.y, count: core.n)) }
    /// True once `t` has reached the end of the span.
    @inlinable public var isFinished: Bool { core.finished }
    /// Work counters so far (carried across snapshots).
    @inlinable public var statistics: SolverStatistics { core.statistics }
    /// The problem's end time.
    @inlinable public var endTime: Double { core.tEnd }

    /// Advances until `time` reaches or passes `target` (by whole steps), or the end of the span.
    @inlinable
    public mutating func advance(to target: Double) throws(IntegrationError) {
        if !core.started { try begin() }
        let direction = core.direction
        switch mode {
        case let .adaptive(controller, _, maxStep):
            while !core.finished && direction * (core.t - target) < 0 {
                try core.attemptAdaptiveStep(controller: controller, maxStep: maxStep, maxSteps: maxSteps)
            }
        case let .fixed(step):
            while !core.finished && direction * (core.t - target) < 0 {
                try core.attemptFixedStep(step: step, maxSteps: maxSteps)
            }
        }
    }

    /// Attempts one step (accepted or, for adaptive methods, possibly rejected); does nothing
    /// once finished.
    @inlinable
    public mutating func step() throws(IntegrationError) {
        if !core.started { try begin() }
        guard !core.finished else { return }
        switch mode {
        case let .adaptive(controller, _, maxStep):
            try core.attemptAdaptiveStep(controller: controller, maxStep: maxStep, maxSteps: maxSteps)
        case let .fixed(step):
            try core.attemptFixedStep(step: step, maxSteps: maxSteps)
        }
    }

    /// Advances to the end of the span.
    @inlinable
    public mutating func finish() throws(IntegrationError) {
        try advance(to: core.tEnd)
    }

    @inlinable
    mutating func begin() throws(IntegrationError) {
        switch mode {
        case let .adaptive(_, initialStep, maxStep): try core.beginAdaptive(initialStep: initialStep, maxStep: maxStep)
        case let .fixed(step): try core.beginFixed(step: step)
        }
    }

    /// The saved points (see ``SaveAt``) recorded since the last call, removed from the integrator:
    /// `times`, and `states` flattened row-major (`times.count × n`).
    public mutating func takeSavedPoints() -> (times: [Double], states: [Double]) {
        core.output.takeSavedPoints(finished: core.finished, t: core.t, y: core.y)
    }

    /// Events located since the start (or since the restored snapshot).
    public var eventOccurrences: [EventOccurrence] { core.occurrences }

    /// The solution so far (saved points not yet taken, dense output, statistics);
    /// `completed` once finished.
    public var solution: ODESolution { core.makeSolution(completed: core.finished) }
}

extension ODEIntegrator where Method: AdaptiveRungeKuttaMethod {
    /// An adaptive solve of `problem`; the arguments mean what they mean for `solve(_:using:tolerance:...)`.
    @inlinable
    public init(
        _ problem: ODEProblem, using method: Method, tolerance: Tolerance = Tolerance(), saveAt: SaveAt = .steps,
        controller: PIController = PIController(), initialStep: Double? = nil, maxStep: Double? = nil,
        maxSteps: Int = 100_000, denseOutput: Bool = false, events: [Event] = []
    ) throws(IntegrationError) {
        let tableau = method.tableau
        guard tableau.errorWeights != nil, let q = tableau.embeddedOrder else {
            throw .invalidArgument("method \(method.name) has no embedded error estimator")
        }
        try validate(problem)
        let (rtol, atol) = try tolerance.resolved(dimension: problem.dimension)
        let save = try saveAt.resolved(start: problem.start, end: problem.end)
        let resolvedController = try controller.resolved(errorEstimatorOrder: q)
        if let h0 = initialStep, !(h0.isFinite && h0 > 0) {
            throw .invalidStepSize(name: "initialStep", value: h0)
        }
        if let hmax = maxStep, !(hmax > 0) {
            throw .invalidStepSize(name: "maxStep", value: hmax)
        }
        guard maxSteps >= 1 else { throw .invalidArgument("maxSteps = \(maxSteps) must be >= 1") }
        core = ExplicitRKIntegrator(
            method: method, problem: problem, absolute: atol, relative: rtol, saveAt: save, denseOutput: denseOutput)
        core.events = events
        core.eventValues = [Double](repeating: 0, count: events.count)
        mode = .adaptive(controller: resolvedController, initialStep: initialStep, maxStep: maxStep ?? .infinity)
        self.maxSteps = maxSteps
        self.tolerance = (rtol, atol)
    }
}

extension ODEIntegrator {
    /// A fixed-step solve of `problem` with steps of size `step` (see `solve(_:using:step:...)`).
    @inlinable
    public init(
        _ problem: ODEProblem, using method: Method, step: Double, saveAt: SaveAt = .steps,
        maxSteps: Int = 10_000_000, denseOutput: Bool = false, events: [Event] = []
    ) throws(IntegrationError) {
        try validate(problem)
        guard step.isFinite, step > 0 else { throw .invalidStepSize(name: "step", value: step) }
        let save = try saveAt.resolved(start: problem.start, end: problem.end)
        guard maxSteps >= 1 else { throw .invalidArgument("maxSteps = \(maxSteps) must be >= 1") }
        let ones = [Double](repeating: 1, count: problem.dimension)
        core = ExplicitRKIntegrator(
            method: method, problem: problem, absolute: ones, relative: ones, saveAt: save, denseOutput: denseOutput)
        core.events = events
        core.eventValues = [Double](repeating: 0, count: events.count)
        mode = .fixed(step: step)
        self.maxSteps = maxSteps
        self.tolerance = (ones, ones)
    }
}
