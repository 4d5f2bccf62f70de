import Randomness
import Transport

/// `count` points in `dimension` dimensions, each coordinate N(mean[k], scale[k]²), seeded.
func gaussianCloud(count: Int, mean: [Double], scale: [Double], seed: UInt64, weights: [Double]? = nil) throws -> PointCloud {
    var rng = Xoshiro256StarStar(seed: seed)
    var coordinates: [Double] = []
    coordinates.reserveCapacity(count * mean.count)
    for _ in 0..<count {
        for k in mean.indices { coordinates.append(mean[k] + scale[k] * rng.nextNormal()) }
    }
    return try PointCloud(coordinates: coordinates, dimension: mean.count, weights: weights)
}

/// Random weights in (0.2, 1.2), normalised: every point carries mass.
func randomWeights(_ count: Int, seed: UInt64) -> [Double] {
    var rng = Xoshiro256StarStar(seed: seed)
    let w = (0..<count).map { _ in 0.2 + rng.nextUniform() }
    let s = w.reduce(0, +)
    return w.map { $0 / s }
}

/// The minimum of Σᵢ c(i, σ(i)) over all permutations σ (Heap's algorithm), for n ≤ 8.
func bruteForceAssignment(_ cost: [Double], _ n: Int) -> Double {
    var p = Array(0..<n)
    var best = Double.infinity
    func total() -> Double { (0..<n).reduce(0) { $0 + cost[$1 * n + p[$1]] } }
    var c = [Int](repeating: 0, count: n)
    best = total()
    var i = 0
    while i < n {
        if c[i] < i {
            if i % 2 == 0 { p.swapAt(0, i) } else { p.swapAt(c[i], i) }
            best = min(best, total())
            c[i] += 1
            i = 0
        } else {
            c[i] = 0
            i += 1
        }
    }
    return best
}
