import Randomness
import Tensors

/// Graph-based Multi-ODE Neural Networks (GRAM-ODE; Liu, Shojaee, Reddy, TMLR 2023): branches on
/// the spatial and the semantic (DTW) graph, each a stack of ``GRAMODEBlock``s on the z-scored
/// history `[B, N, T, 1]`; the branches' outputs are concatenated per sensor and an attention
/// across sensors with one head per horizon forecasts `[B, N, H]`.
///
/// The ODE blocks are solved by the configured core method (one Euler step per unit time by
/// default, as the reference code) and differentiated through the solver.
public struct GRAMODE: TrafficNetwork {
    public let configuration: TrafficModelConfiguration
    /// Â = 0.4 (I + D^−½ A D^−½) of each graph, by name.
    public let propagation: [String: Tensor<Float>]
    var branches: [[GRAMODEBlock]]
    var head: SensorAttention
    let solver: ODEBlockSolver

    /// - Parameter graphs: the sensor graphs the branches name (`"spatial"`, `"semantic"`).
    public init(_ configuration: TrafficModelConfiguration, graphs: [String: SensorGraph], seed: UInt64) throws {
        try configuration.validate()
        let c = configuration
        var propagation: [String: Tensor<Float>] = [:]
        for name in Set(c.branches) {
            guard let graph = graphs[name] else { throw TrafficODEError("", "GRAM-ODE: a branch runs on the \(name) graph, which was not given") }
            guard graph.sensors == c.sensors else { throw TrafficODEError("", "the \(name) graph has \(graph.sensors) sensors, the model \(c.sensors)") }
            propagation[name] = try Tensor(shape: [c.sensors, c.sensors], scalars: graph.normalizedPropagation().map { Float($0) })
        }
        self.configuration = c
        self.propagation = propagation
        branches = c.branches.indices.map { b in
            (0..<c.blocks).map { k in
                GRAMODEBlock(c, inputWidth: k == 0 ? 1 : c.width, seed: SplitMix64.derivedSeed(base: seed, index: 100 * b + k))
            }
        }
        head = SensorAttention(inputWidth: c.inputLength * c.width * c.branches.count, heads: c.horizon, keyWidth: c.attentionWidth,
                               valueWidth: 1, seed: SplitMix64.derivedSeed(base: seed, index: 9_999))
        solver = try ODEBlockSolver(c)
    }

    public var kind: String { "gram-ode" }
    public var sensors: Int { configuration.sensors }
    public var inputLength: Int { configuration.inputLength }
    public var horizon: Int { configuration.horizon }

    public var parameters: Parameters<Float> {
        get {
            var all = Parameters<Float>()
            for (b, blocks) in branches.enumerated() { for (k, block) in blocks.enumerated() { all.merge(block.parameters.prefixed("branch\(b).block\(k)")) } }
            all.merge(head.parameters.prefixed("head"))
            return all
        }
        set {
            for b in branches.indices { for k in branches[b].indices { branches[b][k].parameters = newValue.scoped("branch\(b).block\(k)") } }
            head.parameters = newValue.scoped("head")
        }
    }

    public func forecast(_ history: Variable<Float>, parameters p: ParameterVariables<Float>, training: Bool) throws -> Variable<Float> {
        let s = history.value.shape
        let x = try history.reshaped([s[0], s[1], s[2], 1])
        var outputs: [Variable<Float>] = []
        for (b, blocks) in branches.enumerated() {
            var h = x
            for (k, block) in blocks.enumerated() {
                h = try block(h, propagation: propagation[configuration.branches[b]]!, solver: solver, parameters: p.scoped("branch\(b).block\(k)"))
            }
            outputs.append(h)
        }
        let joined = try Variable.concatenate(outputs, axis: 3).reshaped([s[0], s[1], s[2] * configuration.width * branches.count])
        return try head(joined, parameters: p.scoped("head"))
    }
}

/// The single-ODE graph baseline (STGODE's simplification): each sensor's history lifted to
/// `width` channels per step, one node ODE on one graph (the sum of the weights of the graphs the
/// configuration's `branches` name: on Los-loop the road graph alone leaves one sensor without a
/// neighbour and the DTW graph alone several, their union none) — f = σ(α)/2 (Â + M) x − x +
/// x W − x + x₀, without the time gate, edges or tokens — over t: 0 → 1, and a linear map of the
/// flattened result to the H forecasts.
public struct GraphODE: TrafficNetwork {
    public let configuration: TrafficModelConfiguration
    public let propagation: Tensor<Float>
    var lift: Linear<Float>
    var readout: Linear<Float>
    var ode: Parameters<Float>
    let solver: ODEBlockSolver

    public init(_ configuration: TrafficModelConfiguration, graph: SensorGraph, seed: UInt64) throws {
        try configuration.validate()
        let c = configuration
        guard graph.sensors == c.sensors else { throw TrafficODEError("", "the graph has \(graph.sensors) sensors, the model \(c.sensors)") }
        self.configuration = c
        propagation = try Tensor(shape: [c.sensors, c.sensors], scalars: graph.normalizedPropagation().map { Float($0) })
        lift = Linear(inputSize: 1, outputSize: c.width, seed: SplitMix64.derivedSeed(base: seed, index: 0))
        readout = Linear(inputSize: c.inputLength * c.width, outputSize: c.horizon, seed: SplitMix64.derivedSeed(base: seed, index: 1))
        var ode = NodeODEFunction.parameters(sensors: c.sensors, width: c.width)
        ode["graph_correction"] = Tensor<Float>(shape: [c.sensors, c.sensors], repeating: 0)
        self.ode = ode
        solver = try ODEBlockSolver(c)
    }

    public var kind: String { "graph-ode" }
    public var sensors: Int { configuration.sensors }
    public var inputLength: Int { configuration.inputLength }
    public var horizon: Int { configuration.horizon }

    public var parameters: Parameters<Float> {
        get {
            var all = lift.parameters.prefixed("lift")
            all.merge(readout.parameters.prefixed("readout"))
            all.merge(ode.prefixed("ode"))
            return all
        }
        set {
            lift.parameters = newValue.scoped("lift")
            readout.parameters = newValue.scoped("readout")
            ode = newValue.scoped("ode")
        }
    }

    static func field(_ x: Variable<Float>, initial x0: Variable<Float>, propagation: Tensor<Float>, parameters q: ParameterVariables<Float>) throws -> Variable<Float> {
        let graph = try Variable(propagation) + q.variable("graph_correction", layer: "graph ODE")
        let a = try NodeODEFunction.propagate(x, graph: graph, alpha: q.variable("alpha", layer: "graph ODE"))
        return try a + x.matmul(NodeODEFunction.channelMap(q)) + x0 - x * 2
    }

    public func forecast(_ history: Variable<Float>, parameters p: ParameterVariables<Float>, training: Bool) throws -> Variable<Float> {
        let s = history.value.shape
        let x = try lift(history.reshaped([s[0], s[1], s[2], 1]), parameters: p.scoped("lift")).tanh()
        let x0 = Variable(x.value), q = p.scoped("ode"), constants = q.values.constants
        let y = try solver.integrate(x, from: 0, to: 1, field: { try Self.field($0, initial: x0, propagation: propagation, parameters: q) },
                                     valueField: { try Self.field($0, initial: x0, propagation: propagation, parameters: constants) })
        return try readout(y.reshaped([s[0], s[1], s[2] * configuration.width]), parameters: p.scoped("readout"))
    }
}
