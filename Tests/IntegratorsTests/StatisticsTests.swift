import Foundation
import Integrators
import Testing

@Suite("Statistics")
struct StatisticsTests {
    /// Arenstorf has rejections, so the formulas are exercised with R > 0.
    @Test func fsalCounts() throws {
        let tol = Tolerance(relative: 1e-7, absolute: 1e-7)
        for (method, newStagesPerStep) in [(AdaptiveBox(method: Tsit5()), 6), (AdaptiveBox(method: DormandPrince5()), 6), (AdaptiveBox(method: BogackiShampine3()), 3)] {
            let s = try solveAdaptive(arenstorfProblem(), method.method, tolerance: tol).statistics
            #expect(s.rejectedSteps > 0, "\(method.method.name) should reject some steps on Arenstorf")
            // 1 for f(t0, y0), 1 for the initial step selection, s - 1 per attempted step.
            #expect(s.rhsEvaluations == newStagesPerStep * (s.acceptedSteps + s.rejectedSteps) + 2, "\(method.method.name): \(s)")
            #expect(s.jacobianEvaluations == 0 && s.factorizations == 0)
        }
        // With a given initial step there is no selection evaluation.
        let s = try solve(arenstorfProblem(), using: Tsit5(), tolerance: tol, initialStep: 1e-4).statistics
        #expect(s.rhsEvaluations == 6 * (s.acceptedSteps + s.rejectedSteps) + 1)
    }

    @Test func verner7Counts() throws {
        let tol = Tolerance(relative: 1e-9, absolute: 1e-9)
        let dense = try solve(arenstorfProblem(), using: Verner7(), tolerance: tol).statistics
        #expect(dense.rejectedSteps > 0)
        // 9 per attempt, 1 end derivative per accepted step, 5 interpolation stages per accepted step.
        #expect(dense.rhsEvaluations == 9 * (dense.acceptedSteps + dense.rejectedSteps) + 6 * dense.acceptedSteps + 2)
        let lean = try solve(arenstorfProblem(), using: Verner7(), tolerance: tol, saveAt: .final, denseOutput: false).statistics
        #expect(lean.rhsEvaluations == 9 * (lean.acceptedSteps + lean.rejectedSteps) + lean.acceptedSteps + 2)
        #expect(lean.acceptedSteps == dense.acceptedSteps && lean.rejectedSteps == dense.rejectedSteps)
        // Interpolating at 3 saveAt times inside 3 different steps costs exactly 3 × 5 extra stages.
        let three = try solve(
            arenstorfProblem(), using: Verner7(), tolerance: tol, saveAt: .times([1.00001, 5.00001, 9.00001]),
            denseOutput: false
        ).statistics
        #expect(three.rhsEvaluations == lean.rhsEvaluations + 15)
    }

    @Test func fixedStepCounts() throws {
        let p = exponentialProblem(rate: -1, to: 1)
        #expect(try solve(p, using: Euler(), step: 0.01).statistics.rhsEvaluations == 100 + 1)
        #expect(try solve(p, using: Heun(), step: 0.01).statistics.rhsEvaluations == 2 * 100 + 1)
        #expect(try solve(p, using: RK4(), step: 0.01).statistics.rhsEvaluations == 4 * 100 + 1)
        #expect(try solve(p, using: Tsit5(), step: 0.01).statistics.rhsEvaluations == 6 * 100 + 1)
        #expect(try solve(p, using: Verner7(), step: 0.01, denseOutput: false).statistics.rhsEvaluations == 10 * 100 + 1)
        let s = try solve(p, using: RK4(), step: 0.03).statistics  // 33 full steps + 1 shorter one
        #expect(s.acceptedSteps == 34 && s.rejectedSteps == 0)
    }

    @Test func evaluationsAreCountedExactly() throws {
        final class Counter: @unchecked Sendable { var calls = 0 }
        let counter = Counter()
        let problem = ODEProblem(initial: [1.0, 0, 0], timeSpan: 0...5) { _, y, dy in
            counter.calls += 1
            dy[0] = 10 * (y[1] - y[0])
            dy[1] = y[0] * (28 - y[2]) - y[1]
            dy[2] = y[0] * y[1] - 8.0 / 3 * y[2]
        }
        for method in adaptiveMethods {
            counter.calls = 0
            let s = try solveAdaptive(problem, method.method, tolerance: Tolerance(relative: 1e-6, absolute: 1e-6))
            #expect(s.statistics.rhsEvaluations == counter.calls, "\(method.method.name)")
        }
    }
}
