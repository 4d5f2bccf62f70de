/// Which `(t, y)` pairs a solve stores in ``ODESolution/times`` / ``ODESolution/states``.
///
/// Dense output (`solution(t)`) is independent of this choice; it is controlled by the
/// `denseOutput:` argument of `solve`.
public enum SaveAt: Sendable, Equatable {
    /// Only the state at the end of the span (for a failed solve: the last good state).
    case final
    /// The initial point and the end of every accepted step.
    case steps
    /// Exactly these times, evaluated with the method's dense-output interpolant (a requested time
    /// equal to a step end or `t0` gives that state exactly). The times must be finite, inside the
    /// span, and sorted in the direction of integration (ascending forward, descending backward);
    /// repeats are allowed.
    case times([Double])
    /// `t0, t0 ± dt, t0 ± 2dt, ...` inside the span, plus `t1` if not already on the grid
    /// (within `1e-10·|dt|`). `dt > 0` is a magnitude: the sign follows the integration direction.
    case every(Double)
}

/// `SaveAt` after validation against a span.
@usableFromInline
enum ResolvedSaveAt: Sendable {
    case final
    case steps
    case times([Double])
}

extension SaveAt {
    /// Validates against the span `[start, end]` (either order) and turns `.every` into `.times`.
    @usableFromInline
    func resolved(start: Double, end: Double) throws(IntegrationError) -> ResolvedSaveAt {
        let direction: Double = end >= start ? 1 : -1
        switch self {
        case .final:
            return .final
        case .steps:
            return .steps
        case .times(let times):
            let lo = Swift.min(start, end), hi = Swift.max(start, end)
            for (i, s) in times.enumerated() {
                guard s.isFinite else {
                    throw .invalidSaveAt("saveAt time #\(i) is \(s) (must be finite)")
                }
                guard s >= lo && s <= hi else {
                    throw .invalidSaveAt("saveAt time #\(i) = \(s) is outside the span [\(start), \(end)]")
                }
                if i > 0 && direction * (s - times[i - 1]) < 0 {
                    throw .invalidSaveAt(
                        "saveAt times must be sorted in the direction of integration "
                            + "(\(direction > 0 ? "ascending" : "descending")); #\(i - 1) = \(times[i - 1]), #\(i) = \(s)")
                }
            }
            return .times(times)
        case .every(let dt):
            guard dt.isFinite, dt > 0 else {
                throw .invalidSaveAt("saveAt .every(dt) needs a finite dt > 0, got \(dt)")
            }
            let span = abs(end - start)
            let count = span / dt
            guard count < 50_000_000 else {
                throw .invalidSaveAt("saveAt .every(\(dt)) would store \(count) points over a span of length \(span)")
            }
            var times: [Double] = []
            times.reserveCapacity(Int(count) + 2)
            var k = 0
            while true {
                let s = start + direction * Double(k) * dt
                if direction * (s - end) > 1e-10 * dt { break }
                // Snap the last grid point onto `end` when it is within rounding of it.
                times.append(abs(s - end) <= 1e-10 * dt ? end : s)
                k += 1
            }
            if times.last != end { times.append(end) }
            return .times(times)
        }
    }
}
