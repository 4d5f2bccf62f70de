// transport-bench: the speed of Meta Flow Matching's distances and training. One JSON line per case
// on stdout; Benchmarks/peers/transport_peer.py times POT and PyTorch (+ torchcfm) on the same cases
// and Benchmarks/report.py puts them side by side.
//
// `--only exact`: W2 between two clouds of 2,000 points in 2-D (squared Euclidean cost; exact
// optimal transport, ours: Jonker–Volgenant assignment; POT: `ot.emd2`, network simplex).
// `--only sinkhorn`: entropic transport on the same clouds with the cost divided by its largest
// entry (POT's usual normalisation) at ε = 0.01, until the marginal violation is below 1e-9.
// `--only flow`: one training step (forward, backward, Adam) of the letters model of
// Scenarios/meta-flow-matching at this suite's scale: MFM (3 GraphConv layers of width 64 on the
// k = 20 nearest-neighbour graphs of 10 populations x 256 points, a 3 x 128 SiLU field on
// [x, e(t), embedding]) and FM (the same field without the embedding).
// The clouds and the batch come from one 64-bit LCG, implemented identically in the peer.
import Foundation
import MetaFlowMatching
import Tensors
import Transport

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

let arguments = Array(CommandLine.arguments.dropFirst())
let only = arguments.first == "--only" ? arguments.dropFirst().first : nil
let pointCount = arguments.firstIndex(of: "--points").map { Int(arguments[$0 + 1])! } ?? 2000

func emit(_ line: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}

/// The peers' generator: x ← 6364136223846793005 x + 1442695040888963407, uniform = (x >> 11) / 2⁵³.
struct LCG {
    var state: UInt64
    mutating func uniform() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}

/// Source: uniform on [0, 1]²; target: uniform on [0.5, 1.5] × [0, 1] (another stream).
func clouds(_ n: Int) -> (PointCloud, PointCloud) {
    var s = LCG(state: 1), t = LCG(state: 2)
    let source = (0..<(2 * n)).map { _ in s.uniform() }
    let target = (0..<n).flatMap { _ in [t.uniform() + 0.5, t.uniform()] }
    return (try! PointCloud(coordinates: source, dimension: 2), try! PointCloud(coordinates: target, dimension: 2))
}

/// Repeats `body` (after one untimed call) until `minimum` repeats and `seconds`; the median.
func median(minimum: Int, seconds: Double, _ body: () throws -> Void) rethrows -> (Double, Int) {
    try body()
    var times: [Double] = []
    let started = now()
    while times.count < minimum || now() - started < seconds {
        let t0 = now()
        try body()
        times.append(now() - t0)
    }
    return (times.sorted()[times.count / 2], times.count)
}

if only == nil || only == "exact" {
    let (a, b) = clouds(pointCount)
    var w2 = 0.0
    let (time, repeats) = try! median(minimum: 5, seconds: 2) { w2 = try WassersteinDistance.w2(a, b) }
    emit(["problem": "exact-w2", "peer": "neuraldynamics", "points": pointCount, "dimension": 2, "w2": w2,
          "median_seconds": time, "repeats": repeats, "method": "Jonker-Volgenant assignment"])
}

if only == nil || only == "sinkhorn" {
    let (a, b) = clouds(pointCount)
    var cost = try! GroundCost.squaredEuclidean.matrix(from: a, to: b)
    let largest = cost.max()!
    cost = cost.map { $0 / largest }
    // The solver's defaults (ε-scaling by halves from the largest cost), without ε-scaling, and
    // without ε-scaling but over-relaxed (ω = 1.6).
    for (factor, omega, method) in [(0.5, 1.0, "defaults: epsilon-scaling by halves, omega = 1"), (1.0, 1.0, "no epsilon-scaling, omega = 1"),
                                    (1.0, 1.6, "no epsilon-scaling, over-relaxed omega = 1.6")] {
        let solver = Sinkhorn(epsilon: 0.01, tolerance: 1e-9, scalingFactor: factor, overRelaxation: omega)
        var solution: Sinkhorn.Solution?
        let (time, repeats) = try! median(minimum: 3, seconds: 2) { solution = try solver.solve(source: a.weights, target: b.weights, cost: cost) }
        emit(["problem": "sinkhorn", "peer": "neuraldynamics", "points": pointCount, "epsilon": 0.01, "tolerance": 1e-9,
              "cost": solution!.transportCost, "iterations": solution!.totalIterations, "final_stage_iterations": solution!.iterations,
              "marginal_error": solution!.marginalError, "median_seconds": time, "repeats": repeats, "method": method,
              "scaling_factor": factor, "over_relaxation": omega])
    }
}

if only == nil || only == "flow" {
    // 24 training populations of 500 paired points in 2-D: the source a noisy ring around a
    // random centre, the target the same points rotated (stand-ins for letters; the step's work
    // does not depend on the values).
    var rng = LCG(state: 3)
    let populations = (0..<24).map { p -> Population in
        let (cx, cy, angle) = (4 * rng.uniform() - 2, 4 * rng.uniform() - 2, 6.283185307179586 * rng.uniform())
        var source = [Double](), target = [Double]()
        for _ in 0..<500 {
            let theta = 6.283185307179586 * rng.uniform(), radius = 1 + 0.2 * rng.uniform()
            let (x, y) = (cx + radius * cos(theta), cy + radius * sin(theta))
            source += [x, y]
            target += [cos(angle) * x - sin(angle) * y, sin(angle) * x + cos(angle) * y]
        }
        return Population(source: source, target: target, label: 0, split: .training)
    }
    let data = try! PopulationDataset(dimension: 2, populations: populations, labelNames: ["ring"], benchmark: "bench")
    let models = arguments.firstIndex(of: "--model").map { [arguments[$0 + 1]] } ?? ["mfm", "fm"]
    for conditioning in [FlowConditioning.populationEmbedding, .none] where models.contains(conditioning == .none ? "fm" : "mfm") {
        let configuration = PopulationFlowConfiguration(dimension: 2, conditioning: conditioning, neighbours: 20, encoderWidth: 64, encoderLayers: 3,
                                                        timeDimension: 32, fieldWidth: 128, fieldDepth: 3)
        let model = try! PopulationFlowModel(configuration, seed: 1)
        var trainer = try! PopulationFlowTrainer(model: model, dataset: data, populationsPerBatch: 10, pointsPerPopulation: 256,
                                                 schedule: .constant(1e-3), seed: 2)
        let (time, repeats) = try! median(minimum: 20, seconds: 2) { try trainer.trainStep() }
        emit(["problem": "flow-train-step", "model": conditioning == .none ? "fm" : "mfm", "peer": "neuraldynamics", "populations": 10,
              "points": 256, "neighbours": 20, "parameters": model.parameters.scalarCount, "median_seconds": time,
              "steps_per_second": 1 / time, "repeats": repeats])
    }
}
