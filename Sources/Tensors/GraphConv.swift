import Randomness

/// A directed graph with weighted edges, stored as edge lists (a sparse weighted adjacency):
/// edge `e` carries weight `weights[e]` from node `sources[e]` to node `targets[e]`.
/// Repeated edges add up; self-loops are allowed.
public struct WeightedGraph: Sendable, Equatable {
    public let nodeCount: Int
    public let sources: [Int]
    public let targets: [Int]
    public let weights: [Double]

    /// Throws when the lists differ in length or an index is outside `0..<nodeCount`.
    /// Without `weights`, every edge has weight 1.
    public init(nodeCount: Int, sources: [Int], targets: [Int], weights: [Double]? = nil) throws {
        let weights = weights ?? [Double](repeating: 1, count: sources.count)
        guard nodeCount >= 0 else {
            throw TensorError.invalidArgument(operation: "WeightedGraph", message: "negative node count \(nodeCount)")
        }
        guard sources.count == targets.count, weights.count == sources.count else {
            throw TensorError.shapeMismatch(operation: "WeightedGraph", lhs: [sources.count, targets.count], rhs: [weights.count],
                                            reason: "sources, targets and weights must have one entry per edge")
        }
        for (e, (s, t)) in zip(sources, targets).enumerated() where !(0..<nodeCount).contains(s) || !(0..<nodeCount).contains(t) {
            throw TensorError.indexOutOfRange(operation: "WeightedGraph (edge \(e): \(s) → \(t))",
                                              index: (0..<nodeCount).contains(s) ? t : s, bound: nodeCount, shape: [nodeCount])
        }
        self.nodeCount = nodeCount
        self.sources = sources
        self.targets = targets
        self.weights = weights
    }

    /// A graph from `(source, target, weight)` triples.
    public init(nodeCount: Int, edges: [(source: Int, target: Int, weight: Double)]) throws {
        try self.init(nodeCount: nodeCount, sources: edges.map(\.source), targets: edges.map(\.target), weights: edges.map(\.weight))
    }

    public var edgeCount: Int { sources.count }

    /// Weighted in-degrees: dᵢ = Σ of the weights of the edges into node i.
    public var inDegrees: [Double] {
        var d = [Double](repeating: 0, count: nodeCount)
        for (t, w) in zip(targets, weights) { d[t] += w }
        return d
    }

    /// The graph with an edge i → i of weight `weight` added for every node (after the others).
    public func addingSelfLoops(weight: Double = 1) -> WeightedGraph {
        try! WeightedGraph(nodeCount: nodeCount, sources: sources + Array(0..<nodeCount),
                           targets: targets + Array(0..<nodeCount),
                           weights: weights + [Double](repeating: weight, count: nodeCount))
    }

    /// How ``normalized(_:)`` rescales edge weights.
    public enum Normalization: Sendable {
        /// wₑ / d(target): each node averages its incoming messages (random-walk normalisation).
        case mean
        /// wₑ / √(d(source)·d(target)) with weighted in-degrees d, as GCN's D^−½ A D^−½
        /// (Kipf & Welling 2017; for an undirected graph in- and out-degrees agree).
        case symmetric
    }

    /// The same edges with normalised weights (edges at a node of degree 0 get weight 0).
    public func normalized(_ scheme: Normalization) -> WeightedGraph {
        let d = inDegrees
        func inv(_ x: Double) -> Double { x == 0 ? 0 : 1 / x }
        let w: [Double] = weights.indices.map { e in
            switch scheme {
            case .mean: return weights[e] * inv(d[targets[e]])
            case .symmetric: return weights[e] * inv((d[sources[e]] * d[targets[e]]).squareRoot())
            }
        }
        return try! WeightedGraph(nodeCount: nodeCount, sources: sources, targets: targets, weights: w)
    }

    /// The graph with node `i` renamed `permutation[i]` (edges keep their order and weights).
    public func relabeled(_ permutation: [Int]) throws -> WeightedGraph {
        guard permutation.count == nodeCount, Set(permutation) == Set(0..<nodeCount) else {
            throw TensorError.invalidArgument(operation: "WeightedGraph.relabeled",
                                              message: "\(permutation) is not a permutation of 0..<\(nodeCount)")
        }
        return try WeightedGraph(nodeCount: nodeCount, sources: sources.map { permutation[$0] },
                                 targets: targets.map { permutation[$0] }, weights: weights)
    }
}

/// A graph convolution (Morris et al. 2019, "GraphConv"): messages along the weighted edges,
/// summed at each target, then a linear map, plus a linear map of the node's own features:
///
///     hᵢ = Σ_{e: target(e) = i} wₑ · x_{source(e)}          (gather + scatter-add)
///     yᵢ = hᵢ·W + xᵢ·W_root + b
///
/// Node features are `[N, Fin]` or batched `[..., N, Fin]` (nodes on the second-to-last axis);
/// the output is `[..., N, Fout]`. Parameters: `"weight"` `[Fin, Fout]` (the neighbour map),
/// `"root_weight"` `[Fin, Fout]` (omitted with `rootWeight: false`), `"bias"` `[Fout]`.
/// Normalise the adjacency first (``WeightedGraph/normalized(_:)``) for GCN-style averaging.
/// Accumulation is serial in edge order, so results are deterministic.
public struct GraphConv<Scalar: TensorScalar>: Layer {
    public var parameters: Parameters<Scalar>
    /// The graph used by the single-input forward pass; other graphs can be passed explicitly.
    public var graph: WeightedGraph
    public let inputSize: Int
    public let outputSize: Int

    /// Weights drawn by `initialization` (fanIn = Fin, fanOut = Fout) from streams derived from
    /// `seed` (`"weight"`: index 0, `"root_weight"`: index 1); zero bias.
    public init(inputSize: Int, outputSize: Int, graph: WeightedGraph, rootWeight: Bool = true, bias: Bool = true,
                initialization: Initialization = .xavierUniform, seed: UInt64) {
        precondition(inputSize > 0 && outputSize > 0, "Tensors: GraphConv needs positive sizes")
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.graph = graph
        parameters = Parameters()
        parameters["weight"] = initialization.draw(shape: [inputSize, outputSize], fanIn: inputSize, fanOut: outputSize,
                                                   seed: derivedSeed(seed, 0))
        if rootWeight {
            parameters["root_weight"] = initialization.draw(shape: [inputSize, outputSize], fanIn: inputSize, fanOut: outputSize,
                                                            seed: derivedSeed(seed, 1))
        }
        if bias { parameters["bias"] = Tensor.zeros([outputSize]) }
    }

    public func callAsFunction(_ input: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        try self(input, graph: graph, parameters: p)
    }

    /// The forward pass on another graph with the same parameters.
    public func callAsFunction(_ x: Variable<Scalar>, graph: WeightedGraph, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        guard x.rank >= 2, x.shape[x.rank - 2] == graph.nodeCount else {
            throw TensorError.shapeMismatch(operation: "GraphConv", lhs: x.shape, rhs: [graph.nodeCount],
                                            reason: "node features must be [..., N, F] with N = \(graph.nodeCount) nodes")
        }
        let w = try Tensor<Scalar>(shape: [graph.edgeCount, 1], scalars: graph.weights.map { Scalar($0) })
        let messages = try x.gathered(indices: graph.sources, axis: -2) * Variable(w)
        let aggregated = try messages.scatterAdded(indices: graph.targets, axis: -2, size: graph.nodeCount)
        var y = try aggregated.matmul(p.variable("weight", layer: "GraphConv"))
        if let root = p["root_weight"] { y = try y + x.matmul(root) }
        if let b = p["bias"] { y = try y + b }
        return y
    }

    /// Inference on another graph.
    public func callAsFunction(_ x: Tensor<Scalar>, graph: WeightedGraph) throws -> Tensor<Scalar> {
        try self(Variable(x), graph: graph, parameters: parameters.constants).value
    }
}

@inline(__always) func derivedSeed(_ base: UInt64, _ index: Int) -> UInt64 {
    SplitMix64.derivedSeed(base: base, index: index)
}
