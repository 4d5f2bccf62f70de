/// The residual block of a diffusion U-Net (Ho et al. 2020), conditioned on a time embedding:
///
///     h = conv₃ₓ₃(SiLU(GroupNorm(x)))
///     h = h + Linear(SiLU(e))            (one shift per output channel)
///     h = conv₃ₓ₃(SiLU(GroupNorm(h)))
///     out = h + skip(x)                  (skip: 1×1 convolution when the channel count changes)
///
/// Input `[N, Cin, H, W]` and embedding `[N, E]`; output `[N, Cout, H, W]`. Parameters:
/// `norm1.*`, `conv1.*`, `time.*`, `norm2.*`, `conv2.*` and `skip.*` when `Cin ≠ Cout`.
/// The second convolution starts at zero weights, so a new block is the identity (plus skip).
public struct ResidualBlock<Scalar: TensorScalar>: Sendable {
    public var norm1: GroupNorm<Scalar>
    public var conv1: Conv2D<Scalar>
    public var time: Linear<Scalar>
    public var norm2: GroupNorm<Scalar>
    public var conv2: Conv2D<Scalar>
    public var skip: Conv2D<Scalar>?

    public init(inChannels: Int, outChannels: Int, embeddingSize: Int, groups: Int, seed: UInt64) {
        norm1 = GroupNorm(groups: groups, channels: inChannels)
        conv1 = Conv2D(inChannels: inChannels, outChannels: outChannels, kernelSize: (3, 3), padding: (1, 1), seed: seed)
        time = Linear(inputSize: embeddingSize, outputSize: outChannels, seed: seed &+ 1)
        norm2 = GroupNorm(groups: groups, channels: outChannels)
        conv2 = Conv2D(inChannels: outChannels, outChannels: outChannels, kernelSize: (3, 3), padding: (1, 1), seed: seed &+ 2)
        conv2.parameters["weight"] = Tensor.zeros(conv2.parameters["weight"]!.shape)
        skip = inChannels == outChannels ? nil
            : Conv2D(inChannels: inChannels, outChannels: outChannels, kernelSize: (1, 1), seed: seed &+ 3)
    }

    public var parameters: Parameters<Scalar> {
        get {
            var all = Parameters<Scalar>()
            all.merge(norm1.parameters.prefixed("norm1"))
            all.merge(conv1.parameters.prefixed("conv1"))
            all.merge(time.parameters.prefixed("time"))
            all.merge(norm2.parameters.prefixed("norm2"))
            all.merge(conv2.parameters.prefixed("conv2"))
            if let skip { all.merge(skip.parameters.prefixed("skip")) }
            return all
        }
        set {
            norm1.parameters = newValue.scoped("norm1")
            conv1.parameters = newValue.scoped("conv1")
            time.parameters = newValue.scoped("time")
            norm2.parameters = newValue.scoped("norm2")
            conv2.parameters = newValue.scoped("conv2")
            skip?.parameters = newValue.scoped("skip")
        }
    }

    public func callAsFunction(_ x: Variable<Scalar>, embedding e: Variable<Scalar>,
                               parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        var h = try conv1(norm1(x, parameters: p.scoped("norm1")).silu(), parameters: p.scoped("conv1"))
        let shift = try time(e.silu(), parameters: p.scoped("time"))
        h = try h + shift.reshaped([shift.shape[0], shift.shape[1], 1, 1])
        h = try conv2(norm2(h, parameters: p.scoped("norm2")).silu(), parameters: p.scoped("conv2"))
        return try h + (skip.map { try $0(x, parameters: p.scoped("skip")) } ?? x)
    }
}
