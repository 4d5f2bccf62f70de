// Event location, for every method: conditions are sampled on the accepted step's interpolant,
// roots found by the Illinois variant of regula falsi on it, and the step cut at the earliest root;
// the method then restarts from the root (see ``ODEStepper/restart(at:)``).

extension ODEIntegrator {
    /// Evaluates every event condition at the current `(t, y)` (at the start and after an event).
    @usableFromInline
    mutating func evaluateEventConditions() {
        let state = UnsafeBufferPointer(start: stepper.currentState, count: n)
        for i in events.indices { eventValues[i] = events[i].condition(t, state) }
    }

    /// Interior points (fractions of the step) where event conditions are sampled on the
    /// interpolant besides the step's end, so that a condition that changes sign twice within
    /// one step (a ball thrown up and falling back) is still seen.
    @usableFromInline static var eventSamples: [Double] { [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1] }

    /// Where a condition that is exactly zero at the step's start (an event just fired there) is
    /// probed first, to learn which way it leaves zero: a ball bouncing up and landing again inside
    /// one long step is then still seen as a falling crossing.
    @usableFromInline static var departureProbe: Double { 1e-6 }

    /// Looks for event roots in the accepted trial step `t → tNew` (signed size `h`). If any fire,
    /// cuts the step at the earliest root, records output up to it, records every event whose root
    /// is there, applies their `affect`s in order, restarts the method there and returns true;
    /// otherwise updates the stored conditions and returns false.
    @usableFromInline
    mutating func handleEvents(step h: Double, to tNew: Double) throws(IntegrationError) -> Bool {
        let poly = stepper.interpolant()
        let degree = stepper.interpolantDegree
        let scratch = stepper.scratch
        let yNew = stepper.trialState
        var roots: [(index: Int, theta: Double)] = []
        var endValues = [Double](repeating: 0, count: events.count)
        for i in events.indices {
            var before = eventValues[i]
            var thetaBefore = 0.0
            if before == 0 {
                thetaBefore = Self.departureProbe
                evaluatePolynomial(poly, degree: degree, count: n, theta: thetaBefore, into: scratch)
                before = events[i].condition(t + thetaBefore * h, UnsafeBufferPointer(start: scratch, count: n))
            }
            for theta in Self.eventSamples {
                let value: Double
                if theta == 1 {
                    value = events[i].condition(tNew, UnsafeBufferPointer(start: yNew, count: n))
                    endValues[i] = value
                } else {
                    evaluatePolynomial(poly, degree: degree, count: n, theta: theta, into: scratch)
                    value = events[i].condition(t + theta * h, UnsafeBufferPointer(start: scratch, count: n))
                }
                if events[i].crosses(from: before, to: value) {
                    roots.append((i, rootTheta(event: i, poly: poly, step: h, from: thetaBefore, before, to: theta, value)))
                    break
                }
                (before, thetaBefore) = (value, theta)
            }
        }
        guard let earliest = roots.map(\.theta).min() else {
            eventValues = endValues
            return false
        }
        let resolution = 4 * Swift.max(abs(t), abs(t + h)).ulp / abs(h)
        let firing = roots.filter { $0.theta <= earliest + resolution }.map(\.index).sorted()
        let theta = earliest
        let tRoot = theta == 1 ? tNew : t + theta * h
        // The state at the root (the trial state itself at θ = 1).
        if theta < 1 {
            evaluatePolynomial(poly, degree: degree, count: n, theta: theta, into: scratch)
        } else {
            scratch.update(from: yNew, count: n)
        }
        // The interpolant of the cut step [t, tRoot]: θ' = θ / theta, so c_p → c_p theta^p.
        var scale = theta
        for p in 1...degree {
            for i in 0..<n { poly[p * n + i] *= scale }
            scale *= theta
        }
        output.accept(tOld: t, tNew: tRoot, yNew: scratch, poly: poly, scratch: stepper.scratch + n)
        let y = stepper.currentState
        y.update(from: scratch, count: n)
        let rootState = Array(UnsafeBufferPointer(start: y, count: n))
        t = tRoot
        for index in firing {
            occurrences.append(EventOccurrence(event: index, time: tRoot, state: rootState))
            if let affect = events[index].affect {
                affect(t, UnsafeMutableBufferPointer(start: y, count: n))
                guard allFinite(y, count: n) else { throw .nonFiniteState(failure(stepSize: h)) }
            }
        }
        // What the method carried belongs to the old step's end: restart it at the root.
        do throws(StepFailure) { try stepper.restart(at: t) } catch { throw self.error(error, stepSize: h) }
        evaluateEventConditions()
        for index in firing { eventValues[index] = 0 }  // the root itself is not a new crossing
        if firing.contains(where: { events[$0].terminal }) || t == tEnd { finished = true }
        return true
    }

    /// The root of event `i` in `[θa, θb]` of the step (where its condition goes from `ga` to `gb`
    /// across zero), by the Illinois variant of regula falsi on the interpolant, to a few ulp of t.
    @usableFromInline
    func rootTheta(event i: Int, poly: UnsafeMutablePointer<Double>, step h: Double,
                   from thetaA: Double, _ ga: Double, to thetaB: Double, _ gb: Double) -> Double {
        if gb == 0 { return thetaB }
        let condition = events[i].condition
        let (degree, scratch, n, t) = (stepper.interpolantDegree, stepper.scratch, self.n, self.t)
        func g(_ theta: Double) -> Double {
            evaluatePolynomial(poly, degree: degree, count: n, theta: theta, into: scratch)
            return condition(t + theta * h, UnsafeBufferPointer(start: scratch, count: n))
        }
        var (a, fa) = (thetaA, ga)
        var (b, fb) = (thetaB, gb)
        var side = 0
        let resolution = 2 * Swift.max(abs(t), abs(t + h)).ulp / abs(h)
        for _ in 0..<200 {
            if b - a <= resolution { break }
            var c = (a * fb - b * fa) / (fb - fa)
            if !(c > a && c < b) { c = 0.5 * (a + b) }
            let fc = g(c)
            if fc == 0 { return c }
            if (fc < 0) == (fb < 0) {
                (b, fb) = (c, fc)
                if side == 1 { fa *= 0.5 }
                side = 1
            } else {
                (a, fa) = (c, fc)
                if side == -1 { fb *= 0.5 }
                side = -1
            }
        }
        // The end of the bracket on the far side of the zero: the event has happened by then.
        return b
    }
}
