/// A 1-D convolution layer (cross-correlation, stride 1, as ``Tensor/conv1d(weight:bias:padding:mode:)``):
/// input `[N, Cin, L]`, parameter `"weight"` `[Cout, Cin, K]`, optional `"bias"` `[Cout]`,
/// output `[N, Cout, L + 2·padding − K + 1]`. With an odd `K`, `padding = (K − 1)/2` keeps the
/// length; `.circular` padding suits periodic grids.
public struct Conv1D<Scalar: TensorScalar>: Layer {
    public var parameters: Parameters<Scalar>
    public let padding: Int
    public let mode: PaddingMode

    /// Weights drawn by `initialization` with fanIn = Cin·K, fanOut = Cout·K from `seed`; zero bias.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, padding: Int = 0, mode: PaddingMode = .zero,
                bias: Bool = true, initialization: Initialization = .xavierUniform, seed: UInt64) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize > 0 && padding >= 0,
                     "Tensors: Conv1D needs positive channels and kernel size and padding ≥ 0")
        self.padding = padding
        self.mode = mode
        parameters = Parameters()
        parameters["weight"] = initialization.draw(shape: [outChannels, inChannels, kernelSize],
                                                   fanIn: inChannels * kernelSize, fanOut: outChannels * kernelSize, seed: seed)
        if bias { parameters["bias"] = Tensor.zeros([outChannels]) }
    }

    public func callAsFunction(_ input: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        try input.conv1d(weight: p.variable("weight", layer: "Conv1D"), bias: p["bias"], padding: padding, mode: mode)
    }
}

/// A 2-D convolution layer (cross-correlation, as ``Tensor/conv2d(weight:bias:padding:stride:mode:)``):
/// input `[N, Cin, H, W]`, parameter `"weight"` `[Cout, Cin, KH, KW]`, optional `"bias"` `[Cout]`,
/// output `[N, Cout, ⌊(H + 2·ph − KH)/sh⌋ + 1, ⌊(W + 2·pw − KW)/sw⌋ + 1]` (stride 2 halves a grid:
/// a U-Net's downsampling).
public struct Conv2D<Scalar: TensorScalar>: Layer {
    public var parameters: Parameters<Scalar>
    public let padding: (height: Int, width: Int)
    public let stride: (height: Int, width: Int)
    public let mode: PaddingMode

    /// Weights drawn by `initialization` with fanIn = Cin·KH·KW, fanOut = Cout·KH·KW from `seed`; zero bias.
    public init(inChannels: Int, outChannels: Int, kernelSize: (height: Int, width: Int),
                padding: (height: Int, width: Int) = (0, 0), stride: (height: Int, width: Int) = (1, 1),
                mode: PaddingMode = .zero, bias: Bool = true, initialization: Initialization = .xavierUniform, seed: UInt64) {
        precondition(inChannels > 0 && outChannels > 0 && kernelSize.height > 0 && kernelSize.width > 0
                     && padding.height >= 0 && padding.width >= 0 && stride.height >= 1 && stride.width >= 1,
                     "Tensors: Conv2D needs positive channels, kernel sizes and strides and padding ≥ 0")
        self.padding = padding
        self.stride = stride
        self.mode = mode
        let area = kernelSize.height * kernelSize.width
        parameters = Parameters()
        parameters["weight"] = initialization.draw(shape: [outChannels, inChannels, kernelSize.height, kernelSize.width],
                                                   fanIn: inChannels * area, fanOut: outChannels * area, seed: seed)
        if bias { parameters["bias"] = Tensor.zeros([outChannels]) }
    }

    public func callAsFunction(_ input: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        try input.conv2d(weight: p.variable("weight", layer: "Conv2D"), bias: p["bias"], padding: padding, stride: stride, mode: mode)
    }
}

/// Layer normalisation over the trailing `shape.count` axes (biased variance, as PyTorch's
/// `LayerNorm`), with a learned elementwise `"scale"` (initially 1) and `"offset"` (initially 0)
/// of that shape unless `affine` is false.
public struct LayerNorm<Scalar: TensorScalar>: Layer {
    public var parameters: Parameters<Scalar>
    public let normalizedShape: [Int]
    public let epsilon: Scalar

    public init(shape: [Int], epsilon: Scalar = 1e-5, affine: Bool = true) {
        precondition(!shape.isEmpty && shape.allSatisfy { $0 > 0 }, "Tensors: LayerNorm needs a non-empty positive shape, got \(shape)")
        normalizedShape = shape
        self.epsilon = epsilon
        parameters = Parameters()
        if affine {
            parameters["scale"] = Tensor.ones(shape)
            parameters["offset"] = Tensor.zeros(shape)
        }
    }

    public func callAsFunction(_ input: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        if let scale = p["scale"] {
            return try input.layerNormalized(scale: scale, offset: p.variable("offset", layer: "LayerNorm"), epsilon: epsilon)
        }
        return try input.layerNormalized(normalizedRank: normalizedShape.count, epsilon: epsilon)
    }
}
