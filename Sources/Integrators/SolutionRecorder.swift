// Output recording shared by every integrator (explicit, stiff, stochastic): saved points
// (`SaveAt`) and per-step dense-output polynomials in θ = (t - t_n)/(t_{n+1} - t_n), stored in
// `ODESolution`'s format.

/// Records the saved points and dense output of a solve.
@usableFromInline
struct SolutionRecorder {
    @usableFromInline let n: Int
    @usableFromInline let tStart: Double
    @usableFromInline let tEnd: Double
    @usableFromInline let direction: Double
    @usableFromInline let saveEverySteps: Bool
    @usableFromInline let saveFinalOnly: Bool
    @usableFromInline let saveTimes: [Double]
    @usableFromInline var nextSave = 0
    @usableFromInline var outTimes: [Double] = []
    @usableFromInline var outStates: [Double] = []
    @usableFromInline let storeDense: Bool
    /// Degree of the stored polynomials.
    @usableFromInline let degree: Int
    @usableFromInline let denseOrder: Int
    @usableFromInline var denseTimes: [Double] = []
    @usableFromInline var denseCoefficients: [Double] = []

    @usableFromInline
    init(problem: ODEProblem, saveAt: ResolvedSaveAt, denseOutput: Bool, degree: Int, denseOrder: Int) {
        self.init(dimension: problem.dimension, start: problem.start, end: problem.end, saveAt: saveAt,
                  denseOutput: denseOutput, degree: degree, denseOrder: denseOrder)
    }

    @usableFromInline
    init(dimension: Int, start: Double, end: Double, saveAt: ResolvedSaveAt, denseOutput: Bool, degree: Int,
         denseOrder: Int) {
        n = dimension
        tStart = start
        tEnd = end
        direction = end >= start ? 1 : -1
        switch saveAt {
        case .final:
            saveEverySteps = false
            saveFinalOnly = true
            saveTimes = []
        case .steps:
            saveEverySteps = true
            saveFinalOnly = false
            saveTimes = []
        case .times(let times):
            saveEverySteps = false
            saveFinalOnly = false
            saveTimes = times
        }
        storeDense = denseOutput
        self.degree = degree
        self.denseOrder = denseOrder
    }

    @inlinable
    mutating func record(_ time: Double, _ state: UnsafeMutablePointer<Double>) {
        outTimes.append(time)
        outStates.append(contentsOf: UnsafeBufferPointer(start: state, count: n))
    }

    /// Records the initial point.
    @inlinable
    mutating func start(_ y0: UnsafeMutablePointer<Double>) {
        if saveEverySteps { record(tStart, y0) }
        while nextSave < saveTimes.count && saveTimes[nextSave] == tStart {
            record(tStart, y0)
            nextSave += 1
        }
        if storeDense { denseTimes.append(tStart) }
    }

    /// The next save time not yet recorded (``SaveAt/times(_:)``), if any.
    @inlinable
    var pendingSaveTime: Double? { nextSave < saveTimes.count ? saveTimes[nextSave] : nil }

    /// Whether the step ending at `tNew` needs its interpolation polynomial.
    @inlinable
    func needsPolynomial(upTo tNew: Double) -> Bool {
        storeDense || (nextSave < saveTimes.count && direction * (saveTimes[nextSave] - tNew) < 0)
    }

    /// Records an accepted step `tOld -> tNew` with end state `yNew`. `poly` (`(degree + 1)·n`,
    /// coefficient of θ^p at `p·n`) must be valid when ``needsPolynomial(upTo:)`` was true;
    /// `scratch` is an `n`-vector. Save times within `snap` of `tNew` get `yNew` itself.
    @inlinable
    mutating func accept(
        tOld: Double, tNew: Double, yNew: UnsafeMutablePointer<Double>, poly: UnsafeMutablePointer<Double>,
        scratch: UnsafeMutablePointer<Double>, snap: Double = 0
    ) {
        if storeDense {
            denseTimes.append(tNew)
            denseCoefficients.append(contentsOf: UnsafeBufferPointer(start: poly, count: (degree + 1) * n))
        }
        if saveEverySteps { record(tNew, yNew) }
        while nextSave < saveTimes.count && direction * (saveTimes[nextSave] - tNew) <= snap {
            let s = saveTimes[nextSave]
            if s == tNew || direction * (tNew - s) <= snap {
                record(s, yNew)
            } else {
                evaluatePolynomial(poly, degree: degree, count: n, theta: (s - tOld) / (tNew - tOld), into: scratch)
                record(s, scratch)
            }
            nextSave += 1
        }
    }

    @inlinable
    func makeSolution(
        y: UnsafeMutablePointer<Double>, t: Double, statistics: SolverStatistics, completed: Bool, methodName: String
    ) -> ODESolution {
        let final = Array(UnsafeBufferPointer(start: y, count: n))
        var times = outTimes
        var states = outStates
        if saveFinalOnly {
            times = [t]
            states = final
        }
        return ODESolution(
            dimension: n, start: tStart, end: tEnd, times: times, stateStorage: states,
            final: final, finalTime: t, statistics: statistics, completed: completed, methodName: methodName,
            denseTimes: storeDense ? denseTimes : [], denseCoefficients: denseCoefficients,
            denseDegree: degree, denseOrder: denseOrder)
    }
}

extension SolutionRecorder {
    /// The saved points recorded since the last call, removed (see `SteppableIntegrator`).
    mutating func takeSavedPoints(finished: Bool, t: Double, y: UnsafeMutablePointer<Double>) -> (times: [Double], states: [Double]) {
        defer {
            outTimes.removeAll(keepingCapacity: true)
            outStates.removeAll(keepingCapacity: true)
        }
        if saveFinalOnly { return finished ? ([t], Array(UnsafeBufferPointer(start: y, count: n))) : ([], []) }
        return (outTimes, outStates)
    }

    /// Continues output after a restored snapshot: the saveAt cursor, no points yet.
    mutating func resume(nextSave: Int, t: Double, started: Bool) {
        self.nextSave = nextSave
        outTimes.removeAll()
        outStates.removeAll()
        denseTimes = started && storeDense ? [t] : []
        denseCoefficients.removeAll()
    }
}
