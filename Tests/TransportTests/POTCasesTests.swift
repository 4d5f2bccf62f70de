import Foundation
import Testing
import Transport

/// Writes random cases with our exact costs, Sinkhorn costs and MMDs for the comparison with
/// POT (`ot.emd2`, `ot.sinkhorn2`) in `make test` (Tests/python/check_transport.py).
@Suite struct POTCasesTests {
    @Test func writesTheCasesForThePOTCheck() throws {
        var records: [[String: Any]] = []
        let shapes: [(n: Int, m: Int, d: Int, weighted: Bool)] = [
            (40, 40, 2, false), (200, 200, 2, false), (64, 64, 5, false), (30, 45, 2, true), (50, 20, 3, true), (25, 25, 1, true),
        ]
        for (c, shape) in shapes.enumerated() {
            let seed = UInt64(100 + 3 * c)
            let x = try gaussianCloud(count: shape.n, mean: [Double](repeating: 0, count: shape.d), scale: [Double](repeating: 1, count: shape.d),
                                      seed: seed, weights: shape.weighted ? randomWeights(shape.n, seed: seed + 1) : nil)
            let y = try gaussianCloud(count: shape.m, mean: [Double](repeating: 0.5, count: shape.d), scale: [Double](repeating: 0.7, count: shape.d),
                                      seed: seed + 2, weights: shape.weighted ? randomWeights(shape.m, seed: seed + 3) : nil)
            var record: [String: Any] = [
                "dimension": shape.d, "source": x.coordinates, "target": y.coordinates, "a": x.weights, "b": y.weights,
                "emd_sqeuclidean": try ExactTransport.plan(from: x, to: y, cost: .squaredEuclidean).cost,
                "emd_euclidean": try ExactTransport.plan(from: x, to: y, cost: .euclidean).cost,
                "w2": try WassersteinDistance.w2(x, y),
                "mmd_biased": try MaximumMeanDiscrepancy().squared(x, y),
                "mmd_unbiased": try MaximumMeanDiscrepancy(estimator: .unbiased).squared(x, y),
            ]
            var sinkhorn: [[String: Double]] = []
            for epsilon in [1.0, 0.1] {
                let s = try Sinkhorn(epsilon: epsilon, tolerance: 1e-13).solve(from: x, to: y)
                sinkhorn.append(["epsilon": epsilon, "cost": s.transportCost])
            }
            record["sinkhorn_sqeuclidean"] = sinkhorn
            records.append(record)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = root.appendingPathComponent(".build/transport-checks")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: ["cases": records]).write(to: directory.appendingPathComponent("transport.json"), options: .atomic)
        #expect(records.count == shapes.count)
    }
}
