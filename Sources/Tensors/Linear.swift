import Randomness

/// A dense affine map on the last axis: **y = x·W + b**, with `W` of shape `[in, out]`
/// (parameter `"weight"`) and `b` of shape `[out]` (parameter `"bias"`, optional).
///
/// The input may have any rank ≥ 2 (`[..., in]`; the leading axes are a batch folded into one
/// gemm). Note the layout: `W` is stored `[in, out]` and applied as `x·W`, which is PyTorch's
/// `x·Wᵀ` with its `[out, in]` weight transposed.
public struct Linear<Scalar: TensorScalar>: Layer {
    public var parameters: Parameters<Scalar>
    public let inputSize: Int
    public let outputSize: Int

    /// A layer with weights drawn by `initialization` (fanIn = in, fanOut = out) from a
    /// xoshiro256** stream seeded with `seed`, and a zero bias.
    public init(inputSize: Int, outputSize: Int, bias: Bool = true,
                initialization: Initialization = .xavierUniform, seed: UInt64) {
        precondition(inputSize > 0 && outputSize > 0, "Tensors: Linear needs positive sizes, got \(inputSize) → \(outputSize)")
        self.inputSize = inputSize
        self.outputSize = outputSize
        parameters = Parameters()
        parameters["weight"] = initialization.draw(shape: [inputSize, outputSize], fanIn: inputSize, fanOut: outputSize, seed: seed)
        if bias { parameters["bias"] = Tensor.zeros([outputSize]) }
    }

    /// A layer with the given weight `[in, out]` and optional bias `[out]`.
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil) throws {
        guard weight.rank == 2 else {
            throw TensorError.invalidArgument(operation: "Linear", message: "the weight must be [in, out], got shape \(weight.shape)")
        }
        if let bias, bias.shape != [weight.shape[1]] {
            throw TensorError.shapeMismatch(operation: "Linear", lhs: weight.shape, rhs: bias.shape,
                                            reason: "the bias must have shape [\(weight.shape[1])]")
        }
        inputSize = weight.shape[0]
        outputSize = weight.shape[1]
        parameters = Parameters()
        parameters["weight"] = weight
        if let bias { parameters["bias"] = bias }
    }

    public func callAsFunction(_ input: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        let y = try input.matmul(p.variable("weight", layer: "Linear"))
        guard let b = p["bias"] else { return y }
        return try y + b
    }
}

/// A multilayer perceptron: `Linear` layers of the given widths with `activation` between them
/// (none after the last). `widths = [in, h₁, …, out]` gives `widths.count − 1` layers, whose
/// parameters are named `"0.weight"`, `"0.bias"`, `"1.weight"`, ….
///
/// Layer `i` is seeded with `SplitMix64.derivedSeed(base: seed, index: i)`, so one run seed
/// determines every weight. The default initialisation follows the activation (Kaiming for
/// ReLU, Xavier otherwise).
public struct MLP<Scalar: TensorScalar>: Layer {
    public var layers: [Linear<Scalar>]
    public let activation: Activation
    /// Whether the activation is also applied after the last layer.
    public let activateOutput: Bool

    public init(widths: [Int], activation: Activation, activateOutput: Bool = false,
                bias: Bool = true, initialization: Initialization? = nil, seed: UInt64) {
        precondition(widths.count >= 2, "Tensors: an MLP needs at least an input and an output width, got \(widths)")
        let initialization = initialization ?? activation.suggestedInitialization
        layers = (0..<(widths.count - 1)).map { i in
            Linear(inputSize: widths[i], outputSize: widths[i + 1], bias: bias, initialization: initialization,
                   seed: SplitMix64.derivedSeed(base: seed, index: i))
        }
        self.activation = activation
        self.activateOutput = activateOutput
    }

    /// The widths `[in, h₁, …, out]`.
    public var widths: [Int] { [layers[0].inputSize] + layers.map(\.outputSize) }

    public var parameters: Parameters<Scalar> {
        get {
            var all = Parameters<Scalar>()
            for (i, layer) in layers.enumerated() { all.merge(layer.parameters.prefixed("\(i)")) }
            return all
        }
        set {
            for i in layers.indices { layers[i].parameters = newValue.scoped("\(i)") }
        }
    }

    public func callAsFunction(_ input: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        var x = input
        for (i, layer) in layers.enumerated() {
            x = try layer(x, parameters: p.scoped("\(i)"))
            if i < layers.count - 1 || activateOutput { x = activation(x) }
        }
        return x
    }
}

/// Layers applied one after another; child `i`'s parameters are named `"\(i).<name>"`.
public struct Chain<Scalar: TensorScalar>: Layer {
    public var layers: [any Layer<Scalar>]

    public init(_ layers: [any Layer<Scalar>]) {
        self.layers = layers
    }

    public var parameters: Parameters<Scalar> {
        get {
            var all = Parameters<Scalar>()
            for (i, layer) in layers.enumerated() { all.merge(layer.parameters.prefixed("\(i)")) }
            return all
        }
        set {
            for i in layers.indices { layers[i].parameters = newValue.scoped("\(i)") }
        }
    }

    public func callAsFunction(_ input: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        var x = input
        for (i, layer) in layers.enumerated() { x = try layer.callAsFunction(x, parameters: p.scoped("\(i)")) }
        return x
    }
}

/// An elementwise activation as a parameter-free layer (for ``Chain``).
public struct ActivationLayer<Scalar: TensorScalar>: Layer {
    public let activation: Activation
    public var parameters = Parameters<Scalar>()
    public init(_ activation: Activation) { self.activation = activation }
    public func callAsFunction(_ input: Variable<Scalar>, parameters _: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        activation(input)
    }
}
