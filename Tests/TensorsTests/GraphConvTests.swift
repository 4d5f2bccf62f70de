import Testing
import Tensors

@Suite struct GraphConvTests {
    /// Edges (source → target, weight): 0→1 (0.5), 1→2 (2), 2→3 (1), 3→0 (1.5), 0→2 (−1).
    let graph = try! WeightedGraph(nodeCount: 4, edges: [(0, 1, 0.5), (1, 2, 2), (2, 3, 1), (3, 0, 1.5), (0, 2, -1)])

    func layer() throws -> GraphConv<Double> {
        var layer = GraphConv<Double>(inputSize: 2, outputSize: 2, graph: graph, seed: 1)
        layer.parameters["weight"] = try Tensor(shape: [2, 2], scalars: [1, 1, 0, 2])       // [a, b] ↦ [a, a + 2b]
        layer.parameters["root_weight"] = try Tensor(shape: [2, 2], scalars: [0, 1, 1, 0])  // [a, b] ↦ [b, a]
        layer.parameters["bias"] = Tensor([0.1, -0.1])
        return layer
    }

    /// By hand, with x = [[1,2],[3,4],[5,6],[7,8]]:
    /// h₀ = 1.5·x₃ = [10.5, 12], h₁ = 0.5·x₀ = [0.5, 1], h₂ = 2·x₁ − x₀ = [5, 6], h₃ = x₂ = [5, 6];
    /// hW = [10.5, 34.5], [0.5, 2.5], [5, 17], [5, 17]; x·W_root = [2,1], [4,3], [6,5], [8,7];
    /// y = hW + x·W_root + [0.1, −0.1].
    @Test func fourNodeGraphMatchesHandComputation() throws {
        let x = try Tensor<Double>(shape: [4, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
        let y = try layer()(x)
        let expected = try Tensor<Double>(shape: [4, 2], scalars: [12.6, 35.4, 4.6, 5.4, 11.1, 21.9, 13.1, 23.9])
        #expect(try y.maxAbsDifference(expected) < 1e-13, "\(y)")
        // Batched input gives the same per-graph result.
        let batched = try layer()(Tensor.stack([x, x * 2], axis: 0))
        #expect(try batched.sliced(axis: 0, 0..<1).reshaped([4, 2]).maxAbsDifference(expected) < 1e-13)
        // Without the root term only the aggregated messages remain.
        var neighbourOnly = GraphConv<Double>(inputSize: 2, outputSize: 2, graph: graph, rootWeight: false, bias: false, seed: 2)
        neighbourOnly.parameters["weight"] = try layer().parameters["weight"]
        #expect(try neighbourOnly(x) == Tensor(shape: [4, 2], scalars: [10.5, 34.5, 0.5, 2.5, 5, 17, 5, 17]))
    }

    /// Relabelling the nodes by π (node i becomes π(i)) permutes the output rows the same way.
    @Test func permutingNodeLabelsPermutesOutputs() throws {
        let model = GraphConv<Double>(inputSize: 3, outputSize: 5, graph: ring4, seed: 3)
        let x = randn([4, 3], 4)
        let y = try model(x)
        for pi in [[2, 0, 3, 1], [3, 2, 1, 0], [1, 2, 3, 0]] {
            var inverse = [Int](repeating: 0, count: 4)
            for (i, p) in pi.enumerated() { inverse[p] = i }
            let graph = try ring4.relabeled(pi)
            let yPermuted = try model(x.gathered(indices: inverse, axis: 0), graph: graph)
            #expect(try yPermuted.maxAbsDifference(y.gathered(indices: inverse, axis: 0)) < 1e-13, "π = \(pi)")
            // A non-equivariant check must be able to fail: the unpermuted graph gives another result.
            #expect(try model(x.gathered(indices: inverse, axis: 0)).maxAbsDifference(y.gathered(indices: inverse, axis: 0)) > 1e-3)
        }
    }

    @Test func normalisations() throws {
        // Undirected path 0 – 1 – 2: in-degrees [1, 2, 1].
        let path = try WeightedGraph(nodeCount: 3, sources: [0, 1, 1, 2], targets: [1, 0, 2, 1])
        #expect(path.inDegrees == [1, 2, 1])
        let s = path.normalized(.symmetric).weights
        #expect(s.allSatisfy { abs($0 - 1 / 2.0.squareRoot()) < 1e-15 })
        #expect(path.normalized(.mean).weights == [0.5, 1, 1, 0.5])
        #expect(path.addingSelfLoops().edgeCount == 7)
    }

    @Test func badGraphsAndFeaturesThrow() throws {
        #expect(throws: TensorError.self) { try WeightedGraph(nodeCount: 3, sources: [0, 3], targets: [1, 1]) }
        #expect(throws: TensorError.self) { try WeightedGraph(nodeCount: 3, sources: [0], targets: [1], weights: [1, 2]) }
        let model = GraphConv<Double>(inputSize: 2, outputSize: 2, graph: graph, seed: 1)
        #expect(throws: TensorError.self) { try model(Tensor<Double>.zeros([5, 2])) }
    }
}
