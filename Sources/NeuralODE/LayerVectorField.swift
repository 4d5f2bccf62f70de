import Tensors

/// Any ``Tensors`` ``Layer`` as the vector field of a neural ODE: `f(t, y) = network(y)`, or
/// `network([y, t])` with the time appended as one more input feature.
///
/// The network maps a batch `[B, n]` (or `[B, n + 1]` when time-dependent) to `[B, n]`; its
/// parameters keep the names the layer gives them (`"0.weight"`, `"0.bias"`, … for an ``MLP``),
/// in the layer's order, and its own initialisation and seeding. Any composition of the layer
/// library — ``MLP``, a chain of ``Linear`` layers and activations, a ``GraphConv`` stack, a
/// layer of your own — trains through the adjoint or by backpropagation through the solver.
///
///     let network = MLP<Double>(widths: [3, 64, 64, 2], activation: .silu, seed: 7)
///     let field = try LayerVectorField(network, stateDimension: 2, timeDependent: true)
public struct LayerVectorField<Network: Layer>: NeuralVectorField where Network.Scalar == Double {
    /// The network (its parameters are the field's).
    public var network: Network
    public let stateDimension: Int
    /// Whether `t` is an extra input feature (appended as the last column).
    public let isTimeDependent: Bool
    public let parameterNames: [String]

    /// Wraps `network`, checking on a probe batch `[1, n]` (`[1, n + 1]` when time-dependent)
    /// that it returns `[1, n]`.
    ///
    /// - Throws: ``NeuralODEError/invalidArgument(_:)`` for `stateDimension < 1` or a network that
    ///   does not map the state (and time) to the state's shape, naming the shapes.
    public init(_ network: Network, stateDimension: Int, timeDependent: Bool = false) throws {
        guard stateDimension >= 1 else {
            throw NeuralODEError.invalidArgument("LayerVectorField: stateDimension must be >= 1, got \(stateDimension)")
        }
        self.network = network
        self.stateDimension = stateDimension
        isTimeDependent = timeDependent
        parameterNames = network.parameters.names
        let width = stateDimension + (timeDependent ? 1 : 0)
        let output: Tensor<Double>
        do {
            output = try network(Tensor<Double>(shape: [1, width], repeating: 0))
        } catch {
            throw NeuralODEError.invalidArgument(
                "LayerVectorField: the network does not accept a batch of shape [B, \(width)] "
                    + "(state dimension \(stateDimension)\(timeDependent ? " plus time" : "")): \(error)")
        }
        guard output.shape == [1, stateDimension] else {
            throw NeuralODEError.invalidArgument(
                "LayerVectorField: the network maps [1, \(width)] to \(output.shape), not to the state's shape [1, \(stateDimension)]")
        }
    }

    /// The network's parameter tensors in the order of ``parameterNames``.
    public var parameters: [Tensor<Double>] {
        get {
            let all = network.parameters
            return parameterNames.map { all[$0]! }
        }
        set {
            precondition(newValue.count == parameterNames.count,
                         "LayerVectorField: \(newValue.count) parameter tensors given, the network has \(parameterNames.count)")
            network.parameters = Parameters(Array(zip(parameterNames, newValue)))
        }
    }

    public func evaluate(time: Double, state: Variable<Double>, parameters: [Variable<Double>]) throws -> Variable<Double> {
        guard parameters.count == parameterNames.count else {
            throw NeuralODEError.invalidArgument(
                "LayerVectorField: expected \(parameterNames.count) parameter tensors, got \(parameters.count)")
        }
        var x = state
        if isTimeDependent {
            let column = Variable(Tensor<Double>(shape: [state.shape[0], 1], repeating: time))
            x = try Variable.concatenate([x, column], axis: 1)
        }
        return try network(x, parameters: ParameterVariables(Array(zip(parameterNames, parameters))))
    }
}
