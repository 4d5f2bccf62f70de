import Foundation
import Integrators
import Testing
import Randomness

@Suite("Brownian tree and random numbers")
struct BrownianTreeTests {
    @Test func queryOrderDoesNotMatter() throws {
        let tree = try BrownianTree(seed: 17, from: -1, to: 2, dimension: 3)
        var rng = Xoshiro256StarStar(seed: 5)
        let times = (0..<200).map { _ in -1 + 3 * rng.nextUniform() } + [-1, 2, 0.5, 0.125]
        let forward = times.map { tree.value(at: $0) }
        let forwardK = times.map { tree.timeIntegral(at: $0) }
        let permutation = Array(times.indices).shuffled(using: &rng)
        var shuffled = [[Double]](repeating: [], count: times.count)
        for i in permutation.reversed() { shuffled[i] = tree.value(at: times[i]) }
        #expect(forward == shuffled)
        // A second tree value with the same identity, queried in reverse order.
        let twin = try BrownianTree(seed: 17, from: -1, to: 2, dimension: 3)
        #expect(times.indices.reversed().allSatisfy { twin.value(at: times[$0]) == forward[$0] })
        #expect(times.indices.allSatisfy { twin.timeIntegral(at: times[$0]) == forwardK[$0] })
        #expect(tree.value(at: -1) == [0, 0, 0])
        // Different seeds give different paths; dimensions are different processes.
        let other = try BrownianTree(seed: 18, from: -1, to: 2, dimension: 3)
        #expect(other.value(at: 2) != tree.value(at: 2))
        let w = tree.value(at: 1.3)
        #expect(w[0] != w[1] && w[1] != w[2])
    }

    @Test func nodesAreSharedAcrossDepths() throws {
        // Dyadic node values do not depend on the depth; deeper trees refine the same path.
        let shallow = try BrownianTree(seed: 3, from: 0, to: 1, dimension: 2, depth: 6)
        let deep = try BrownianTree(seed: 3, from: 0, to: 1, dimension: 2)
        for t in [0.5, 0.25, 0.375, 0.984375, 1.0] {
            #expect(shallow.value(at: t) == deep.value(at: t))
            #expect(shallow.timeIntegral(at: t) == deep.timeIntegral(at: t))
        }
        let fromTolerance = try BrownianTree(seed: 3, from: 0, to: 1, dimension: 2, tolerance: 0.01)
        #expect(fromTolerance.depth == 7 && fromTolerance.leafLength <= 0.01)
    }

    @Test func incrementsTelescope() throws {
        let tree = try BrownianTree(seed: 123, from: 0, to: 1, dimension: 2)
        var rng = Xoshiro256StarStar(seed: 9)
        let cuts = ([0.1, 0.9] + (0..<50).map { _ in 0.1 + 0.8 * rng.nextUniform() }).sorted()
        var sumW = [0.0, 0.0]
        var chainZ = [0.0, 0.0]  // Chen: Z_{a,c} = Z_{a,b} + Z_{b,c} + (c - b) W_{a,b}
        var chainW = [0.0, 0.0]
        for k in 0..<(cuts.count - 1) {
            let inc = tree.levyIncrement(from: cuts[k], to: cuts[k + 1])
            for d in 0..<2 {
                sumW[d] += inc.dW[d]
                chainZ[d] += inc.dZ[d] + inc.duration * chainW[d]
                chainW[d] += inc.dW[d]
            }
        }
        let whole = tree.levyIncrement(from: 0.1, to: 0.9)
        for d in 0..<2 {
            #expect(abs(sumW[d] - whole.dW[d]) < 1e-13)
            #expect(abs(chainZ[d] - whole.dZ[d]) < 1e-13)
        }
        #expect(tree.increment(from: 0.1, to: 0.9) == whole.dW)
    }

    /// Moments of (ΔW, H) over [s, t] across `paths` seeds, checked against N(0, h), N(0, h/12),
    /// independence, with 4-standard-error bands: s.e.(mean) = √(var/P), s.e.(var) ≈ var·√(2/(P-1)),
    /// s.e.(corr) ≈ 1/√P.
    func checkMoments(depth: Int, from s: Double, to t: Double, paths: Int = 4000) throws {
        let h = t - s
        var dW: [Double] = [], H: [Double] = [], dWprev: [Double] = []
        for p in 0..<paths {
            let tree = try BrownianTree(seed: 77_000 + UInt64(p), from: 0, to: 1, dimension: 1, depth: depth)
            let inc = tree.levyIncrement(from: s, to: t)
            dW.append(inc.dW[0])
            H.append(inc.spaceTimeLevyArea[0])
            dWprev.append(tree.increment(from: 0, to: s)[0])
        }
        let P = Double(paths)
        let vW = sampleStandardDeviation(dW) * sampleStandardDeviation(dW)
        let vH = sampleStandardDeviation(H) * sampleStandardDeviation(H)
        let corr = zip(dW, H).map { ($0 - sampleMean(dW)) * ($1 - sampleMean(H)) }.reduce(0, +) / (P - 1) / (vW * vH).squareRoot()
        let corrPrev = zip(dW, dWprev).map { ($0 - sampleMean(dW)) * ($1 - sampleMean(dWprev)) }.reduce(0, +) / (P - 1)
            / (vW * sampleStandardDeviation(dWprev) * sampleStandardDeviation(dWprev)).squareRoot()
        print("TREE depth \(depth) [\(s), \(t)]: mean ΔW \(sdeFormat(sampleMean(dW))), var ΔW/h \(sdeFormat(vW / h)), var H/(h/12) \(sdeFormat(vH * 12 / h)), corr(ΔW,H) \(sdeFormat(corr)), corr(ΔW, W_s) \(sdeFormat(corrPrev))")
        #expect(abs(sampleMean(dW)) <= 4 * (h / P).squareRoot())
        #expect(abs(sampleMean(H)) <= 4 * (h / 12 / P).squareRoot())
        #expect(abs(vW / h - 1) <= 4 * (2 / (P - 1)).squareRoot())
        #expect(abs(vH / (h / 12) - 1) <= 4 * (2 / (P - 1)).squareRoot())
        #expect(abs(corr) <= 4 / P.squareRoot())
        if s > 0 { #expect(abs(corrPrev) <= 4 / P.squareRoot()) }
    }

    @Test func momentsOnTreeNodes() throws { try checkMoments(depth: 32, from: 0.25, to: 0.375) }
    @Test func momentsBetweenNodes() throws { try checkMoments(depth: 32, from: 0.3, to: 0.55) }
    /// A depth-2 tree: 0.3 lies strictly inside the leaf [0.25, 0.5], so (W(0.3), H_{0,0.3}) comes
    /// from the leaf fill-in formula; its marginal law must be exact. (Two query times inside the
    /// *same* leaf share the leaf's normals, so increments shorter than a leaf are not exactly
    /// distributed — that is why the default depth makes leaves ~2e-10 of the span.)
    @Test func momentsOfLeafFillIn() throws {
        try checkMoments(depth: 2, from: 0, to: 0.3)
        try checkMoments(depth: 2, from: 0.25, to: 0.3)
        try checkMoments(depth: 2, from: 0.3, to: 0.5)
    }

    @Test func invalidTrees() {
        #expect(throws: IntegrationError.self) { try BrownianTree(seed: 1, from: 1, to: 1, dimension: 1) }
        #expect(throws: IntegrationError.self) { try BrownianTree(seed: 1, from: 0, to: .nan, dimension: 1) }
        #expect(throws: IntegrationError.self) { try BrownianTree(seed: 1, from: 0, to: 1, dimension: 0) }
        #expect(throws: IntegrationError.self) { try BrownianTree(seed: 1, from: 0, to: 1, dimension: 1, depth: 99) }
        #expect(throws: IntegrationError.self) { try BrownianTree(seed: 1, from: 0, to: 1, dimension: 1, tolerance: 0) }
    }

    @Test func seededNormalGenerator() {
        var a = Xoshiro256StarStar(seed: 2024), b = Xoshiro256StarStar(seed: 2024)
        let xs = a.normals(count: 20_000)
        #expect(xs == b.normals(count: 20_000))
        let P = Double(xs.count)
        #expect(abs(sampleMean(xs)) <= 4 / P.squareRoot())
        #expect(abs(sampleStandardDeviation(xs) * sampleStandardDeviation(xs) - 1) <= 4 * (2 / P).squareRoot())
        let fourth = xs.map { $0 * $0 * $0 * $0 }.reduce(0, +) / P  // E Z⁴ = 3, Var Z⁴ = 96
        #expect(abs(fourth - 3) <= 4 * (96 / P).squareRoot())
        var c = Xoshiro256StarStar(seed: 2025)
        #expect(c.nextNormal() != xs[0])
        // Ensemble seeds: distinct, deterministic.
        let seeds = (0..<1000).map { SplitMix64.derivedSeed(base: 7, index: $0) }
        #expect(Set(seeds).count == 1000)
        #expect(SplitMix64.derivedSeed(base: 7, index: 3) == seeds[3])
    }
}
