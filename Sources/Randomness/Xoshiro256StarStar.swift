/// A seeded random generator with uniform and normal draws: xoshiro256** (Blackman & Vigna 2018)
/// whose 256-bit state is filled from a SplitMix64 stream of `seed`; normals by Box–Muller
/// (both values of a pair are used). Equal seeds give equal sequences on every platform.
///
///     var rng = Xoshiro256StarStar(seed: 42)
///     let z = rng.nextNormal()                   // N(0, 1)
///     let x = rng.nextNormal(mean: 1, standardDeviation: 0.1)
///     let u = Double.random(in: 0..<1, using: &rng)
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64
    @usableFromInline var spare: Double?

    /// The generator for `seed` (any value, including 0).
    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next()
        s1 = sm.next()
        s2 = sm.next()
        s3 = sm.next()
        spare = nil
    }

    /// A generator in the given raw state (four words, not all zero), e.g. for reference tests.
    public init(rawState: [UInt64]) {
        precondition(rawState.count == 4 && rawState.contains { $0 != 0 },
                     "xoshiro256** needs four state words, not all zero")
        (s0, s1, s2, s3) = (rawState[0], rawState[1], rawState[2], rawState[3])
        spare = nil
    }

    /// The four state words, for checkpoints (with ``cachedNormal``, the complete state).
    public var rawState: [UInt64] { [s0, s1, s2, s3] }

    /// The second normal of the last Box–Muller pair, returned by the next ``nextNormal()``.
    public var cachedNormal: Double? { spare }

    /// A generator in exactly the state a checkpoint recorded (``rawState`` and ``cachedNormal``).
    public init(rawState: [UInt64], cachedNormal: Double?) {
        self.init(rawState: rawState)
        spare = cachedNormal
    }

    /// Next 64 random bits (xoshiro256**).
    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    @inlinable @inline(__always)
    func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform variate in `[0, 1)` with 53 random bits.
    @inlinable
    public mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal variate `N(0, 1)` (Box–Muller; every second call returns the cached partner).
    @inlinable
    public mutating func nextNormal() -> Double {
        if let z = spare {
            spare = nil
            return z
        }
        let (a, b) = SplitMix64.boxMuller(next(), next())
        spare = b
        return a
    }

    /// Normal variate with the given mean and standard deviation.
    @inlinable
    public mutating func nextNormal(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * nextNormal()
    }

    /// Fills `buffer` with standard normal variates.
    @inlinable
    public mutating func fillNormal(_ buffer: UnsafeMutableBufferPointer<Double>) {
        for i in buffer.indices { buffer[i] = nextNormal() }
    }

    /// `count` standard normal variates.
    public mutating func normals(count: Int) -> [Double] {
        (0..<Swift.max(0, count)).map { _ in nextNormal() }
    }
}
