/// The result of a solve: saved points, the final state, dense output and work statistics.
///
/// States are `n`-component vectors. A solution returned in an ``IntegrationFailure`` is partial
/// (`completed == false`): everything refers to the span actually covered, `t0 ... finalTime`.
public struct ODESolution: Sendable {
    /// Number of state components `n`.
    public let dimension: Int
    /// Requested start time `t0`.
    public let start: Double
    /// Requested end time `t1`.
    public let end: Double
    /// Times of the saved points, in integration order (see ``SaveAt``).
    public let times: [Double]
    /// Saved states, flattened row-major: state `k` is `stateStorage[k*n ..< (k+1)*n]`.
    public let stateStorage: [Double]
    /// State at ``finalTime`` (`t1` when `completed`; otherwise the last good state).
    public let final: [Double]
    /// The time of ``final``.
    public let finalTime: Double
    /// Work counters.
    public let statistics: SolverStatistics
    /// `false` for the partial solution carried by an ``IntegrationError``.
    public let completed: Bool
    /// Name of the method used.
    public let methodName: String
    /// Accepted step boundaries `t0, t_1, ..., t_N` (empty when dense output was not stored).
    public let stepTimes: [Double]
    @usableFromInline let denseCoefficients: [Double]
    /// Degree of the per-step interpolating polynomials in θ (stored `(degree + 1) × n` per step).
    public let denseDegree: Int
    /// Order of the dense-output interpolant (local error `O(h^(order+1))`), if stored.
    public let denseOutputOrder: Int?
    /// The events located during the solve, in time order (see ``Event``).
    public var events: [EventOccurrence] { eventStorage }
    /// The index of the terminal event that stopped the solve early, if one did.
    public var stoppingEvent: Int? { stoppingEventStorage }
    @usableFromInline var eventStorage: [EventOccurrence] = []
    @usableFromInline var stoppingEventStorage: Int?

    @usableFromInline
    init(
        dimension: Int, start: Double, end: Double, times: [Double], stateStorage: [Double], final: [Double],
        finalTime: Double, statistics: SolverStatistics, completed: Bool, methodName: String,
        denseTimes: [Double], denseCoefficients: [Double], denseDegree: Int, denseOrder: Int
    ) {
        self.dimension = dimension
        self.start = start
        self.end = end
        self.times = times
        self.stateStorage = stateStorage
        self.final = final
        self.finalTime = finalTime
        self.statistics = statistics
        self.completed = completed
        self.methodName = methodName
        self.stepTimes = denseTimes.count >= 2 ? denseTimes : []
        self.denseCoefficients = denseCoefficients
        self.denseDegree = denseDegree
        self.denseOutputOrder = denseTimes.count >= 2 ? denseOrder : nil
    }

    /// Saved states (one `n`-vector per entry of ``times``). Allocates; prefer ``state(at:)`` or
    /// ``stateStorage`` in loops.
    public var states: [[Double]] {
        (0..<times.count).map { state(at: $0) }
    }

    /// The saved state with index `k` (`0 <= k < times.count`).
    public func state(at k: Int) -> [Double] {
        Array(stateStorage[(k * dimension)..<((k + 1) * dimension)])
    }

    /// Whether `solution(t)` is available (dense output was stored and at least one step taken).
    public var hasDenseOutput: Bool { !stepTimes.isEmpty }

    /// Dense output at time `t` (between `t0` and ``finalTime``) using the method's own
    /// interpolant on the step containing `t`; `nil` if dense output was not stored or `t` lies
    /// outside the covered span.
    public func interpolate(_ t: Double) -> [Double]? {
        var out = [Double](repeating: 0, count: dimension)
        let ok = out.withUnsafeMutableBufferPointer { interpolate(t, into: $0) }
        return ok ? out : nil
    }

    /// Allocation-free dense output into `out` (`n` components). Returns `false` (leaving `out`
    /// untouched) if dense output is unavailable at `t`. Suitable for event location.
    public func interpolate(_ t: Double, into out: UnsafeMutableBufferPointer<Double>) -> Bool {
        let steps = stepTimes.count - 1
        guard steps >= 1, out.count >= dimension, t.isFinite else { return false }
        let first = stepTimes[0], last = stepTimes[steps]
        let direction: Double = last >= first ? 1 : -1
        guard direction * (t - first) >= 0, direction * (last - t) >= 0 else { return false }
        // Largest k with direction * (stepTimes[k] - t) <= 0, clamped to a valid step.
        var lo = 0, hi = steps
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if direction * (stepTimes[mid] - t) <= 0 { lo = mid } else { hi = mid }
        }
        let k = lo
        let t0 = stepTimes[k], t1 = stepTimes[k + 1]
        let theta = (t - t0) / (t1 - t0)
        let stride = (denseDegree + 1) * dimension
        denseCoefficients.withUnsafeBufferPointer { coefficients in
            evaluatePolynomial(
                coefficients.baseAddress! + k * stride, degree: denseDegree, count: dimension, theta: theta,
                into: out.baseAddress!)
        }
        return true
    }

    /// Dense output at time `t`: `solution(42.0)`.
    ///
    /// - Precondition: dense output was stored (`denseOutput: true`, the default) and `t` lies in
    ///   the covered span `t0 ... finalTime`. Use ``interpolate(_:)`` for a non-trapping variant.
    public func callAsFunction(_ t: Double) -> [Double] {
        guard let value = interpolate(t) else {
            preconditionFailure(
                hasDenseOutput
                    ? "ODESolution: t = \(t) is outside the solved span \(start) ... \(finalTime)"
                    : "ODESolution: no dense output stored (solve with denseOutput: true)")
        }
        return value
    }
}
