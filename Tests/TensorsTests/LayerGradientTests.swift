import Foundation
import Testing
import Tensors

/// Gradient check of a layer with respect to its input and every parameter: the parameters are
/// first replaced by random values (so zero biases and unit scales do not hide mistakes), then
/// the taped gradients of ⟨layer(x), w⟩ are compared with central differences.
func checkLayer<L: Layer>(_ layer: L, input: Tensor<Double>, seed: UInt64 = 100) throws -> GradientCheckResult
where L.Scalar == Double {
    var layer = layer
    var k: UInt64 = 0
    layer.parameters = layer.parameters.mapTensors { _, t in
        k += 1
        return Tensor.randomNormal(shape: t.shape, standardDeviation: 0.7, seed: seed &+ k)
    }
    let names = layer.parameters.names
    let inputs = [input] + names.map { layer.parameters[$0]! }
    return try checkGradients(inputs) { v in
        let p = ParameterVariables(Array(zip(names, v.dropFirst())))
        return try project(layer(v[0], parameters: p))
    }
}

struct LayerCase: Sendable, CustomTestStringConvertible {
    let name: String
    let check: @Sendable () throws -> GradientCheckResult
    var testDescription: String { name }
    init(_ name: String, _ check: @escaping @Sendable () throws -> GradientCheckResult) {
        self.name = name
        self.check = check
    }
}

let ring4 = try! WeightedGraph(nodeCount: 4, sources: [0, 1, 2, 3, 0, 2], targets: [1, 2, 3, 0, 2, 2],
                              weights: [0.5, 2, 1, 1.5, -1, 0.3])

let layerCases: [LayerCase] = [
    LayerCase("Linear [5,3]→[5,4]") { try checkLayer(Linear<Double>(inputSize: 3, outputSize: 4, seed: 1), input: randn([5, 3], 1)) },
    LayerCase("Linear batched [2,5,3], no bias") {
        try checkLayer(Linear<Double>(inputSize: 3, outputSize: 2, bias: false, seed: 2), input: randn([2, 5, 3], 2))
    },
    LayerCase("MLP tanh [3,8,8,2]") {
        try checkLayer(MLP<Double>(widths: [3, 8, 8, 2], activation: .tanh, seed: 3), input: randn([4, 3], 3))
    },
    LayerCase("MLP gelu [2,6,1] activated output") {
        try checkLayer(MLP<Double>(widths: [2, 6, 1], activation: .gelu, activateOutput: true, seed: 4), input: randn([5, 2], 4))
    },
    LayerCase("MLP silu [2,5,3]") { try checkLayer(MLP<Double>(widths: [2, 5, 3], activation: .silu, seed: 5), input: randn([3, 2], 5)) },
    LayerCase("MLP softplus [2,5,3]") {
        try checkLayer(MLP<Double>(widths: [2, 5, 3], activation: .softplus, seed: 6), input: randn([3, 2], 6))
    },
    LayerCase("Conv1D zero pad 1") {
        try checkLayer(Conv1D<Double>(inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, seed: 7), input: randn([2, 2, 6], 7))
    },
    LayerCase("Conv1D circular pad 2") {
        try checkLayer(Conv1D<Double>(inChannels: 2, outChannels: 2, kernelSize: 5, padding: 2, mode: .circular, seed: 8),
                       input: randn([1, 2, 5], 8))
    },
    LayerCase("Conv2D zero pad (1,1)") {
        try checkLayer(Conv2D<Double>(inChannels: 2, outChannels: 3, kernelSize: (3, 3), padding: (1, 1), seed: 9),
                       input: randn([2, 2, 4, 5], 9))
    },
    LayerCase("Conv2D circular pad (1,2), no bias") {
        try checkLayer(Conv2D<Double>(inChannels: 1, outChannels: 2, kernelSize: (3, 5), padding: (1, 2), mode: .circular,
                                      bias: false, seed: 10), input: randn([2, 1, 4, 4], 10))
    },
    LayerCase("GraphConv 4 nodes with root weight") {
        try checkLayer(GraphConv<Double>(inputSize: 3, outputSize: 2, graph: ring4, seed: 11), input: randn([4, 3], 11))
    },
    LayerCase("GraphConv batched [2,4,3], mean-normalised with self-loops, no root") {
        try checkLayer(GraphConv<Double>(inputSize: 3, outputSize: 4, graph: ring4.addingSelfLoops().normalized(.mean),
                                         rootWeight: false, seed: 12), input: randn([2, 4, 3], 12))
    },
    LayerCase("LayerNorm [4,6] over [6]") { try checkLayer(LayerNorm<Double>(shape: [6]), input: randn([4, 6], 13)) },
    LayerCase("LayerNorm [2,3,4] over [3,4]") { try checkLayer(LayerNorm<Double>(shape: [3, 4]), input: randn([2, 3, 4], 14)) },
    LayerCase("SinusoidalTimeEmbedding dim 8 on [5]") {
        try checkLayer(SinusoidalTimeEmbedding<Double>(dimension: 8, maxPeriod: 100), input: positive([5], 15))
    },
    LayerCase("SinusoidalTimeEmbedding dim 6 on [2,3], scale 10") {
        try checkLayer(SinusoidalTimeEmbedding<Double>(dimension: 6, scale: 10), input: positive([2, 3], 16))
    },
    LayerCase("Chain Linear → tanh → LayerNorm → Linear") {
        let chain = Chain<Double>([Linear<Double>(inputSize: 3, outputSize: 5, seed: 17), ActivationLayer<Double>(.tanh),
                                   LayerNorm<Double>(shape: [5]), Linear<Double>(inputSize: 5, outputSize: 2, seed: 18)])
        return try checkLayer(chain, input: randn([4, 3], 17))
    },
]

@Suite struct LayerGradientTests {
    @Test(arguments: layerCases)
    func layerGradientsMatchCentralDifferences(_ c: LayerCase) throws {
        let r = try c.check()
        print("layer gradient check \(c.name): relative error \(r.relativeError), max abs error \(r.maxAbsoluteError), ‖g‖ \(r.numericNorm)")
        #expect(r.relativeError < 1e-6, "\(c.name): relative error \(r.relativeError)")
        #expect(r.numericNorm > 1e-3, "\(c.name): the gradient is (nearly) zero, so the check proves little")
    }

    @Test func parameterNamesAndShapes() {
        let mlp = MLP<Double>(widths: [2, 8, 3], activation: .relu, seed: 1)
        #expect(mlp.parameters.names == ["0.weight", "0.bias", "1.weight", "1.bias"])
        #expect(mlp.parameters.shapes.map { $0.shape } == [[2, 8], [8], [8, 3], [3]])
        #expect(mlp.parameters.scalarCount == 2 * 8 + 8 + 8 * 3 + 3)
        let g = GraphConv<Float>(inputSize: 3, outputSize: 2, graph: ring4, seed: 1)
        #expect(g.parameters.names == ["weight", "root_weight", "bias"])
        #expect(Conv2D<Float>(inChannels: 2, outChannels: 4, kernelSize: (3, 1), seed: 1).parameters.shapes.map { $0.shape } == [[4, 2, 3, 1], [4]])
        #expect(LayerNorm<Float>(shape: [5]).parameters.names == ["scale", "offset"])
        #expect(SinusoidalTimeEmbedding<Float>(dimension: 4).parameters.isEmpty)
    }

    @Test func initialisationIsSeededAndBounded() throws {
        let a = MLP<Float>(widths: [4, 16, 16, 1], activation: .tanh, seed: 42)
        let b = MLP<Float>(widths: [4, 16, 16, 1], activation: .tanh, seed: 42)
        let c = MLP<Float>(widths: [4, 16, 16, 1], activation: .tanh, seed: 43)
        #expect(a.parameters == b.parameters)
        #expect(a.parameters != c.parameters)
        // Layers are seeded independently: the two 16×16 … weights differ.
        #expect(a.layers[0].parameters["weight"]!.scalars.prefix(16) != a.layers[1].parameters["weight"]!.scalars.prefix(16))
        // Xavier bound √(6/(16+16)) for the middle layer; Kaiming √(6/4) for ReLU's first layer.
        let w1 = a.parameters["1.weight"]!.scalars
        #expect(w1.allSatisfy { abs($0) <= (6.0 / 32.0).squareRoot() })
        #expect(w1.map { abs($0) }.max()! > 0.8 * Float((6.0 / 32.0).squareRoot()))
        let r = MLP<Float>(widths: [4, 16], activation: .relu, seed: 1).parameters["0.weight"]!.scalars
        #expect(r.allSatisfy { abs($0) <= Float((6.0 / 4.0).squareRoot()) } && r.map { abs($0) }.max()! > 0.9)
        #expect(a.parameters["0.bias"]! == Tensor.zeros([16]))
    }

    /// y = x·W + b, stated layout W: [in, out].
    @Test func linearIsXTimesWPlusB() throws {
        let layer = try Linear(weight: try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), bias: Tensor([0.5, -0.5, 1]))
        let y = try layer(try Tensor<Double>(shape: [1, 2], scalars: [1, -1]))
        #expect(y == (try Tensor(shape: [1, 3], scalars: [1 - 4 + 0.5, 2 - 5 - 0.5, 3 - 6 + 1])))
    }

    /// Inference on tensors and the taped forward pass agree bit for bit, in Float32 too.
    @Test func inferenceEqualsTapedForward() throws {
        let model = MLP<Float>(widths: [3, 7, 2], activation: .gelu, seed: 5)
        let x = Tensor<Float>.randomNormal(shape: [6, 3], seed: 6)
        let tape = Tape<Float>()
        let taped = try model(tape.variable(x), parameters: model.parameters.bind(to: tape))
        #expect(try model(x) == taped.value)
    }

    @Test func missingParameterIsNamed() throws {
        var layer = Linear<Double>(inputSize: 2, outputSize: 2, seed: 1)
        layer.parameters["weight"] = nil
        do {
            _ = try layer(Tensor<Double>.zeros([1, 2]))
            Issue.record("no error")
        } catch {
            #expect("\(error)".contains("'weight'"), "\(error)")
        }
    }

    @Test func timeEmbeddingValues() throws {
        let e = SinusoidalTimeEmbedding<Double>(dimension: 4, maxPeriod: 100)
        // ω = [1, 100^(−1/2)] = [1, 0.1].
        let y = try e(Tensor([0, 2]))
        #expect(y.shape == [2, 4])
        let expected: [Double] = [0, 0, 1, 1, sin(2), sin(0.2), cos(2), cos(0.2)]
        #expect(try y.maxAbsDifference(Tensor(shape: [2, 4], scalars: expected)) < 1e-15)
    }
}
