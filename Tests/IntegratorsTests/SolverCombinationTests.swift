import Foundation
import Integrators
import Testing

/// Every method goes through the one driver: events, controllers, ensembles and the name lookup
/// combine with explicit and stiff methods alike.
@Suite struct SolverCombinationTests {
    /// The program a user writes first (stiff, analytic Jacobian, terminal event): it must compile
    /// and run as written.
    @Test func stiffSolveWithATerminalEvent() throws {
        let robertson = ODEProblem(initial: [1, 0, 0], timeSpan: 0...1e5) { _, y, dy in
            dy[0] = -0.04 * y[0] + 1e4 * y[1] * y[2]
            dy[1] = 0.04 * y[0] - 1e4 * y[1] * y[2] - 3e7 * y[1] * y[1]
            dy[2] = 3e7 * y[1] * y[1]
        }.withJacobian { _, y, J in  // column-major 3×3
            J[0] = -0.04; J[1] = 0.04; J[2] = 0
            J[3] = 1e4 * y[2]; J[4] = -1e4 * y[2] - 6e7 * y[1]; J[5] = 6e7 * y[1]
            J[6] = 1e4 * y[1]; J[7] = -1e4 * y[1]; J[8] = 0
        }
        let halfConverted = Event(condition: { _, y in y[0] - 0.5 }, direction: .falling, terminal: true)
        let solution = try solve(robertson, using: Rodas5P(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-10),
                                 events: [halfConverted])
        #expect(solution.stoppingEvent == 0)
        let root = try #require(solution.events.first)
        #expect(abs(root.state[0] - 0.5) < 1e-7)
        // The same root from BDF, and from the uninterrupted Rodas5P solution's interpolant.
        let bdf = try solve(robertson, using: BDF(), tolerance: Tolerance(relative: 1e-9, absolute: 1e-12),
                            events: [halfConverted])
        let bdfRoot = try #require(bdf.events.first)
        #expect(abs(bdfRoot.time - root.time) < 1e-5 * root.time, "Rodas5P \(root.time), BDF \(bdfRoot.time)")
        let whole = try solve(robertson, using: Rodas5P(), tolerance: Tolerance(relative: 1e-10, absolute: 1e-12))
        let there = try #require(whole.interpolate(root.time))
        #expect(abs(there[0] - 0.5) < 1e-6, "y1 at the located root: \(there[0])")
        // Hairer–Wanner's reference values bracket it: y1(40) = 0.7158, y1(400) = 0.4505.
        #expect(root.time > 40 && root.time < 400, "root at \(root.time)")
    }

    /// A ball dropped from 10 m, restitution 0.8: analytic bounce times, with every kind of method.
    @Test(arguments: ["Tsit5", "Verner7", "Rodas5P", "BDF"])
    func bouncingBallWithEveryMethod(_ name: String) throws {
        let g = 9.81, h0 = 10.0, restitution = 0.8
        let ball = ODEProblem(initial: [h0, 0], timeSpan: 0...5) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -g
        }
        let bounce = Event(condition: { _, y in y[0] }, direction: .falling) { _, y in y[1] = -restitution * y[1] }
        let method = try MethodCatalogue.method(named: name)
        let solution = try method.solve(ball, tolerance: Tolerance(relative: 1e-10, absolute: 1e-10), events: [bounce])
        var expected: [Double] = []
        var t = (2 * h0 / g).squareRoot(), speed = (2 * g * h0).squareRoot()
        while t < 5 {
            expected.append(t)
            speed *= restitution
            t += 2 * speed / g
        }
        #expect(solution.events.count == expected.count, "\(name): \(solution.events.map(\.time)) vs \(expected)")
        for (found, exact) in zip(solution.events, expected) {
            #expect(abs(found.time - exact) < 1e-6, "\(name): bounce at \(found.time), exact \(exact)")
        }
        #expect(solution.completed)
    }

    /// Non-terminal events of an oscillator with the stiff methods: zeros of cos t at π/2 + kπ.
    @Test(arguments: ["Rodas5P", "BDF"])
    func nonTerminalEventsWithStiffMethods(_ name: String) throws {
        let oscillator = ODEProblem(initial: [1, 0], timeSpan: 0...10) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -y[0]
        }
        let solution = try MethodCatalogue.method(named: name).solve(
            oscillator, tolerance: Tolerance(relative: 1e-10, absolute: 1e-12),
            events: [Event(condition: { _, y in y[0] })])
        let exact = (0..<3).map { Double.pi / 2 + Double($0) * .pi }
        #expect(solution.events.map(\.time).count == exact.count)
        for (found, root) in zip(solution.events, exact) { #expect(abs(found.time - root) < 1e-6) }
        #expect(abs(solution.final[0] - cos(10)) < 1e-6)
    }

    /// Fixed steps through the driver with Rodas5P: fifth order on the mildly stiff problem.
    @Test func rosenbrockOnAFixedGridConverges() throws {
        let problem = mildlyStiffProblem(to: 1)
        let errors = try [0.1, 0.05, 0.025].map { h in
            let s = try solve(problem, using: Rodas5P(), controller: FixedStep(h), denseOutput: false)
            return maxRelativeError(s.final, mildlyStiffExact(1))
        }
        let order = log2(errors[1] / errors[2])
        #expect(order > 4.5 && order < 6, "errors \(errors)")
    }

    /// Controllers combine with every adaptive method; BDF refuses a fixed grid with a clear error.
    @Test func controllersCombineWithStiffMethods() throws {
        let problem = mildlyStiffProblem(to: 2)
        let cautious = PIController(safety: 0.8, maxFactor: 2)
        for method in ["Rodas5P", "BDF", "Tsit5"] {
            let chosen = try MethodCatalogue.method(named: method)
            let plain = try chosen.solve(problem, tolerance: Tolerance(relative: 1e-8, absolute: 1e-10))
            let careful = try chosen.solve(problem, tolerance: Tolerance(relative: 1e-8, absolute: 1e-10), controller: cautious)
            #expect(maxRelativeError(careful.final, mildlyStiffExact(2)) < 1e-5, "\(method)")
            if method != "BDF" { #expect(careful.statistics.acceptedSteps > plain.statistics.acceptedSteps, "\(method)") }
        }
        #expect(throws: IntegrationError.self) { try solve(problem, using: BDF(), controller: FixedStep(0.1)) }
        #expect(throws: IntegrationError.self) { try solve(problem, using: RK4()) }  // no estimator, no fixed step
        #expect(throws: IntegrationError.self) { try MethodCatalogue.method(named: "Rodas") }
    }

    /// Ensembles of stiff solves (each member its own decay rate, with a terminal event).
    @Test func stiffEnsembleWithEvents() throws {
        let rates = [10.0, 100.0, 1000.0, 1e4]
        let results = solveEnsemble(
            parameters: rates, using: Rodas5P(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-12),
            events: { _ in [Event(condition: { t, _ in t - 0.5 }, terminal: true)] }
        ) { k in
            ODEProblem(initial: [1, 0], timeSpan: 0...1) { t, y, dy in
                dy[0] = -k * (y[0] - cos(t))
                dy[1] = 1
            }
        }
        for (k, result) in zip(rates, results) {
            let s = try result.get()
            #expect(abs(s.finalTime - 0.5) < 1e-12, "rate \(k) stopped at \(s.finalTime)")
            // y = (k² cos t + k sin t)/(k² + 1) + (1 - k²/(k² + 1)) e^{-kt}
            let t = 0.5
            let exact = (k * k * cos(t) + k * sin(t)) / (k * k + 1) + (1 - k * k / (k * k + 1)) * exp(-k * t)
            #expect(abs(s.final[0] - exact) < 1e-6, "rate \(k): \(s.final[0]) vs \(exact)")
        }
        let bdf = solveEnsemble(count: 2, using: BDF(), tolerance: Tolerance(relative: 1e-6, absolute: 1e-9)) { _ in
            mildlyStiffProblem(to: 1)
        }
        for r in bdf { #expect(maxRelativeError(try r.get().final, mildlyStiffExact(1)) < 1e-4) }
    }

    /// Stiff solves snapshot and resume bit for bit with events in flight.
    @Test func stiffSnapshotWithEventsResumesExactly() throws {
        let problem = mildlyStiffProblem(to: 3)
        let events = [Event(condition: { _, y in y[1] })]
        var whole = try ODEIntegrator(problem, using: BDF(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-10),
                                      saveAt: .every(0.25), events: events)
        try whole.finish()
        var first = try ODEIntegrator(problem, using: BDF(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-10),
                                      saveAt: .every(0.25), events: events)
        try first.advance(to: 1.2)
        let snapshot = first.snapshot()
        var resumed = try ODEIntegrator(problem, using: BDF(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-10),
                                        saveAt: .every(0.25), events: events)
        try resumed.restore(snapshot)
        try resumed.finish()
        #expect(resumed.state == whole.state)
        #expect(resumed.statistics == whole.statistics)
        #expect(whole.eventOccurrences.count == 1)
        #expect(abs(whole.eventOccurrences[0].time - .pi / 2) < 1e-6)
    }
}
