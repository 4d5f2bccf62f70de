import Foundation
import Randomness
import Testing
import Transport

/// Exact optimal transport: the assignment solver against brute force and its own dual
/// certificate, the weighted solver against the assignment solver on duplicated points and
/// against the 1-D quantile formula, W2 between Gaussians against the closed form.
@Suite struct ExactTransportTests {
    @Test func assignmentEqualsBruteForceOnTinyProblems() throws {
        var rng = Xoshiro256StarStar(seed: 11)
        for n in 1...7 {
            for _ in 0..<6 {
                let cost = (0..<(n * n)).map { _ in rng.nextUniform() }
                let solved = try LinearAssignment(cost: cost, size: n)
                #expect(abs(solved.totalCost - bruteForceAssignment(cost, n)) < 1e-12, "n = \(n)")
                #expect(Set(solved.columnOfRow).count == n)
                for i in 0..<n { #expect(solved.rowOfColumn[solved.columnOfRow[i]] == i) }
            }
        }
        // Ties (integer costs with many equal entries) and a constant matrix.
        for n in [4, 6] {
            let cost = (0..<(n * n)).map { _ in Double(rng.next() % 3) }
            #expect(abs(try LinearAssignment(cost: cost, size: n).totalCost - bruteForceAssignment(cost, n)) < 1e-12)
            #expect(try LinearAssignment(cost: [Double](repeating: 2, count: n * n), size: n).totalCost == 2 * Double(n))
        }
    }

    @Test func assignmentDualPotentialsCertifyOptimality() throws {
        let x = try gaussianCloud(count: 400, mean: [0, 0], scale: [1, 1], seed: 1)
        let y = try gaussianCloud(count: 400, mean: [1, -1], scale: [2, 0.5], seed: 2)
        let cost = try GroundCost.squaredEuclidean.matrix(from: x, to: y)
        let a = try LinearAssignment(cost: cost, size: 400)
        var worst = -Double.infinity
        for i in 0..<400 {
            for j in 0..<400 { worst = max(worst, a.rowPotentials[i] + a.columnPotentials[j] - cost[i * 400 + j]) }
        }
        #expect(worst < 1e-10, "dual feasibility violated by \(worst)")
        let dual = a.rowPotentials.reduce(0, +) + a.columnPotentials.reduce(0, +)
        #expect(abs(dual - a.totalCost) < 1e-9 * max(1, a.totalCost), "dual \(dual) vs primal \(a.totalCost)")
    }

    @Test func weightedSolverAgreesWithTheAssignmentSolver() throws {
        // Uniform clouds of equal size through both routes.
        let x = try gaussianCloud(count: 120, mean: [0, 0, 0], scale: [1, 1, 1], seed: 3)
        let y = try gaussianCloud(count: 120, mean: [0.5, 0, 0], scale: [1, 2, 1], seed: 4)
        let cost = try GroundCost.euclidean.matrix(from: x, to: y)
        let viaAssignment = try ExactTransport.plan(from: x, to: y, cost: .euclidean)
        let viaPaths = try ExactTransport.plan(source: x.weights, target: y.weights, cost: cost)
        #expect(abs(viaAssignment.cost - viaPaths.cost) < 1e-12)
        // Weights that are multiples of 1/12: the same as a uniform cloud with points repeated.
        var rng = Xoshiro256StarStar(seed: 5)
        for trial in 0..<5 {
            let n = 5, m = 4
            let xs = (0..<(2 * n)).map { _ in rng.nextNormal() }, ys = (0..<(2 * m)).map { _ in rng.nextNormal() + 1 }
            let copiesX = [3, 1, 4, 2, 2], copiesY = [5, 2, 1, 4]
            let a = copiesX.map { Double($0) / 12 }, b = copiesY.map { Double($0) / 12 }
            let weighted = try ExactTransport.plan(from: PointCloud(coordinates: xs, dimension: 2, weights: a),
                                                   to: PointCloud(coordinates: ys, dimension: 2, weights: b), cost: .squaredEuclidean)
            let repeatedX = (0..<n).flatMap { i in (0..<copiesX[i]).flatMap { _ in xs[(2 * i)..<(2 * i + 2)] } }
            let repeatedY = (0..<m).flatMap { j in (0..<copiesY[j]).flatMap { _ in ys[(2 * j)..<(2 * j + 2)] } }
            let uniform = try ExactTransport.plan(from: PointCloud(coordinates: repeatedX, dimension: 2),
                                                  to: PointCloud(coordinates: repeatedY, dimension: 2), cost: .squaredEuclidean)
            #expect(abs(weighted.cost - uniform.cost) < 1e-12, "trial \(trial): \(weighted.cost) vs \(uniform.cost)")
            for (p, q) in zip(weighted.sourceMarginal, a) { #expect(abs(p - q) < 1e-14) }
            for (p, q) in zip(weighted.targetMarginal, b) { #expect(abs(p - q) < 1e-14) }
            #expect(weighted.entries.count <= n + m - 1, "an optimal vertex has at most n + m − 1 nonzeros")
        }
    }

    @Test func oneDimensionalCostsMatchTheQuantileFormula() throws {
        // In 1-D, W_p^p = ∫₀¹ |F⁻¹(s) − G⁻¹(s)|^p ds for the quantile functions F⁻¹, G⁻¹.
        let x = try gaussianCloud(count: 150, mean: [0], scale: [1], seed: 6, weights: randomWeights(150, seed: 7))
        let y = try gaussianCloud(count: 110, mean: [0.7], scale: [0.5], seed: 8, weights: randomWeights(110, seed: 9))
        for (ground, power) in [(GroundCost.euclidean, 1.0), (.squaredEuclidean, 2.0)] {
            let plan = try ExactTransport.plan(from: x, to: y, cost: ground)
            #expect(abs(plan.cost - quantileCost(x, y, power: power)) < 1e-12, "\(ground)")
        }
    }

    @Test func w2BetweenGaussianSamplesApproachesTheClosedForm() throws {
        // N((0,0), I) to N((3,0), diag(4, 0.25)). The Gaussian closed form
        // W2² = |m₁ − m₂|² + tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½), evaluated at each sample's own mean
        // and covariance (which removes the first-order sampling noise of the moments): the
        // empirical W2² exceeds it by a discretisation bias that shrinks with n.
        var excess: [Double] = []
        for n in [200, 1500] {
            let x = try gaussianCloud(count: n, mean: [0, 0], scale: [1, 1], seed: 20)
            let y = try gaussianCloud(count: n, mean: [3, 0], scale: [2, 0.5], seed: 21)
            let w2 = try WassersteinDistance.w2(x, y)
            excess.append(w2 * w2 - gaussianW2Squared(x, y))
        }
        #expect(excess[1] > -0.02 && excess[1] < 0.06, "W2² above the moments' closed form by \(excess[1]) at n = 1500")
        #expect(abs(excess[1]) < abs(excess[0]), "excess \(excess) does not shrink from n = 200 to 1500")
        // W1 between a cloud and its translate by v is |v| (translation is optimal for any convex cost).
        let x = try gaussianCloud(count: 300, mean: [0, 0], scale: [1, 1], seed: 22)
        let shifted = try PointCloud(coordinates: x.coordinates.enumerated().map { $0.element + ($0.offset % 2 == 0 ? 0.3 : -0.4) }, dimension: 2)
        #expect(abs(try WassersteinDistance.w1(x, shifted) - 0.5) < 1e-12)
        #expect(abs(try WassersteinDistance.w2(x, shifted) - 0.5) < 1e-12)
        #expect(try WassersteinDistance.w2(x, x) == 0)
    }

    @Test func badInputIsRefusedWithItsName() throws {
        #expect(throws: TransportError.emptyCloud(role: "source")) { try PointCloud(coordinates: [], dimension: 2, role: "source") }
        #expect(throws: TransportError.coordinateCount(role: "point", count: 3, dimension: 2)) { try PointCloud(coordinates: [1, 2, 3], dimension: 2) }
        #expect(throws: TransportError.nonFiniteCoordinate(role: "point", point: 1)) { try PointCloud(coordinates: [1, 2, .nan, 0], dimension: 2) }
        #expect(throws: TransportError.weightsDoNotSumToOne(role: "point", sum: 0.9)) { try PointCloud(coordinates: [1, 2], dimension: 1, weights: [0.5, 0.4]) }
        #expect(throws: TransportError.invalidWeight(role: "point", index: 0, value: -0.5)) { try PointCloud(coordinates: [1, 2], dimension: 1, weights: [-0.5, 1.5]) }
        let a = try PointCloud(coordinates: [0, 0, 1, 1], dimension: 2), b = try PointCloud(coordinates: [0, 0, 1], dimension: 3)
        #expect(throws: TransportError.dimensionMismatch(source: 2, target: 3)) { try WassersteinDistance.w2(a, b) }
        #expect(throws: TransportError.self) { try LinearAssignment(cost: [1, 2, 3], size: 2) }
        #expect(throws: TransportError.self) { try LinearAssignment(cost: [1, .infinity, 3, 4], size: 2) }
        #expect(throws: TransportError.self) { try ExactTransport.plan(source: [0.5, 0.5], target: [1], cost: [1]) }
        let message = TransportError.weightsDoNotSumToOne(role: "target", sum: 0.9).description
        #expect(message.contains("target") && message.contains("0.9"))
    }
}

/// ∫₀¹ |F⁻¹(s) − G⁻¹(s)|^power ds for two weighted 1-D clouds, by merging their CDF steps.
func quantileCost(_ x: PointCloud, _ y: PointCloud, power: Double) -> Double {
    let xs = (0..<x.count).sorted { x.coordinates[$0] < x.coordinates[$1] }
    let ys = (0..<y.count).sorted { y.coordinates[$0] < y.coordinates[$1] }
    var i = 0, j = 0
    var leftX = x.weights[xs[0]], leftY = y.weights[ys[0]]
    var total = 0.0
    while i < xs.count && j < ys.count {
        let step = min(leftX, leftY)
        total += step * pow(abs(x.coordinates[xs[i]] - y.coordinates[ys[j]]), power)
        leftX -= step
        leftY -= step
        if leftX <= 1e-18 { i += 1; if i < xs.count { leftX = x.weights[xs[i]] } }
        if leftY <= 1e-18 { j += 1; if j < ys.count { leftY = y.weights[ys[j]] } }
    }
    return total
}

/// The closed-form W2² between the Gaussians with the two 2-D clouds' sample means and covariances.
func gaussianW2Squared(_ x: PointCloud, _ y: PointCloud) -> Double {
    func moments(_ c: PointCloud) -> (mean: [Double], covariance: [Double]) {
        let n = Double(c.count)
        let mean = (0..<2).map { k in (0..<c.count).reduce(0) { $0 + c.coordinates[2 * $1 + k] } / n }
        var s = [0.0, 0.0, 0.0, 0.0]
        for i in 0..<c.count {
            for k in 0..<2 { for l in 0..<2 { s[2 * k + l] += (c.coordinates[2 * i + k] - mean[k]) * (c.coordinates[2 * i + l] - mean[l]) / n } }
        }
        return (mean, s)
    }
    // The square root of a 2 × 2 symmetric positive-definite matrix: (M + √det I) / √(tr + 2√det).
    func root(_ m: [Double]) -> [Double] {
        let r = (m[0] * m[3] - m[1] * m[2]).squareRoot()
        let t = (m[0] + m[3] + 2 * r).squareRoot()
        return [(m[0] + r) / t, m[1] / t, m[2] / t, (m[3] + r) / t]
    }
    func product(_ a: [Double], _ b: [Double]) -> [Double] {
        [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]]
    }
    let (m1, s1) = moments(x), (m2, s2) = moments(y)
    let r1 = root(s1)
    let cross = root(product(product(r1, s2), r1))
    let trace = s1[0] + s1[3] + s2[0] + s2[3] - 2 * (cross[0] + cross[3])
    return (m1[0] - m2[0]) * (m1[0] - m2[0]) + (m1[1] - m2[1]) * (m1[1] - m2[1]) + trace
}
