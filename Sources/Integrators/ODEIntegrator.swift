/// The one adaptive driver of the integrator core: a solve of an ``ODEProblem`` with any
/// ``ODEMethod`` (explicit Runge–Kutta, ``Rodas5P``, ``BDF``, ...), any ``StepSizeController``,
/// events and saving policy, that you drive step by step: advance to a time, take the points saved
/// so far, snapshot the complete integrator state, and resume from a snapshot later (even in another
/// process) with bit-identical results.
///
/// ```swift
/// var integrator = try ODEIntegrator(lorenz, using: Tsit5(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-8),
///                                    saveAt: .every(0.01), denseOutput: false)
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
///
/// What the driver owns, for every method: clipping the step to `maxStep` and to the end of the span
/// (a step that would end within 1 % of a step from `t1` is stretched to end exactly there), the
/// step limit, the smallest resolvable step, the controller's decisions, events (roots located
/// on the method's interpolant; terminal or not; `affect`), saved points, dense output, statistics
/// and snapshots. The method only attempts steps and describes them.
public struct ODEIntegrator<Method: ODEMethod> {
    @usableFromInline var stepper: Method.Stepper
    @usableFromInline var output: SolutionRecorder
    @usableFromInline let control: StepControl.Kind
    @usableFromInline let rhs: ODEFunction
    @usableFromInline let n: Int
    @usableFromInline let tStart: Double
    @usableFromInline let tEnd: Double
    @usableFromInline let direction: Double
    @usableFromInline let initialStep: Double?
    @usableFromInline let maxStep: Double
    @usableFromInline let maxSteps: Int
    @usableFromInline let relative: [Double]
    @usableFromInline let absolute: [Double]
    /// The method's own first step when none is given (``ODEMethod/defaultInitialStep(span:)``).
    @usableFromInline let methodInitialStep: Double?
    /// Steps land on every save time (``ODEMethod/stepsToSaveTimes``).
    @usableFromInline let stepsToSaveTimes: Bool
    /// Current time `t_n`.
    @usableFromInline var t: Double
    /// Signed size of the next step to attempt.
    @usableFromInline var h: Double = 0
    @usableFromInline var controllerState = PIController.State()
    @usableFromInline var lastFailureNonFinite = false
    @usableFromInline var started = false
    @usableFromInline var finished = false
    /// Fixed steps: steps taken so far and the total.
    @usableFromInline var fixedIndex = 0
    @usableFromInline var fixedCount = 0
    // Events.
    @usableFromInline let events: [Event]
    /// `g_i(t, y)` at the current point.
    @usableFromInline var eventValues: [Double]
    @usableFromInline var occurrences: [EventOccurrence] = []

    /// A solve of `problem` with `method`; the arguments mean what they mean for
    /// ``solve(_:using:tolerance:saveAt:controller:initialStep:maxStep:maxSteps:denseOutput:events:)``.
    @inlinable
    public init<Controller: StepSizeController>(
        _ problem: ODEProblem, using method: Method, tolerance: Tolerance = Tolerance(), saveAt: SaveAt = .steps,
        controller: Controller = PIController(), initialStep: Double? = nil, maxStep: Double? = nil,
        maxSteps: Int? = nil, denseOutput: Bool = true, events: [Event] = []
    ) throws(IntegrationError) {
        try validate(problem)
        let control = if let k = method.stochasticErrorExponent {
            try controller.stepControl(methodName: method.name, stochasticErrorExponent: k)
        } else {
            try controller.stepControl(methodName: method.name, errorEstimatorOrder: method.errorEstimatorOrder)
        }
        try method.validate(for: problem)
        let rtol: [Double], atol: [Double]
        let limit: Int
        switch control.kind {
        case .adaptive:
            (rtol, atol) = try tolerance.resolved(dimension: problem.dimension)
            limit = maxSteps ?? 100_000
        case .fixed:
            guard method.takesFixedSteps else {
                throw .invalidArgument("method \(method.name) does not take FixedStep steps through the driver (see its documentation)")
            }
            rtol = [Double](repeating: 1, count: problem.dimension)
            atol = rtol
            limit = maxSteps ?? 10_000_000
        }
        let save = try saveAt.resolved(start: problem.start, end: problem.end)
        if let h0 = initialStep, !(h0.isFinite && h0 > 0) { throw .invalidStepSize(name: "initialStep", value: h0) }
        if let hmax = maxStep, !(hmax > 0) { throw .invalidStepSize(name: "maxStep", value: hmax) }
        guard limit >= 1 else { throw .invalidArgument("maxSteps = \(limit) must be >= 1") }
        stepper = method.makeStepper(for: problem, relative: rtol, absolute: atol)
        output = SolutionRecorder(problem: problem, saveAt: save, denseOutput: denseOutput,
                                  degree: stepper.interpolantDegree, denseOrder: stepper.interpolantOrder)
        self.control = control.kind
        rhs = problem.rhs
        n = problem.dimension
        tStart = problem.start
        tEnd = problem.end
        direction = problem.direction
        self.initialStep = initialStep
        self.maxStep = maxStep ?? .infinity
        self.maxSteps = limit
        relative = rtol
        absolute = atol
        methodInitialStep = method.defaultInitialStep(span: abs(problem.end - problem.start))
        stepsToSaveTimes = method.stepsToSaveTimes
        t = problem.start
        self.events = events
        eventValues = [Double](repeating: 0, count: events.count)
    }

    /// A fixed-step solve of `problem` with steps of size `step` (``FixedStep``).
    @inlinable
    public init(
        _ problem: ODEProblem, using method: Method, step: Double, saveAt: SaveAt = .steps,
        maxSteps: Int = 10_000_000, denseOutput: Bool = true, events: [Event] = []
    ) throws(IntegrationError) {
        try self.init(problem, using: method, saveAt: saveAt, controller: FixedStep(step), maxSteps: maxSteps,
                      denseOutput: denseOutput, events: events)
    }

    /// Current time `t` (the end of the last accepted step).
    @inlinable public var time: Double { t }
    /// Current state `y(t)`, `n` components.
    @inlinable public var state: [Double] { Array(UnsafeBufferPointer(start: stepper.currentState, count: n)) }
    /// True once `t` has reached the end of the span (or a terminal event stopped the solve).
    @inlinable public var isFinished: Bool { finished }
    /// Work counters so far (carried across snapshots).
    @inlinable public var statistics: SolverStatistics { stepper.statistics }
    /// The problem's end time.
    @inlinable public var endTime: Double { tEnd }
    /// Events located since the start (or since the restored snapshot).
    public var eventOccurrences: [EventOccurrence] { occurrences }
    /// The solution so far (saved points not yet taken, dense output, statistics);
    /// `completed` once finished.
    public var solution: ODESolution { makeSolution(completed: finished) }

    /// Advances until `time` reaches or passes `target` (by whole steps), or the end of the span.
    @inlinable
    public mutating func advance(to target: Double) throws(IntegrationError) {
        if !started { try begin() }
        while !finished && direction * (t - target) < 0 { try attempt() }
    }

    /// Attempts one step (accepted or, for adaptive methods, possibly rejected); does nothing
    /// once finished.
    @inlinable
    public mutating func step() throws(IntegrationError) {
        if !started { try begin() }
        guard !finished else { return }
        try attempt()
    }

    /// Advances to the end of the span.
    @inlinable
    public mutating func finish() throws(IntegrationError) { try advance(to: tEnd) }

    /// The saved points (see ``SaveAt``) recorded since the last call, removed from the integrator:
    /// `times`, and `states` flattened row-major (`times.count × n`).
    public mutating func takeSavedPoints() -> (times: [Double], states: [Double]) {
        output.takeSavedPoints(finished: finished, t: t, y: stepper.currentState)
    }

    // MARK: the step loop

    @inlinable
    func makeSolution(completed: Bool) -> ODESolution {
        var solution = output.makeSolution(
            y: stepper.currentState, t: t, statistics: stepper.statistics, completed: completed,
            methodName: stepper.methodName)
        solution.eventStorage = occurrences
        if finished, t != tEnd, let last = occurrences.last, events[last.event].terminal {
            solution.stoppingEventStorage = last.event
        }
        return solution
    }

    @inlinable
    func failure(stepSize h: Double) -> IntegrationFailure {
        IntegrationFailure(
            t: t, stepSize: h, lastGoodState: Array(UnsafeBufferPointer(start: stepper.currentState, count: n)),
            partialSolution: makeSolution(completed: false))
    }

    /// The ``IntegrationError`` for a stepper's failure at step size `h`.
    @inlinable
    func error(_ reason: StepFailure, stepSize h: Double) -> IntegrationError {
        let f = failure(stepSize: h)
        switch reason {
        case .nonFiniteDerivative: return .nonFiniteDerivative(f)
        case .nonFiniteState: return .nonFiniteState(f)
        case .singularMatrix: return .singularMatrix(f)
        case .newtonFailure: return .newtonFailure(f)
        case .stepSizeUnderflow: return .stepSizeUnderflow(f)
        case .linearSolverFailure(let reason): return .linearSolverFailure(reason, f)
        case .invalidJacobian(let reason): return .invalidArgument(reason)
        }
    }

    /// Smallest resolvable step magnitude at `t`: `16 ulp(t)`, at least the smallest normal number
    /// (long spans starting at `t0 = 0` may begin with tiny steps).
    @inlinable
    var minimumStep: Double { Swift.max(16 * abs(t).ulp, Double.leastNormalMagnitude) }

    /// Number of fixed steps of size `step` covering the span (an exact multiple within `1e-9`
    /// relative is not rounded up).
    @inlinable
    func fixedStepCount(step: Double) -> Int {
        let ratio = abs(tEnd - tStart) / step
        let nearest = ratio.rounded()
        if ratio >= 1e15 { return Int.max }
        if abs(ratio - nearest) <= 1e-9 * Swift.max(1, ratio) { return Swift.max(1, Int(nearest)) }
        return Int(ratio.rounded(.up))
    }

    /// Starts the solve: the method's start at `(t0, y0)`, the initial point recorded, the event
    /// conditions there, and the first step (given, Hairer's selection, or the fixed grid's).
    @inlinable
    mutating func begin() throws(IntegrationError) {
        output.start(stepper.currentState)
        do throws(StepFailure) { try stepper.start(at: t) } catch { throw self.error(error, stepSize: 0) }
        guard !stepper.startsWithDerivative || allFinite(stepper.currentDerivative, count: n) else {
            throw .nonFiniteDerivative(failure(stepSize: 0))
        }
        if !events.isEmpty { evaluateEventConditions() }
        switch control {
        case .fixed(let step):
            fixedCount = fixedStepCount(step: step)
        case .adaptive:
            if let h0 = initialStep ?? methodInitialStep {
                h = direction * Swift.min(h0, maxStep)
            } else {
                h = direction * initialStepMagnitude()
            }
        }
        started = true
    }

    /// Hairer's first-step selection (one extra RHS call).
    @inlinable
    mutating func initialStepMagnitude() -> Double {
        var rtol = relative, atol = absolute
        let (count, t0, dir, span, hmax, p) = (n, t, direction, abs(tEnd - tStart), maxStep, stepper.order)
        let y0 = stepper.currentState, f0 = stepper.currentDerivative
        let scratchY = stepper.scratch, scratchF = stepper.scratch + n
        let f = rhs
        var evaluations = 0
        let magnitude = rtol.withUnsafeMutableBufferPointer { r in
            atol.withUnsafeMutableBufferPointer { a in
                hairerInitialStep(
                    count: count, t0: t0, y0: y0, f0: f0, direction: dir, order: p,
                    absolute: a.baseAddress!, relative: r.baseAddress!, spanLength: span, maxStep: hmax,
                    scratchY: scratchY, scratchF: scratchF,
                    evaluate: { time, y, out in
                        f(time, UnsafeBufferPointer(start: y, count: count), UnsafeMutableBufferPointer(start: out, count: count))
                        evaluations += 1
                    })
            }
        }
        stepper.statistics.rhsEvaluations &+= evaluations
        return magnitude
    }

    /// Attempts one step with the solve's controller.
    @inlinable
    mutating func attempt() throws(IntegrationError) {
        switch control {
        case .adaptive(let controller): try attemptAdaptive(controller)
        case .fixed(let step): try attemptFixed(step)
        }
    }

    /// Attempts one adaptive step of size `h`; on acceptance advances `t`, and in any case
    /// chooses the next `h`.
    @inlinable
    mutating func attemptAdaptive(_ controller: PIController.Resolved) throws(IntegrationError) {
        var isLast = false
        if abs(h) > maxStep { h = direction * maxStep }
        // Methods that step to save times stop at the next one (without shrinking the proposal).
        var proposal: Double? = nil
        if stepsToSaveTimes, let s = output.pendingSaveTime, direction * (s - tEnd) < 0,
           direction * (t + 1.01 * h - s) >= 0 {
            proposal = h
            h = s - t
        }
        if direction * (t + 1.01 * h - tEnd) >= 0 {
            h = tEnd - t
            isLast = true
        }
        if abs(h) < minimumStep || !h.isFinite {
            var reason = stepper.failureWhenStepVanishes
            if reason == .stepSizeUnderflow && lastFailureNonFinite { reason = .nonFiniteState }
            throw error(reason, stepSize: h)
        }
        if stepper.statistics.acceptedSteps + stepper.statistics.rejectedSteps >= maxSteps {
            throw .maxStepsReached(maxSteps: maxSteps, failure(stepSize: h))
        }
        let tNew = isLast ? tEnd : t + h
        let verdict: StepVerdict
        do throws(StepFailure) {
            verdict = try stepper.attempt(from: t, to: tNew, step: h, estimatingError: true)
        } catch {
            throw self.error(error, stepSize: h)
        }
        switch verdict {
        case .retry:
            return
        case let .rejected(err, methodFactor):
            stepper.statistics.rejectedSteps &+= 1
            if err.isFinite {
                lastFailureNonFinite = false
                h *= methodFactor ?? controller.factorAfterRejection(error: err, state: &controllerState)
            } else {
                controllerState.previousStepRejected = true
                lastFailureNonFinite = true
                h *= methodFactor ?? controller.minFactor
            }
        case let .accepted(err, methodFactor):
            lastFailureNonFinite = false
            let factor = methodFactor ?? controller.factorAfterAcceptance(error: err, state: &controllerState)
            if try complete(to: tNew, step: h) {
                h *= factor  // cut at an event (which may have finished the solve)
                return
            }
            if isLast {
                finished = true
                return
            }
            h *= factor
            if let proposal, abs(h) < abs(proposal) { h = proposal }
        }
    }

    /// Takes fixed step number `fixedIndex + 1` (the last one ends exactly at `t1`).
    @inlinable
    mutating func attemptFixed(_ step: Double) throws(IntegrationError) {
        let tGrid = fixedIndex + 1 == fixedCount ? tEnd : tStart + direction * Double(fixedIndex + 1) * step
        // Methods that step to save times split the grid step at a save time strictly inside it
        // (farther than `1e-10·step` from its ends); save times that close to a step's end get its state.
        let snap = stepsToSaveTimes ? 1e-10 * step : 0
        var tNew = tGrid
        if stepsToSaveTimes, let s = output.pendingSaveTime, direction * (s - tGrid) < -snap, direction * (s - t) > snap {
            tNew = s
        }
        let h = tNew - t
        self.h = h
        if fixedIndex >= maxSteps { throw .maxStepsReached(maxSteps: maxSteps, failure(stepSize: h)) }
        let verdict: StepVerdict
        do throws(StepFailure) {
            verdict = try stepper.attempt(from: t, to: tNew, step: h, estimatingError: false)
        } catch {
            throw self.error(error, stepSize: h)
        }
        switch verdict {
        case .retry: return
        case .rejected: throw .nonFiniteState(failure(stepSize: h))
        case .accepted: break
        }
        guard allFinite(stepper.trialState, count: n) else { throw .nonFiniteState(failure(stepSize: h)) }
        // A step cut by an event (or at a save time) is continued to the same grid point.
        if try complete(to: tNew, step: h, snap: snap) || tNew != tGrid { return }
        fixedIndex += 1
        if fixedIndex == fixedCount { finished = true }
    }

    /// Finishes an accepted trial step `t → tNew` (signed size `h`): events, output, commit.
    /// Returns true when an event cut the step short (then `t` is the event's time).
    @inlinable
    mutating func complete(to tNew: Double, step h: Double, snap: Double = 0) throws(IntegrationError) -> Bool {
        stepper.statistics.acceptedSteps &+= 1
        if !events.isEmpty, try handleEvents(step: h, to: tNew) { return true }
        let poly = output.needsPolynomial(upTo: tNew) ? stepper.interpolant() : stepper.scratch
        output.accept(tOld: t, tNew: tNew, yNew: stepper.trialState, poly: poly, scratch: stepper.scratch, snap: snap)
        do throws(StepFailure) {
            try stepper.commit(to: tNew)
        } catch {
            t = tNew
            throw self.error(error, stepSize: h)
        }
        t = tNew
        return false
    }
}
