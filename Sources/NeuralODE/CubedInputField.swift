import Tensors

/// A vector field that applies an MLP to the elementwise cube of the state, `f(y) = MLP(y³)`,
/// as the spiral demo's `ODEFunc` (`self.net(y**3)`).
public struct CubedInputField: NeuralVectorField {
    public var network: MLPVectorField

    public init(network: MLPVectorField) { self.network = network }

    public var stateDimension: Int { network.stateDimension }
    public var parameterNames: [String] { network.parameterNames }
    public var parameters: [Tensor<Double>] {
        get { network.parameters }
        set { network.parameters = newValue }
    }

    public func evaluate(time: Double, state: Variable<Double>, parameters: [Variable<Double>]) throws -> Variable<Double> {
        let cubed = try (state * state) * state
        return try network.evaluate(time: time, state: cubed, parameters: parameters)
    }
}
