// Reproducible pseudo-random numbers for the SDE solvers, the tensors and the scenarios:
//
// - `SplitMix64`: Steele–Lea–Flood's 64-bit generator. Its output function (a bijective 64-bit
//   finaliser) is also used *counter-based*: `SplitMix64.hash(key, counter)` is the `counter`-th
//   output of a SplitMix64 stream seeded with `key`, so any variate can be recomputed from
//   `(key, counter)` alone, with no sequential state. The Brownian tree draws its normals that way.
// - `Xoshiro256StarStar`: xoshiro256** (Blackman–Vigna) seeded through SplitMix64, with uniform
//   and standard-normal (Box–Muller) draws. A `RandomNumberGenerator`, so it also works with
//   `Double.random(in:using:)` and `shuffled(using:)`.
//
// Neither is cryptographic. Both are bit-reproducible across platforms (integer arithmetic plus
// `log`, `sqrt`, `sin`, `cos` of the platform libm for the normals).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// SplitMix64: a tiny, fast 64-bit generator, and a counter-based hash built from its output function.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The Weyl-sequence increment `γ = 0x9E3779B97F4A7C15` (golden ratio · 2^64).
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Internal state (the Weyl sequence position).
    public var state: UInt64

    /// Generator whose first output is `SplitMix64.hash(seed, 0)`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.finalize(state)
    }

    /// The SplitMix64 output function (variant 13 of Stafford's mixers): a bijection of `UInt64`
    /// with good avalanche behaviour.
    @inlinable @inline(__always)
    public static func finalize(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Counter-based draw: the output number `counter` (0-based) of a SplitMix64 stream seeded
    /// with `key`. Stateless; `hash(k, i)` for different `i` are the successive outputs.
    @inlinable @inline(__always)
    public static func hash(_ key: UInt64, _ counter: UInt64) -> UInt64 {
        finalize(key &+ (counter &+ 1) &* increment)
    }

    /// Seed of member `index` of an ensemble whose base seed is `base`: a hash of both, so member
    /// seeds are decorrelated, independent of the number of threads and of evaluation order.
    @inlinable
    public static func derivedSeed(base: UInt64, index: Int) -> UInt64 {
        hash(finalize(base ^ 0x5DEE_CE66_D1CE_5EED), UInt64(bitPattern: Int64(index)))
    }

    /// Uniform `Double` in the open interval `(0, 1)` from the top 53 bits of `x`.
    @inlinable @inline(__always)
    public static func unitInterval(_ x: UInt64) -> Double {
        (Double(x >> 11) + 0.5) * 0x1p-53
    }

    /// Two independent standard normal variates from two uniform words (Box–Muller).
    @inlinable @inline(__always)
    public static func boxMuller(_ a: UInt64, _ b: UInt64) -> (Double, Double) {
        let r = (-2 * naturalLog(unitInterval(a))).squareRoot()
        let theta = 2 * Double.pi * unitInterval(b)
        return (r * cosine(theta), r * sine(theta))
    }

    /// Two independent standard normals computed from `(key, index)` alone (counter-based):
    /// the uniform words are `hash(key, 2·index)` and `hash(key, 2·index + 1)`.
    @inlinable @inline(__always)
    public static func normalPair(key: UInt64, index: UInt64) -> (Double, Double) {
        boxMuller(hash(key, index &* 2), hash(key, index &* 2 &+ 1))
    }
}

/// Natural logarithm, sine and cosine of the platform libm (no Foundation needed).
@inlinable @inline(__always) func naturalLog(_ x: Double) -> Double { log(x) }
@inlinable @inline(__always) func sine(_ x: Double) -> Double { sin(x) }
@inlinable @inline(__always) func cosine(_ x: Double) -> Double { cos(x) }
