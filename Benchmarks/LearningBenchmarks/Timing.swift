import Foundation

/// Median wall time of `body`, repeated until at least `minimumSeconds` in total and at least
/// `minimumRepetitions` runs (the same rule as integrator-bench and the peers).
func medianTime(minimumSeconds: Double, minimumRepetitions: Int, maximumRepetitions: Int = 100_000,
                _ body: () throws -> Void) rethrows -> (seconds: Double, repetitions: Int) {
    var times: [Double] = []
    var total = 0.0
    while (total < minimumSeconds || times.count < minimumRepetitions) && times.count < maximumRepetitions {
        let seconds = try secondsElapsed(body)
        times.append(seconds)
        total += seconds
    }
    return (median(times), times.count)
}

func secondsElapsed(_ body: () throws -> Void) rethrows -> Double {
    let elapsed = try ContinuousClock().measure(body)
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : 0.5 * (sorted[middle - 1] + sorted[middle])
}

/// One JSON line: `fields` in order (strings quoted, numbers as they are, non-finite as null).
enum JSONValue {
    case string(String), number(Double), integer(Int)
    var text: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .number(let x): return x.isFinite ? "\(x)" : "null"
        case .integer(let n): return "\(n)"
        }
    }
}

func jsonLine(_ fields: [(String, JSONValue)]) -> String {
    "{" + fields.map { "\"\($0.0)\": \($0.1.text)" }.joined(separator: ", ") + "}"
}

/// The shared deterministic stream of the spiral benchmark (a 64-bit LCG, Knuth's MMIX
/// constants), implemented identically in Benchmarks/peers/torch_peers.py so that both sides
/// start from the same weights and train on the same windows.
struct SharedLCG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state
    }
    /// Uniform in [0, 1) from the top 53 bits.
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
    /// An index in 0..<bound from the top 32 bits.
    mutating func index(below bound: Int) -> Int { Int((next() >> 32) % UInt64(bound)) }
}
