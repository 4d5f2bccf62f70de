/// A network building block: a small value holding its configuration and its named
/// ``Parameters``, with one forward pass written on ``Variable``s.
///
/// The same forward pass serves training and inference:
///
///     // Training step: parameters become leaves of a fresh tape.
///     let tape = Tape<Float>()
///     let p = model.parameters.bind(to: tape)
///     let loss = try (model(Variable(x), parameters: p) - Variable(y)).squared().mean()
///     let gradients = p.gradients(from: try loss.backward())
///     try optimizer.update(&model.parameters, with: gradients)
///
///     // Inference: plain tensors in and out, nothing recorded.
///     let prediction = try model(x)
///
/// Parameter names are relative to the layer (`"weight"`, `"bias"`); containers such as
/// ``MLP`` and ``Chain`` prefix their children's names with the child's index (`"0.weight"`).
/// Setting ``parameters`` replaces them by name (optimizers and checkpoints do this); a layer
/// whose parameters lack a name it needs throws an error naming it when run.
public protocol Layer<Scalar>: Sendable {
    associatedtype Scalar: TensorScalar
    /// The layer's parameters, named relative to the layer, in a fixed order.
    var parameters: Parameters<Scalar> { get set }
    /// The forward pass, with the parameters supplied as variables (tape leaves or constants).
    func callAsFunction(_ input: Variable<Scalar>, parameters: ParameterVariables<Scalar>) throws -> Variable<Scalar>
}

extension Layer {
    /// Inference on plain tensors with the layer's own parameters (nothing is recorded).
    public func callAsFunction(_ input: Tensor<Scalar>) throws -> Tensor<Scalar> {
        try self(Variable(input), parameters: parameters.constants).value
    }

    /// The forward pass on a variable with the layer's own parameters as constants: gradients
    /// flow to the input only (e.g. ∂f/∂x of a trained vector field).
    public func callAsFunction(_ input: Variable<Scalar>) throws -> Variable<Scalar> {
        try self(input, parameters: parameters.constants)
    }
}

/// Elementwise nonlinearities for ``MLP`` and friends.
public enum Activation: String, Sendable, CaseIterable, Codable {
    case identity, relu, tanh, sigmoid, gelu, silu, softplus

    public func callAsFunction<Scalar>(_ x: Variable<Scalar>) -> Variable<Scalar> {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .tanh: return x.tanh()
        case .sigmoid: return x.sigmoid()
        case .gelu: return x.gelu()
        case .silu: return x.silu()
        case .softplus: return x.softplus()
        }
    }

    public func callAsFunction<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
        self(Variable(x)).value
    }

    /// The initialisation that suits a weight feeding this activation: Kaiming (He) uniform for
    /// ReLU, Glorot/Xavier uniform otherwise.
    public var suggestedInitialization: Initialization {
        self == .relu ? .kaimingUniform : .xavierUniform
    }
}

/// How a layer draws its initial weights (biases start at zero, layer-norm scales at one).
public enum Initialization: Sendable, Equatable {
    /// Glorot/Xavier uniform U(−a, a), a = √(6 / (fanIn + fanOut)) (``Tensor/xavierUniform(shape:fanIn:fanOut:gain:seed:)``).
    case xavierUniform
    /// He/Kaiming uniform U(−b, b), b = √(6 / fanIn) (``Tensor/kaimingUniform(shape:fanIn:negativeSlope:seed:)``).
    case kaimingUniform

    func draw<Scalar: TensorScalar>(shape: [Int], fanIn: Int, fanOut: Int, seed: UInt64) -> Tensor<Scalar> {
        switch self {
        case .xavierUniform: return .xavierUniform(shape: shape, fanIn: fanIn, fanOut: fanOut, seed: seed)
        case .kaimingUniform: return .kaimingUniform(shape: shape, fanIn: fanIn, seed: seed)
        }
    }
}

extension Layer {
    /// One taped evaluation of a scalar loss of this layer: binds the parameters to a fresh
    /// tape, calls `loss(self, parameters)`, back-propagates, and returns the loss value and its
    /// gradient with respect to every parameter (under the parameter names).
    ///
    ///     let (loss, gradients) = try model.valueWithGradients { model, p in
    ///         try (model(Variable(x), parameters: p) - Variable(y)).squared().mean()
    ///     }
    public func valueWithGradients(
        _ loss: (Self, ParameterVariables<Scalar>) throws -> Variable<Scalar>
    ) throws -> (value: Scalar, gradients: Parameters<Scalar>) {
        let tape = Tape<Scalar>()
        let p = parameters.bind(to: tape)
        let output = try loss(self, p)
        guard let value = output.value.scalar, output.value.count == 1 else {
            throw TensorError.invalidArgument(operation: "valueWithGradients",
                                              message: "the loss must be one element, got shape \(output.shape)")
        }
        guard output.isTracked else { return (value, parameters.zeros()) }
        return (value, p.gradients(from: try output.backward()))
    }
}
