// Shared machinery of all explicit Runge–Kutta methods: the per-solve workspace (stage buffers
// and the tableau in sparse, pointer-addressed form) and the step loop (fixed and adaptive).
//
// Performance notes: everything the inner loop touches lives in buffers allocated once per solve
// (`RKWorkspace`); stage vectors are one contiguous block addressed by fixed offsets (FSAL reuse
// copies one n-vector), `y`/`yNew` exchange is a pointer swap; no allocation happens per step except amortised appends to
// the output arrays. The integrator is a struct living in a local variable of `solve`, so there are
// no dynamic exclusivity checks. All of it is `@inlinable`, so `solve` specialises in client modules.
//
// Integrator state for a bit-identical restart (see ODEIntegrator+Snapshot.swift): `t`, `y`, the
// signed next step `h`, the controller's `PIController.State`, the first-stage derivative `k_1`
// (stage 0, `f(t, y)` reused from the previous step), counters and the saveAt cursor.

/// Rows of a sparse coefficient matrix over stage vectors (zeros dropped). Stage `j` lives at
/// `stages + j·n` in one contiguous block, so each nonzero stores the element offset `j·n`.
@usableFromInline
struct SparseRows {
    @usableFromInline let rowStart: UnsafeMutablePointer<Int>
    @usableFromInline let offset: UnsafeMutablePointer<Int>
    @usableFromInline let value: UnsafeMutablePointer<Double>

    init(_ rows: [[Double]], dimension n: Int) {
        var starts = [0]
        var offsets: [Int] = []
        var values: [Double] = []
        for row in rows {
            for (j, v) in row.enumerated() where v != 0 {
                offsets.append(j * n)
                values.append(v)
            }
            starts.append(offsets.count)
        }
        rowStart = .allocate(capacity: starts.count)
        rowStart.initialize(from: starts, count: starts.count)
        offset = .allocate(capacity: Swift.max(1, offsets.count))
        offset.initialize(from: offsets, count: offsets.count)
        value = .allocate(capacity: Swift.max(1, values.count))
        value.initialize(from: values, count: values.count)
    }

    func deallocate() {
        rowStart.deallocate()
        offset.deallocate()
        value.deallocate()
    }

    /// `Σ_j row_j · k_j[i]` for one component `i`.
    @inlinable @inline(__always)
    func dot(row r: Int, stages: UnsafeMutablePointer<Double>, component i: Int) -> Double {
        var acc = 0.0
        var p = rowStart[r]
        let hi = rowStart[r + 1]
        while p < hi {
            acc += value[p] * stages[offset[p] &+ i]
            p &+= 1
        }
        return acc
    }

    /// Components per block of the blocked combinations: the accumulator block stays in L1 and
    /// the loops over it vectorise (the per-component sparse dot cannot: its inner loop runs over
    /// the row's few nonzeros through an index table).
    @usableFromInline static let block = 512

    /// Systems smaller than this use the per-component form (no blocking overhead).
    @usableFromInline static let blockedThreshold = 2 * block

    /// `acc_i = Σ_j row_j · k_j[start + i]` for `i < m`, accumulated term after term in the
    /// row's order from 0: the same operations as ``dot(row:stages:component:)``, so the same bits.
    @inlinable @inline(__always)
    func accumulate(row r: Int, stages: UnsafeMutablePointer<Double>, start: Int, count m: Int,
                    into acc: UnsafeMutablePointer<Double>) {
        for i in 0..<m { acc[i] = 0 }
        var p = rowStart[r]
        let hi = rowStart[r + 1]
        while p < hi {
            let v = value[p]
            let k = stages + (offset[p] &+ start)
            for i in 0..<m { acc[i] += v * k[i] }
            p &+= 1
        }
    }

    /// Calls `body(start, m, acc)` for consecutive blocks of `n` components, `acc` holding
    /// `Σ_j row_j · k_j` of the block's components.
    @inlinable @inline(__always)
    func forEachBlock(row r: Int, stages: UnsafeMutablePointer<Double>, count n: Int,
                      _ body: (Int, Int, UnsafeMutablePointer<Double>) -> Void) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.block) { buffer in
            let acc = buffer.baseAddress!
            var start = 0
            while start < n {
                let m = Swift.min(Self.block, n - start)
                accumulate(row: r, stages: stages, start: start, count: m, into: acc)
                body(start, m, acc)
                start += m
            }
        }
    }

    /// `dst_i = Σ_j row_j · k_j[i]` for `i < n`.
    @inlinable @inline(__always)
    func combine(
        row r: Int, stages: UnsafeMutablePointer<Double>, count n: Int, into dst: UnsafeMutablePointer<Double>
    ) {
        guard n >= Self.blockedThreshold else {
            for i in 0..<n { dst[i] = dot(row: r, stages: stages, component: i) }
            return
        }
        forEachBlock(row: r, stages: stages, count: n) { start, m, acc in
            let out = dst + start
            for i in 0..<m { out[i] = acc[i] }
        }
    }

    /// `dst_i = y_i + h Σ_j row_j · k_j[i]` for `i < n` (a Runge–Kutta stage state).
    @inlinable @inline(__always)
    func stageState(
        row r: Int, base y: UnsafeMutablePointer<Double>, h: Double, stages: UnsafeMutablePointer<Double>,
        count n: Int, into dst: UnsafeMutablePointer<Double>
    ) {
        guard n >= Self.blockedThreshold else {
            for i in 0..<n { dst[i] = y[i] + h * dot(row: r, stages: stages, component: i) }
            return
        }
        forEachBlock(row: r, stages: stages, count: n) { start, m, acc in
            let (out, base) = (dst + start, y + start)
            for i in 0..<m { out[i] = base[i] + h * acc[i] }
        }
    }
}

/// Buffers and coefficients for one solve (allocated once, freed on deinit).
@usableFromInline
final class RKWorkspace {
    @usableFromInline let n: Int
    /// Main stages `s`.
    @usableFromInline let stageCount: Int
    /// Index of the stage holding `f(t_{n+1}, y_{n+1})`.
    @usableFromInline let endStage: Int
    /// All stages including the end derivative and dense-output extra stages.
    @usableFromInline let totalStages: Int
    @usableFromInline let isFSAL: Bool
    /// Polynomial degree of the interpolant in θ.
    @usableFromInline let degree: Int
    /// Stage vectors `k_j`, contiguous: `k_j` is `stages + j·n`.
    @usableFromInline let stages: UnsafeMutablePointer<Double>
    @usableFromInline let stateA: UnsafeMutablePointer<Double>
    @usableFromInline let stateB: UnsafeMutablePointer<Double>
    /// Scratch vector (stage states, error vector, interpolated values).
    @usableFromInline let tmp: UnsafeMutablePointer<Double>
    @usableFromInline let absolute: UnsafeMutablePointer<Double>
    @usableFromInline let relative: UnsafeMutablePointer<Double>
    /// Interpolation polynomial of the current step: `(degree + 1) × n`, coefficient of θ^p at `p·n`.
    @usableFromInline let poly: UnsafeMutablePointer<Double>
    /// Nodes for all stages.
    @usableFromInline let c: UnsafeMutablePointer<Double>
    /// Stage rows of `A` (and of the extra stages), indexed by stage.
    @usableFromInline let aRows: SparseRows
    /// `b` as one row.
    @usableFromInline let bRow: SparseRows
    /// `e = b - b̂` as one row (empty row if the method has no estimator).
    @usableFromInline let eRow: SparseRows
    /// Dense-output weights, one row per power θ^p, `p = 1...degree`.
    @usableFromInline let denseRows: SparseRows
    private let storage: UnsafeMutablePointer<Double>
    private let storageCount: Int

    init(tableau: ButcherTableau, dimension n: Int, absolute atol: [Double], relative rtol: [Double]) {
        self.n = n
        let s = tableau.stageCount
        stageCount = s
        isFSAL = tableau.isFSAL
        endStage = tableau.endDerivativeStage
        totalStages = tableau.totalStageCount
        let dense = tableau.denseOutput
        degree = dense.degree

        let total = n * (totalStages + 5 + degree + 1)
        let base = UnsafeMutablePointer<Double>.allocate(capacity: total)
        base.initialize(repeating: 0, count: total)
        storageCount = total
        storage = base
        stages = base
        let offset = totalStages * n
        stateA = base + offset
        stateB = base + offset + n
        tmp = base + offset + 2 * n
        absolute = base + offset + 3 * n
        relative = base + offset + 4 * n
        poly = base + offset + 5 * n
        for i in 0..<n {
            absolute[i] = atol[i]
            relative[i] = rtol[i]
        }

        var nodes = [Double](repeating: 0, count: totalStages)
        var rows = [[Double]](repeating: [], count: totalStages)
        for j in 0..<s {
            nodes[j] = tableau.c[j]
            rows[j] = tableau.a[j]
        }
        nodes[endStage] = 1
        for (j, extra) in dense.extraStages.enumerated() {
            nodes[endStage + 1 + j] = extra.c
            rows[endStage + 1 + j] = extra.a
        }
        c = .allocate(capacity: totalStages)
        c.initialize(from: nodes, count: totalStages)
        aRows = SparseRows(rows, dimension: n)
        bRow = SparseRows([tableau.b], dimension: n)
        eRow = SparseRows([tableau.errorWeights ?? []], dimension: n)
        var powers = [[Double]](repeating: [Double](repeating: 0, count: totalStages), count: degree)
        for (i, w) in dense.weights.enumerated() {
            for (p, v) in w.enumerated() { powers[p][i] = v }
        }
        denseRows = SparseRows(powers, dimension: n)
    }

    deinit {
        storage.deinitialize(count: storageCount)
        storage.deallocate()
        c.deallocate()
        aRows.deallocate()
        bRow.deallocate()
        eRow.deallocate()
        denseRows.deallocate()
    }
}

/// Evaluates `Σ_{p=0}^{degree} P_p θ^p` (Horner) for an `n`-vector polynomial stored as
/// `(degree + 1) × n` coefficients.
@inlinable
func evaluatePolynomial(
    _ coefficients: UnsafePointer<Double>, degree: Int, count n: Int, theta: Double,
    into out: UnsafeMutablePointer<Double>
) {
    for i in 0..<n {
        var v = coefficients[degree * n + i]
        var p = degree - 1
        while p >= 0 {
            v = v * theta + coefficients[p * n + i]
            p -= 1
        }
        out[i] = v
    }
}

/// The explicit Runge–Kutta integrator: state, workspace and output being recorded.
@usableFromInline
struct ExplicitRKIntegrator<Method: ExplicitRungeKuttaMethod> {
    @usableFromInline let methodName: String
    @usableFromInline let order: Int
    @usableFromInline let work: RKWorkspace
    @usableFromInline let rhs: ODEFunction
    @usableFromInline let n: Int
    @usableFromInline let tStart: Double
    @usableFromInline let tEnd: Double
    @usableFromInline let direction: Double
    /// Current time and state (`y` is valid; `yNew` is scratch for the trial step).
    @usableFromInline var t: Double
    @usableFromInline var y: UnsafeMutablePointer<Double>
    @usableFromInline var yNew: UnsafeMutablePointer<Double>
    @usableFromInline var statistics = SolverStatistics()
    // Output.
    @usableFromInline var output: SolutionRecorder
    // Stepping state kept between calls, so a solve can pause, snapshot and resume exactly.
    /// The (signed) step size to attempt next.
    @usableFromInline var h: Double = 0
    @usableFromInline var controllerState = PIController.State()
    @usableFromInline var lastFailureNonFinite = false
    /// `f(t0, y0)` evaluated and the initial point recorded.
    @usableFromInline var started = false
    /// `t == tEnd` reached.
    @usableFromInline var finished = false
    /// Fixed-step mode: steps taken so far and the total.
    @usableFromInline var fixedIndex = 0
    @usableFromInline var fixedCount = 0
    // Events.
    @usableFromInline var events: [Event] = []
    /// `g_i(t, y)` at the current point.
    @usableFromInline var eventValues: [Double] = []
    @usableFromInline var occurrences: [EventOccurrence] = []

    @usableFromInline
    init(
        method: Method, problem: ODEProblem, absolute: [Double], relative: [Double],
        saveAt: ResolvedSaveAt, denseOutput: Bool
    ) {
        let tableau = method.tableau
        methodName = method.name
        order = tableau.order
        n = problem.dimension
        work = RKWorkspace(tableau: tableau, dimension: n, absolute: absolute, relative: relative)
        rhs = problem.rhs
        tStart = problem.start
        tEnd = problem.end
        direction = problem.direction
        t = problem.start
        y = work.stateA
        yNew = work.stateB
        for i in 0..<n { y[i] = problem.initial[i] }
        output = SolutionRecorder(problem: problem, saveAt: saveAt, denseOutput: denseOutput,
                                  degree: work.degree, denseOrder: tableau.denseOutput.order)
    }

    /// Calls `f(t, state)` into `out` and counts it.
    @inlinable @inline(__always)
    mutating func evaluate(_ time: Double, _ state: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        rhs(time, UnsafeBufferPointer(start: state, count: n), UnsafeMutableBufferPointer(start: out, count: n))
        statistics.rhsEvaluations &+= 1
    }

    /// Evaluates `k_1 = f(t0, y0)` and records the initial point.
    @inlinable
    mutating func start() throws(IntegrationError) {
        output.start(y)
        evaluate(t, y, into: work.stages)
        guard allFinite(work.stages, count: n) else {
            throw .nonFiniteDerivative(failure(stepSize: 0))
        }
        if !events.isEmpty { evaluateEventConditions() }
    }

    /// Computes stages `2...s` and the trial state `yNew` for a step of (signed) size `h`.
    @inlinable
    mutating func computeStages(h: Double) {
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

    /// Evaluates the dense-output extra stages of the current (not yet committed) step.
    @inlinable
    mutating func computeExtraStages(h: Double) {
        let w = work
        var j = w.endStage + 1
        while j < w.totalStages {
            w.aRows.stageState(row: j, base: y, h: h, stages: w.stages, count: n, into: w.tmp)
            evaluate(t + w.c[j] * h, w.tmp, into: w.stages + j * n)
            j += 1
        }
    }

    /// Fills `work.poly` with the interpolation polynomial of the current step.
    @inlinable
    mutating func buildPolynomial(h: Double) {
        computeExtraStages(h: h)
        let w = work
        for i in 0..<n { w.poly[i] = y[i] }
        for p in 1...w.degree {
            let dst = w.poly + p * n
            w.denseRows.combine(row: p - 1, stages: w.stages, count: n, into: dst)
            for i in 0..<n { dst[i] *= h }
        }
    }

    /// Commits the trial step `t -> tNew` (signed size `h`): end derivative, output, FSAL reuse.
    /// Returns true when an event cut the step short (then `t` is the event's time).
    @inlinable @discardableResult
    mutating func accept(h: Double, tNew: Double) throws(IntegrationError) -> Bool {
        let w = work
        if !w.isFSAL {
            evaluate(tNew, yNew, into: w.stages + w.endStage * n)
            guard allFinite(w.stages + w.endStage * n, count: n) else {
                statistics.acceptedSteps &+= 1
                if output.saveEverySteps { output.record(tNew, yNew) }
                swap(&y, &yNew)
                t = tNew
                throw .nonFiniteDerivative(failure(stepSize: h))
            }
        }
        statistics.acceptedSteps &+= 1
        if !events.isEmpty, try handleEvents(h: h, tNew: tNew) { return true }

        if output.needsPolynomial(upTo: tNew) { buildPolynomial(h: h) }
        output.accept(tOld: t, tNew: tNew, yNew: yNew, poly: w.poly, scratch: w.tmp)

        swap(&y, &yNew)
        // f(t_{n+1}, y_{n+1}) becomes the next step's first stage (FSAL / reuse).
        w.stages.update(from: w.stages + w.endStage * n, count: n)
        t = tNew
        return false
    }

    /// Smallest resolvable step magnitude near `t`.
    @inlinable
    func minimumStep() -> Double {
        16 * Swift.max(abs(t), abs(tEnd)).ulp
    }

    @inlinable
    func failure(stepSize h: Double) -> IntegrationFailure {
        IntegrationFailure(
            t: t, stepSize: h, lastGoodState: Array(UnsafeBufferPointer(start: y, count: n)),
            partialSolution: makeSolution(completed: false))
    }

    @inlinable
    func makeSolution(completed: Bool) -> ODESolution {
        var solution = output.makeSolution(
            y: y, t: t, statistics: statistics, completed: completed, methodName: methodName)
        solution.eventStorage = occurrences
        if finished, t != tEnd, let last = occurrences.last, events[last.event].terminal { solution.stoppingEventStorage = last.event }
        return solution
    }

    // MARK: drivers

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

    /// Starts a fixed-step solve: `f(t0, y0)` and the step count.
    @inlinable
    mutating func beginFixed(step: Double) throws(IntegrationError) {
        try start()
        fixedCount = fixedStepCount(step: step)
        started = true
    }

    /// Takes fixed step number `fixedIndex + 1` (the last one ends exactly at `t1`).
    @inlinable
    mutating func attemptFixedStep(step: Double, maxSteps: Int) throws(IntegrationError) {
        let tNew = fixedIndex + 1 == fixedCount ? tEnd : tStart + direction * Double(fixedIndex + 1) * step
        let h = tNew - t
        if fixedIndex >= maxSteps {
            throw .maxStepsReached(maxSteps: maxSteps, failure(stepSize: h))
        }
        computeStages(h: h)
        guard allFinite(yNew, count: n) else {
            throw .nonFiniteState(failure(stepSize: h))
        }
        // A step cut by an event is retaken from the event to the same grid point.
        if try accept(h: h, tNew: tNew) { return }
        fixedIndex += 1
        if fixedIndex == fixedCount { finished = true }
    }

    /// Starts an adaptive solve: `f(t0, y0)` and the first step size (given or Hairer's).
    @inlinable
    mutating func beginAdaptive(initialStep: Double?, maxStep: Double) throws(IntegrationError) {
        try start()
        if let h0 = initialStep {
            h = direction * Swift.min(h0, maxStep)
        } else {
            let w = work
            let magnitude = hairerInitialStep(
                count: n, t0: t, y0: y, f0: w.stages, direction: direction, order: order,
                absolute: w.absolute, relative: w.relative, spanLength: abs(tEnd - tStart), maxStep: maxStep,
                scratchY: yNew, scratchF: w.tmp,
                evaluate: { time, state, out in self.evaluate(time, state, into: out) })
            h = direction * magnitude
        }
        started = true
    }

    /// Attempts one adaptive step of size `h`; on acceptance advances `t`, and in any case
    /// chooses the next `h` with `controller`.
    @inlinable
    mutating func attemptAdaptiveStep(
        controller: PIController.Resolved, maxStep: Double, maxSteps: Int
    ) throws(IntegrationError) {
        var isLast = false
        if abs(h) > maxStep { h = direction * maxStep }
        if direction * (t + 1.01 * h - tEnd) >= 0 {
            h = tEnd - t
            isLast = true
        }
        if abs(h) < minimumStep() {
            throw lastFailureNonFinite
                ? .nonFiniteState(failure(stepSize: h)) : .stepSizeUnderflow(failure(stepSize: h))
        }
        if statistics.acceptedSteps + statistics.rejectedSteps >= maxSteps {
            throw .maxStepsReached(maxSteps: maxSteps, failure(stepSize: h))
        }
        computeStages(h: h)
        let err = errorNorm(h: h)
        if !err.isFinite {
            statistics.rejectedSteps &+= 1
            controllerState.previousStepRejected = true
            lastFailureNonFinite = true
            h *= controller.minFactor
            return
        }
        lastFailureNonFinite = false
        if err <= 1 {
            let factor = controller.factorAfterAcceptance(error: err, state: &controllerState)
            if try accept(h: h, tNew: isLast ? tEnd : t + h) {
                h *= factor  // cut at an event (which may have finished the solve)
                return
            }
            if isLast {
                finished = true
                return
            }
            h *= factor
        } else {
            statistics.rejectedSteps &+= 1
            h *= controller.factorAfterRejection(error: err, state: &controllerState)
        }
    }

}
