extension ExplicitRKIntegrator {
    /// Evaluates every event condition at the current `(t, y)` (at the start and after an event).
    @usableFromInline
    mutating func evaluateEventConditions() {
        let state = UnsafeBufferPointer(start: y, count: n)
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

    /// Looks for event roots in the trial step `t → tNew` (signed size `h`; `yNew` and the end
    /// derivative are computed). If any fire, cuts the step at the earliest root, records output
    /// up to it, records every event whose root is there, applies their `affect`s in order and
    /// returns true; otherwise updates the stored conditions and returns false.
    @usableFromInline
    mutating func handleEvents(h: Double, tNew: Double) throws(IntegrationError) -> Bool {
        let w = work
        buildPolynomial(h: h)
        var roots: [(index: Int, theta: Double)] = []
        var endValues = [Double](repeating: 0, count: events.count)
        for i in events.indices {
            var before = eventValues[i]
            var thetaBefore = 0.0
            if before == 0 {
                thetaBefore = Self.departureProbe
                evaluatePolynomial(w.poly, degree: w.degree, count: n, theta: thetaBefore, into: w.tmp)
                before = events[i].condition(t + thetaBefore * h, UnsafeBufferPointer(start: w.tmp, count: n))
            }
            for theta in Self.eventSamples {
                let value: Double
                if theta == 1 {
                    value = events[i].condition(tNew, UnsafeBufferPointer(start: yNew, count: n))
                    endValues[i] = value
                } else {
                    evaluatePolynomial(w.poly, degree: w.degree, count: n, theta: theta, into: w.tmp)
                    value = events[i].condition(t + theta * h, UnsafeBufferPointer(start: w.tmp, count: n))
                }
                if events[i].crosses(from: before, to: value) {
                    roots.append((i, rootTheta(event: i, h: h, from: thetaBefore, before, to: theta, value)))
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
        // The state at the root goes into yNew (the trial state is no longer needed).
        if theta < 1 { evaluatePolynomial(w.poly, degree: w.degree, count: n, theta: theta, into: yNew) }
        // The interpolant of the cut step [t, tRoot]: θ' = θ / theta, so c_p → c_p theta^p.
        var scale = theta
        for p in 1...w.degree {
            for i in 0..<n { w.poly[p * n + i] *= scale }
            scale *= theta
        }
        output.accept(tOld: t, tNew: tRoot, yNew: yNew, poly: w.poly, scratch: w.tmp)
        let rootState = Array(UnsafeBufferPointer(start: yNew, count: n))
        swap(&y, &yNew)
        t = tRoot
        for index in firing {
            occurrences.append(EventOccurrence(event: index, time: tRoot, state: rootState))
            if let affect = events[index].affect {
                affect(t, UnsafeMutableBufferPointer(start: y, count: n))
                guard allFinite(y, count: n) else { throw .nonFiniteState(failure(stepSize: h)) }
            }
        }
        // The stored first stage belongs to the old step's end: evaluate f at the root.
        evaluate(t, y, into: w.stages)
        guard allFinite(w.stages, count: n) else { throw .nonFiniteDerivative(failure(stepSize: h)) }
        evaluateEventConditions()
        for index in firing { eventValues[index] = 0 }  // the root itself is not a new crossing
        if firing.contains(where: { events[$0].terminal }) || t == tEnd { finished = true }
        return true
    }

    /// The root of event `i` in `[θa, θb]` of the step (where its condition goes from `ga` to `gb`
    /// across zero), by the Illinois variant of regula falsi on the interpolant, to a few ulp of t.
    @usableFromInline
    func rootTheta(event i: Int, h: Double, from thetaA: Double, _ ga: Double, to thetaB: Double, _ gb: Double) -> Double {
        if gb == 0 { return thetaB }
        let w = work
        let condition = events[i].condition
        func g(_ theta: Double) -> Double {
            evaluatePolynomial(w.poly, degree: w.degree, count: n, theta: theta, into: w.tmp)
            return condition(t + theta * h, UnsafeBufferPointer(start: w.tmp, count: n))
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
