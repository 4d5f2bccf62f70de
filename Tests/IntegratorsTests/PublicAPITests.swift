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
        for saveAt in [SaveAt.final, .steps, .times([1, 2, 3]), .every(0.5)] {
            _ = try solve(lorenz, using: Tsit5(), tolerance: Tolerance(relative: 1e-6, absolute: 1e-6), saveAt: saveAt)
        }
    }
}
