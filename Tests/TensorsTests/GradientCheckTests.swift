import Testing
import Tensors

/// One row of the gradient-check table: inputs and a scalar function of them.
struct GradientCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputs: [Tensor<Double>]
    let f: @Sendable ([Variable<Double>]) throws -> Variable<Double>
    var testDescription: String { name }

    init(_ name: String, _ inputs: [Tensor<Double>], _ f: @escaping @Sendable ([Variable<Double>]) throws -> Variable<Double>) {
        self.name = name
        self.inputs = inputs
        self.f = f
    }
}

/// Every differentiable operation, with shapes that exercise broadcasting, axes, keepDims and
/// the padding modes. Each output is projected onto a fixed random tensor to get a scalar.
let gradientCases: [GradientCase] = [
    // Broadcasting arithmetic.
    GradientCase("add [3,1,4]+[2,1]", [randn([3, 1, 4], 1), randn([2, 1], 2)]) { try project($0[0] + $0[1]) },
    GradientCase("subtract [2,3]-[3]", [randn([2, 3], 3), randn([3], 4)]) { try project($0[0] - $0[1]) },
    GradientCase("multiply [4,1]*[1,5]", [randn([4, 1], 5), randn([1, 5], 6)]) { try project($0[0] * $0[1]) },
    GradientCase("divide [2,3,4]/[4]", [randn([2, 3, 4], 7), positive([4], 8)]) { try project($0[0] / $0[1]) },
    GradientCase("divide scalar-tensor []/[3]", [randn([], 9), positive([3], 10)]) { try project($0[0] / $0[1]) },
    GradientCase("pow [3,4]^[4]", [positive([3, 4], 11), randn([4], 12)]) { try project($0[0].pow($0[1])) },
    GradientCase("scalar arithmetic", [randn([2, 3], 13)]) { x in
        try project((2.5 * x[0] + 1.0) / 3.0 - 0.5 * (1.0 - x[0]) - (-x[0]) * 0.25)
    },
    // Elementwise functions.
    GradientCase("exp", [randn([2, 3], 14)]) { try project($0[0].exp()) },
    GradientCase("log", [positive([2, 3], 15)]) { try project($0[0].log()) },
    GradientCase("sqrt", [positive([2, 3], 16)]) { try project($0[0].sqrt()) },
    GradientCase("pow 3", [randn([2, 3], 17)]) { try project($0[0].pow(3)) },
    GradientCase("pow -1.5", [positive([2, 3], 18)]) { try project($0[0].pow(-1.5)) },
    GradientCase("squared", [randn([2, 3], 19)]) { try project($0[0].squared()) },
    GradientCase("abs", [randn([2, 3], 20)]) { try project($0[0].abs()) },
    GradientCase("tanh", [randn([2, 3], 21)]) { try project($0[0].tanh()) },
    GradientCase("sigmoid", [randn([2, 3], 22) * 3]) { try project($0[0].sigmoid()) },
    GradientCase("relu", [randn([3, 4], 23)]) { try project($0[0].relu()) },
    GradientCase("gelu (erf)", [randn([3, 4], 24) * 2]) { try project($0[0].gelu()) },
    GradientCase("gelu (tanh)", [randn([3, 4], 25) * 2]) { try project($0[0].gelu(approximation: .tanh)) },
    GradientCase("silu", [randn([3, 4], 26) * 2]) { try project($0[0].silu()) },
    GradientCase("softplus", [randn([3, 4], 27) * 4]) { try project($0[0].softplus()) },
    // Reductions.
    GradientCase("sum all", [randn([2, 3], 28)]) { x in try (x[0].sum() * x[0].sum()) },
    GradientCase("sum axes [0,2]", [randn([2, 3, 4], 29)]) { try project($0[0].sum(axes: [0, 2])) },
    GradientCase("sum axis -1 keepDims", [randn([2, 3, 4], 30)]) { try project($0[0].sum(axis: -1, keepDims: true)) },
    GradientCase("mean all", [randn([2, 3], 31)]) { x in try x[0].mean() * x[0].mean() },
    GradientCase("mean axis 1", [randn([2, 3, 4], 32)]) { try project($0[0].mean(axis: 1)) },
    GradientCase("max axis 1 keepDims", [randn([2, 5, 3], 33)]) { try project($0[0].max(axis: 1, keepDims: true)) },
    GradientCase("max axes [0,2]", [randn([3, 2, 4], 34)]) { try project($0[0].max(axes: [0, 2])) },
    GradientCase("max all", [randn([3, 4], 35)]) { x in try x[0].max() * 3.0 },
    // Shapes.
    GradientCase("reshape", [randn([2, 6], 36)]) { try project($0[0].reshaped([3, -1, 2])) },
    GradientCase("transpose", [randn([2, 3, 4], 37)]) { try project($0[0].transposed()) },
    GradientCase("permute [2,0,1]", [randn([2, 3, 4], 38)]) { try project($0[0].permuted([2, 0, 1])) },
    GradientCase("broadcast to [2,3,4]", [randn([3, 1], 39)]) { try project($0[0].broadcasted(to: [2, 3, 4])) },
    GradientCase("concatenate axis 1", [randn([2, 1, 3], 40), randn([2, 3, 3], 41), randn([2, 2, 3], 42)]) {
        try project(Variable.concatenate($0, axis: 1))
    },
    GradientCase("stack axis -1", [randn([2, 3], 43), randn([2, 3], 44)]) { try project(Variable.stack($0, axis: -1)) },
    GradientCase("slice axis 1", [randn([3, 5, 2], 45)]) { try project($0[0].sliced(axis: 1, 1..<4)) },
    // Graph message passing.
    GradientCase("gather axis 0 (repeated)", [randn([4, 3], 46)]) { try project($0[0].gathered(indices: [2, 0, 2, 3, 1, 2], axis: 0)) },
    GradientCase("gather axis 1", [randn([2, 4, 3], 47)]) { try project($0[0].gathered(indices: [3, 3, 0], axis: 1)) },
    GradientCase("scatterAdd axis 0", [randn([5, 2], 48)]) { try project($0[0].scatterAdded(indices: [1, 0, 1, 3, 1], axis: 0, size: 4)) },
    GradientCase("message passing", [randn([4, 3], 49), randn([5, 3], 50)]) { v in
        // Per-edge messages x[src] ⊙ e, summed at the targets, then tanh.
        let messages = try v[0].gathered(indices: [0, 1, 2, 3, 1], axis: 0) * v[1]
        return try project(messages.scatterAdded(indices: [1, 2, 3, 0, 0], axis: 0, size: 4).tanh())
    },
    // Matrix products.
    GradientCase("matmul [3,4]·[4,2]", [randn([3, 4], 51), randn([4, 2], 52)]) { try project($0[0].matmul($0[1])) },
    GradientCase("matmul batched [2,3,4]·[2,4,5]", [randn([2, 3, 4], 53), randn([2, 4, 5], 54)]) { try project($0[0].matmul($0[1])) },
    GradientCase("matmul folded [2,3,4]·[4,5]", [randn([2, 3, 4], 55), randn([4, 5], 56)]) { try project($0[0].matmul($0[1])) },
    GradientCase("matmul broadcast [2,1,3,4]·[3,4,2]", [randn([2, 1, 3, 4], 57), randn([3, 4, 2], 58)]) { try project($0[0].matmul($0[1])) },
    GradientCase("matmul [3,4]·[2,4,5]", [randn([3, 4], 59), randn([2, 4, 5], 60)]) { try project($0[0].matmul($0[1])) },
    // Normalisation.
    GradientCase("softmax axis -1", [randn([3, 5], 61)]) { try project($0[0].softmax()) },
    GradientCase("softmax axis 0 (strided)", [randn([4, 2, 3], 62)]) { try project($0[0].softmax(axis: 0)) },
    GradientCase("logSoftmax axis 1", [randn([2, 4, 3], 63)]) { try project($0[0].logSoftmax(axis: 1)) },
    GradientCase("layerNorm affine [4,5]", [randn([4, 5], 64), randn([5], 65), randn([5], 66)]) {
        try project($0[0].layerNormalized(scale: $0[1], offset: $0[2]))
    },
    GradientCase("layerNorm affine 2 axes [2,3,4]", [randn([2, 3, 4], 67), randn([3, 4], 68), randn([3, 4], 69)]) {
        try project($0[0].layerNormalized(scale: $0[1], offset: $0[2]))
    },
    GradientCase("layerNorm plain", [randn([3, 6], 70)]) { try project($0[0].layerNormalized()) },
    // Convolutions.
    GradientCase("conv1d zero pad 1 + bias", [randn([2, 2, 6], 71), randn([3, 2, 3], 72), randn([3], 73)]) {
        try project($0[0].conv1d(weight: $0[1], bias: $0[2], padding: 1, mode: .zero))
    },
    GradientCase("conv1d circular pad 2", [randn([2, 2, 5], 74), randn([2, 2, 4], 75)]) {
        try project($0[0].conv1d(weight: $0[1], padding: 2, mode: .circular))
    },
    GradientCase("conv2d zero pad (1,1) + bias", [randn([2, 2, 4, 5], 76), randn([3, 2, 3, 3], 77), randn([3], 78)]) {
        try project($0[0].conv2d(weight: $0[1], bias: $0[2], padding: (1, 1), mode: .zero))
    },
    GradientCase("conv2d circular pad (1,2)", [randn([1, 2, 4, 4], 79), randn([2, 2, 3, 3], 80), randn([2], 81)]) {
        try project($0[0].conv2d(weight: $0[1], bias: $0[2], padding: (1, 2), mode: .circular))
    },
    GradientCase("conv2d valid", [randn([2, 1, 4, 4], 82), randn([2, 1, 2, 3], 83)]) {
        try project($0[0].conv2d(weight: $0[1]))
    },
    // Dropout (fixed seed ⇒ fixed mask ⇒ a linear map).
    GradientCase("dropout p=0.3", [randn([4, 5], 84)]) { try project($0[0].dropout(probability: 0.3, seed: 9)) },
    // Compositions with reused nodes.
    GradientCase("MLP softmax cross-entropy", [randn([4, 3], 85), randn([3, 5], 86), randn([5], 87), randn([5, 2], 88)]) { v in
        let hidden = try (v[0].matmul(v[1]) + v[2]).tanh()
        let logits = try hidden.matmul(v[3])
        let target = Variable(try Tensor<Double>(shape: [4, 2], scalars: [1, 0, 0, 1, 1, 0, 0, 1]))
        return try -(logits.logSoftmax() * target).sum() / 4.0
    },
    GradientCase("reused node", [randn([2, 3], 89)]) { v in
        let a = v[0].sigmoid()
        return try project(a * a + a.exp() * v[0])
    },
]

@Suite struct GradientCheckTests {
    @Test(arguments: gradientCases)
    func vjpMatchesCentralDifferences(_ c: GradientCase) throws {
        let r = try checkGradients(c.inputs, c.f)
        print("gradient check \(c.name): relative error \(r.relativeError), max abs error \(r.maxAbsoluteError), ‖g‖ \(r.numericNorm)")
        #expect(r.relativeError < 1e-6, "\(c.name): relative error \(r.relativeError)")
        #expect(r.numericNorm > 1e-3, "\(c.name): the gradient is (nearly) zero, so the check proves little")
    }

    /// The checker itself must be able to fail: a deliberately wrong VJP (2× too large) is caught.
    @Test func checkerCatchesAWrongVJP() throws {
        let r = try checkGradients([randn([3], 90)]) { v in
            let x = v[0]
            let y = Variable.recording("broken square", value: x.value.squared(), inputs: [x]) { g, _ in
                [try g * x.value * 4]   // the true VJP is g·2x
            }
            return y.sum()
        }
        #expect(r.relativeError > 0.3)
    }
}
