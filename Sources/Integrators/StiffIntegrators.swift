// Steppable, resumable forms of the stiff solvers (as ``ODEIntegrator`` is for the explicit
// methods): `solve(_:using: Rodas5P()...)` and `solve(_:using: BDF()...)` run these to the end.

/// Copies `count` values from a buffer into an array (for snapshots).
@usableFromInline
func snapshotVector(_ pointer: UnsafeMutablePointer<Double>, _ count: Int) -> [Double] {
    Array(UnsafeBufferPointer(start: pointer, count: count))
}

/// Restores `count` values of a snapshot vector into a buffer.
@usableFromInline
func restoreVector(_ snapshot: IntegratorSnapshot, _ name: String, into pointer: UnsafeMutablePointer<Double>,
                   count: Int) throws(IntegrationError) {
    let values = try snapshot.vector(name, count: count)
    for i in 0..<count { pointer[i] = values[i] }
}

extension IterationMatrix {
    /// Jacobian, LU factors and pivots, exactly.
    func snapshotVectors() -> [String: [Double]] {
        var pivotValues = [Double](repeating: 0, count: n)
        for i in 0..<n { pivotValues[i] = Double(pivots[i]) }
        return ["jacobian": snapshotVector(jac, jacCount), "lu": snapshotVector(lu, luCount), "pivots": pivotValues]
    }

    func restore(from snapshot: IntegratorSnapshot) throws(IntegrationError) {
        try restoreVector(snapshot, "jacobian", into: jac, count: jacCount)
        try restoreVector(snapshot, "lu", into: lu, count: luCount)
        let pivotValues = try snapshot.vector("pivots", count: n)
        for i in 0..<n { pivots[i] = Int32(pivotValues[i]) }
    }
}

/// Checks that a snapshot belongs to a solve of this method, size, span and tolerances.
@usableFromInline
func checkSnapshot(_ snapshot: IntegratorSnapshot, method: String, dimension n: Int, start: Double, end: Double,
                   relative: UnsafeMutablePointer<Double>, absolute: UnsafeMutablePointer<Double>) throws(IntegrationError) {
    guard snapshot.method == method else {
        throw .invalidSnapshot("it was taken with method \(snapshot.method), not \(method)")
    }
    let dimension = try snapshot.integer("dimension")
    guard dimension == n else { throw .invalidSnapshot("its state has \(dimension) components, the problem \(n)") }
    guard try snapshot.scalar("t_start") == start, try snapshot.scalar("t_end") == end else {
        throw .invalidSnapshot("it belongs to another time span")
    }
    let rtol = try snapshot.vector("rtol", count: n), atol = try snapshot.vector("atol", count: n)
    for i in 0..<n where rtol[i] != relative[i] || atol[i] != absolute[i] {
        throw .invalidSnapshot("its tolerances differ from this solve's at component \(i)")
    }
}

extension SolverStatistics {
    var snapshotIntegers: [String: Int64] {
        ["rhs_evaluations": Int64(rhsEvaluations), "accepted_steps": Int64(acceptedSteps),
         "rejected_steps": Int64(rejectedSteps), "jacobian_evaluations": Int64(jacobianEvaluations),
         "factorizations": Int64(factorizations)]
    }

    init(snapshot: IntegratorSnapshot) throws(IntegrationError) {
        self.init()
        rhsEvaluations = try snapshot.integer("rhs_evaluations")
        acceptedSteps = try snapshot.integer("accepted_steps")
        rejectedSteps = try snapshot.integer("rejected_steps")
        jacobianEvaluations = try snapshot.integer("jacobian_evaluations")
        factorizations = try snapshot.integer("factorizations")
    }
}

/// A ``Rodas5P`` solve you drive step by step, snapshot and resume bit-identically.
public struct Rodas5PIntegrator: SteppableIntegrator {
    @usableFromInline var core: Rodas5PStepLoop
    @usableFromInline let controller: PIController.Resolved
    @usableFromInline let initialStep: Double?
    @usableFromInline let maxStep: Double
    @usableFromInline let maxSteps: Int

    @usableFromInline
    init(core: Rodas5PStepLoop, controller: PIController.Resolved, initialStep: Double?, maxStep: Double, maxSteps: Int) {
        self.core = core
        self.controller = controller
        self.initialStep = initialStep
        self.maxStep = maxStep
        self.maxSteps = maxSteps
    }

    /// An adaptive ``Rodas5P`` solve; the arguments mean what they mean for `solve(_:using: Rodas5P()...)`.
    @inlinable
    public init(
        _ problem: ODEProblem, using method: Rodas5P = Rodas5P(), tolerance: Tolerance = Tolerance(),
        saveAt: SaveAt = .steps, controller: PIController = PIController(), initialStep: Double? = nil,
        maxStep: Double? = nil, maxSteps: Int = 100_000, denseOutput: Bool = false
    ) throws(IntegrationError) {
        try validateStiffArguments(
            problem, linearSolver: method.linearSolver, initialStep: initialStep, maxStep: maxStep, maxSteps: maxSteps)
        let (rtol, atol) = try tolerance.resolved(dimension: problem.dimension)
        let save = try saveAt.resolved(start: problem.start, end: problem.end)
        self.init(
            core: Rodas5PStepLoop(method: method, problem: problem, absolute: atol, relative: rtol, saveAt: save,
                                  denseOutput: denseOutput),
            controller: try controller.resolved(errorEstimatorOrder: Rodas5P.embeddedOrder),
            initialStep: initialStep, maxStep: maxStep ?? .infinity, maxSteps: maxSteps)
    }

    @inlinable public var time: Double { core.state.t }
    @inlinable public var state: [Double] { snapshotVector(core.work.y, core.n) }
    @inlinable public var endTime: Double { core.tEnd }
    @inlinable public var isFinished: Bool { core.state.finished }
    @inlinable public var statistics: SolverStatistics { core.statistics }

    /// Attempts one step (accepted or rejected).
    @inlinable
    public mutating func step() throws(IntegrationError) {
        if !core.state.started { try core.beginAdaptive(initialStep: initialStep, maxStep: maxStep) }
        guard !core.state.finished else { return }
        try core.attemptAdaptive(controller: controller, maxStep: maxStep, maxSteps: maxSteps)
    }

    @inlinable
    public mutating func advance(to target: Double) throws(IntegrationError) {
        if !core.state.started { try core.beginAdaptive(initialStep: initialStep, maxStep: maxStep) }
        while !core.state.finished && core.direction * (core.state.t - target) < 0 { try step() }
    }

    @inlinable
    public mutating func finish() throws(IntegrationError) { try advance(to: core.tEnd) }

    public mutating func takeSavedPoints() -> (times: [Double], states: [Double]) {
        core.output.takeSavedPoints(finished: core.state.finished, t: core.state.t, y: core.work.y)
    }

    public var solution: ODESolution { core.makeSolution(completed: core.state.finished) }

    public func snapshot() -> IntegratorSnapshot {
        let c = core, s = c.state, n = c.n
        var vectors = c.matrix.snapshotVectors()
        vectors["y"] = snapshotVector(c.work.y, n)
        vectors["f0"] = snapshotVector(c.work.f0, n)
        vectors["dfdt"] = snapshotVector(c.work.dT, n)
        vectors["rtol"] = snapshotVector(c.work.relative, n)
        vectors["atol"] = snapshotVector(c.work.absolute, n)
        var integers = c.statistics.snapshotIntegers
        integers.merge([
            "dimension": Int64(n), "started": s.started ? 1 : 0, "finished": s.finished ? 1 : 0,
            "derivative_current": s.derivativeCurrent ? 1 : 0, "jacobian_current": s.jacobianCurrent ? 1 : 0,
            "last_failure_nonfinite": s.lastFailureNonFinite ? 1 : 0, "consecutive_singular": Int64(s.consecutiveSingular),
            "controller_previous_rejected": s.controller.previousStepRejected ? 1 : 0, "next_save": Int64(c.output.nextSave),
        ]) { $1 }
        return IntegratorSnapshot(
            method: c.methodName,
            scalars: [
                "t": s.t, "h": s.h, "t_start": c.tStart, "t_end": c.tEnd, "factored_step": s.factoredStep,
                "controller_previous_error": s.controller.previousError,
                "controller_log_previous_error": s.controller.logPreviousError,
            ],
            integers: integers, vectors: vectors)
    }

    public mutating func restore(_ snapshot: IntegratorSnapshot) throws(IntegrationError) {
        let c = core, n = c.n
        try checkSnapshot(snapshot, method: c.methodName, dimension: n, start: c.tStart, end: c.tEnd,
                          relative: c.work.relative, absolute: c.work.absolute)
        try restoreVector(snapshot, "y", into: c.work.y, count: n)
        try restoreVector(snapshot, "f0", into: c.work.f0, count: n)
        try restoreVector(snapshot, "dfdt", into: c.work.dT, count: n)
        try c.matrix.restore(from: snapshot)
        var s = Rodas5PState(t: try snapshot.scalar("t"), h: try snapshot.scalar("h"))
        s.controller = PIController.State(
            previousError: try snapshot.scalar("controller_previous_error"),
            logPreviousError: try snapshot.scalar("controller_log_previous_error"),
            rejected: try snapshot.integer("controller_previous_rejected") != 0)
        s.derivativeCurrent = try snapshot.integer("derivative_current") != 0
        s.jacobianCurrent = try snapshot.integer("jacobian_current") != 0
        s.factoredStep = try snapshot.scalar("factored_step")
        s.lastFailureNonFinite = try snapshot.integer("last_failure_nonfinite") != 0
        s.consecutiveSingular = try snapshot.integer("consecutive_singular")
        s.started = try snapshot.integer("started") != 0
        s.finished = try snapshot.integer("finished") != 0
        core.state = s
        core.statistics = try SolverStatistics(snapshot: snapshot)
        core.output.resume(nextSave: try snapshot.integer("next_save"), t: s.t, started: s.started)
    }
}

/// A ``BDF`` solve you drive step by step, snapshot and resume bit-identically.
public struct BDFIntegrator: SteppableIntegrator {
    @usableFromInline var core: BDFStepLoop
    @usableFromInline let initialStep: Double?
    @usableFromInline let maxStep: Double
    @usableFromInline let maxSteps: Int

    @usableFromInline
    init(core: BDFStepLoop, initialStep: Double?, maxStep: Double, maxSteps: Int) {
        self.core = core
        self.initialStep = initialStep
        self.maxStep = maxStep
        self.maxSteps = maxSteps
    }

    /// An adaptive variable-order ``BDF`` solve; the arguments mean what they mean for `solve(_:using: BDF()...)`.
    @inlinable
    public init(
        _ problem: ODEProblem, using method: BDF = BDF(), tolerance: Tolerance = Tolerance(), saveAt: SaveAt = .steps,
        initialStep: Double? = nil, maxStep: Double? = nil, maxSteps: Int = 100_000, denseOutput: Bool = false
    ) throws(IntegrationError) {
        try validateStiffArguments(
            problem, linearSolver: method.linearSolver, initialStep: initialStep, maxStep: maxStep, maxSteps: maxSteps)
        guard (1...5).contains(method.maxOrder) else {
            throw .invalidArgument("BDF maxOrder = \(method.maxOrder) must be in 1...5")
        }
        let (rtol, atol) = try tolerance.resolved(dimension: problem.dimension)
        let save = try saveAt.resolved(start: problem.start, end: problem.end)
        self.init(
            core: BDFStepLoop(method: method, problem: problem, absolute: atol, relative: rtol, saveAt: save,
                              denseOutput: denseOutput),
            initialStep: initialStep, maxStep: maxStep ?? .infinity, maxSteps: maxSteps)
    }

    @inlinable public var time: Double { core.state.t }
    @inlinable public var state: [Double] { snapshotVector(core.work.D, core.n) }
    @inlinable public var endTime: Double { core.tEnd }
    @inlinable public var isFinished: Bool { core.state.finished }
    @inlinable public var statistics: SolverStatistics { core.statistics }

    /// Attempts one step (accepted, rejected, or retried with a fresh Jacobian).
    @inlinable
    public mutating func step() throws(IntegrationError) {
        if !core.state.started { try core.beginAdaptive(initialStep: initialStep, maxStep: maxStep) }
        guard !core.state.finished else { return }
        try core.attemptAdaptive(maxStep: maxStep, maxSteps: maxSteps)
    }

    @inlinable
    public mutating func advance(to target: Double) throws(IntegrationError) {
        if !core.state.started { try core.beginAdaptive(initialStep: initialStep, maxStep: maxStep) }
        while !core.state.finished && core.direction * (core.state.t - target) < 0 { try step() }
    }

    @inlinable
    public mutating func finish() throws(IntegrationError) { try advance(to: core.tEnd) }

    public mutating func takeSavedPoints() -> (times: [Double], states: [Double]) {
        core.output.takeSavedPoints(finished: core.state.finished, t: core.state.t, y: core.work.D)
    }

    public var solution: ODESolution { core.makeSolution(completed: core.state.finished) }

    public func snapshot() -> IntegratorSnapshot {
        let c = core, s = c.state, n = c.n
        var vectors = c.matrix.snapshotVectors()
        vectors["differences"] = snapshotVector(c.work.D, 8 * n)
        vectors["rtol"] = snapshotVector(c.work.relative, n)
        vectors["atol"] = snapshotVector(c.work.absolute, n)
        func flag(_ b: Bool) -> Int64 { b ? 1 : 0 }
        var integers = c.statistics.snapshotIntegers
        integers.merge([
            "dimension": Int64(n), "order": Int64(s.order), "equal_steps": Int64(s.equalSteps),
            "lu_valid": flag(s.luValid), "jacobian_valid": flag(s.jacobianValid), "jacobian_current": flag(s.jacobianCurrent),
            "force_jacobian": flag(s.forceJacobian), "force_setup": flag(s.forceSetup),
            "steps_since_factorization": Int64(s.stepsSinceFactorization), "steps_since_jacobian": Int64(s.stepsSinceJacobian),
            "consecutive_error_failures": Int64(s.consecutiveErrorFailures),
            "consecutive_newton_failures": Int64(s.consecutiveNewtonFailures),
            "consecutive_singular": Int64(s.consecutiveSingular), "last_failure_nonfinite": flag(s.lastFailureNonFinite),
            "started": flag(s.started), "finished": flag(s.finished), "next_save": Int64(c.output.nextSave),
        ]) { $1 }
        return IntegratorSnapshot(
            method: c.methodName,
            scalars: ["t": s.t, "h": s.h, "t_start": c.tStart, "t_end": c.tEnd,
                      "convergence_rate": s.convergenceRate, "factored_c": s.factoredC],
            integers: integers, vectors: vectors)
    }

    public mutating func restore(_ snapshot: IntegratorSnapshot) throws(IntegrationError) {
        let c = core, n = c.n
        try checkSnapshot(snapshot, method: c.methodName, dimension: n, start: c.tStart, end: c.tEnd,
                          relative: c.work.relative, absolute: c.work.absolute)
        try restoreVector(snapshot, "differences", into: c.work.D, count: 8 * n)
        try c.matrix.restore(from: snapshot)
        var s = BDFState(t: try snapshot.scalar("t"), h: try snapshot.scalar("h"))
        s.order = try snapshot.integer("order")
        s.equalSteps = try snapshot.integer("equal_steps")
        s.convergenceRate = try snapshot.scalar("convergence_rate")
        s.factoredC = try snapshot.scalar("factored_c")
        s.luValid = try snapshot.integer("lu_valid") != 0
        s.jacobianValid = try snapshot.integer("jacobian_valid") != 0
        s.jacobianCurrent = try snapshot.integer("jacobian_current") != 0
        s.forceJacobian = try snapshot.integer("force_jacobian") != 0
        s.forceSetup = try snapshot.integer("force_setup") != 0
        s.stepsSinceFactorization = try snapshot.integer("steps_since_factorization")
        s.stepsSinceJacobian = try snapshot.integer("steps_since_jacobian")
        s.consecutiveErrorFailures = try snapshot.integer("consecutive_error_failures")
        s.consecutiveNewtonFailures = try snapshot.integer("consecutive_newton_failures")
        s.consecutiveSingular = try snapshot.integer("consecutive_singular")
        s.lastFailureNonFinite = try snapshot.integer("last_failure_nonfinite") != 0
        s.started = try snapshot.integer("started") != 0
        s.finished = try snapshot.integer("finished") != 0
        core.state = s
        core.statistics = try SolverStatistics(snapshot: snapshot)
        core.output.resume(nextSave: try snapshot.integer("next_save"), t: s.t, started: s.started)
    }
}
