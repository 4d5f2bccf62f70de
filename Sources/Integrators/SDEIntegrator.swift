// Step loop for SDE methods (fixed and adaptive), with output recording.
//
// Integrator state (everything needed to resume a solve exactly; see `SDEIntegrator.snapshot()`):
// `t`, the state `X(t)`, the next step proposal `h`, the controller memory `PIController.State`,
// the Brownian tree (seed, span, dimension, depth), the saveAt / fixed-grid cursors and the work
// counters. The tree is stateless, so the Brownian values at `t` (`W(t)`, `K(t)`, cached in the
// workspace) are recomputed from it on resumption: a resumed solve reproduces the uninterrupted one
// bit for bit. Rejected steps simply query the tree over a shorter interval (the path is fixed by
// the seed, so there is no bias and no "rejection sampling with memory").

@usableFromInline
struct SDEStepLoop<Method: SDEMethod> {
    @usableFromInline let method: Method
    @usableFromInline let work: SDEWorkspace
    @usableFromInline let tree: BrownianTree
    @usableFromInline let n: Int
    @usableFromInline let m: Int
    @usableFromInline let tStart: Double
    @usableFromInline let tEnd: Double
    @usableFromInline var t: Double
    @usableFromInline var statistics = SolverStatistics()
    /// Statistics carried over from a resumed state (added to this run's counts).
    @usableFromInline var baseStatistics = SolverStatistics()
    /// Next step proposal and controller memory.
    @usableFromInline var proposal: Double = 0
    @usableFromInline var controllerState = PIController.State()
    @usableFromInline var lastFailureNonFinite = false
    @usableFromInline var started = false
    @usableFromInline var finished = false
    /// Fixed-step mode: grid steps taken and their number.
    @usableFromInline var fixedIndex = 0
    @usableFromInline var fixedCount = 0
    @usableFromInline var output: SolutionRecorder

    @usableFromInline
    init(
        method: Method, problem: SDEProblem, tree: BrownianTree, absolute: [Double], relative: [Double],
        saveAt: ResolvedSaveAt, denseOutput: Bool
    ) {
        self.method = method
        self.tree = tree
        work = SDEWorkspace(problem: problem, absolute: absolute, relative: relative)
        n = problem.dimension
        m = problem.noiseDimension
        tStart = problem.start
        tEnd = problem.end
        t = problem.start
        output = SolutionRecorder(dimension: problem.dimension, start: problem.start, end: problem.end, saveAt: saveAt,
                                  denseOutput: denseOutput, degree: 1, denseOrder: 1)
        tree.evaluate(t, w: work.wCurrent, k: work.kCurrent, scratch: work.treeScratch)
    }

    /// Records the initial point (and save times equal to `t0`).
    @inlinable
    mutating func start() { output.start(work.y) }

    /// Queries the tree at `tNew`, forms `ΔW`, `ΔZ` over `[t, tNew]` and runs the method's step.
    @inlinable
    mutating func attempt(to tNew: Double, estimateError: Bool) -> Double {
        let w = work
        let h = tNew - t
        tree.evaluate(tNew, w: w.wTrial, k: w.kTrial, scratch: w.treeScratch)
        for d in 0..<m {
            w.dW[d] = w.wTrial[d] - w.wCurrent[d]
            w.dZ[d] = w.kTrial[d] - w.kCurrent[d] - h * w.wCurrent[d]
        }
        return method._step(w, t: t, h: h, estimateError: estimateError)
    }

    /// Commits the trial step to `tNew`; records output (save times within `snap` of `tNew` get the
    /// new state; the dense output is the straight line between the step's ends).
    @inlinable
    mutating func accept(tNew: Double, snap: Double) {
        let w = work
        statistics.acceptedSteps &+= 1
        if output.storeDense {
            for i in 0..<n {
                w.poly[i] = w.y[i]
                w.poly[n + i] = w.yNew[i] - w.y[i]
            }
        }
        output.accept(tOld: t, tNew: tNew, yNew: w.yNew, poly: w.poly, scratch: w.tmp, snap: snap)
        swap(&w.y, &w.yNew)
        swap(&w.wCurrent, &w.wTrial)
        swap(&w.kCurrent, &w.kTrial)
        t = tNew
    }

    @inlinable
    func minimumStep() -> Double {
        16 * Swift.max(abs(t), abs(tEnd)).ulp
    }

    @inlinable
    func currentStatistics() -> SolverStatistics {
        var s = statistics
        s.rhsEvaluations = baseStatistics.rhsEvaluations &+ work.driftEvaluations
        s.diffusionEvaluations = baseStatistics.diffusionEvaluations &+ work.diffusionEvaluations
        s.acceptedSteps &+= baseStatistics.acceptedSteps
        s.rejectedSteps &+= baseStatistics.rejectedSteps
        return s
    }

    @inlinable
    func failure(stepSize h: Double) -> IntegrationFailure {
        IntegrationFailure(
            t: t, stepSize: h, lastGoodState: Array(UnsafeBufferPointer(start: work.y, count: n)),
            partialSolution: makeSolution(completed: false))
    }

    @inlinable
    func makeSolution(completed: Bool) -> ODESolution {
        output.makeSolution(y: work.y, t: t, statistics: currentStatistics(), completed: completed, methodName: method.name)
    }

    // MARK: drivers

    /// Starts a fixed-step solve on the grid `t0 + k·step` (last step ends at `t1`).
    @inlinable
    mutating func beginFixed(step: Double) {
        start()
        proposal = step
        let ratio = (tEnd - tStart) / step
        let nearest = ratio.rounded()
        if ratio >= 1e15 {
            fixedCount = Int.max
        } else if abs(ratio - nearest) <= 1e-9 * Swift.max(1, ratio) {
            fixedCount = Swift.max(1, Int(nearest))
        } else {
            fixedCount = Int(ratio.rounded(.up))
        }
        started = true
    }

    /// Takes grid step `fixedIndex + 1`. A save time strictly inside it (farther than
    /// `1e-10·step` from its ends) splits it, so saved states are exact solver values, never
    /// interpolated.
    @inlinable
    mutating func attemptFixed(step: Double, maxSteps: Int) throws(IntegrationError) {
        let snap = 1e-10 * step
        let tGrid = fixedIndex + 1 == fixedCount ? tEnd : tStart + Double(fixedIndex + 1) * step
        while output.nextSave < output.saveTimes.count && output.saveTimes[output.nextSave] < tGrid - snap {
            let s = output.saveTimes[output.nextSave]
            if s > t + snap {
                try fixedStep(to: s, maxSteps: maxSteps, snap: snap)
            } else {
                output.record(s, work.y)
                output.nextSave += 1
            }
        }
        try fixedStep(to: tGrid, maxSteps: maxSteps, snap: snap)
        fixedIndex += 1
        if fixedIndex == fixedCount { finished = true }
    }

    @inlinable
    mutating func fixedStep(to tNew: Double, maxSteps: Int, snap: Double) throws(IntegrationError) {
        if statistics.acceptedSteps >= maxSteps {
            throw .maxStepsReached(maxSteps: maxSteps, failure(stepSize: tNew - t))
        }
        _ = attempt(to: tNew, estimateError: false)
        guard allFinite(work.yNew, count: n) else {
            throw .nonFiniteState(failure(stepSize: tNew - t))
        }
        accept(tNew: tNew, snap: snap)
    }

    /// Starts an adaptive solve with first step `initialStep`.
    @inlinable
    mutating func beginAdaptive(initialStep: Double, maxStep: Double) {
        start()
        proposal = Swift.min(initialStep, maxStep)
        started = true
    }

    /// Attempts one adaptive step (the error estimate scales like `h^k`, see the controller).
    /// Steps are shortened to land exactly on save times (saved states are never interpolated).
    @inlinable
    mutating func attemptAdaptive(
        controller: PIController.Resolved, maxStep: Double, maxSteps: Int
    ) throws(IntegrationError) {
        var h = proposal
        if h > maxStep { h = maxStep }
        let stop = output.nextSave < output.saveTimes.count ? Swift.min(output.saveTimes[output.nextSave], tEnd) : tEnd
        var tNew = t + h
        var clipped = false
        if t + 1.01 * h >= stop {
            tNew = stop
            clipped = true
        }
        let hUsed = tNew - t
        if hUsed < minimumStep() {
            throw lastFailureNonFinite
                ? .nonFiniteState(failure(stepSize: hUsed)) : .stepSizeUnderflow(failure(stepSize: hUsed))
        }
        if statistics.acceptedSteps + statistics.rejectedSteps >= maxSteps {
            throw .maxStepsReached(maxSteps: maxSteps, failure(stepSize: hUsed))
        }
        let err = attempt(to: tNew, estimateError: true)
        if !err.isFinite {
            statistics.rejectedSteps &+= 1
            controllerState.previousStepRejected = true
            lastFailureNonFinite = true
            proposal = hUsed * controller.minFactor
            return
        }
        lastFailureNonFinite = false
        if err <= 1 {
            let factor = controller.factorAfterAcceptance(error: err, state: &controllerState)
            accept(tNew: tNew, snap: 0)
            let next = hUsed * factor
            // A step shortened to hit a save time does not shrink the proposal.
            proposal = clipped && hUsed < h ? Swift.max(next, h) : next
            if tNew == tEnd { finished = true }
        } else {
            statistics.rejectedSteps &+= 1
            proposal = hUsed * controller.factorAfterRejection(error: err, state: &controllerState)
        }
    }
}

/// Controller exponents for an error estimate scaling like `h^k` (non-integer `k` allowed):
/// `β1 = 0.7/k`, `β2 = 0.4/k` unless given, rejection exponent `1/k`. Validates like the ODE core.
@usableFromInline
func resolveSDEController(_ controller: PIController, order k: Double) throws(IntegrationError) -> PIController.Resolved {
    _ = try controller.resolved(errorEstimatorOrder: 1)  // parameter validation
    let b1 = controller.proportionalExponent ?? 0.7 / k
    let b2 = controller.integralExponent ?? 0.4 / k
    return PIController.Resolved(
        safety: controller.safety, minFactor: controller.minFactor, maxFactor: controller.maxFactor,
        beta1: b1, beta2: b2, rejectExponent: 1 / k)
}
