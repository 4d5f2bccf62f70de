import Foundation
import Testing
import Transport

/// The RBF-kernel MMD: zero between a cloud and itself, the unbiased estimate against the
/// closed form for Gaussians, weights against repeated points.
@Suite struct MaximumMeanDiscrepancyTests {
    @Test func aCloudHasNoDiscrepancyWithItself() throws {
        let x = try gaussianCloud(count: 200, mean: [0, 0, 0], scale: [1, 2, 3], seed: 40)
        #expect(abs(try MaximumMeanDiscrepancy().squared(x, x)) < 1e-14)
        let y = try gaussianCloud(count: 200, mean: [1, 0, 0], scale: [1, 2, 3], seed: 41)
        #expect(try MaximumMeanDiscrepancy().squared(x, y) > 1e-3)
    }

    @Test func unbiasedEstimateMatchesTheGaussianClosedForm() throws {
        // x ~ N(0, s²I), y ~ N(Δ, s²I) in d dimensions: E k(x, x′) = (1 + 4γs²)^(−d/2) and
        // E k(x, y) = (1 + 4γs²)^(−d/2) exp(−γ|Δ|² / (1 + 4γs²)).
        let s = 0.8, d = 2.0, delta2 = 0.5
        let x = try gaussianCloud(count: 1200, mean: [0, 0], scale: [s, s], seed: 42)
        let y = try gaussianCloud(count: 1200, mean: [0.5, 0.5], scale: [s, s], seed: 43)
        for gamma in [2.0, 0.5, 0.1] {
            let r = 1 + 4 * gamma * s * s
            let truth = 2 * pow(r, -d / 2) * (1 - exp(-gamma * delta2 / r))
            let estimate = try MaximumMeanDiscrepancy(gammas: [gamma], estimator: .unbiased).squared(x, y)
            #expect(abs(estimate - truth) < 0.15 * truth, "γ = \(gamma): \(estimate) vs \(truth)")
        }
    }

    @Test func weightsEqualRepeatedPoints() throws {
        let x = try PointCloud(coordinates: [0, 0, 1, 0, 0, 2], dimension: 2, weights: [0.5, 0.25, 0.25])
        let repeated = try PointCloud(coordinates: [0, 0, 0, 0, 1, 0, 0, 2], dimension: 2)
        let y = try gaussianCloud(count: 30, mean: [0, 1], scale: [1, 1], seed: 44)
        let biased = MaximumMeanDiscrepancy()
        #expect(abs(try biased.squared(x, y) - biased.squared(repeated, y)) < 1e-14)
        #expect(throws: TransportError.self) { try MaximumMeanDiscrepancy(gammas: []).squared(x, y) }
        #expect(throws: TransportError.self) { try MaximumMeanDiscrepancy(gammas: [-1]).squared(x, y) }
        let single = try PointCloud(coordinates: [0, 0], dimension: 2)
        #expect(throws: TransportError.self) { try MaximumMeanDiscrepancy(estimator: .unbiased).squared(single, y) }
    }
}
