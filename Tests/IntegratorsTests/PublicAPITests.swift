import Integrators
import Testing

/// The public API exactly as the documentation shows it compiles and works.
@Suite struct PublicAPITests {
    @Test func lorenzAsDocumented() throws {
        let lorenz = ODEProblem(initial: [1.0, 0, 0], timeSpan: 0.0...100.0) { t, y, dy in
            // y: UnsafeBufferPointer<Double>, dy: UnsafeMutableBufferPointer<Double>, written in place
            dy[0] = 10 * (y[1] - y[0]); dy[1] = y[0] * (28 - y[2]) - y[1]; dy[2] = y[0] * y[1] - 8.0 / 3 * y[2]
        }
        let solution = try solve(lorenz, using: Tsit5(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-8))
        #expect(solution.final.count == 3)
        #expect(solution(42.0).count == 3)
        #expect(solution.times.count == solution.states.count)
        #expect(solution.times.first == 0 && solution.times.last == 100)
        #expect(solution.statistics.rhsEvaluations > 0 && solution.statistics.acceptedSteps > 0)
        #expect(solution.statistics.jacobianEvaluations == 0 && solution.statistics.factorizations == 0)
        // Dense output agrees with a solve saved at that time.
        let at42 = try solve(lorenz, using: Tsit5(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-8), saveAt: .times([42]))
        #expect(zip(at42.states[0], solution(42.0)).allSatisfy { abs($0 - $1) < 1e-9 })
        // Each saving policy records the times it names, and the same trajectory.
        let tolerance = Tolerance(relative: 1e-6, absolute: 1e-6)
        let final = try solve(lorenz, using: Tsit5(), tolerance: tolerance, saveAt: .final)
        #expect(final.times == [100] && final.states.count == 1)
        let steps = try solve(lorenz, using: Tsit5(), tolerance: tolerance, saveAt: .steps)
        #expect(steps.times.count == steps.statistics.acceptedSteps + 1 && steps.times.first == 0 && steps.times.last == 100)
        #expect(zip(steps.times, steps.times.dropFirst()).allSatisfy { $0 < $1 })
        #expect(steps.states.last == final.states.last)
        let listed = try solve(lorenz, using: Tsit5(), tolerance: tolerance, saveAt: .times([1, 2, 3]))
        #expect(listed.times == [1, 2, 3] && listed.states.count == 3)
        let every = try solve(lorenz, using: Tsit5(), tolerance: tolerance, saveAt: .every(0.5))
        #expect(every.times.count == 201 && every.times.first == 0 && abs(every.times[3] - 1.5) < 1e-12)
        #expect(every.states[2] == listed.states[0] || zip(every.states[2], listed.states[0]).allSatisfy { abs($0 - $1) < 1e-9 })
    }
}
