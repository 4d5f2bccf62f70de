/// An SDE solve you drive step by step, like ``ODEIntegrator``: advance to a time, take the
/// saved points, snapshot the complete state (the Brownian tree is stateless given its seed, so
/// the snapshot stores only its identity) and resume later with bit-identical results.
public struct SDEIntegrator<Method: SDEMethod>: SteppableIntegrator {
    @usableFromInline enum Mode {
        case adaptive(controller: PIController.Resolved, maxStep: Double)
        case fixed(step: Double)
    }

    @usableFromInline var core: SDEStepLoop<Method>
    @usableFromInline let mode: Mode
    @usableFromInline let maxSteps: Int
    @usableFromInline let initialStep: Double

    /// A fixed-step solve on the Brownian path `brownian` (see `solve(_:using:step:brownian:...)`).
    @inlinable
    public init(
        _ problem: SDEProblem, using method: Method, step: Double, brownian: BrownianTree,
        saveAt: SaveAt = .steps, maxSteps: Int = 10_000_000, denseOutput: Bool = false
    ) throws(IntegrationError) {
        try validate(problem, tree: brownian, method: method)
        guard step.isFinite, step > 0 else { throw .invalidStepSize(name: "step", value: step) }
        let save = try saveAt.resolved(start: problem.start, end: problem.end)
        guard maxSteps >= 1 else { throw .invalidArgument("maxSteps = \(maxSteps) must be >= 1") }
        let ones = [Double](repeating: 1, count: problem.dimension)
        core = SDEStepLoop(method: method, problem: problem, tree: brownian, absolute: ones, relative: ones,
                           saveAt: save, denseOutput: denseOutput)
        mode = .fixed(step: step)
        self.maxSteps = maxSteps
        initialStep = step
    }

    /// Current time.
    @inlinable public var time: Double { core.t }
    /// Current state `X(t)`.
    @inlinable public var state: [Double] { Array(UnsafeBufferPointer(start: core.work.y, count: core.n)) }
    /// The end of the span.
    @inlinable public var endTime: Double { core.tEnd }
    /// True once `t` reached the end of the span.
    @inlinable public var isFinished: Bool { core.finished }
    /// Work counters so far (carried across snapshots).
    @inlinable public var statistics: SolverStatistics { core.currentStatistics() }

    @inlinable
    mutating func begin() {
        switch mode {
        case let .adaptive(_, maxStep): core.beginAdaptive(initialStep: initialStep, maxStep: maxStep)
        case let .fixed(step): core.beginFixed(step: step)
        }
    }

    /// Takes one step (for fixed steps: one grid step, split at save times inside it).
    @inlinable
    public mutating func step() throws(IntegrationError) {
        if !core.started { begin() }
        guard !core.finished else { return }
        switch mode {
        case let .adaptive(controller, maxStep):
            try core.attemptAdaptive(controller: controller, maxStep: maxStep, maxSteps: maxSteps)
        case let .fixed(step):
            try core.attemptFixed(step: step, maxSteps: maxSteps)
        }
    }

    /// Advances until `time` reaches or passes `target` (by whole steps), or the end of the span.
    @inlinable
    public mutating func advance(to target: Double) throws(IntegrationError) {
        if !core.started { begin() }
        while !core.finished && core.t < target { try step() }
    }

    /// Advances to the end of the span.
    @inlinable
    public mutating func finish() throws(IntegrationError) {
        try advance(to: core.tEnd)
    }

    /// The saved points recorded since the last call, removed from the integrator.
    public mutating func takeSavedPoints() -> (times: [Double], states: [Double]) {
        core.output.takeSavedPoints(finished: core.finished, t: core.t, y: core.work.y)
    }

    /// The solution so far; `completed` once finished.
    public var solution: ODESolution { core.makeSolution(completed: core.finished) }
}

extension SDEIntegrator where Method: AdaptiveSDEMethod {
    /// An adaptive solve on the Brownian path `brownian` (see `solve(_:using:tolerance:brownian:...)`).
    @inlinable
    public init(
        _ problem: SDEProblem, using method: Method, tolerance: Tolerance = Tolerance(relative: 1e-3, absolute: 1e-6),
        brownian: BrownianTree, saveAt: SaveAt = .steps, controller: PIController = PIController(),
        initialStep: Double? = nil, maxStep: Double? = nil, maxSteps: Int = 100_000, denseOutput: Bool = false
    ) throws(IntegrationError) {
        try validate(problem, tree: brownian, method: method)
        let (rtol, atol) = try tolerance.resolved(dimension: problem.dimension)
        let save = try saveAt.resolved(start: problem.start, end: problem.end)
        let resolvedController = try resolveSDEController(controller, order: method.errorEstimateOrder)
        if let h0 = initialStep, !(h0.isFinite && h0 > 0) {
            throw .invalidStepSize(name: "initialStep", value: h0)
        }
        if let hmax = maxStep, !(hmax > 0) {
            throw .invalidStepSize(name: "maxStep", value: hmax)
        }
        guard maxSteps >= 1 else { throw .invalidArgument("maxSteps = \(maxSteps) must be >= 1") }
        core = SDEStepLoop(method: method, problem: problem, tree: brownian, absolute: atol, relative: rtol,
                           saveAt: save, denseOutput: denseOutput)
        mode = .adaptive(controller: resolvedController, maxStep: maxStep ?? .infinity)
        self.maxSteps = maxSteps
        self.initialStep = initialStep ?? Swift.min(maxStep ?? .infinity, (problem.end - problem.start) / 100)
    }
}

extension SDEIntegrator {
    /// The complete integrator state now (the tree by its identity: seed, span, dimension, depth).
    public func snapshot() -> IntegratorSnapshot {
        let c = core
        let s = c.currentStatistics()
        var snapshot = IntegratorSnapshot(
            method: c.method.name,
            scalars: [
                "t": c.t, "h": c.proposal, "t_start": c.tStart, "t_end": c.tEnd,
                "controller_previous_error": c.controllerState.previousError,
                "controller_log_previous_error": c.controllerState.logPreviousError,
                "brownian_start": c.tree.start, "brownian_end": c.tree.end,
            ],
            integers: [
                "dimension": Int64(c.n), "started": c.started ? 1 : 0, "finished": c.finished ? 1 : 0,
                "controller_previous_rejected": c.controllerState.previousStepRejected ? 1 : 0,
                "last_failure_nonfinite": c.lastFailureNonFinite ? 1 : 0,
                "fixed_index": Int64(c.fixedIndex), "fixed_count": Int64(c.fixedCount), "next_save": Int64(c.output.nextSave),
                "rhs_evaluations": Int64(s.rhsEvaluations), "diffusion_evaluations": Int64(s.diffusionEvaluations),
                "accepted_steps": Int64(s.acceptedSteps), "rejected_steps": Int64(s.rejectedSteps),
                "brownian_seed": Int64(bitPattern: c.tree.seed), "brownian_dimension": Int64(c.tree.dimension),
                "brownian_depth": Int64(c.tree.depth), "max_steps": Int64(maxSteps),
            ],
            vectors: [
                "y": state,
                "rtol": Array(UnsafeBufferPointer(start: c.work.relative, count: c.n)),
                "atol": Array(UnsafeBufferPointer(start: c.work.absolute, count: c.n)),
            ])
        switch mode {
        case .adaptive: snapshot.integers["fixed_step_mode"] = 0
        case let .fixed(step):
            snapshot.integers["fixed_step_mode"] = 1
            snapshot.scalars["fixed_step"] = step
        }
        return snapshot
    }

    /// Continues from `snapshot` (taken by ``snapshot()`` of a solve of the same problem, method,
    /// settings and Brownian path): the rest is bit-identical to the uninterrupted solve.
    public mutating func restore(_ snapshot: IntegratorSnapshot) throws(IntegrationError) {
        let c = core
        guard snapshot.method == c.method.name else {
            throw .invalidSnapshot("it was taken with method \(snapshot.method), not \(c.method.name)")
        }
        let dimension = try snapshot.integer("dimension")
        guard dimension == c.n else { throw .invalidSnapshot("its state has \(dimension) components, the problem \(c.n)") }
        guard try snapshot.scalar("t_start") == c.tStart, try snapshot.scalar("t_end") == c.tEnd else {
            throw .invalidSnapshot("it belongs to another time span")
        }
        guard UInt64(bitPattern: Int64(try snapshot.integer("brownian_seed"))) == c.tree.seed,
              try snapshot.integer("brownian_dimension") == c.tree.dimension,
              try snapshot.integer("brownian_depth") == c.tree.depth,
              try snapshot.scalar("brownian_start") == c.tree.start, try snapshot.scalar("brownian_end") == c.tree.end
        else { throw .invalidSnapshot("it was taken on another Brownian path (seed, span, dimension or depth differ)") }
        switch mode {
        case .adaptive:
            guard snapshot.integers["fixed_step_mode"] == 0 else { throw .invalidSnapshot("it is from a fixed-step solve") }
        case let .fixed(step):
            guard snapshot.integers["fixed_step_mode"] == 1, snapshot.scalars["fixed_step"] == step else {
                throw .invalidSnapshot("it is not from a fixed-step solve with step \(step)")
            }
        }
        let rtol = try snapshot.vector("rtol", count: c.n), atol = try snapshot.vector("atol", count: c.n)
        for i in 0..<c.n where rtol[i] != c.work.relative[i] || atol[i] != c.work.absolute[i] {
            throw .invalidSnapshot("its tolerances differ from this solve's at component \(i)")
        }
        let y = try snapshot.vector("y", count: c.n)
        var base = SolverStatistics()
        base.rhsEvaluations = try snapshot.integer("rhs_evaluations")
        base.diffusionEvaluations = try snapshot.integer("diffusion_evaluations")
        base.acceptedSteps = try snapshot.integer("accepted_steps")
        base.rejectedSteps = try snapshot.integer("rejected_steps")

        core.t = try snapshot.scalar("t")
        core.proposal = try snapshot.scalar("h")
        core.controllerState = PIController.State(
            previousError: try snapshot.scalar("controller_previous_error"),
            logPreviousError: try snapshot.scalar("controller_log_previous_error"),
            rejected: try snapshot.integer("controller_previous_rejected") != 0)
        core.started = try snapshot.integer("started") != 0
        core.finished = try snapshot.integer("finished") != 0
        core.lastFailureNonFinite = try snapshot.integer("last_failure_nonfinite") != 0
        core.fixedIndex = try snapshot.integer("fixed_index")
        core.fixedCount = try snapshot.integer("fixed_count")
        core.baseStatistics = base
        core.statistics = SolverStatistics()
        core.work.driftEvaluations = 0
        core.work.diffusionEvaluations = 0
        for i in 0..<c.n { core.work.y[i] = y[i] }
        // W(t) and ∫W: recomputed from the stateless tree, bit-identical to the cached values.
        core.tree.evaluate(core.t, w: core.work.wCurrent, k: core.work.kCurrent, scratch: core.work.treeScratch)
        core.output.resume(nextSave: try snapshot.integer("next_save"), t: core.t, started: core.started)
    }
}
