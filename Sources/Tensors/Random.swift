import Foundation
import Randomness

extension Tensor {
    /// Normal draws N(mean, standardDeviation²) from `generator`, in row-major order.
    public static func randomNormal(shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
                                    using generator: inout Xoshiro256StarStar) -> Tensor {
        var result = Tensor(uninitializedShape: shape)
        result.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = mean + standardDeviation * Scalar(generator.nextNormal()) }
        }
        return result
    }

    /// Normal draws N(mean, standardDeviation²) from a xoshiro256** stream seeded with `seed`.
    public static func randomNormal(shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1, seed: UInt64) -> Tensor {
        var rng = Xoshiro256StarStar(seed: seed)
        return randomNormal(shape: shape, mean: mean, standardDeviation: standardDeviation, using: &rng)
    }

    /// Uniform draws in [lower, upper) from `generator`.
    public static func randomUniform(shape: [Int], lower: Scalar = 0, upper: Scalar = 1,
                                     using generator: inout Xoshiro256StarStar) -> Tensor {
        var result = Tensor(uninitializedShape: shape)
        result.withUnsafeMutableBufferPointer { p in
            for i in p.indices { p[i] = lower + (upper - lower) * Scalar(generator.nextUniform()) }
        }
        return result
    }

    /// Uniform draws in [lower, upper) from a xoshiro256** stream seeded with `seed`.
    public static func randomUniform(shape: [Int], lower: Scalar = 0, upper: Scalar = 1, seed: UInt64) -> Tensor {
        var rng = Xoshiro256StarStar(seed: seed)
        return randomUniform(shape: shape, lower: lower, upper: upper, using: &rng)
    }

    /// Glorot/Xavier uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)).
    /// For a dense weight used as `x·W` with `W: [in, out]`, fanIn = in and fanOut = out; for a
    /// convolution weight `[Cout, C, K…]`, fanIn = C·ΠK and fanOut = Cout·ΠK.
    public static func xavierUniform(shape: [Int], fanIn: Int, fanOut: Int, gain: Scalar = 1, seed: UInt64) -> Tensor {
        let a = gain * (Scalar(6) / Scalar(fanIn + fanOut)).squareRoot()
        return randomUniform(shape: shape, lower: -a, upper: a, seed: seed)
    }

    /// He/Kaiming uniform for (leaky) ReLU layers: U(−b, b) with b = √(6 / ((1 + slope²)·fanIn)),
    /// i.e. gain √(2/(1 + slope²)) times √(3/fanIn) (PyTorch's `kaiming_uniform_`, fan_in mode;
    /// the default slope 0 is plain ReLU).
    public static func kaimingUniform(shape: [Int], fanIn: Int, negativeSlope: Scalar = 0, seed: UInt64) -> Tensor {
        let b = (Scalar(6) / ((1 + negativeSlope * negativeSlope) * Scalar(fanIn))).squareRoot()
        return randomUniform(shape: shape, lower: -b, upper: b, seed: seed)
    }

    /// The inverted-dropout mask: each element is 0 with probability `p`, else 1/(1 − p).
    static func dropoutMask(shape: [Int], probability p: Scalar, seed: UInt64) -> Tensor {
        var rng = Xoshiro256StarStar(seed: seed)
        let keep = 1 / (1 - p)
        var mask = Tensor(uninitializedShape: shape)
        mask.withUnsafeMutableBufferPointer { m in
            for i in m.indices { m[i] = Scalar(rng.nextUniform()) < p ? 0 : keep }
        }
        return mask
    }

    static func checkDropout(_ p: Scalar) throws {
        guard p >= 0, p < 1 else {
            throw TensorError.invalidArgument(operation: "dropout", message: "probability \(p) is outside [0, 1)")
        }
    }

    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by
    /// 1/(1 − p); the mask comes from a xoshiro256** stream seeded with `seed`, so the same
    /// seed drops the same elements. Pass `training: false` for the identity.
    public func dropout(probability p: Scalar, seed: UInt64, training: Bool = true) throws -> Tensor {
        try Tensor.checkDropout(p)
        guard training, p > 0 else { return self }
        return try self * Tensor.dropoutMask(shape: shape, probability: p, seed: seed)
    }
}
