import Foundation

/// Median wall time of `body`, repeated until at least `minimumSeconds` in total and at least
/// `minimumRepetitions` runs (the peers use the same rule), but never starting a run once
/// `maximumSeconds` are used up (one always runs).
func medianTime(minimumSeconds: Double = 0.3, minimumRepetitions: Int = 5, maximumRepetitions: Int = 2000,
                maximumSeconds: Double = .infinity,
                _ body: () throws -> Void) rethrows -> (seconds: Double, repetitions: Int) {
    var times: [Double] = []
    var total = 0.0
    let clock = ContinuousClock()
    while (total < minimumSeconds || times.count < minimumRepetitions) && times.count < maximumRepetitions
        && (times.isEmpty || total < maximumSeconds) {
        let elapsed = try clock.measure(body)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        times.append(seconds)
        total += seconds
    }
    times.sort()
    let middle = times.count / 2
    let median = times.count % 2 == 1 ? times[middle] : 0.5 * (times[middle - 1] + times[middle])
    return (median, times.count)
}

/// One benchmark result, printed as a JSON line in the peers' format.
struct BenchmarkResult {
    var problem: String
    var method: String
    var rtol: Double
    var atol: [Double]
    var final: [Double]
    var finalNote: String?
    var error: Double
    var steps: Int
    var rejected: Int
    var rhsEvaluations: Int
    var jacobianEvaluations: Int
    var factorizations: Int
    var medianSeconds: Double
    var repetitions: Int

    var jsonLine: String {
        func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        let atolText = atol.count == 1 ? number(atol[0]) : "[" + atol.map(number).joined(separator: ", ") + "]"
        var fields = [
            "\"peer\": \"neuraldynamics\"", "\"problem\": \"\(problem)\"", "\"method\": \"\(method)\"",
            "\"rtol\": \(number(rtol))", "\"atol\": \(atolText)",
            "\"final\": [" + final.map(number).joined(separator: ", ") + "]",
        ]
        if let finalNote { fields.append("\"final_note\": \"\(finalNote)\"") }
        fields += [
            "\"error\": \(number(error))", "\"steps\": \(steps)", "\"rejected\": \(rejected)",
            "\"rhs_evaluations\": \(rhsEvaluations)", "\"jacobian_evaluations\": \(jacobianEvaluations)",
            "\"factorizations\": \(factorizations)",
            "\"median_seconds\": \(number(medianSeconds))", "\"repetitions\": \(repetitions)",
            "\"version\": \"release build\"",
        ]
        return "{" + fields.joined(separator: ", ") + "}"
    }
}
