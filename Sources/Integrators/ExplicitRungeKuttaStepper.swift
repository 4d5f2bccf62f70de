/// The stepping state of an explicit Runge–Kutta solve (any ``ExplicitRungeKuttaMethod``): the
/// workspace, the current point, and the stages of the step being attempted.
public struct ExplicitRungeKuttaStepper: ODEStepper {
    @usableFromInline let work: RKWorkspace
    @usableFromInline let rhs: ODEFunction
    @usableFromInline let n: Int
    public let methodName: String
    public let order: Int
    @usableFromInline let denseOrder: Int
    /// Current state (`y`) and the trial state (`yNew`); exchanged by pointer on commit.
    @usableFromInline var y: UnsafeMutablePointer<Double>
    @usableFromInline var yNew: UnsafeMutablePointer<Double>
    public var statistics = SolverStatistics()
    /// Start time and signed size of the attempted step.
    @usableFromInline var stepStart = 0.0
    @usableFromInline var stepSize = 0.0
    /// `f(t_{n+1}, y_{n+1})` of the attempted step is in the end stage (always for FSAL methods).
    @usableFromInline var endDerivativeReady = false

    @usableFromInline
    init(tableau: ButcherTableau, name: String, problem: ODEProblem, relative: [Double], absolute: [Double]) {
        methodName = name
        order = tableau.order
        denseOrder = tableau.denseOutput.order
        n = problem.dimension
        work = RKWorkspace(tableau: tableau, dimension: n, absolute: absolute, relative: relative)
        rhs = problem.rhs
        y = work.stateA
        yNew = work.stateB
        for i in 0..<n { y[i] = problem.initial[i] }
    }

    @inlinable public var dimension: Int { n }
    @inlinable public var interpolantDegree: Int { work.degree }
    @inlinable public var interpolantOrder: Int { denseOrder }
    @inlinable public var currentState: UnsafeMutablePointer<Double> { y }
    @inlinable public var trialState: UnsafeMutablePointer<Double> { yNew }
    @inlinable public var currentDerivative: UnsafeMutablePointer<Double> { work.stages }
    @inlinable public var scratch: UnsafeMutablePointer<Double> { work.tmp }
    @inlinable public var failureWhenStepVanishes: StepFailure { .stepSizeUnderflow }

    /// Calls `f(t, state)` into `out` and counts it.
    @inlinable @inline(__always)
    mutating func evaluate(_ time: Double, _ state: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        rhs(time, UnsafeBufferPointer(start: state, count: n), UnsafeMutableBufferPointer(start: out, count: n))
        statistics.rhsEvaluations &+= 1
    }

    /// `k_1 = f(t, y)`.
    @inlinable
    public mutating func start(at t: Double) throws(StepFailure) {
        evaluate(t, y, into: work.stages)
    }

    @inlinable
    public mutating func restart(at t: Double) throws(StepFailure) {
        evaluate(t, y, into: work.stages)
        guard allFinite(work.stages, count: n) else { throw .nonFiniteDerivative }
    }

    /// Computes stages `2...s` and the trial state `yNew` for a step of (signed) size `h` from `t`.
    @inlinable
    mutating func computeStages(t: Double, h: Double) {
        let w = work
        let K = w.stages
        let s = w.stageCount
        var j = 1
        while j < s {
            let dst = (w.isFSAL && j == s - 1) ? yNew : w.tmp
            w.aRows.stageState(row: j, base: y, h: h, stages: K, count: n, into: dst)
            evaluate(t + w.c[j] * h, dst, into: K + j * n)
            j += 1
        }
        if !w.isFSAL {
            w.bRow.stageState(row: 0, base: y, h: h, stages: K, count: n, into: yNew)
        }
    }

    /// Hairer RMS norm of the embedded error estimate of the trial step (NaN/Inf if non-finite).
    @inlinable
    func errorNorm(h: Double) -> Double {
        let w = work
        let K = w.stages
        guard n >= SparseRows.blockedThreshold else {
            return scaledErrorNorm(h: h, y: y, yNew: yNew, absolute: w.absolute, relative: w.relative, count: n) { i in
                w.eRow.dot(row: 0, stages: K, component: i)
            }
        }
        // Large systems: the error combination in vectorised blocks into the scratch vector (free
        // between the stages and the dense output), then the same norm over it. (A norm summed in
        // eight SIMD lanes measured no faster at 1e5 states; the one-accumulator sum keeps the bits.)
        let e = w.tmp
        w.eRow.combine(row: 0, stages: K, count: n, into: e)
        return scaledErrorNorm(h: h, y: y, yNew: yNew, absolute: w.absolute, relative: w.relative, count: n) { i in e[i] }
    }

    @inlinable
    public mutating func attempt(from t: Double, to tNew: Double, step h: Double, estimatingError: Bool) throws(StepFailure) -> StepVerdict {
        stepStart = t
        stepSize = h
        endDerivativeReady = work.isFSAL
        computeStages(t: t, h: h)
        guard estimatingError else { return .accepted(error: 0, stepFactor: nil) }
        let err = errorNorm(h: h)
        if !err.isFinite { return .rejected(error: .nan, stepFactor: nil) }
        return err <= 1 ? .accepted(error: err, stepFactor: nil) : .rejected(error: err, stepFactor: nil)
    }

    /// Evaluates `f(t_{n+1}, y_{n+1})` into the end stage (non-FSAL methods).
    @inlinable
    mutating func ensureEndDerivative(at tNew: Double) {
        if endDerivativeReady { return }
        evaluate(tNew, yNew, into: work.stages + work.endStage * n)
        endDerivativeReady = true
    }

    /// Evaluates the dense-output extra stages of the attempted step.
    @inlinable
    mutating func computeExtraStages() {
        let w = work
        let (t, h) = (stepStart, stepSize)
        var j = w.endStage + 1
        while j < w.totalStages {
            w.aRows.stageState(row: j, base: y, h: h, stages: w.stages, count: n, into: w.tmp)
            evaluate(t + w.c[j] * h, w.tmp, into: w.stages + j * n)
            j += 1
        }
    }

    @inlinable
    public mutating func interpolant() -> UnsafeMutablePointer<Double> {
        ensureEndDerivative(at: stepStart + stepSize)
        computeExtraStages()
        let w = work
        let h = stepSize
        for i in 0..<n { w.poly[i] = y[i] }
        for p in 1...w.degree {
            let dst = w.poly + p * n
            w.denseRows.combine(row: p - 1, stages: w.stages, count: n, into: dst)
            for i in 0..<n { dst[i] *= h }
        }
        return w.poly
    }

    /// Makes `yNew` current; `f(t_{n+1}, y_{n+1})` becomes the next step's first stage (FSAL / reuse).
    @inlinable
    public mutating func commit(to tNew: Double) throws(StepFailure) {
        let w = work
        ensureEndDerivative(at: tNew)
        swap(&y, &yNew)
        w.stages.update(from: w.stages + w.endStage * n, count: n)
        if !w.isFSAL {
            guard allFinite(w.stages, count: n) else { throw .nonFiniteDerivative }
        }
    }

    public func snapshotFields() -> (scalars: [String: Double], integers: [String: Int64], vectors: [String: [Double]]) {
        ([:], [:], ["f": Array(UnsafeBufferPointer(start: work.stages, count: n))])
    }

    public mutating func restoreFields(from snapshot: IntegratorSnapshot) throws(IntegrationError) {
        let derivative = try snapshot.vector("f", count: n)
        for i in 0..<n { work.stages[i] = derivative[i] }
    }
}

extension ExplicitRungeKuttaMethod {
    /// The embedded estimator's order, or `nil` when the tableau has none.
    @inlinable
    public var errorEstimatorOrder: Int? {
        let tableau = self.tableau
        guard tableau.errorWeights != nil else { return nil }
        return tableau.embeddedOrder
    }

    @inlinable
    public func makeStepper(for problem: ODEProblem, relative: [Double], absolute: [Double]) -> ExplicitRungeKuttaStepper {
        ExplicitRungeKuttaStepper(tableau: tableau, name: name, problem: problem, relative: relative, absolute: absolute)
    }
}
