// The speed a user gets: Lorenz solved from another package through the public `solve`, on the
// user's own closure, final state only (as the peers are timed), printed as JSON lines in the
// benchmark format with "peer": "external-client". Compare with integrator-bench's in-package
// numbers for the same problem (BENCHMARKS.md, "The speed a user gets").
import Foundation
import Integrators

let lorenz = ODEProblem(initial: [1, 0, 0], timeSpan: 0...100) { _, y, dy in
    dy[0] = 10 * (y[1] - y[0])
    dy[1] = y[0] * (28 - y[2]) - y[1]
    dy[2] = y[0] * y[1] - 8.0 / 3.0 * y[2]
}
let tolerance = Tolerance(relative: 1e-8, absolute: 1e-8)

func median(_ body: () throws -> Void) rethrows -> (seconds: Double, repetitions: Int) {
    var times: [Double] = []
    var total = 0.0
    let clock = ContinuousClock()
    while total < 0.3 || times.count < 5 {
        let d = try clock.measure(body)
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        times.append(s)
        total += s
    }
    times.sort()
    let m = times.count / 2
    return (times.count % 2 == 1 ? times[m] : 0.5 * (times[m - 1] + times[m]), times.count)
}

@MainActor
func report<Method: ODEMethod>(_ method: Method) throws {
    var solution = try solve(lorenz, using: method, tolerance: tolerance, saveAt: .final, denseOutput: false)
    let timing = try median {
        solution = try solve(lorenz, using: method, tolerance: tolerance, saveAt: .final, denseOutput: false)
    }
    let s = solution.statistics
    print("{\"peer\": \"external-client\", \"problem\": \"lorenz\", \"method\": \"\(method.name)\", \"rtol\": 1e-08, "
        + "\"atol\": 1e-08, \"final\": [\(solution.final.map { "\($0)" }.joined(separator: ", "))], "
        + "\"steps\": \(s.acceptedSteps), \"rejected\": \(s.rejectedSteps), \"rhs_evaluations\": \(s.rhsEvaluations), "
        + "\"median_seconds\": \(timing.seconds), \"repetitions\": \(timing.repetitions)}")
}

try report(Tsit5())
try report(DormandPrince5())
try report(Verner7())
