import Foundation
import Integrators
import Testing

struct AdaptiveBox: CustomTestStringConvertible, Sendable {
    let method: any AdaptiveRungeKuttaMethod
    var testDescription: String { method.name }
}

let adaptiveMethods: [AdaptiveBox] = [
    AdaptiveBox(method: BogackiShampine3()), AdaptiveBox(method: DormandPrince5()),
    AdaptiveBox(method: Tsit5()), AdaptiveBox(method: Verner7()),
]

/// Solve with an existential method (opens the existential for the generic `solve`).
func solveAdaptive(
    _ problem: ODEProblem, _ method: any AdaptiveRungeKuttaMethod, tolerance: Tolerance,
    saveAt: SaveAt = .steps, maxSteps: Int = 100_000
) throws(IntegrationError) -> ODESolution {
    func open<M: AdaptiveRungeKuttaMethod>(_ m: M) throws(IntegrationError) -> ODESolution {
        try solve(problem, using: m, tolerance: tolerance, saveAt: saveAt, maxSteps: maxSteps)
    }
    return try open(method)
}

@Suite("Adaptive accuracy")
struct AdaptiveAccuracyTests {
    @Test("error decreases as the tolerance tightens (Kepler e = 0.6, one period)", arguments: adaptiveMethods)
    func toleranceProportionality(_ box: AdaptiveBox) throws {
        let period = 2 * Double.pi
        let exact = keplerExact(eccentricity: 0.6, t: period)
        var errors: [Double] = []
        var steps: [Int] = []
        let tolerances = box.method is BogackiShampine3 ? [1e-4, 1e-6, 1e-8] : [1e-5, 1e-7, 1e-9, 1e-11]
        for tol in tolerances {
            let solution = try solveAdaptive(
                keplerProblem(eccentricity: 0.6, to: period), box.method,
                tolerance: Tolerance(relative: tol, absolute: tol), saveAt: .final)
            errors.append(maxAbsDifference(solution.final, exact))
            steps.append(solution.statistics.acceptedSteps)
        }
        print("TOL \(box.method.name): tolerances \(tolerances) errors \(errors) steps \(steps)")
        for k in 1..<errors.count {
            #expect(errors[k] < errors[k - 1] / 5, "\(box.method.name): errors \(errors)")
            #expect(steps[k] > steps[k - 1])
        }
        // Global error stays within a modest multiple of the tolerance.
        for (tol, err) in zip(tolerances, errors) { #expect(err < 2000 * tol, "\(box.method.name): tol \(tol) err \(err)") }
    }

    @Test("Kepler e = 0.6: energy and angular momentum drift small at rtol 1e-10 (10 periods)", arguments: adaptiveMethods.dropFirst())
    func keplerInvariants(_ box: AdaptiveBox) throws {
        let problem = keplerProblem(eccentricity: 0.6, to: 20 * Double.pi)
        let solution = try solveAdaptive(problem, box.method, tolerance: Tolerance(relative: 1e-10, absolute: 1e-10))
        let e0 = keplerEnergy(problem.initial), l0 = keplerAngularMomentum(problem.initial)
        var energyDrift = 0.0, momentumDrift = 0.0
        for k in 0..<solution.times.count {
            let y = solution.state(at: k)
            energyDrift = max(energyDrift, abs(keplerEnergy(y) - e0))
            momentumDrift = max(momentumDrift, abs(keplerAngularMomentum(y) - l0))
        }
        let err = maxAbsDifference(solution.final, keplerExact(eccentricity: 0.6, t: 20 * Double.pi))
        print("KEPLER \(box.method.name): energy drift \(energyDrift), angular momentum drift \(momentumDrift), final error \(err), \(solution.statistics)")
        #expect(energyDrift < 1e-8)
        #expect(momentumDrift < 1e-8)
        #expect(err < 2e-6)  // 10 periods: the phase error accumulates (about 1e-4 × rtol per period)
        // Dense output between steps is accurate too.
        for t in stride(from: 0.05, to: 20 * Double.pi, by: 0.7331) {
            #expect(maxAbsDifference(solution(t), keplerExact(eccentricity: 0.6, t: t)) < 2e-6)
        }
    }

    @Test("Arenstorf orbit returns to its initial state after one period", arguments: adaptiveMethods.dropFirst())
    func arenstorf(_ box: AdaptiveBox) throws {
        let problem = arenstorfProblem()
        let solution = try solveAdaptive(problem, box.method, tolerance: Tolerance(relative: 1e-10, absolute: 1e-10), saveAt: .final)
        let err = maxAbsDifference(solution.final, problem.initial)
        print("ARENSTORF \(box.method.name): return error \(err), \(solution.statistics)")
        #expect(solution.finalTime == arenstorfPeriod)
        #expect(err < 1e-5)
        #expect(solution.statistics.rejectedSteps > 0)
    }

    @Test("Lorenz at t = 10: Tsit5 and DP5 (1e-8) agree with Verner7 (1e-12)")
    func lorenzAgreement() throws {
        let reference = try solve(
            lorenzProblem(to: 10), using: Verner7(), tolerance: Tolerance(relative: 1e-12, absolute: 1e-12), saveAt: .final)
        let tight = Tolerance(relative: 1e-8, absolute: 1e-8)
        let tsit = try solve(lorenzProblem(to: 10), using: Tsit5(), tolerance: tight, saveAt: .final)
        let dp5 = try solve(lorenzProblem(to: 10), using: DormandPrince5(), tolerance: tight, saveAt: .final)
        let dTsit = maxAbsDifference(tsit.final, reference.final), dDP5 = maxAbsDifference(dp5.final, reference.final)
        print("LORENZ reference \(reference.final); |Tsit5 - V7| = \(dTsit), |DP5 - V7| = \(dDP5)")
        #expect(dTsit < 2e-5)
        #expect(dDP5 < 2e-5)
        #expect(dTsit > 0)  // distinct computations
    }

    @Test("backward integration reproduces the initial state", arguments: adaptiveMethods)
    func backward(_ box: AdaptiveBox) throws {
        let t1 = 3.0
        let target = keplerExact(eccentricity: 0.3, t: 0)
        let problem = ODEProblem(initial: keplerExact(eccentricity: 0.3, t: t1), from: t1, to: 0) { _, y, dy in
            let r2 = y[0] * y[0] + y[1] * y[1]
            let r3 = r2 * r2.squareRoot()
            dy[0] = y[2]
            dy[1] = y[3]
            dy[2] = -y[0] / r3
            dy[3] = -y[1] / r3
        }
        let solution = try solveAdaptive(problem, box.method, tolerance: Tolerance(relative: 1e-9, absolute: 1e-9))
        #expect(solution.finalTime == 0)
        #expect(solution.times.first == t1 && solution.times.last == 0)
        #expect(zip(solution.times, solution.times.dropFirst()).allSatisfy { $0 > $1 })
        let tolerance = box.method is BogackiShampine3 ? 1e-6 : 1e-7
        #expect(maxAbsDifference(solution.final, target) < tolerance)
        #expect(maxAbsDifference(solution(1.234), keplerExact(eccentricity: 0.3, t: 1.234)) < tolerance)
    }

    @Test("fixed-step backward integration")
    func fixedBackward() throws {
        let solution = try solve(exponentialProblem(rate: -1, from: 1, to: 0), using: RK4(), step: 0.01)
        #expect(solution.statistics.acceptedSteps == 100)
        #expect(solution.finalTime == 0)
        #expect(abs(solution.final[0] - exp(1.0)) < 1e-9)
    }
}
