import Foundation
import Tensors
import Testing

/// The pieces of a diffusion U-Net: strided convolution, group normalisation, nearest upsampling,
/// the time-conditioned residual block and self-attention — values against direct definitions,
/// gradients against central differences, Float32 against Float64.
@Suite struct UNetBlockTests {
    /// A layer's parameters (made non-trivial) followed by the extra inputs, as gradient-check inputs.
    static func perturbed(_ p: Parameters<Double>, seed: UInt64) throws -> [(String, Tensor<Double>)] {
        try p.names.enumerated().map { i, name in (name, try p[name]! + randn(p[name]!.shape, seed &+ UInt64(i)) * 0.3) }
    }

    @Test func stridedConvolutionMatchesItsDefinition() throws {
        let x = randn([2, 3, 7, 6], 1), w = randn([4, 3, 3, 3], 2), b = randn([4], 3)
        let y = try x.conv2d(weight: w, bias: b, padding: (1, 1), stride: (2, 2))
        #expect(y.shape == [2, 4, 4, 3])
        for n in 0..<2 { for o in 0..<4 { for i in 0..<4 { for j in 0..<3 {
            var sum = b[flat: o]
            for c in 0..<3 { for di in 0..<3 { for dj in 0..<3 {
                let (r, s) = (2 * i + di - 1, 2 * j + dj - 1)
                if r >= 0 && r < 7 && s >= 0 && s < 6 { sum += w[flat: ((o * 3 + c) * 3 + di) * 3 + dj] * x[flat: ((n * 3 + c) * 7 + r) * 6 + s] }
            } } }
            #expect(abs(y[flat: ((n * 4 + o) * 4 + i) * 3 + j] - sum) < 1e-12)
        } } } }
        let r = try checkGradients([x, w, b]) { v in try project(v[0].conv2d(weight: v[1], bias: v[2], padding: (1, 1), stride: (2, 2))) }
        #expect(r.relativeError < 1e-8, "\(r)")
        #expect(throws: TensorError.self) { try x.conv2d(weight: w, stride: (0, 1)) }
    }

    @Test func groupNormNormalisesEachGroup() throws {
        let x = randn([2, 6, 3, 4], 4) * 3 + 1
        let norm = GroupNorm<Double>(groups: 3, channels: 6)
        let y = try norm(x)
        for n in 0..<2 {
            for g in 0..<3 {
                let block = (0..<24).map { y[flat: n * 72 + g * 24 + $0] }
                let mean = block.reduce(0, +) / 24
                let variance = block.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 24
                #expect(abs(mean) < 1e-12 && abs(variance - 1) < 1e-4)
            }
        }
        let one = try GroupNorm<Double>(groups: 1, channels: 6)(x)
        let layer = try Variable(x.reshaped([2, 72])).layerNormalized().value
        #expect(zip(one.scalars, layer.scalars).allSatisfy { abs($0 - $1) < 1e-12 })
        let r = try checkGradients([x, randn([6], 5), randn([6], 6)]) { v in
            try project(v[0].groupNormalized(groups: 3, scale: v[1], offset: v[2]))
        }
        #expect(r.relativeError < 1e-7, "\(r)")
    }

    @Test func nearestUpsamplingRepeatsAndSumsBack() throws {
        let x = randn([1, 2, 2, 3], 7)
        let y = try Variable(x).upsampledNearest(factor: 2).value
        #expect(y.shape == [1, 2, 4, 6])
        #expect(y[flat: 0] == x[flat: 0] && y[flat: 7] == x[flat: 0] && y[flat: 6 + 2] == x[flat: 1] && y[flat: 24 + 23] == x[flat: 11])
        let r = try checkGradients([x]) { v in try project(v[0].upsampledNearest(factor: 2)) }
        #expect(r.relativeError < 1e-9, "\(r)")
    }

    @Test func residualBlockGradients() throws {
        var block = ResidualBlock<Double>(inChannels: 4, outChannels: 6, embeddingSize: 5, groups: 2, seed: 3)
        #expect(block.parameters.names.contains("skip.weight") && block.parameters.names.contains("time.weight"))
        let named = try Self.perturbed(block.parameters, seed: 40)
        block.parameters = Parameters(named)
        let inputs = [randn([2, 4, 5, 4], 8), randn([2, 5], 9)] + named.map(\.1)
        let r = try checkGradients(inputs) { v in
            let p = ParameterVariables(Array(zip(named.map(\.0), v[2...])))
            return try project(block(v[0], embedding: v[1], parameters: p))
        }
        #expect(r.relativeError < 1e-7, "\(r)")
        // A fresh block with equal channel counts is the identity (its last convolution starts at zero).
        let fresh = ResidualBlock<Double>(inChannels: 4, outChannels: 4, embeddingSize: 5, groups: 2, seed: 3)
        let x = randn([1, 4, 3, 3], 10)
        let y = try fresh(Variable(x), embedding: Variable(randn([1, 5], 11)), parameters: fresh.parameters.constants).value
        #expect(y.scalars == x.scalars)
    }

    @Test func selfAttentionMatchesADirectComputationAndItsGradients() throws {
        var attention = SelfAttention2D<Double>(channels: 4, groups: 2, seed: 12)
        let named = try Self.perturbed(attention.parameters, seed: 50)
        attention.parameters = Parameters(named)
        let x = randn([2, 4, 3, 2], 13)
        let y = try attention(x)
        // Direct: q, k, v from the normalised input, softmax over keys, output projection, residual.
        let h = try GroupNorm<Double>(groups: 2, channels: 4)(x)
        let scale = attention.norm.parameters["scale"]!, offset = attention.norm.parameters["offset"]!
        let wq = attention.qkv.parameters["weight"]!, bq = attention.qkv.parameters["bias"]!
        let wo = attention.output.parameters["weight"]!, bo = attention.output.parameters["bias"]!
        for n in 0..<2 {
            func normed(_ c: Int, _ pos: Int) -> Double { h[flat: (n * 4 + c) * 6 + pos] * scale[flat: c] + offset[flat: c] }
            func proj(_ o: Int, _ pos: Int) -> Double { (0..<4).reduce(bq[flat: o]) { $0 + wq[flat: o * 4 + $1] * normed($1, pos) } }
            for i in 0..<6 {
                let logits = (0..<6).map { j in (0..<4).reduce(0.0) { $0 + proj($1, i) * proj(4 + $1, j) } / 2 }
                let top = logits.max()!
                let weights = logits.map { exp($0 - top) }
                let total = weights.reduce(0, +)
                let mixed = (0..<4).map { c in (0..<6).reduce(0.0) { $0 + weights[$1] / total * proj(8 + c, $1) } }
                for o in 0..<4 {
                    let expected = x[flat: (n * 4 + o) * 6 + i] + (0..<4).reduce(bo[flat: o]) { $0 + wo[flat: o * 4 + $1] * mixed[$1] }
                    #expect(abs(y[flat: (n * 4 + o) * 6 + i] - expected) < 1e-12)
                }
            }
        }
        let r = try checkGradients([x] + named.map(\.1)) { v in
            try project(attention(v[0], parameters: ParameterVariables(Array(zip(named.map(\.0), v[1...])))))
        }
        #expect(r.relativeError < 1e-7, "\(r)")
    }

    @Test func float32AgreesWithFloat64() throws {
        let block64 = ResidualBlock<Double>(inChannels: 4, outChannels: 8, embeddingSize: 6, groups: 4, seed: 21)
        let block32 = ResidualBlock<Float>(inChannels: 4, outChannels: 8, embeddingSize: 6, groups: 4, seed: 21)
        let x = randn([2, 4, 6, 6], 22), e = randn([2, 6], 23)
        let y64 = try block64(Variable(x), embedding: Variable(e), parameters: block64.parameters.constants).value
        let x32 = try Tensor<Float>(shape: x.shape, scalars: x.scalars.map(Float.init))
        let e32 = try Tensor<Float>(shape: e.shape, scalars: e.scalars.map(Float.init))
        let y32 = try block32(Variable(x32), embedding: Variable(e32), parameters: block32.parameters.constants).value
        #expect(zip(y32.scalars, y64.scalars).allSatisfy { abs(Double($0) - $1) < 1e-4 * max(1, abs($1)) })
    }
}
