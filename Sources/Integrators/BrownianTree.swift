import Randomness
// Virtual Brownian tree with space-time Lévy area.
//
// Notation (Foster 2020, thesis §6.1; Kidger 2021, thesis §5.5.2): on an interval [s, u] of length
// h = u - s,
//
//     W_{s,u} = W_u - W_s,
//     H_{s,u} = (1/h) ∫_s^u (W_{s,r} - (r - s)/h · W_{s,u}) dr     (space-time Lévy area),
//
// with W_{s,u} ~ N(0, h) and H_{s,u} ~ N(0, h/12) independent. The tree stores, per node and per
// noise dimension, (W_s, W_{s,u}, K_s, H̄_{s,u} = h·H_{s,u}) where K_t = ∫_{t0}^t (W_r - W_{t0}) dr.
//
// Bisection at the midpoint m (both halves of length h/2), given (W_{s,u}, H̄_{s,u}) and two fresh
// standard normals Z1, Z2 drawn counter-based from (seed, node path, dimension):
//
//     z = √h/4 · Z1,   ν = √(h/12) · Z2
//     W_{s,m} = W_{s,u}/2 + (3/(2h)) H̄_{s,u} + z,   W_{m,u} = W_{s,u}/2 - (3/(2h)) H̄_{s,u} - z
//     H̄_{s,m} = H̄_{s,u}/8 - (h/4) z + (h/4) ν,      H̄_{m,u} = H̄_{s,u}/8 - (h/4) z - (h/4) ν
//     K_m = K_s + (h/2) W_s + H̄_{s,m} + (h/4) W_{s,m}
//
// (the exact conditional law of the halves given the parent: derived from
// H̄_{s,u} = H̄_{s,m} + H̄_{m,u} + (h/4)(W_{s,m} - W_{m,u}); it coincides with Foster's Theorem 6.1.6
// as used by diffrax's VirtualBrownianTree).
//
// Inside a leaf [s, u] (length ≤ leafLength) a query time r, with a = r - s, b = u - r, is filled in
// from the exact conditional Gaussian law of (W_{s,r}, H̄_{s,r}) given (W_{s,u}, H̄_{s,u}):
//
//     E[W_{s,r}]  = (a/h) W_{s,u} + (6ab/h³) H̄_{s,u}        Var = (ab/h)(1 - 3ab/h²)
//     E[H̄_{s,r}] = (a/h)³ H̄_{s,u}                           Var = (a³/12)(1 - (a/h)³)
//     Cov(W_{s,r}, H̄_{s,r}) = -a⁴ b / (2h³)
//
// sampled by a 2×2 Cholesky factor with two normals keyed by the leaf. (Two query times inside the
// same leaf reuse the leaf's normals, so their joint law is only approximately Brownian on scales
// below the leaf length; every single query is exactly distributed. Keep the leaf length well below
// the step sizes, which the default depth does.)
//
// Increments over any [a, b] come from the point values via Chen's relation:
//
//     ΔW = W_b - W_a,     ΔZ = ∫_a^b (W_r - W_a) dr = K_b - K_a - (b - a) W_a,
//     H_{a,b} = ΔZ/(b - a) - ΔW/2,
//
// so increments over a partition telescope exactly (up to round-off) and the value at a time never
// depends on which other times were queried, in which order, or on any solver step size.

/// Increment of the Brownian motion over `[s, t]` together with the time integral
/// `ΔZ = ∫_s^t (W_r - W_s) dr` (the iterated Itô integral `I_(1,0)`), per noise dimension.
public struct BrownianIncrement: Sendable, Equatable {
    /// `t - s`.
    public let duration: Double
    /// `ΔW = W_t - W_s`, one entry per dimension.
    public let dW: [Double]
    /// `ΔZ = ∫_s^t (W_r - W_s) dr`, one entry per dimension (`E ΔZ ΔW = h²/2`, `Var ΔZ = h³/3`).
    public let dZ: [Double]

    /// Space-time Lévy area `H_{s,t} = ΔZ/h - ΔW/2` (`~ N(0, h/12)`, independent of `ΔW`).
    public var spaceTimeLevyArea: [Double] {
        zip(dW, dZ).map { w, z in duration > 0 ? z / duration - 0.5 * w : 0 }
    }
}

/// A seeded, stateless virtual Brownian tree on `[start, end]` with `dimension` independent
/// components, generating `W` jointly with its space-time Lévy area.
///
/// `W(t)` (with `W(start) = 0`) and `K(t) = ∫_start^t W_r dr` are pure functions of
/// `(seed, start, end, dimension, depth, t)`: querying in any order, any number of times, or from
/// solvers with different step sizes gives bit-identical values. The tree bisects `[start, end]`
/// `depth` times (each node's two normals per dimension come from SplitMix64 counter-based hashing
/// of the seed and the node's path), then fills in a leaf exactly in distribution (see the file
/// comment). Query times that are tree nodes (`start + k·(end - start)/2^j`, e.g. fixed steps
/// `(end - start)/2^j`) are exact nodes and stop the descent early. Nodes are the same for every
/// `depth` ≥ their level: a deeper tree refines the same path.
///
/// Cost of one query: `O(depth × dimension)` hashes and normal draws; no memory is kept.
public struct BrownianTree: Sendable, Hashable {
    /// The seed identifying the path.
    public let seed: UInt64
    /// Start of the covered time span (`W(start) = 0`).
    public let start: Double
    /// End of the covered time span.
    public let end: Double
    /// Number of independent Brownian components.
    public let dimension: Int
    /// Number of bisection levels; leaves have length `(end - start) / 2^depth`.
    public let depth: Int

    /// Default number of levels (leaf length `(end - start)·2^-32 ≈ 2.3e-10·(end - start)`).
    public static let defaultDepth = 32
    /// Largest accepted depth (beyond it, midpoints are no longer representable for typical spans).
    public static let maximumDepth = 52

    /// Tree with `depth` levels (default ``defaultDepth``).
    ///
    /// - Throws: ``IntegrationError/invalidArgument(_:)`` for non-finite or empty span
    ///   (`end <= start`), `dimension < 1`, or `depth` outside `0...maximumDepth`.
    public init(seed: UInt64, from start: Double, to end: Double, dimension: Int, depth: Int = BrownianTree.defaultDepth)
        throws(IntegrationError)
    {
        guard start.isFinite, end.isFinite, end > start else {
            throw .invalidArgument("BrownianTree span [\(start), \(end)] must be finite with end > start")
        }
        guard dimension >= 1 else { throw .invalidArgument("BrownianTree dimension \(dimension) must be >= 1") }
        guard depth >= 0, depth <= Self.maximumDepth else {
            throw .invalidArgument("BrownianTree depth \(depth) must be in 0...\(Self.maximumDepth)")
        }
        self.seed = seed
        self.start = start
        self.end = end
        self.dimension = dimension
        self.depth = depth
    }

    /// Tree whose leaves are no longer than `tolerance` (time units, `> 0`): the smallest depth
    /// with `(end - start)/2^depth <= tolerance`, capped at ``maximumDepth``.
    public init(seed: UInt64, from start: Double, to end: Double, dimension: Int, tolerance: Double) throws(IntegrationError) {
        guard tolerance.isFinite, tolerance > 0 else {
            throw .invalidArgument("BrownianTree tolerance \(tolerance) must be finite and > 0")
        }
        var depth = 0
        var leaf = end - start
        while leaf > tolerance && depth < Self.maximumDepth {
            leaf *= 0.5
            depth += 1
        }
        try self.init(seed: seed, from: start, to: end, dimension: dimension, depth: depth)
    }

    /// Length of the leaves, `(end - start) / 2^depth`.
    public var leafLength: Double { (end - start) * power(2, -Double(depth)) }

    // Tags for the counter-based key derivation (distinct from the normal counters 0, 1, 2, ...):
    // root key = hash(seed, rootTag); a node's normals use key' = hash(key, nodeTag), counters
    // 2d, 2d+1 for dimension d; children get hash(key', leftTag / rightTag); a leaf's fill-in
    // normals use hash(key, leafTag).
    @usableFromInline static let rootTag: UInt64 = 0xFFFF_FFFF_FFFF_FF00
    @usableFromInline static let leftTag: UInt64 = 0xFFFF_FFFF_FFFF_FF01
    @usableFromInline static let rightTag: UInt64 = 0xFFFF_FFFF_FFFF_FF02
    @usableFromInline static let leafTag: UInt64 = 0xFFFF_FFFF_FFFF_FF03
    @usableFromInline static let nodeTag: UInt64 = 0xFFFF_FFFF_FFFF_FF04

    /// `W(t) - W(start)` and `K(t) = ∫_start^t (W_r - W_start) dr` for every dimension, written to
    /// `value` and `timeIntegral` (each at least `dimension` long). Allocation-free.
    ///
    /// - Precondition: `start <= t <= end`.
    public func sample(
        at t: Double, value: UnsafeMutableBufferPointer<Double>, timeIntegral: UnsafeMutableBufferPointer<Double>
    ) {
        precondition(
            t >= start && t <= end, "BrownianTree: t = \(t) is outside the tree's span [\(start), \(end)]")
        precondition(value.count >= dimension && timeIntegral.count >= dimension, "BrownianTree: output too short")
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * dimension) { scratch in
            evaluate(t, w: value.baseAddress!, k: timeIntegral.baseAddress!, scratch: scratch.baseAddress!)
        }
    }

    /// The core query; `scratch` holds `2·dimension` doubles.
    @usableFromInline
    func evaluate(
        _ t: Double, w: UnsafeMutablePointer<Double>, k: UnsafeMutablePointer<Double>,
        scratch: UnsafeMutablePointer<Double>
    ) {
        let m = dimension
        let wsu = scratch  // W_{s,u} of the current node
        let hbar = scratch + m  // H̄_{s,u} = h·H_{s,u} of the current node
        let span = end - start
        let rootKey = SplitMix64.hash(seed, Self.rootTag)
        let rootScaleW = span.squareRoot()
        let rootScaleH = span * (span / 12).squareRoot()
        for d in 0..<m {
            let (z1, z2) = SplitMix64.normalPair(key: rootKey, index: UInt64(d))
            wsu[d] = rootScaleW * z1
            hbar[d] = rootScaleH * z2
            w[d] = 0  // W_s
            k[d] = 0  // K_s
        }
        if t == start { return }
        if t == end {
            for d in 0..<m {
                k[d] = hbar[d] + 0.5 * span * wsu[d]
                w[d] = wsu[d]
            }
            return
        }
        var s = start
        var u = end
        var key = rootKey
        var level = 0
        while level < depth {
            let h = u - s
            let mid = s + 0.5 * h
            guard mid > s && mid < u else { break }  // no representable midpoint: treat as a leaf
            let nodeKey = SplitMix64.hash(key, Self.nodeTag)
            let zScale = 0.25 * h.squareRoot()
            let nuScale = (h / 12).squareRoot()
            let isMid = t == mid
            let goRight = t > mid
            for d in 0..<m {
                let (z1, z2) = SplitMix64.normalPair(key: nodeKey, index: UInt64(d))
                let z = zScale * z1
                let nu = nuScale * z2
                let wTerm1 = 0.5 * wsu[d]
                let wTerm2 = 1.5 * hbar[d] / h + z
                let wsm = wTerm1 + wTerm2
                let hTerm1 = 0.125 * hbar[d] - 0.25 * h * z
                let hTerm2 = 0.25 * h * nu
                let hsm = hTerm1 + hTerm2
                if isMid || goRight {
                    let kMid = k[d] + 0.5 * h * w[d] + hsm + 0.25 * h * wsm
                    k[d] = kMid
                    w[d] = w[d] + wsm
                    wsu[d] = wTerm1 - wTerm2
                    hbar[d] = hTerm1 - hTerm2
                } else {
                    wsu[d] = wsm
                    hbar[d] = hsm
                }
            }
            if isMid { return }
            if goRight {
                s = mid
                key = SplitMix64.hash(nodeKey, Self.rightTag)
            } else {
                u = mid
                key = SplitMix64.hash(nodeKey, Self.leftTag)
            }
            level += 1
        }
        // Leaf: fill in (W_{s,t}, H̄_{s,t}) from their conditional law given the leaf.
        let h = u - s
        let a = t - s
        let b = Swift.max(h - a, 0)
        let leafKey = SplitMix64.hash(key, Self.leafTag)
        let ah = a / h
        let varW = Swift.max(a * b / h * (1 - 3 * a * b / (h * h)), 0)
        let varH = Swift.max(a * a * a / 12 * (1 - ah * ah * ah), 0)
        let cov = -a * ah * ah * ah * b / 2
        let meanWFromH = 6 * a * b / (h * h * h)
        let sdW = varW.squareRoot()
        let c = sdW > 0 ? cov / sdW : 0
        let sdH = Swift.max(varH - c * c, 0).squareRoot()
        for d in 0..<m {
            let (z1, z2) = SplitMix64.normalPair(key: leafKey, index: UInt64(d))
            let wsr = ah * wsu[d] + meanWFromH * hbar[d] + sdW * z1
            let hsr = ah * ah * ah * hbar[d] + c * z1 + sdH * z2
            k[d] = k[d] + a * w[d] + hsr + 0.5 * a * wsr
            w[d] = w[d] + wsr
        }
    }

    /// `W(t) - W(start)` (one entry per dimension).
    public func value(at t: Double) -> [Double] {
        var w = [Double](repeating: 0, count: dimension)
        var k = [Double](repeating: 0, count: dimension)
        w.withUnsafeMutableBufferPointer { wp in
            k.withUnsafeMutableBufferPointer { kp in sample(at: t, value: wp, timeIntegral: kp) }
        }
        return w
    }

    /// `K(t) = ∫_start^t (W_r - W_start) dr` (one entry per dimension).
    public func timeIntegral(at t: Double) -> [Double] {
        var w = [Double](repeating: 0, count: dimension)
        var k = [Double](repeating: 0, count: dimension)
        w.withUnsafeMutableBufferPointer { wp in
            k.withUnsafeMutableBufferPointer { kp in sample(at: t, value: wp, timeIntegral: kp) }
        }
        return k
    }

    /// `W(t) - W(s)`.
    ///
    /// - Precondition: `start <= s, t <= end`.
    public func increment(from s: Double, to t: Double) -> [Double] {
        let a = value(at: s), b = value(at: t)
        return zip(b, a).map { $0 - $1 }
    }

    /// `ΔW = W(t) - W(s)` and `ΔZ = ∫_s^t (W_r - W_s) dr` (and hence the space-time Lévy area).
    ///
    /// - Precondition: `start <= s <= t <= end`.
    public func levyIncrement(from s: Double, to t: Double) -> BrownianIncrement {
        precondition(s <= t, "BrownianTree.levyIncrement: s = \(s) must not exceed t = \(t)")
        let m = dimension
        var ws = [Double](repeating: 0, count: m), ks = ws, wt = ws, kt = ws
        ws.withUnsafeMutableBufferPointer { w in ks.withUnsafeMutableBufferPointer { k in sample(at: s, value: w, timeIntegral: k) } }
        wt.withUnsafeMutableBufferPointer { w in kt.withUnsafeMutableBufferPointer { k in sample(at: t, value: w, timeIntegral: k) } }
        let h = t - s
        var dW = [Double](repeating: 0, count: m), dZ = dW
        for d in 0..<m {
            dW[d] = wt[d] - ws[d]
            dZ[d] = kt[d] - ks[d] - h * ws[d]
        }
        return BrownianIncrement(duration: h, dW: dW, dZ: dZ)
    }
}
