import Foundation
import Integrators
import Testing

/// Runs `body`, returning the thrown error (nil if it succeeded).
func thrownError(_ body: () throws(IntegrationError) -> ODESolution) -> IntegrationError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

var decay: ODEProblem { exponentialProblem(rate: -1, to: 1) }

@Suite("Errors and invalid input")
struct ErrorTests {
    @Test func invalidInitialState() {
        for bad in [Double.nan, .infinity, -.infinity] {
            let p = ODEProblem(initial: [1, bad], timeSpan: 0...1) { _, y, dy in dy[0] = y[0]; dy[1] = y[1] }
            let e = thrownError { () throws(IntegrationError) in try solve(p, using: Tsit5()) }
            guard case .invalidInitialState(let index, _)? = e else {
                Issue.record("expected invalidInitialState, got \(String(describing: e))")
                continue
            }
            #expect(index == 1)
            #expect(e!.description.contains("component 1"))
            #expect(e!.partialSolution == nil)
            let f = thrownError { () throws(IntegrationError) in try solve(p, using: RK4(), step: 0.1) }
            guard case .invalidInitialState? = f else { Issue.record("fixed step: \(String(describing: f))"); continue }
        }
        let empty = ODEProblem(initial: [], timeSpan: 0...1) { _, _, _ in }
        guard case .emptyInitialState? = thrownError({ () throws(IntegrationError) in try solve(empty, using: Tsit5()) }) else {
            Issue.record("expected emptyInitialState")
            return
        }
    }

    @Test func invalidSpan() {
        for (a, b) in [(1.0, 1.0), (0, Double.nan), (Double.infinity, 0), (0, -Double.infinity)] {
            let p = ODEProblem(initial: [1], from: a, to: b) { _, y, dy in dy[0] = y[0] }
            let e = thrownError { () throws(IntegrationError) in try solve(p, using: DormandPrince5()) }
            guard case .invalidTimeSpan? = e else { Issue.record("span \(a)...\(b): \(String(describing: e))"); continue }
            let f = thrownError { () throws(IntegrationError) in try solve(p, using: Euler(), step: 0.1) }
            guard case .invalidTimeSpan? = f else { Issue.record("fixed span \(a)...\(b): \(String(describing: f))"); continue }
        }
    }

    @Test func invalidTolerances() {
        let lorenz = lorenzProblem(to: 1)
        let bad: [Tolerance] = [
            Tolerance(relative: 0, absolute: 1e-6), Tolerance(relative: -1e-6, absolute: 1e-6),
            Tolerance(relative: 1e-6, absolute: -1e-9), Tolerance(relative: .nan, absolute: 1e-6),
            Tolerance(relative: 1e-6, absolute: .infinity), Tolerance(relative: 1e-6, absolute: [1e-6, 1e-6, -1]),
            Tolerance(relative: [1e-6, 0, 1e-6], absolute: [1e-9]),
        ]
        for tolerance in bad {
            let e = thrownError { () throws(IntegrationError) in try solve(lorenz, using: Tsit5(), tolerance: tolerance) }
            guard case .invalidTolerance? = e else { Issue.record("\(tolerance): \(String(describing: e))"); continue }
        }
        let third = thrownError { () throws(IntegrationError) in
            try solve(lorenz, using: Tsit5(), tolerance: Tolerance(relative: 1e-6, absolute: [1e-6, 1e-6, -1]))
        }
        guard case .invalidTolerance(let component, _, _)? = third, component == 2 else {
            Issue.record("component index: \(String(describing: third))")
            return
        }
        for tolerance in [Tolerance(relative: 1e-6, absolute: [1e-6, 1e-6]), Tolerance(relative: [1e-6, 1e-6, 1e-6, 1e-6], absolute: [1e-6])] {
            let e = thrownError { () throws(IntegrationError) in try solve(lorenz, using: Tsit5(), tolerance: tolerance) }
            guard case .toleranceCountMismatch(let n, _, _)? = e else { Issue.record("\(String(describing: e))"); continue }
            #expect(n == 3)
            #expect(e!.description.contains("3 components"))
        }
        // Zero absolute tolerance is allowed, as are per-component vectors of the right length.
        #expect(thrownError { () throws(IntegrationError) in
            try solve(lorenz, using: Tsit5(), tolerance: Tolerance(relative: [1e-6, 1e-7, 1e-6], absolute: [0, 1e-8, 1e-9]))
        } == nil)
    }

    @Test func invalidStepArguments() {
        for h in [0.0, -0.1, .nan, .infinity] {
            let e = thrownError { () throws(IntegrationError) in try solve(decay, using: RK4(), step: h) }
            guard case .invalidStepSize(let name, _)? = e, name == "step" else { Issue.record("step \(h): \(String(describing: e))"); continue }
        }
        let e1 = thrownError { () throws(IntegrationError) in try solve(decay, using: Tsit5(), initialStep: -1) }
        guard case .invalidStepSize(let n1, _)? = e1, n1 == "initialStep" else { Issue.record("\(String(describing: e1))"); return }
        let e2 = thrownError { () throws(IntegrationError) in try solve(decay, using: Tsit5(), maxStep: 0) }
        guard case .invalidStepSize(let n2, _)? = e2, n2 == "maxStep" else { Issue.record("\(String(describing: e2))"); return }
        let e3 = thrownError { () throws(IntegrationError) in try solve(decay, using: Tsit5(), maxSteps: 0) }
        guard case .invalidArgument? = e3 else { Issue.record("\(String(describing: e3))"); return }
        let e4 = thrownError { () throws(IntegrationError) in try solve(decay, using: Tsit5(), controller: PIController(safety: 1.5)) }
        guard case .invalidArgument? = e4 else { Issue.record("\(String(describing: e4))"); return }
    }

    @Test func invalidSaveAt() {
        let bad: [SaveAt] = [.times([0, 2]), .times([-0.5]), .times([0.5, 0.2]), .times([.nan]), .every(0), .every(-1), .every(.nan), .every(1e-12)]
        for saveAt in bad {
            let e = thrownError { () throws(IntegrationError) in try solve(decay, using: Tsit5(), saveAt: saveAt) }
            guard case .invalidSaveAt? = e else { Issue.record("\(saveAt): \(String(describing: e))"); continue }
        }
        // Backward integration needs descending times.
        let backward = exponentialProblem(rate: -1, from: 1, to: 0)
        let e = thrownError { () throws(IntegrationError) in try solve(backward, using: Tsit5(), saveAt: .times([0.2, 0.8])) }
        guard case .invalidSaveAt(let reason)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(reason.contains("descending"))
    }

    @Test func maxStepsKeepsPartialSolution() throws {
        let e = thrownError { () throws(IntegrationError) in
            try solve(lorenzProblem(to: 100), using: Tsit5(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-8), maxSteps: 50)
        }
        guard case .maxStepsReached(let limit, let failure)? = e else {
            Issue.record("expected maxStepsReached, got \(String(describing: e))")
            return
        }
        #expect(limit == 50)
        let partial = failure.partialSolution
        #expect(!partial.completed)
        #expect(partial.statistics.acceptedSteps + partial.statistics.rejectedSteps == 50)
        #expect(partial.finalTime == failure.t && failure.t > 0 && failure.t < 100)
        #expect(partial.final == failure.lastGoodState)
        #expect(partial.times.count == partial.statistics.acceptedSteps + 1)
        #expect(partial.times.last == failure.t)
        #expect(failure.stepSize > 0)
        #expect(partial.interpolate(failure.t / 2) != nil)
        #expect(partial.interpolate(failure.t * 1.5) == nil)
        let message = e!.description
        #expect(message.contains("t = \(failure.t)") && message.contains("h = ") && message.contains("y = ["))
        #expect(message.contains("50"))
        // Fixed step: same contract.
        let f = thrownError { () throws(IntegrationError) in try solve(decay, using: RK4(), step: 0.01, maxSteps: 10) }
        guard case .maxStepsReached(_, let fixedFailure)? = f else { Issue.record("\(String(describing: f))"); return }
        #expect(fixedFailure.partialSolution.statistics.acceptedSteps == 10)
        #expect(abs(fixedFailure.t - 0.1) < 1e-15)
        #expect(abs(fixedFailure.lastGoodState[0] - exp(-0.1)) < 1e-10)
    }

    @Test func stepSizeUnderflowAtBlowUp() {
        // y' = y², y(0) = 1 blows up at t = 1.
        let p = ODEProblem(initial: [1.0], timeSpan: 0...2) { _, y, dy in dy[0] = y[0] * y[0] }
        for method in adaptiveMethods {
            let e = thrownError { () throws(IntegrationError) in try solveAdaptive(p, method.method, tolerance: Tolerance(relative: 1e-6, absolute: 1e-6)) }
            guard case .stepSizeUnderflow(let failure)? = e else {
                Issue.record("\(method.method.name): expected stepSizeUnderflow, got \(String(describing: e))")
                continue
            }
            // The numerical blow-up time differs from 1 by about the global error.
            #expect(abs(failure.t - 1) < 1e-4, "\(method.method.name) stopped at \(failure.t)")
            #expect(failure.lastGoodState[0] > 1e5 && failure.lastGoodState[0].isFinite)
            #expect(e!.description.contains("t = ") && e!.description.contains("h = "))
            #expect(failure.partialSolution.times.last == failure.t)
        }
    }

    @Test func nonFiniteDerivativeAtStart() {
        let p = ODEProblem(initial: [1.0], timeSpan: 0...1) { _, _, dy in dy[0] = .nan }
        let e = thrownError { () throws(IntegrationError) in try solve(p, using: Tsit5()) }
        guard case .nonFiniteDerivative(let failure)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(failure.t == 0 && failure.lastGoodState == [1.0])
        #expect(failure.partialSolution.times == [0])
        #expect(e!.description.contains("t = 0.0"))
        let f = thrownError { () throws(IntegrationError) in try solve(p, using: Euler(), step: 0.1) }
        guard case .nonFiniteDerivative? = f else { Issue.record("\(String(describing: f))"); return }
    }

    @Test func nonFiniteStateLaterOn() {
        // The RHS returns NaN (or +Inf) once t > 0.5: adaptive methods retreat and finally give up near t = 0.5.
        for bad in [Double.nan, .infinity] {
            let p = ODEProblem(initial: [1.0], timeSpan: 0...1) { t, y, dy in dy[0] = t > 0.5 ? bad : -y[0] }
            for method in adaptiveMethods {
                let e = thrownError { () throws(IntegrationError) in try solveAdaptive(p, method.method, tolerance: Tolerance()) }
                switch e {
                case .nonFiniteState(let failure)?, .nonFiniteDerivative(let failure)?:
                    #expect(failure.t <= 0.5 && failure.t > 0.49, "\(method.method.name) stopped at \(failure.t)")
                    #expect(abs(failure.lastGoodState[0] - exp(-failure.t)) < 1e-5)
                    #expect(e!.description.contains("t = ") && e!.description.contains("h = "))
                default:
                    Issue.record("\(method.method.name), \(bad): got \(String(describing: e))")
                }
            }
            let f = thrownError { () throws(IntegrationError) in try solve(p, using: RK4(), step: 0.1) }
            guard case .nonFiniteState(let failure)? = f else { Issue.record("fixed: \(String(describing: f))"); continue }
            // Steps end at 0.1, ..., 0.5 (f is still finite at t = 0.5); the step to 0.6 fails.
            #expect(abs(failure.t - 0.5) < 1e-12 && abs(failure.stepSize - 0.1) < 1e-12)
            #expect(failure.partialSolution.statistics.acceptedSteps == 5)
        }
    }
}
