import Randomness
import Tensors

/// A vector field v(x, t; population) on ℝᵈ and what conditions it: Meta Flow Matching's
/// population encoder (GraphConv layers on the source population's kNN graph with ReLU between
/// them, mean-pooled over the points and scaled to unit length, as the reference code's GCN
/// encoder), CGFM's learned table of training-population vectors, or nothing (FM).
///
/// The field is an MLP on [x, e(t), c] with e(t) the sinusoidal time embedding and c the
/// population condition; SiLU activations. Float32 weights.
public struct PopulationFlowModel: Sendable {
    public let configuration: PopulationFlowConfiguration
    var encoderLayers: [GraphConv<Float>]
    var conditionTable: Tensor<Float>?
    var field: MLP<Float>
    let timeEmbedding: SinusoidalTimeEmbedding<Float>

    /// A model with weights drawn from streams derived from `seed`.
    public init(_ configuration: PopulationFlowConfiguration, seed: UInt64) throws {
        try configuration.validate()
        self.configuration = configuration
        let c = configuration
        let placeholder = try WeightedGraph(nodeCount: 1, sources: [], targets: [])
        if c.conditioning == .populationEmbedding {
            encoderLayers = (0..<c.encoderLayers).map { l in
                GraphConv(inputSize: l == 0 ? c.dimension : c.encoderWidth, outputSize: c.encoderWidth, graph: placeholder,
                          seed: SplitMix64.derivedSeed(base: seed, index: 100 + l))
            }
        } else {
            encoderLayers = []
        }
        if c.conditioning == .populationIndex {
            var rng = Xoshiro256StarStar(seed: SplitMix64.derivedSeed(base: seed, index: 300))
            conditionTable = try Tensor(shape: [c.trainingPopulations, c.conditionDimension],
                                        scalars: (0..<(c.trainingPopulations * c.conditionDimension)).map { _ in Float(rng.nextNormal()) })
        }
        let widths = [c.dimension + c.timeDimension + c.conditionWidth] + [Int](repeating: c.fieldWidth, count: c.fieldDepth) + [c.dimension]
        field = MLP(widths: widths, activation: .silu, seed: SplitMix64.derivedSeed(base: seed, index: 400))
        timeEmbedding = SinusoidalTimeEmbedding(dimension: c.timeDimension)
    }

    /// All trainable tensors: `encoder.<l>.*`, `conditions`, `field.*`.
    public var parameters: Parameters<Float> {
        get {
            var all = Parameters<Float>()
            for (l, layer) in encoderLayers.enumerated() { all.merge(layer.parameters.prefixed("encoder.\(l)")) }
            if let table = conditionTable { all.merge(Parameters([("conditions", table)])) }
            all.merge(field.parameters.prefixed("field"))
            return all
        }
        set {
            for l in encoderLayers.indices { encoderLayers[l].parameters = newValue.scoped("encoder.\(l)") }
            if conditionTable != nil { conditionTable = newValue["conditions"] }
            field.parameters = newValue.scoped("field")
        }
    }

    /// The populations' conditions `[P, encoderWidth]` (MFM) from their source clouds,
    /// `sources` `[P·N, d]` on the disjoint union of their kNN graphs; `populations` = P.
    func encode(_ sources: Variable<Float>, graph: WeightedGraph, populations: Int, parameters p: ParameterVariables<Float>) throws -> Variable<Float> {
        var h = sources
        for (l, layer) in encoderLayers.enumerated() {
            h = try layer(h, graph: graph, parameters: p.scoped("encoder.\(l)"))
            if l < encoderLayers.count - 1 { h = h.relu() }
        }
        let pooled = try h.reshaped([populations, graph.nodeCount / populations, configuration.encoderWidth]).mean(axis: 1)
        let length = try (pooled.squared().sum(axis: 1, keepDims: true) + 1e-12).sqrt()
        return try pooled / length
    }

    /// CGFM's conditions for training-population indices (`nil` for an unseen population: the
    /// mean of the table's rows).
    func lookUp(_ indices: [Int?], parameters p: ParameterVariables<Float>) throws -> Variable<Float> {
        let table = try p.variable("conditions", layer: "PopulationFlowModel")
        var rows: [Variable<Float>] = []
        for index in indices {
            if let index {
                guard (0..<configuration.trainingPopulations).contains(index) else {
                    throw MetaFlowMatchingError.invalidArgument("CGFM: population index \(index) is outside the \(configuration.trainingPopulations) training populations")
                }
                rows.append(try table.sliced(axis: 0, index..<(index + 1)))
            } else {
                rows.append(try table.mean(axis: 0, keepDims: true))
            }
        }
        return try Variable.concatenate(rows, axis: 0)
    }

    /// The velocity at points `x` `[B, d]` and times `t` `[B]` under conditions `c` `[B, C]` (nil for FM).
    func velocity(_ x: Variable<Float>, times t: Variable<Float>, conditions c: Variable<Float>?, parameters p: ParameterVariables<Float>) throws -> Variable<Float> {
        var inputs = [x, try timeEmbedding(t, parameters: Parameters<Float>().constants)]
        if let c { inputs.append(c) }
        return try field(Variable.concatenate(inputs, axis: 1), parameters: p.scoped("field"))
    }

    /// The condition of one population for inference: its kNN embedding (MFM), its table row or
    /// the table's mean (CGFM, `trainingIndex` nil for an unseen population), or nil (FM).
    public func condition(source: [Double], trainingIndex: Int?) throws -> [Float]? {
        let c = configuration
        switch c.conditioning {
        case .none: return nil
        case .populationIndex: return try lookUp([trainingIndex], parameters: parameters.constants).value.scalars
        case .populationEmbedding:
            let graph = try NearestNeighbourGraph.build(points: source, dimension: c.dimension, neighbours: c.neighbours)
            let x = try Tensor<Float>(shape: [source.count / c.dimension, c.dimension], scalars: source.map { Float($0) })
            return try encode(Variable(x), graph: graph, populations: 1, parameters: parameters.constants).value.scalars
        }
    }

    /// The velocities of `count` points (`count × d` values) at time t under a condition.
    public func velocity(points: [Float], time t: Double, condition: [Float]?) throws -> [Float] {
        try velocity(points: points, time: t, condition: condition, constants: parameters.constants)
    }

    /// The same with the weights already gathered (`parameters.constants`), so that a solver
    /// calling the field many times does not rebuild the parameter list on every call.
    func velocity(points: [Float], time t: Double, condition: [Float]?, constants: ParameterVariables<Float>) throws -> [Float] {
        let d = configuration.dimension, n = points.count / d
        let x = try Tensor<Float>(shape: [n, d], scalars: points)
        let times = Tensor<Float>(shape: [n], repeating: Float(t))
        var c: Variable<Float>? = nil
        if let condition {
            c = Variable(try Tensor<Float>(shape: [1, condition.count], scalars: condition).broadcasted(to: [n, condition.count]))
        }
        return try velocity(Variable(x), times: Variable(times), conditions: c, parameters: constants).value.scalars
    }
}
