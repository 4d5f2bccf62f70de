import Foundation
import Integrators
import Testing

/// Eccentricity of the Kepler orbit used for the order measurements.
let orderTestEccentricity = 0.2

/// Measured global order of a method from fixed-step solves of the Kepler problem (e = 0.2) on
/// [0, 2], errors at t = 2 against the exact solution: least-squares slope of log(error) vs log(h).
func measuredOrder<M: ExplicitRungeKuttaMethod>(_ method: M, stepCounts: [Int]) throws -> (order: Double, errors: [Double]) {
    let span = 2.0
    let exact = keplerExact(eccentricity: orderTestEccentricity, t: span)
    var steps: [Double] = []
    var errors: [Double] = []
    for count in stepCounts {
        let h = span / Double(count)
        let solution = try solve(
            keplerProblem(eccentricity: orderTestEccentricity, to: span), using: method, step: h, saveAt: .final, denseOutput: false)
        #expect(solution.statistics.acceptedSteps == count)
        steps.append(h)
        errors.append(maxAbsDifference(solution.final, exact))
    }
    return (fittedOrder(steps: steps, errors: errors), errors)
}

/// Measured order of a method's dense output: one step of size h from the exact initial value,
/// interpolant error at θ = 0.3, 0.5, 0.8 ~ C h^(q+1); returns q = slope - 1.
func measuredDenseOrder<M: ExplicitRungeKuttaMethod>(_ method: M, stepSizes: [Double]) throws -> (order: Double, errors: [Double]) {
    var errors: [Double] = []
    for h in stepSizes {
        let solution = try solve(keplerProblem(eccentricity: orderTestEccentricity, from: 0.3, to: 0.3 + h), using: method, step: h)
        #expect(solution.statistics.acceptedSteps == 1)
        var worst = 0.0
        for theta in [0.3, 0.5, 0.8] {
            let t = 0.3 + theta * h
            worst = max(worst, maxAbsDifference(solution(t), keplerExact(eccentricity: orderTestEccentricity, t: t)))
        }
        errors.append(worst)
    }
    return (fittedOrder(steps: stepSizes, errors: errors) - 1, errors)
}

struct OrderCase: CustomTestStringConvertible, Sendable {
    let method: any ExplicitRungeKuttaMethod
    let order: Double
    let stepCounts: [Int]
    let denseOrder: Double
    let denseSteps: [Double]
    var testDescription: String { method.name }
}

let orderCases: [OrderCase] = [
    OrderCase(method: Euler(), order: 1, stepCounts: [2000, 4000, 8000], denseOrder: 1, denseSteps: [0.02, 0.01, 0.005]),
    OrderCase(method: Heun(), order: 2, stepCounts: [200, 400, 800], denseOrder: 2, denseSteps: [0.04, 0.02, 0.01]),
    OrderCase(method: RK4(), order: 4, stepCounts: [40, 80, 160], denseOrder: 3, denseSteps: [0.08, 0.04, 0.02]),
    OrderCase(method: BogackiShampine3(), order: 3, stepCounts: [100, 200, 400], denseOrder: 3, denseSteps: [0.08, 0.04, 0.02]),
    OrderCase(method: DormandPrince5(), order: 5, stepCounts: [80, 160, 320], denseOrder: 4, denseSteps: [0.08, 0.04, 0.02]),
    OrderCase(method: Tsit5(), order: 5, stepCounts: [80, 160, 320], denseOrder: 4, denseSteps: [0.08, 0.04, 0.02]),
    OrderCase(method: Verner7(), order: 7, stepCounts: [10, 20, 40], denseOrder: 7, denseSteps: [0.4, 0.2, 0.1]),
]

@Suite("Convergence orders")
struct ConvergenceTests {
    @Test("global order with fixed steps (Kepler e = 0.2)", arguments: orderCases)
    func globalOrder(_ c: OrderCase) throws {
        let (order, errors) = try measuredOrder(c.method, stepCounts: c.stepCounts)
        print("ORDER \(c.method.name): measured \(String(format: "%.3f", order)) (theory \(c.order)); errors \(errors)")
        #expect(abs(order - c.order) <= 0.2, "\(c.method.name): measured order \(order), expected \(c.order); errors \(errors)")
        // Accumulated round-off after <= 8000 steps is ~sqrt(N)·eps ≈ 1e-14 at most; stay above it.
        #expect(errors.last! > 3e-14, "round-off would spoil the measurement")
    }

    @Test("dense output order (one step, mid-step points)", arguments: orderCases)
    func denseOrder(_ c: OrderCase) throws {
        let (order, errors) = try measuredDenseOrder(c.method, stepSizes: c.denseSteps)
        print("DENSE \(c.method.name): measured \(String(format: "%.3f", order)) (expected \(c.denseOrder)); errors \(errors)")
        #expect(abs(order - c.denseOrder) <= 0.2, "\(c.method.name): dense order \(order), expected \(c.denseOrder); errors \(errors)")
        #expect(errors.last! > 1e-14)
    }
}
