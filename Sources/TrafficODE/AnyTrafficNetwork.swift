import Tensors

/// Any of the traffic networks behind one type (what `traffic-train` trains and the evaluation
/// kinds load), built from a ``TrafficModelConfiguration``.
public struct AnyTrafficNetwork: TrafficNetwork {
    public var base: any TrafficNetwork
    /// Whether `base` forecasts the change from the last observed reading (added back here).
    public let residual: Bool

    public init(_ base: any TrafficNetwork, residual: Bool = false) {
        self.base = base
        self.residual = residual
    }

    /// The network a configuration describes, with weights drawn from `seed`. `graphs` holds the
    /// spatial and semantic graphs by name (GRAM-ODE: one per branch; graph-ode: the sum of the
    /// weights of the graphs its branches name).
    public init(_ configuration: TrafficModelConfiguration, graphs: [String: SensorGraph], seed: UInt64) throws {
        try configuration.validate()
        residual = configuration.residual ?? false
        switch configuration.model {
        case "gram-ode": base = try GRAMODE(configuration, graphs: graphs, seed: seed)
        case "graph-ode":
            var union = [Double](repeating: 0, count: configuration.sensors * configuration.sensors)
            for name in Set(configuration.branches) {
                guard let graph = graphs[name] else { throw TrafficODEError("", "the graph-ode model runs on the \(name) graph, which was not given") }
                guard graph.sensors == configuration.sensors else { throw TrafficODEError("", "the \(name) graph has \(graph.sensors) sensors, the model \(configuration.sensors)") }
                for k in union.indices { union[k] += graph.weights[k] }
            }
            base = try GraphODE(configuration, graph: SensorGraph(sensors: configuration.sensors, weights: union), seed: seed)
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
        let forecast = try base.forecast(history, parameters: parameters, training: training)
        guard residual else { return forecast }
        let steps = history.value.shape[2]
        return try forecast + history.sliced(axis: 2, (steps - 1)..<steps)   // [B, N, H] + [B, N, 1]
    }
}
