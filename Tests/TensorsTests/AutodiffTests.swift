import Foundation
import Testing
import Tensors

@Suite struct AutodiffTests {
    /// y = Σ (a + a²) with a = eˣ reuses `a` twice; dy/dx = eˣ(1 + 2eˣ).
    @Test func gradientsAccumulateForReusedNodes() throws {
        let tape = Tape<Double>()
        let x = tape.variable(Tensor([0.5, -1, 2]))
        let a = x.exp()
        let y = try (a + a * a).sum()
        let g = try y.backward()[x]
        for i in 0..<3 {
            let e = exp(x.value[i])
            #expect(abs(g[i] - e * (1 + 2 * e)) < 1e-12)
        }
        // A leaf used directly twice: d(x·x)/dx = 2x.
        let z = try (x * x).sum()
        #expect(try z.backward()[x].maxAbsDifference(x.value * 2) == 0)
    }

    @Test func unreachedLeavesAndConstantsGetZeroGradients() throws {
        let tape = Tape<Double>()
        let x = tape.variable(Tensor([1, 2])), unused = tape.variable(Tensor([3]))
        let c = Variable(Tensor<Double>([5, 7]))
        let grads = try (x * c).sum().backward()
        #expect(grads[x] == Tensor([5, 7]))
        #expect(grads[unused] == Tensor([0]) && !grads.reaches(unused))
        #expect(grads[c] == Tensor([0, 0]))
    }

    @Test func inferenceDoesNotRecord() throws {
        let tape = Tape<Double>()
        let w = tape.variable(randn([3, 2], 1))
        let x = Variable(randn([4, 3], 2))
        let taped = try x.matmul(w).tanh()
        let before = tape.nodeCount
        let inferred = try tape.withoutRecording { try x.matmul(w).tanh() }
        #expect(tape.nodeCount == before)
        #expect(!inferred.isTracked && taped.isTracked)
        #expect(inferred.value == taped.value)
        #expect(throws: TensorError.self) { try inferred.sum().backward() }
        // Operations on constants only are never recorded either.
        let constant = try x.matmul(Variable(w.value)).sum()
        #expect(!constant.isTracked && tape.nodeCount == before)
    }

    @Test func backwardCanRunTwiceAndTakesASeed() throws {
        let tape = Tape<Double>()
        let x = tape.variable(Tensor([1, 2, 3]))
        let y = x.squared()
        let seed = Tensor<Double>([1, 10, 100])
        let g1 = try y.backward(seed: seed)[x], g2 = try y.backward(seed: seed)[x]
        #expect(g1 == g2 && g1 == Tensor([2, 40, 600]))
        #expect(throws: TensorError.self) { try y.backward() }   // not a scalar
    }

    /// For an MLP-like map (matmul + bias + tanh, twice), the gradient of a sum over the
    /// batch equals the sum of the per-sample gradients.
    @Test func batchGradientIsTheSumOfPerSampleGradients() throws {
        let batch = 6
        let x = randn([batch, 4], 3)
        let w1 = randn([4, 5], 4), b1 = randn([5], 5), w2 = randn([5, 3], 6), b2 = randn([3], 7)
        let target = randn([batch, 3], 8)
        func loss(_ x: Tensor<Double>, _ t: Tensor<Double>, _ p: [Variable<Double>]) throws -> Variable<Double> {
            let h = try (Variable(x).matmul(p[0]) + p[1]).tanh()
            let y = try (h.matmul(p[2]) + p[3]).tanh()
            return try (y - Variable(t)).squared().sum()
        }
        let tape = Tape<Double>()
        let params = [w1, b1, w2, b2].map { tape.variable($0) }
        let full = try loss(x, target, params).backward()
        var summed = [w1, b1, w2, b2].map { Tensor<Double>(shape: $0.shape, repeating: 0) }
        for s in 0..<batch {
            let t = Tape<Double>()
            let p = [w1, b1, w2, b2].map { t.variable($0) }
            let g = try loss(x.sliced(axis: 0, s..<(s + 1)), target.sliced(axis: 0, s..<(s + 1)), p).backward()
            for k in 0..<4 { try summed[k] += g[p[k]] }
        }
        for k in 0..<4 {
            let diff = try full[params[k]].maxAbsDifference(summed[k])
            #expect(diff < 1e-12, "parameter \(k): \(diff)")
            #expect(full[params[k]].abs().sum().scalar! > 1e-3)
        }
    }

    @Test func float32GradientsAgreeWithFloat64() throws {
        let xd = randn([3, 4], 9), wd = randn([4, 2], 10)
        let tapeD = Tape<Double>(), tapeF = Tape<Float>()
        let (x1, w1) = (tapeD.variable(xd), tapeD.variable(wd))
        let (x2, w2) = (tapeF.variable(Tensor<Float>(xd)), tapeF.variable(Tensor<Float>(wd)))
        let gd = try x1.matmul(w1).gelu().softmax().log().sum().backward()
        let gf = try x2.matmul(w2).gelu().softmax().log().sum().backward()
        #expect(try Tensor<Double>(gf[w2]).maxAbsDifference(gd[w1]) < 1e-5)
        #expect(try Tensor<Double>(gf[x2]).maxAbsDifference(gd[x1]) < 1e-5)
    }
}
