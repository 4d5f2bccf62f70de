import Foundation

/// Single-head self-attention over the positions of a feature map, with a residual connection
/// (the attention block of diffusion U-Nets, used at the coarsest level where `H·W` is small):
///
///     q, k, v = 1×1 convolutions of GroupNorm(x)      ([N, C, H·W] each)
///     A = softmax(qᵀk / √C)                          ([N, H·W, H·W], over keys)
///     out = x + conv₁ₓ₁(v Aᵀ)
///
/// Input and output `[N, C, H, W]`. Parameters `norm.*`, `qkv.*` (one 1×1 convolution to `3C`
/// channels) and `output.*` (zero-initialised: a new block is the identity). Cost `O(N·(HW)²·C)`.
public struct SelfAttention2D<Scalar: TensorScalar>: Layer {
    public var norm: GroupNorm<Scalar>
    public var qkv: Conv2D<Scalar>
    public var output: Conv2D<Scalar>

    public init(channels: Int, groups: Int, seed: UInt64) {
        norm = GroupNorm(groups: groups, channels: channels)
        qkv = Conv2D(inChannels: channels, outChannels: 3 * channels, kernelSize: (1, 1), seed: seed)
        output = Conv2D(inChannels: channels, outChannels: channels, kernelSize: (1, 1), seed: seed &+ 1)
        output.parameters["weight"] = Tensor.zeros(output.parameters["weight"]!.shape)
    }

    public var parameters: Parameters<Scalar> {
        get {
            var all = Parameters<Scalar>()
            all.merge(norm.parameters.prefixed("norm"))
            all.merge(qkv.parameters.prefixed("qkv"))
            all.merge(output.parameters.prefixed("output"))
            return all
        }
        set {
            norm.parameters = newValue.scoped("norm")
            qkv.parameters = newValue.scoped("qkv")
            output.parameters = newValue.scoped("output")
        }
    }

    public func callAsFunction(_ x: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        let shape = x.shape
        guard shape.count == 4 else {
            throw TensorError.invalidArgument(operation: "SelfAttention2D", message: "input \(shape) must be [N, C, H, W]")
        }
        let (n, c, positions) = (shape[0], shape[1], shape[2] * shape[3])
        let projected = try qkv(norm(x, parameters: p.scoped("norm")), parameters: p.scoped("qkv")).reshaped([n, 3 * c, positions])
        let q = try projected.sliced(axis: 1, 0..<c), k = try projected.sliced(axis: 1, c..<(2 * c))
        let v = try projected.sliced(axis: 1, (2 * c)..<(3 * c))
        let scores = try q.transposed(1, 2).matmul(k) * Scalar(1 / Double(c).squareRoot())
        let attention = try scores.softmax(axis: -1)
        let mixed = try v.matmul(attention.transposed(1, 2)).reshaped(shape)
        return try x + output(mixed, parameters: p.scoped("output"))
    }
}
