import Foundation
import Randomness

/// A synthetic arterial tree and its venous twin, with terminal segments ending in organs.
///
/// Topology: a full binary tree of `generations` bifurcation levels (2^g terminal segments)
/// below a root segment (the aorta). Radii follow Murray's law `r_p³ = r_1³ + r_2³` with a random
/// asymmetry `r_2/r_1 ∈ [asymmetry, 1]`. Terminal segments are shared out among the organs in
/// proportion to their perfusion weights, each ending at a random point inside its organ's box;
/// a branch point sits between the heart and the centroid of the ends it feeds, so segments
/// shorten toward the periphery. Segment lengths are the distances between their nodes.
///
/// The venous tree has the same topology and leaves at other random points of the same organ
/// boxes (the venous exits), radii `venousRadiusFactor` times the arterial ones, and its root
/// (the venae cavae) beside the heart; its flows are the arterial terminal flows gathered back.
public struct VesselTreeGenerator: Sendable {
    /// Bifurcation levels (terminal segments: 2^generations).
    public var generations: Int
    /// Aortic root radius, m (≈ 12.5 mm in an adult).
    public var rootRadius: Double
    /// Smallest ratio of the two daughter radii at a bifurcation (1: symmetric).
    public var asymmetry: Double
    /// Venous radius / arterial radius.
    public var venousRadiusFactor: Double
    /// Where the aortic root leaves the heart, m.
    public var heart: Point3
    public var organs: [Organ]

    public init(generations: Int = 9, rootRadius: Double = 0.0125, asymmetry: Double = 0.7,
                venousRadiusFactor: Double = 1.3, heart: Point3 = Point3(0.01, 0, 0.35), organs: [Organ] = Organ.standard) {
        self.generations = generations
        self.rootRadius = rootRadius
        self.asymmetry = asymmetry
        self.venousRadiusFactor = venousRadiusFactor
        self.heart = heart
        self.organs = organs
    }

    /// The arterial and venous trees for `seed`.
    public func generate(seed: UInt64) throws(NetworkError) -> VascularSystem {
        guard (1...18).contains(generations) else { throw .invalid("generations must be 1 ... 18, got \(generations)") }
        guard !organs.isEmpty else { throw .invalid("no organs to perfuse") }
        guard rootRadius > 0, (0.05...1).contains(asymmetry) else {
            throw .invalid("root radius must be positive and asymmetry in 0.05 ... 1 (got \(rootRadius) m, \(asymmetry))")
        }
        var rng = Xoshiro256StarStar(seed: seed)
        let leaves = 1 << generations
        // Terminal segments per organ, proportional to the weights (largest remainders).
        let total = organs.reduce(0) { $0 + $1.perfusionWeight }
        guard total > 0 else { throw .invalid("the organs' perfusion weights sum to \(total); they must be positive") }
        var shares = organs.map { Int(Double(leaves) * $0.perfusionWeight / total) }
        var order = Array(organs.indices).sorted {
            let a = Double(leaves) * organs[$0].perfusionWeight / total - Double(shares[$0])
            let b = Double(leaves) * organs[$1].perfusionWeight / total - Double(shares[$1])
            return a > b
        }
        while shares.reduce(0, +) < leaves { shares[order.removeFirst()] += 1 }
        var leafOrgan: [Int] = []
        for (organ, share) in shares.enumerated() { leafOrgan += Array(repeating: organ, count: share) }

        // Heap-ordered tree: node 0 is the root's start (heart), node 1 the first branch point,
        // node k has children 2k and 2k+1; nodes leaves ..< 2·leaves are the terminal ends.
        let nodeCount = 2 * leaves
        var radius = [Double](repeating: 0, count: nodeCount)   // radius of the segment ending at node k
        radius[1] = rootRadius
        for k in 1..<leaves {
            let alpha = asymmetry + (1 - asymmetry) * rng.nextUniform()
            let big = radius[k] / Foundation.cbrt(1 + alpha * alpha * alpha)
            let (first, second) = rng.next() & 1 == 0 ? (big, alpha * big) : (alpha * big, big)
            radius[2 * k] = first
            radius[2 * k + 1] = second
        }
        func randomPoint(in organ: Organ) -> Point3 {
            Point3(organ.center.x + organ.halfSize.x * (2 * rng.nextUniform() - 1),
                   organ.center.y + organ.halfSize.y * (2 * rng.nextUniform() - 1),
                   organ.center.z + organ.halfSize.z * (2 * rng.nextUniform() - 1))
        }
        var arterial = [Point3](repeating: heart, count: nodeCount)
        var venous = [Point3](repeating: heart, count: nodeCount)
        for leaf in 0..<leaves {
            arterial[leaves + leaf] = randomPoint(in: organs[leafOrgan[leaf]])
            venous[leaves + leaf] = randomPoint(in: organs[leafOrgan[leaf]])
        }
        let venousHeart = heart + Point3(0.03, 0, 0)
        // Branch points: between the heart and the centroid of their ends, closer to the ends deeper down.
        var depth = [Int](repeating: 0, count: nodeCount)
        for k in 2..<nodeCount { depth[k] = depth[k / 2] + 1 }
        for k in stride(from: leaves - 1, through: 1, by: -1) {
            let w = Double(depth[k] + 1) / Double(generations + 2)
            let a = 0.5 * (arterial[2 * k] + arterial[2 * k + 1]), v = 0.5 * (venous[2 * k] + venous[2 * k + 1])
            arterial[k] = w * a + (1 - w) * heart
            venous[k] = w * v + (1 - w) * venousHeart
        }
        arterial[0] = heart
        venous[0] = venousHeart

        func tree(_ points: [Point3], radiusFactor: Double, towardLeaves: Bool) -> VesselNetwork {
            var segments: [VesselSegment] = []
            for k in 1..<nodeCount {
                let parent = k / 2 == 0 ? 0 : k / 2
                let from = k == 1 ? 0 : parent
                let length = max(points[from].distance(to: points[k]), 1e-3)
                let segment = towardLeaves
                    ? VesselSegment(from: from, to: k, radius: radius[k] * radiusFactor, length: length)
                    : VesselSegment(from: k, to: from, radius: radius[k] * radiusFactor, length: length)
                segments.append(segment)
            }
            var labels = [String](repeating: "", count: nodeCount)
            labels[0] = towardLeaves ? "aortic root" : "venae cavae"
            for leaf in 0..<leaves { labels[leaves + leaf] = organs[leafOrgan[leaf]].name }
            let ends = Array(leaves..<nodeCount)
            return towardLeaves
                ? VesselNetwork(nodes: points, segments: segments, inlet: 0, outlets: ends, nodeLabels: labels)
                : VesselNetwork(nodes: points, segments: segments, inlet: ends[0], outlets: [0], nodeLabels: labels)
        }
        return VascularSystem(arteries: tree(arterial, radiusFactor: 1, towardLeaves: true),
                              veins: tree(venous, radiusFactor: venousRadiusFactor, towardLeaves: false),
                              organs: organs, terminalOrgan: leafOrgan)
    }
}

/// An arterial tree, its venous twin with the same topology, and the organs their ends meet in.
///
/// Both trees use heap numbering: node 0 is the root's end at the heart, the root segment ends
/// at node 1, node k branches to 2k and 2k+1, and the terminal nodes are `L ..< 2L`. Segment
/// `k − 1` is the one ending at node k (arterial: flowing toward k; venous: flowing away from k).
public struct VascularSystem: Sendable {
    public var arteries: VesselNetwork
    public var veins: VesselNetwork
    public var organs: [Organ]
    /// Organ index of each terminal segment (terminal node `L + i` ↦ `terminalOrgan[i]`).
    public var terminalOrgan: [Int]

    public var terminalCount: Int { terminalOrgan.count }
}

