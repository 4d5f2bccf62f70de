import Foundation
import Randomness
import Testing
import Transport

/// Entropic transport: the marginals hold, the log-domain solver agrees with plain Sinkhorn
/// scaling where that is stable, ε-scaling does not change the answer, and the cost tends to the
/// exact optimum as ε → 0.
@Suite struct SinkhornTests {
    @Test func marginalsHoldAndPlainScalingAgrees() throws {
        let x = try gaussianCloud(count: 60, mean: [0, 0], scale: [1, 1], seed: 30, weights: randomWeights(60, seed: 31))
        let y = try gaussianCloud(count: 45, mean: [1, 0], scale: [1, 0.5], seed: 32)
        let cost = try GroundCost.squaredEuclidean.matrix(from: x, to: y)
        let epsilon = 0.5
        let solution = try Sinkhorn(epsilon: epsilon, tolerance: 1e-13).solve(from: x, to: y)
        let n = 60, m = 45
        for i in 0..<n { #expect(abs((0..<m).reduce(0) { $0 + solution.plan[i * m + $1] } - x.weights[i]) < 1e-13) }
        for j in 0..<m { #expect(abs((0..<n).reduce(0) { $0 + solution.plan[$1 * m + j] } - y.weights[j]) < 1e-13) }
        // Plain Sinkhorn–Knopp scaling, u ← a / Kv, v ← b / Kᵀu with K = exp(−C/ε), run to a fixed point.
        let k = cost.map { exp(-$0 / epsilon) }
        var u = [Double](repeating: 1, count: n), v = [Double](repeating: 1, count: m)
        for _ in 0..<5_000 {
            for i in 0..<n { u[i] = x.weights[i] / (0..<m).reduce(0) { $0 + k[i * m + $1] * v[$1] } }
            for j in 0..<m { v[j] = y.weights[j] / (0..<n).reduce(0) { $0 + k[$1 * m + j] * u[$1] } }
        }
        var plainCost = 0.0
        for i in 0..<n { for j in 0..<m { plainCost += u[i] * k[i * m + j] * v[j] * cost[i * m + j] } }
        #expect(abs(solution.transportCost - plainCost) < 1e-11, "\(solution.transportCost) vs \(plainCost)")
    }

    @Test func epsilonScalingChangesOnlyTheIterationCount() throws {
        let x = try gaussianCloud(count: 80, mean: [0, 0], scale: [1, 1], seed: 33)
        let y = try gaussianCloud(count: 80, mean: [1, 0.5], scale: [0.5, 1], seed: 34)
        let scaled = try Sinkhorn(epsilon: 0.3, tolerance: 1e-10, scalingFactor: 0.5).solve(from: x, to: y)
        let direct = try Sinkhorn(epsilon: 0.3, tolerance: 1e-10, scalingFactor: 1).solve(from: x, to: y)
        #expect(abs(scaled.transportCost - direct.transportCost) < 1e-9)
        #expect(scaled.totalIterations > scaled.iterations, "the scaling stages ran")
        #expect(scaled.iterations < direct.iterations, "\(scaled.iterations) final-stage iterations with scaling vs \(direct.iterations) without")
    }

    /// Over-relaxation and the kernel's underflow path (ε = 0.01 on costs up to ~30 without
    /// ε-scaling: exp(−c/ε) is 0 for whole rows at the start) reach the same plan as the defaults.
    @Test func overRelaxationAndUnderflowReachTheSameSolution() throws {
        let x = try gaussianCloud(count: 50, mean: [0, 0], scale: [1, 1], seed: 37)
        let y = try gaussianCloud(count: 40, mean: [2, 1], scale: [1, 1], seed: 38, weights: randomWeights(40, seed: 39))
        let reference = try Sinkhorn(epsilon: 0.05, tolerance: 1e-12).solve(from: x, to: y)
        let relaxed = try Sinkhorn(epsilon: 0.05, tolerance: 1e-12, overRelaxation: 1.6).solve(from: x, to: y)
        #expect(abs(relaxed.transportCost - reference.transportCost) < 1e-10)
        #expect(relaxed.iterations < reference.iterations, "\(relaxed.iterations) over-relaxed vs \(reference.iterations)")
        let cold = try Sinkhorn(epsilon: 0.01, tolerance: 1e-11, scalingFactor: 1).solve(from: x, to: y)
        let warm = try Sinkhorn(epsilon: 0.01, tolerance: 1e-11).solve(from: x, to: y)
        #expect(abs(cold.transportCost - warm.transportCost) < 1e-9, "\(cold.transportCost) vs \(warm.transportCost)")
        #expect(zip(cold.plan, warm.plan).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(throws: TransportError.self) { try Sinkhorn(epsilon: 0.1, overRelaxation: 2).solve(from: x, to: y) }
    }

    @Test func costTendsToTheExactOptimumAsEpsilonFalls() throws {
        let x = try gaussianCloud(count: 70, mean: [0, 0], scale: [1, 1], seed: 35)
        let y = try gaussianCloud(count: 70, mean: [1, 1], scale: [1, 0.3], seed: 36)
        let exact = try ExactTransport.plan(from: x, to: y, cost: .squaredEuclidean).cost
        var gaps: [Double] = []
        for epsilon in [1.0, 0.3, 0.1, 0.03] {
            let entropic = try Sinkhorn(epsilon: epsilon, tolerance: 1e-9).solve(from: x, to: y).transportCost
            gaps.append(entropic - exact)
        }
        for (g, h) in zip(gaps, gaps.dropFirst()) { #expect(h < g, "gaps \(gaps)") }
        #expect(gaps.allSatisfy { $0 > -1e-9 }, "the regularised plan cannot beat the exact one: \(gaps)")
        #expect(gaps.last! < 0.05 * exact, "gaps \(gaps), exact \(exact)")
    }

    @Test func badParametersAreRefused() throws {
        let x = try PointCloud(coordinates: [0, 1], dimension: 1)
        #expect(throws: TransportError.self) { try Sinkhorn(epsilon: 0).solve(from: x, to: x) }
        #expect(throws: TransportError.self) { try Sinkhorn(epsilon: 0.1, scalingFactor: 1.5).solve(from: x, to: x) }
        #expect(throws: TransportError.self) { try Sinkhorn(epsilon: 1e-4, tolerance: 1e-15, maximumIterations: 3, scalingFactor: 1).solve(source: [0.3, 0.7], target: [0.6, 0.4], cost: [0, 1, 1, 0]) }
    }
}
