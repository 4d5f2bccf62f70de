import Randomness
import Tensors

/// One GRAM-ODE block on `[B, N, T, C_in]` → `[B, N, T, C]`: TCN → multi-ODE → TCN → layer
/// normalisation over (T, C) per sensor (the reference code's BatchNorm2d over sensors; see
/// VALIDATION.md for this and the other stated differences).
///
/// The multi-ODE (the reference code's ODEG) holds three kinds of ODE sharing the learned graph
/// correction M: the global node ODE over the whole window (t: 0 → 1), the edge ODE on dynamic
/// edges (0 → 1), and one local node ODE per temporal token (0 → 3, the states at 1, 2 and 3 kept,
/// so T/3 tokens give back T steps). The local result is clipped to within ±|c| of the global
/// one (the learned message clip); the three are mixed by gated cross-products,
/// z = Σ over the six ordered pairs (a ⊙ σ(b)) / 6, and z' = ReLU(ω₀ σ(x W) + ω₁ z).
struct GRAMODEBlock: Sendable {
    let configuration: TrafficModelConfiguration
    var inputTCN: CausalTemporalConvolution
    var outputTCN: CausalTemporalConvolution
    var tokens: SensorAttention?
    var localMap: Linear<Float>
    var globalMap: Linear<Float>
    var edgeMap: Linear<Float>?
    var inputMap: Linear<Float>
    var ode: Parameters<Float>

    init(_ c: TrafficModelConfiguration, inputWidth: Int, seed: UInt64) {
        configuration = c
        let w = c.width, n = c.sensors, t = c.inputLength
        func seedOf(_ i: Int) -> UInt64 { SplitMix64.derivedSeed(base: seed, index: i) }
        inputTCN = CausalTemporalConvolution(widths: [inputWidth, w, max(1, w / 2), w], seed: seedOf(0))
        outputTCN = CausalTemporalConvolution(widths: [w, w, max(1, w / 2), w], seed: seedOf(1))
        tokens = c.localODEs ? SensorAttention(inputWidth: t * w, heads: 1, keyWidth: c.attentionWidth, valueWidth: (t / 3) * w, seed: seedOf(2)) : nil
        localMap = Linear(inputSize: w, outputSize: w, seed: seedOf(3))
        globalMap = Linear(inputSize: w, outputSize: w, seed: seedOf(4))
        edgeMap = c.edgeODE ? Linear(inputSize: n, outputSize: w, seed: seedOf(5)) : nil
        inputMap = Linear(inputSize: w, outputSize: w, seed: seedOf(6))
        var rng = Xoshiro256StarStar(seed: seedOf(7))
        func normals(_ shape: [Int]) -> Tensor<Float> { try! Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(rng.nextNormal()) }) }
        var ode = Parameters<Float>([("graph_correction", normals([n, n])), ("time_w3", normals([t, t])), ("time_w4", normals([t, t])),
                                     ("token_w3", normals([1, 1])), ("token_w4", normals([1, 1])), ("clip", normals([1])), ("mix", normals([2]))])
        ode.merge(NodeODEFunction.parameters(sensors: n, width: w).prefixed("global"))
        if c.edgeODE { ode.merge(Parameters([("edge.alpha", Tensor<Float>(shape: [n], repeating: 0.8))])) }
        if c.localODEs { for k in 0..<(t / 3) { ode.merge(NodeODEFunction.parameters(sensors: n, width: w).prefixed("local.\(k)")) } }
        self.ode = ode
    }

    var parameters: Parameters<Float> {
        get {
            var all = inputTCN.parameters.prefixed("tcn_in")
            all.merge(outputTCN.parameters.prefixed("tcn_out"))
            if let tokens { all.merge(tokens.parameters.prefixed("tokens")) }
            all.merge(localMap.parameters.prefixed("local_map"))
            all.merge(globalMap.parameters.prefixed("global_map"))
            if let edgeMap { all.merge(edgeMap.parameters.prefixed("edge_map")) }
            all.merge(inputMap.parameters.prefixed("input_map"))
            all.merge(ode.prefixed("ode"))
            return all
        }
        set {
            inputTCN.parameters = newValue.scoped("tcn_in")
            outputTCN.parameters = newValue.scoped("tcn_out")
            tokens?.parameters = newValue.scoped("tokens")
            localMap.parameters = newValue.scoped("local_map")
            globalMap.parameters = newValue.scoped("global_map")
            edgeMap?.parameters = newValue.scoped("edge_map")
            inputMap.parameters = newValue.scoped("input_map")
            ode = newValue.scoped("ode")
        }
    }

    /// The multi-ODE on `[B, N, T, C]` with propagation matrix Â.
    func multiODE(_ x: Variable<Float>, propagation: Tensor<Float>, solver: ODEBlockSolver, parameters p: ParameterVariables<Float>) throws -> Variable<Float> {
        let q = p.scoped("ode"), constants = q.values.constants
        let x0 = Variable(x.value)
        func graph(_ v: ParameterVariables<Float>) throws -> Variable<Float> { try Variable(propagation) + v.variable("graph_correction", layer: "GRAM-ODE") }
        func time(_ v: ParameterVariables<Float>, _ prefix: String) throws -> (Variable<Float>, Variable<Float>) {
            (try v.variable("\(prefix)_w3", layer: "GRAM-ODE"), try v.variable("\(prefix)_w4", layer: "GRAM-ODE"))
        }
        // Global node ODE.
        let global = try solver.integrate(x, from: 0, to: 1, field: {
            try NodeODEFunction.field($0, initial: x0, graph: graph(q), timeWeights: time(q, "time"), parameters: q.scoped("global"))
        }, valueField: {
            try NodeODEFunction.field($0, initial: x0, graph: graph(constants), timeWeights: time(constants, "time"), parameters: constants.scoped("global"))
        })
        var parts = [try globalMap(global, parameters: p.scoped("global_map"))]
        // Local node ODEs on temporal tokens, clipped around the global result.
        if let tokens {
            let s = x.value.shape, count = s[2] / 3
            let compressed = try tokens(x.reshaped([s[0], s[1], s[2] * s[3]]), parameters: p.scoped("tokens")).reshaped([s[0], s[1], count, s[3]])
            var states: [Variable<Float>] = []
            for k in 0..<count {
                var y = try compressed.sliced(axis: 2, k..<(k + 1))
                let y0 = Variable(y.value)
                for t in 0..<3 {
                    y = try solver.integrate(y, from: Double(t), to: Double(t + 1), field: {
                        try NodeODEFunction.field($0, initial: y0, graph: graph(q), timeWeights: time(q, "token"), parameters: q.scoped("local.\(k)"))
                    }, valueField: {
                        try NodeODEFunction.field($0, initial: y0, graph: graph(constants), timeWeights: time(constants, "token"), parameters: constants.scoped("local.\(k)"))
                    })
                    states.append(y)
                }
            }
            let local = try Variable.concatenate(states, axis: 2)
            let radius = try q.variable("clip", layer: "GRAM-ODE").abs()
            let low = try global - radius, high = try global + radius
            let clipped = try low + (local - low).relu() - (local - high).relu()
            parts.append(try localMap(clipped, parameters: p.scoped("local_map")))
        }
        // Edge ODE on dynamic edges, read out per sensor.
        if let edgeMap {
            let e0 = try EdgeODEFunction.edges(of: x)
            let constantEdges = Variable(e0.value)
            let edges = try solver.integrate(e0, from: 0, to: 1, field: {
                try EdgeODEFunction.field($0, initial: constantEdges, graph: graph(q), timeWeights: time(q, "time"), alpha: q.variable("edge.alpha"))
            }, valueField: {
                try EdgeODEFunction.field($0, initial: constantEdges, graph: graph(constants), timeWeights: time(constants, "time"), alpha: constants.variable("edge.alpha"))
            })
            parts.append(try edgeMap(edges.permuted([0, 1, 3, 2]), parameters: p.scoped("edge_map")))   // [B, N, T, N] → [B, N, T, C]
        }
        // Gated cross-products of every ordered pair, then the gated residual of the input.
        var z: Variable<Float>
        if parts.count == 1 {
            z = parts[0]
        } else {
            var terms: [Variable<Float>] = []
            for i in parts.indices { for j in parts.indices where j != i { terms.append(try parts[i] * parts[j].sigmoid()) } }
            z = terms[0]
            for term in terms.dropFirst() { z = try z + term }
            z = z * (1 / Float(terms.count))
        }
        let mix = try q.variable("mix", layer: "GRAM-ODE")
        let gated = try inputMap(x, parameters: p.scoped("input_map")).sigmoid() * mix.sliced(axis: 0, 0..<1)
        return try (gated + z * mix.sliced(axis: 0, 1..<2)).relu()
    }

    func callAsFunction(_ x: Variable<Float>, propagation: Tensor<Float>, solver: ODEBlockSolver, parameters p: ParameterVariables<Float>) throws -> Variable<Float> {
        let h = try inputTCN(x, parameters: p.scoped("tcn_in"))
        let o = try multiODE(h, propagation: propagation, solver: solver, parameters: p)
        let y = try outputTCN(o, parameters: p.scoped("tcn_out"))
        return try y.layerNormalized(normalizedRank: 2)
    }
}
