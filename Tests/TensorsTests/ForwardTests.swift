import Foundation
import Testing
import Tensors

/// Forward results against values computed by hand or by direct loops.
@Suite struct ForwardTests {
    @Test func smallMatmulInBothPrecisions() throws {
        let a = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let b = try Tensor<Double>(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
        #expect(try a.matmul(b) == Tensor(shape: [2, 2], scalars: [58, 64, 139, 154]))
        let af = Tensor<Float>(a), bf = Tensor<Float>(b)
        #expect(try af.matmul(bf) == Tensor(shape: [2, 2], scalars: [58, 64, 139, 154]))
    }

    @Test func batchedMatmulMatchesPerBatchProducts() throws {
        let a = randn([2, 3, 4, 5], 1), b = randn([3, 5, 2], 2)   // batch [2,3] vs [3] broadcasts
        let c = try a.matmul(b)
        #expect(c.shape == [2, 3, 4, 2])
        for i in 0..<2 {
            for j in 0..<3 {
                let ai = try a.sliced(axis: 0, i..<(i + 1)).sliced(axis: 1, j..<(j + 1)).reshaped([4, 5])
                let bj = try b.sliced(axis: 0, j..<(j + 1)).reshaped([5, 2])
                let expected = try ai.matmul(bj)
                let got = try c.sliced(axis: 0, i..<(i + 1)).sliced(axis: 1, j..<(j + 1)).reshaped([4, 2])
                #expect(try got.maxAbsDifference(expected) < 1e-13)
            }
        }
    }

    @Test func broadcastingFollowsNumPyRules() throws {
        let col = try Tensor<Double>(shape: [2, 1], scalars: [1, 2])
        let row = Tensor<Double>([10, 20, 30])
        #expect(try col + row == Tensor(shape: [2, 3], scalars: [11, 21, 31, 12, 22, 32]))
        #expect(try row - col == Tensor(shape: [2, 3], scalars: [9, 19, 29, 8, 18, 28]))
        #expect(try col * Tensor(3) == Tensor(shape: [2, 1], scalars: [3, 6]))
        #expect(try Tensor(60) / row == Tensor([6, 3, 2]))
        #expect(try (Tensor<Double>(shape: [3, 1, 2], repeating: 1) + Tensor(shape: [4, 1], repeating: 1)).shape == [3, 4, 2])
    }

    @Test func elementwiseFunctionValues() throws {
        let x = Tensor<Double>([-1, 0, 1, 2])
        #expect(try x.relu().maxAbsDifference(Tensor([0, 0, 1, 2])) == 0)
        // GELU(1) = Φ(1) = 0.841344746…; the tanh approximation gives 0.841191990…
        #expect(abs(Tensor<Double>(1).gelu().scalar! - 0.8413447460685429) < 1e-15)
        #expect(abs(Tensor<Double>(1).gelu(approximation: .tanh).scalar! - 0.8411919906082768) < 1e-15)
        #expect(abs(Tensor<Double>(2).silu().scalar! - 2 / (1 + exp(-2.0))) < 1e-15)
        // Stable at extremes: no overflow, no NaN.
        let big = Tensor<Double>([-1000, 1000])
        #expect(big.sigmoid().scalars == [0, 1])
        #expect(big.softplus().scalars == [0, 1000])
        #expect(abs(x.softplus()[0] - log(1 + exp(-1.0))) < 1e-15)
        #expect(Tensor<Double>([4, 9]).sqrt().scalars == [2, 3])
        #expect(try Tensor<Double>([2, 3]).pow(Tensor([3, 2])).scalars == [8, 9])
    }

    /// Float's sigmoid/SiLU run on a polynomial exponential; it must agree with libm's expf to a few
    /// ulps over the whole non-positive range and give exactly 0 below the underflow threshold.
    @Test func floatExponentialOfTheSigmoidMatchesLibm() {
        var worst: Float = 0
        var x: Float = -87
        while x <= 0 {
            let exact = Foundation.exp(Double(x))
            let got = Double(Float.mathExpNonPositive(x))
            worst = max(worst, Float(abs(got - exact) / exact))
            x += 0.000913
        }
        #expect(worst < 4e-7, "relative error \(worst)")
        #expect(Float.mathExpNonPositive(0) == 1)
        #expect(Float.mathExpNonPositive(-100) == 0)
        let s = Tensor<Float>([-30, -2, 0, 2, 30]).sigmoid().scalars
        for (got, v) in zip(s, [-30.0, -2, 0, 2, 30]) {
            #expect(abs(Double(got) - 1 / (1 + exp(-v))) < 2e-7 * max(1, 1 / (1 + exp(-v))))
        }
    }

    @Test func reductionsOverAxes() throws {
        let x = try Tensor<Double>(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
        #expect(x.sum().scalar == 21)
        #expect(try x.sum(axis: 0) == Tensor([5, 7, 9]))
        #expect(try x.sum(axis: 1, keepDims: true) == Tensor(shape: [2, 1], scalars: [9, 12]))
        #expect(try x.mean(axes: [0, 1]).scalar == 3.5)
        #expect(try x.max(axis: 1) == Tensor([5, 6]))
        #expect(try x.max(axis: 0, keepDims: true) == Tensor(shape: [1, 3], scalars: [4, 5, 6]))
        #expect(try x.max().scalar == 6)
    }

    @Test func shapeOperations() throws {
        let x = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(try x.transposed() == Tensor(shape: [3, 2], scalars: [1, 4, 2, 5, 3, 6]))
        let y = try x.reshaped([1, 2, 3]).permuted([2, 0, 1])
        #expect(y.shape == [3, 1, 2] && y.scalars == [1, 4, 2, 5, 3, 6])
        #expect(try Tensor.concatenate([x, x.sliced(axis: 1, 1..<2)], axis: 1)
                == Tensor(shape: [2, 4], scalars: [1, 2, 3, 2, 4, 5, 6, 5]))
        #expect(try Tensor.stack([Tensor<Double>([1, 2]), Tensor([3, 4])], axis: 1)
                == Tensor(shape: [2, 2], scalars: [1, 3, 2, 4]))
        #expect(try x.broadcasted(to: [2, 2, 3]).scalars == x.scalars + x.scalars)
        // Reshape shares storage; mutation copies (copy-on-write).
        var r = try x.reshaped([6])
        #expect(r.sharesStorage(with: x))
        r[0] = 100
        #expect(!r.sharesStorage(with: x) && x[0, 0] == 1 && r[0] == 100)
    }

    @Test func softmaxSumsToOneAndIsStable() throws {
        let x = try Tensor<Double>(shape: [2, 3], scalars: [1000, 1001, 1002, -5, 0, 5])
        let s = try x.softmax(axis: 1)
        for row in 0..<2 { #expect(abs(s[row, 0] + s[row, 1] + s[row, 2] - 1) < 1e-15) }
        #expect(abs(s[0, 2] - 1 / (1 + exp(-1.0) + exp(-2.0))) < 1e-15)
        let along0 = try randn([4, 3], 3).softmax(axis: 0)
        #expect(try along0.sum(axis: 0).maxAbsDifference(Tensor(shape: [3], repeating: 1)) < 1e-15)
        #expect(try x.logSoftmax(axis: 1).exp().maxAbsDifference(s) < 1e-15)
    }

    @Test func layerNormGivesMeanZeroVarianceOne() throws {
        let x = randn([5, 16], 4) * 3 + 7
        let y = try x.layerNormalized(scale: Tensor(shape: [16], repeating: 1), offset: Tensor(shape: [16], repeating: 0),
                                      epsilon: 1e-12)
        let mean = try y.mean(axis: 1)
        let variance = try y.squared().mean(axis: 1)
        #expect(try mean.maxAbsDifference(Tensor(shape: [5], repeating: 0)) < 1e-12)
        #expect(try variance.maxAbsDifference(Tensor(shape: [5], repeating: 1)) < 1e-10)
        // The affine map applies afterwards.
        let scaled = try x.layerNormalized(scale: Tensor(shape: [16], repeating: 2), offset: Tensor(shape: [16], repeating: 1),
                                           epsilon: 1e-12)
        #expect(try scaled.maxAbsDifference(y * 2 + 1) < 1e-12)
    }

    /// Direct-loop reference for conv2d (cross-correlation) with zero or circular padding.
    func referenceConv2d(_ x: Tensor<Double>, _ w: Tensor<Double>, _ b: Tensor<Double>?, ph: Int, pw: Int,
                         circular: Bool) -> Tensor<Double> {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (co, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let ho = h + 2 * ph - kh + 1, wo = wd + 2 * pw - kw + 1
        var y = Tensor<Double>(shape: [n, co, ho, wo])
        for s in 0..<n { for o in 0..<co { for i in 0..<ho { for j in 0..<wo {
            var acc = b?[o] ?? 0
            for ch in 0..<c { for p in 0..<kh { for q in 0..<kw {
                var r = i + p - ph, t = j + q - pw
                if circular {
                    r = (r % h + h) % h
                    t = (t % wd + wd) % wd
                } else if r < 0 || r >= h || t < 0 || t >= wd {
                    continue
                }
                acc += x[s, ch, r, t] * w[o, ch, p, q]
            } } }
            y[s, o, i, j] = acc
        } } } }
        return y
    }

    @Test func conv2dCircularOnATinyGridMatchesDirectLoop() throws {
        let x = randn([2, 2, 3, 4], 5), w = randn([3, 2, 3, 3], 6), b = randn([3], 7)
        let y = try x.conv2d(weight: w, bias: b, padding: (1, 1), mode: .circular)
        #expect(y.shape == [2, 3, 3, 4])
        #expect(try y.maxAbsDifference(referenceConv2d(x, w, b, ph: 1, pw: 1, circular: true)) < 1e-13)
        // Padding wider than the grid wraps more than once.
        let wide = try x.conv2d(weight: w, padding: (4, 5), mode: .circular)
        #expect(try wide.maxAbsDifference(referenceConv2d(x, w, nil, ph: 4, pw: 5, circular: true)) < 1e-13)
        let zero = try x.conv2d(weight: w, bias: b, padding: (1, 2), mode: .zero)
        #expect(try zero.maxAbsDifference(referenceConv2d(x, w, b, ph: 1, pw: 2, circular: false)) < 1e-13)
    }

    @Test func conv2dCircularByHand() throws {
        // A 3×3 periodic grid with a kernel picking the left neighbour: y[i, j] = x[i, j−1 mod 3].
        let x = try Tensor<Double>(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let w = try Tensor<Double>(shape: [1, 1, 3, 3], scalars: [0, 0, 0, 1, 0, 0, 0, 0, 0])
        let y = try x.conv2d(weight: w, padding: (1, 1), mode: .circular)
        #expect(y.scalars == [3, 1, 2, 6, 4, 5, 9, 7, 8])
        let z = try x.conv2d(weight: w, padding: (1, 1), mode: .zero)
        #expect(z.scalars == [0, 1, 2, 0, 4, 5, 0, 7, 8])
    }

    @Test func conv1dMatchesTheTwoDimensionalReference() throws {
        let x = randn([2, 3, 7], 8), w = randn([4, 3, 3], 9), b = randn([4], 10)
        for mode in [PaddingMode.zero, .circular] {
            let y = try x.conv1d(weight: w, bias: b, padding: 1, mode: mode)
            let reference = referenceConv2d(try x.reshaped([2, 3, 1, 7]), try w.reshaped([4, 3, 1, 3]), b,
                                            ph: 0, pw: 1, circular: mode == .circular)
            #expect(try y.maxAbsDifference(reference.reshaped([2, 4, 7])) < 1e-13)
        }
        // Float32 agrees with Float64.
        let yf = try Tensor<Float>(x).conv1d(weight: Tensor<Float>(w), bias: Tensor<Float>(b), padding: 1, mode: .circular)
        let yd = try x.conv1d(weight: w, bias: b, padding: 1, mode: .circular)
        #expect(try Tensor<Double>(yf).maxAbsDifference(yd) < 1e-5)
    }

    @Test func gatherAndScatterAddAreAdjoint() throws {
        // ⟨scatter(x), y⟩ = ⟨x, gather(y)⟩ for random x, y and repeated indices, along two axes.
        let indices = [3, 0, 3, 1, 3, 2, 0]
        let x = randn([2, 7, 3], 11), y = randn([2, 4, 3], 12)
        let lhs = try x.scatterAdded(indices: indices, axis: 1, size: 4).dot(y)
        let rhs = try x.dot(y.gathered(indices: indices, axis: 1))
        #expect(abs(lhs - rhs) < 1e-12 * max(1, abs(lhs)))
        let x0 = randn([7, 2], 13), y0 = randn([4, 2], 14)
        #expect(abs(try x0.scatterAdded(indices: indices, axis: 0, size: 4).dot(y0)
                    - x0.dot(y0.gathered(indices: indices, axis: 0))) < 1e-12)
        // Hand values: node sums of edge messages.
        let messages = try Tensor<Double>(shape: [3, 1], scalars: [1, 2, 4])
        #expect(try messages.scatterAdded(indices: [1, 1, 0], axis: 0, size: 3).scalars == [4, 3, 0])
    }

    @Test func dropoutIsSeededAndInverted() throws {
        let x = Tensor<Double>(shape: [10_000], repeating: 1)
        let a = try x.dropout(probability: 0.25, seed: 3), b = try x.dropout(probability: 0.25, seed: 3)
        #expect(a == b)
        #expect(try a != x.dropout(probability: 0.25, seed: 4))
        let kept = a.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { abs($0 - 4.0 / 3.0) < 1e-15 })
        #expect(abs(Double(kept.count) / 10_000 - 0.75) < 0.02)
        #expect(try x.dropout(probability: 0.25, seed: 3, training: false) == x)
    }
}
