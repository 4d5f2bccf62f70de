import Foundation
import Integrators
import Testing

/// ETDRK4 through the one driver, on `u' = λ∘u − u²` (two components, λ = −2 and −50), whose
/// solution is `u(t) = λ u0 e^{λt} / (λ + u0 (e^{λt} − 1))` componentwise.
@Suite("ETDRK4 in the driver")
struct ETDRK4DriverTests {
    static let lambda = [-2.0, -50.0]
    static let u0 = [1.0, 0.5]

    static var problem: ODEProblem {
        ODEProblem(initial: u0, from: 0, to: 2) { _, u, du in
            for i in 0..<2 { du[i] = lambda[i] * u[i] - u[i] * u[i] }
        }
    }

    static func exact(_ t: Double) -> [Double] {
        (0..<2).map { i in
            let (l, a) = (lambda[i], u0[i])
            let e = exp(l * t)
            return l * a * e / (l + a * (e - 1))
        }
    }

    @Test func fourthOrderAndFourEvaluationsPerStep() throws {
        var errors: [Double] = []
        for steps in [20, 40, 80, 160] {
            let h = 2.0 / Double(steps)
            let s = try solve(Self.problem, using: ETDRK4(linear: Self.lambda, step: h), saveAt: .final, controller: FixedStep(h))
            #expect(s.statistics.acceptedSteps == steps)
            #expect(s.statistics.rhsEvaluations == 4 * steps + 1)
            let e = Self.exact(2)
            errors.append(zip(s.final, e).map { abs($0 - $1) }.max()!)
        }
        let orders = (0..<3).map { log2(errors[$0] / errors[$0 + 1]) }
        print("ETDRK4 driver: errors \(errors), orders \(orders)")
        for p in orders { #expect(p > 3.7 && p < 4.4, "order \(p)") }
    }

    @Test func matchesTheStandaloneStepAndResumesBitIdentically() throws {
        let h = 0.05
        let method = ETDRK4(linear: Self.lambda, step: h)
        let s = try solve(Self.problem, using: method, saveAt: .steps, controller: FixedStep(h))
        var u = Self.u0
        for k in 0..<40 {
            method.advance(&u, time: Double(k) * h) { _, x, out in
                for i in 0..<2 { out[i] = -x[i] * x[i] }
            }
        }
        for i in 0..<2 { #expect(abs(s.final[i] - u[i]) <= 1e-13 * abs(u[i])) }

        var whole = try ODEIntegrator(Self.problem, using: method, saveAt: .every(0.1), controller: FixedStep(h))
        try whole.finish()
        var first = try ODEIntegrator(Self.problem, using: method, saveAt: .every(0.1), controller: FixedStep(h))
        try first.advance(to: 0.7)
        let before = first.takeSavedPoints()
        var resumed = try ODEIntegrator(Self.problem, using: method, saveAt: .every(0.1), controller: FixedStep(h))
        try resumed.restore(first.snapshot())
        try resumed.finish()
        let after = resumed.takeSavedPoints()
        let expected = whole.takeSavedPoints()
        #expect(before.times + after.times == expected.times)
        #expect((before.states + after.states).map(\.bitPattern) == expected.states.map(\.bitPattern))
        #expect(resumed.statistics == whole.statistics)
        // Another step size cannot resume it.
        var other = try ODEIntegrator(Self.problem, using: ETDRK4(linear: Self.lambda, step: 0.1), controller: FixedStep(h))
        #expect(throws: IntegrationError.self) { try other.restore(first.snapshot()) }
    }

    /// A terminal event (u_0 falls to 0.5) located on the cubic Hermite interpolant, against the
    /// closed form t* = ln(5/3)/2 (u_0 = 2x/(3 − x), x = e^{−2t}, equals ½ at x = 0.6).
    @Test func eventsSavingAndRefusals() throws {
        let h = 0.01
        let half = Event(condition: { _, u in u[0] - 0.5 }, direction: .falling, terminal: true)
        let s = try solve(Self.problem, using: ETDRK4(linear: Self.lambda, step: h),
                          saveAt: .times([0.1, 0.2]), controller: FixedStep(h), events: [half])
        let tStar = log(5.0 / 3.0) / 2
        print("ETDRK4 driver: event at \(s.finalTime), closed form \(tStar)")
        #expect(s.stoppingEvent == 0)
        #expect(abs(s.finalTime - tStar) < 1e-7)
        #expect(s.times == [0.1, 0.2])
        for (k, t) in s.times.enumerated() {
            let e = Self.exact(t)
            for i in 0..<2 { #expect(abs(s.state(at: k)[i] - e[i]) < 1e-7) }
        }
        // No error estimator: an adaptive controller is refused; so is a linear part of the wrong size.
        #expect(throws: IntegrationError.self) { try solve(Self.problem, using: ETDRK4(linear: Self.lambda, step: h)) }
        #expect(throws: IntegrationError.self) {
            try solve(Self.problem, using: ETDRK4(linear: [-1], step: h), controller: FixedStep(h))
        }
    }
}
