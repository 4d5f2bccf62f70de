import Tensors

/// Any of the traffic networks behind one type (what `traffic-train` trains and the evaluation
/// kinds load), built from a ``TrafficModelConfiguration``.
public struct AnyTrafficNetwork: TrafficNetwork {
    public var base: any TrafficNetwork

    public init(_ base: any TrafficNetwork) { self.base = base }

    /// The network a configuration describes, with weights drawn from `seed`. `graphs` holds the
    /// spatial and (GRAM-ODE) semantic graphs by name.
    public init(_ configuration: TrafficModelConfiguration, graphs: [String: SensorGraph], seed: UInt64) throws {
        try configuration.validate()
        switch configuration.model {
        case "gram-ode": base = try GRAMODE(configuration, graphs: graphs, seed: seed)
        case "graph-ode":
            guard let spatial = graphs["spatial"] else { throw TrafficODEError("", "the graph-ode model needs the spatial graph") }
            base = try GraphODE(configuration, spatial: spatial, seed: seed)
        default:
            base = GRUEncoderDecoder(sensors: configuration.sensors, inputLength: configuration.inputLength, horizon: configuration.horizon,
                                     width: configuration.width, seed: seed)
        }
    }

    public var kind: String { base.kind }
    public var sensors: Int { base.sensors }
    public var inputLength: Int { base.inputLength }
    public var horizon: Int { base.horizon }
    public var parameters: Parameters<Float> {
        get { base.parameters }
        set { base.parameters = newValue }
    }

    public func forecast(_ history: Variable<Float>, parameters: ParameterVariables<Float>, training: Bool) throws -> Variable<Float> {
        try base.forecast(history, parameters: parameters, training: training)
    }
}
