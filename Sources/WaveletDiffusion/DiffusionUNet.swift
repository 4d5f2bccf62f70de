import Tensors

/// The size of a ``DiffusionUNet``: the paper's is width 128, multipliers `[1, 2, 4, 8]`, two
/// residual blocks per level, GroupNorm with one group; the defaults here are reduced to train on
/// two CPU cores in about an hour.
public struct DiffusionUNetConfiguration: Sendable, Equatable, Codable {
    /// Input and output channels.
    public var channels: Int
    /// Feature channels of the first level.
    public var width: Int
    /// Channel multipliers of the levels (each level after the first halves the grid).
    public var multipliers: [Int]
    /// Residual blocks per level on the way down (and up).
    public var blocksPerLevel: Int
    /// Groups of every GroupNorm (must divide every level's channel count).
    public var groups: Int
    /// Self-attention between the two middle blocks (on the coarsest grid).
    public var middleAttention: Bool

    public init(channels: Int = WaveletChannels.channelCount, width: Int = 32, multipliers: [Int] = [1, 2, 4],
                blocksPerLevel: Int = 1, groups: Int = 1, middleAttention: Bool = true) {
        self.channels = channels
        self.width = width
        self.multipliers = multipliers
        self.blocksPerLevel = blocksPerLevel
        self.groups = groups
        self.middleAttention = middleAttention
    }

    /// Size of the time embedding, `4 · width`.
    public var embeddingSize: Int { 4 * width }

    /// Checks the sizes (and that `height × width` inputs halve cleanly at every level).
    public func validate(height: Int, width inputWidth: Int) throws {
        guard channels >= 1, width >= 1, !multipliers.isEmpty, multipliers.allSatisfy({ $0 >= 1 }), blocksPerLevel >= 1, groups >= 1,
              multipliers.allSatisfy({ (width * $0) % groups == 0 }), width % groups == 0, width % 2 == 0 else {
            throw WaveletDiffusionError.invalidArgument(
                "U-Net: width \(width), multipliers \(multipliers), blocks \(blocksPerLevel), groups \(groups) do not fit "
                    + "(groups must divide every level's channels; the width must be even)")
        }
        let factor = 1 << (multipliers.count - 1)
        guard height % factor == 0, inputWidth % factor == 0 else {
            throw WaveletDiffusionError.invalidShape("U-Net: inputs \(height) x \(inputWidth) do not halve \(multipliers.count - 1) times")
        }
    }
}

/// The noise-prediction network of a diffusion model on images `[N, C, H, W]` (Ho et al. 2020,
/// as in the Wavelet Diffusion Neural Operator): a sinusoidal embedding of the diffusion step
/// through a two-layer MLP conditions every ``ResidualBlock``; the encoder halves the grid by
/// stride-2 convolutions, the decoder doubles it by nearest upsampling and a convolution and
/// concatenates the encoder's features of the same level; ``SelfAttention2D`` sits in the middle;
/// the output convolution starts at zero (a new network predicts ε̂ = 0).
///
/// Parameters: `embedding.0/1`, `input`, `down.L.B`, `downsample.L`, `middle.0`, `middle.attention`,
/// `middle.1`, `up.L.B`, `upsample.L`, `output.norm`, `output.conv`.
public struct DiffusionUNet<Scalar: TensorScalar>: Sendable {
    public let configuration: DiffusionUNetConfiguration
    var timeEmbedding: SinusoidalTimeEmbedding<Scalar>
    var embedding0, embedding1: Linear<Scalar>
    var input: Conv2D<Scalar>
    var down: [[ResidualBlock<Scalar>]]
    var downsample: [Conv2D<Scalar>]
    var middle0, middle1: ResidualBlock<Scalar>
    var attention: SelfAttention2D<Scalar>?
    var up: [[ResidualBlock<Scalar>]]
    var upsample: [Conv2D<Scalar>]
    var outputNorm: GroupNorm<Scalar>
    var output: Conv2D<Scalar>

    public init(_ c: DiffusionUNetConfiguration, seed: UInt64) {
        configuration = c
        var next = seed
        func take() -> UInt64 { next = next &* 6364136223846793005 &+ 1442695040888963407; return next }
        let e = c.embeddingSize
        timeEmbedding = SinusoidalTimeEmbedding(dimension: c.width)
        embedding0 = Linear(inputSize: c.width, outputSize: e, seed: take())
        embedding1 = Linear(inputSize: e, outputSize: e, seed: take())
        input = Conv2D(inChannels: c.channels, outChannels: c.width, kernelSize: (3, 3), padding: (1, 1), seed: take())
        let levelChannels = c.multipliers.map { $0 * c.width }
        var channels = c.width
        down = []
        downsample = []
        for (level, out) in levelChannels.enumerated() {
            var blocks: [ResidualBlock<Scalar>] = []
            for _ in 0..<c.blocksPerLevel {
                blocks.append(ResidualBlock(inChannels: channels, outChannels: out, embeddingSize: e, groups: c.groups, seed: take()))
                channels = out
            }
            down.append(blocks)
            if level < levelChannels.count - 1 {
                downsample.append(Conv2D(inChannels: out, outChannels: out, kernelSize: (3, 3), padding: (1, 1), stride: (2, 2), seed: take()))
            }
        }
        middle0 = ResidualBlock(inChannels: channels, outChannels: channels, embeddingSize: e, groups: c.groups, seed: take())
        attention = c.middleAttention ? SelfAttention2D(channels: channels, groups: c.groups, seed: take()) : nil
        middle1 = ResidualBlock(inChannels: channels, outChannels: channels, embeddingSize: e, groups: c.groups, seed: take())
        up = []
        upsample = []
        for (level, out) in levelChannels.enumerated().reversed() {
            var blocks: [ResidualBlock<Scalar>] = []
            for b in 0..<c.blocksPerLevel {
                // The first block of a level takes the skip of the same level concatenated.
                let incoming = b == 0 ? channels + out : channels
                blocks.append(ResidualBlock(inChannels: incoming, outChannels: out, embeddingSize: e, groups: c.groups, seed: take()))
                channels = out
            }
            up.append(blocks)
            if level > 0 {
                upsample.append(Conv2D(inChannels: out, outChannels: out, kernelSize: (3, 3), padding: (1, 1), seed: take()))
            }
        }
        outputNorm = GroupNorm(groups: c.groups, channels: channels)
        output = Conv2D(inChannels: channels, outChannels: c.channels, kernelSize: (3, 3), padding: (1, 1), seed: take())
        output.parameters["weight"] = Tensor.zeros(output.parameters["weight"]!.shape)
    }

    public var parameters: Parameters<Scalar> {
        get {
            var all = Parameters<Scalar>()
            all.merge(embedding0.parameters.prefixed("embedding.0"))
            all.merge(embedding1.parameters.prefixed("embedding.1"))
            all.merge(input.parameters.prefixed("input"))
            for (l, blocks) in down.enumerated() { for (b, block) in blocks.enumerated() { all.merge(block.parameters.prefixed("down.\(l).\(b)")) } }
            for (l, conv) in downsample.enumerated() { all.merge(conv.parameters.prefixed("downsample.\(l)")) }
            all.merge(middle0.parameters.prefixed("middle.0"))
            if let attention { all.merge(attention.parameters.prefixed("middle.attention")) }
            all.merge(middle1.parameters.prefixed("middle.1"))
            for (l, blocks) in up.enumerated() { for (b, block) in blocks.enumerated() { all.merge(block.parameters.prefixed("up.\(l).\(b)")) } }
            for (l, conv) in upsample.enumerated() { all.merge(conv.parameters.prefixed("upsample.\(l)")) }
            all.merge(outputNorm.parameters.prefixed("output.norm"))
            all.merge(output.parameters.prefixed("output.conv"))
            return all
        }
        set {
            embedding0.parameters = newValue.scoped("embedding.0")
            embedding1.parameters = newValue.scoped("embedding.1")
            input.parameters = newValue.scoped("input")
            for l in down.indices { for b in down[l].indices { down[l][b].parameters = newValue.scoped("down.\(l).\(b)") } }
            for l in downsample.indices { downsample[l].parameters = newValue.scoped("downsample.\(l)") }
            middle0.parameters = newValue.scoped("middle.0")
            attention?.parameters = newValue.scoped("middle.attention")
            middle1.parameters = newValue.scoped("middle.1")
            for l in up.indices { for b in up[l].indices { up[l][b].parameters = newValue.scoped("up.\(l).\(b)") } }
            for l in upsample.indices { upsample[l].parameters = newValue.scoped("upsample.\(l)") }
            outputNorm.parameters = newValue.scoped("output.norm")
            output.parameters = newValue.scoped("output.conv")
        }
    }

    /// ε̂ for the noisy images `x` (`[N, C, H, W]`) at diffusion steps `step` (`[N]`, the step
    /// index of the 1000-step schedule, any real value).
    public func callAsFunction(_ x: Variable<Scalar>, step: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        let e = try embedding1(embedding0(timeEmbedding(step, parameters: p), parameters: p.scoped("embedding.0")).silu(),
                               parameters: p.scoped("embedding.1"))
        var h = try input(x, parameters: p.scoped("input"))
        var skips: [Variable<Scalar>] = []
        for (l, blocks) in down.enumerated() {
            for (b, block) in blocks.enumerated() { h = try block(h, embedding: e, parameters: p.scoped("down.\(l).\(b)")) }
            skips.append(h)
            if l < downsample.count { h = try downsample[l](h, parameters: p.scoped("downsample.\(l)")) }
        }
        h = try middle0(h, embedding: e, parameters: p.scoped("middle.0"))
        if let attention { h = try attention(h, parameters: p.scoped("middle.attention")) }
        h = try middle1(h, embedding: e, parameters: p.scoped("middle.1"))
        for (l, blocks) in up.enumerated() {
            h = try Variable.concatenate([h, skips.removeLast()], axis: 1)
            for (b, block) in blocks.enumerated() { h = try block(h, embedding: e, parameters: p.scoped("up.\(l).\(b)")) }
            if l < upsample.count { h = try upsample[l](h.upsampledNearest(factor: 2), parameters: p.scoped("upsample.\(l)")) }
        }
        return try output(outputNorm(h, parameters: p.scoped("output.norm")).silu(), parameters: p.scoped("output.conv"))
    }
}
