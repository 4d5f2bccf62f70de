import Foundation
import Tensors
import Testing

/// The Fourier layer: the FFTW spectral convolution against its definition written as plain sums
/// over the kept modes, its gradients against central differences, Float32 against Float64, the
/// whole operator's gradients and shapes, refusals.
@Suite struct SpectralConvolutionTests {
    /// y[b, o, n] = (1/HW) Re Σ_{k ∈ K} c_k (Σ_i x̂[b, i, k] w[i, o, k]) e^{2πi k·n}, with x̂ the
    /// direct DFT: no FFT anywhere.
    func directSpectralConvolution(_ x: Tensor<Double>, _ wr: Tensor<Double>, _ wi: Tensor<Double>, modes: (Int, Int)) -> [Double] {
        let (n, ci, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let co = wr.shape[1]
        let rows = Array(0..<modes.0) + Array((h - modes.0)..<h)
        var y = [Double](repeating: 0, count: n * co * h * w)
        for b in 0..<n {
            for (r, kx) in rows.enumerated() {
                for ky in 0..<modes.1 {
                    var xr = [Double](repeating: 0, count: ci), xi = xr
                    for i in 0..<ci {
                        for p in 0..<h {
                            for q in 0..<w {
                                let theta = -2 * Double.pi * (Double(kx * p) / Double(h) + Double(ky * q) / Double(w))
                                xr[i] += x.scalars[((b * ci + i) * h + p) * w + q] * cos(theta)
                                xi[i] += x.scalars[((b * ci + i) * h + p) * w + q] * sin(theta)
                            }
                        }
                    }
                    let c = ky == 0 ? 1.0 : 2.0
                    for o in 0..<co {
                        var zr = 0.0, zi = 0.0
                        for i in 0..<ci {
                            let m = ((i * co + o) * 2 * modes.0 + r) * modes.1 + ky
                            zr += xr[i] * wr.scalars[m] - xi[i] * wi.scalars[m]
                            zi += xr[i] * wi.scalars[m] + xi[i] * wr.scalars[m]
                        }
                        for p in 0..<h {
                            for q in 0..<w {
                                let theta = 2 * Double.pi * (Double(kx * p) / Double(h) + Double(ky * q) / Double(w))
                                y[((b * co + o) * h + p) * w + q] += c * (zr * cos(theta) - zi * sin(theta)) / Double(h * w)
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    @Test(arguments: [(6, 8, 2, 3), (8, 6, 4, 3), (4, 4, 1, 1)])
    func spectralConvolutionEqualsItsDefinition(h: Int, w: Int, m1: Int, m2: Int) throws {
        let (x, wr, wi) = (randn([2, 3, h, w], 1), randn([3, 2, 2 * m1, m2], 2), randn([3, 2, 2 * m1, m2], 3))
        let y = try Variable(x).spectralConvolution2D(weightReal: Variable(wr), weightImaginary: Variable(wi), modes: (m1, m2)).value
        #expect(y.shape == [2, 2, h, w])
        let reference = directSpectralConvolution(x, wr, wi, modes: (m1, m2))
        let worst = zip(y.scalars, reference).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-12, "worst difference \(worst)")
    }

    @Test func keepingEveryModeWithIdentityWeightsIsTheIdentity() throws {
        // All rows, all columns but the Nyquist one: a field without a Nyquist column comes back.
        let (h, w) = (6, 8)
        var x = randn([1, 1, h, w], 4)
        // Remove the Nyquist column's content: x(p, q) − its projection on (−1)^q.
        for p in 0..<h {
            let nyquist = (0..<w).reduce(0.0) { $0 + x.scalars[p * w + $1] * ($1 % 2 == 0 ? 1 : -1) } / Double(w)
            for q in 0..<w { x[flat: p * w + q] -= nyquist * (q % 2 == 0 ? 1 : -1) }
        }
        let ones = Tensor<Double>.ones([1, 1, h, w / 2]), zeros = Tensor<Double>.zeros([1, 1, h, w / 2])
        let y = try Variable(x).spectralConvolution2D(weightReal: Variable(ones), weightImaginary: Variable(zeros), modes: (h / 2, w / 2)).value
        #expect(zip(y.scalars, x.scalars).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let result = try checkGradients([randn([2, 2, 6, 8], 5), randn([2, 3, 4, 3], 6), randn([2, 3, 4, 3], 7)]) { v in
            try project(v[0].spectralConvolution2D(weightReal: v[1], weightImaginary: v[2], modes: (2, 3)))
        }
        #expect(result.relativeError < 1e-8 && result.numericNorm > 0.1, "\(result)")
    }

    @Test func float32AgreesWithFloat64() throws {
        let (x, wr, wi) = (randn([1, 2, 8, 8], 8), randn([2, 2, 4, 3], 9), randn([2, 2, 4, 3], 10))
        let y64 = try Variable(x).spectralConvolution2D(weightReal: Variable(wr), weightImaginary: Variable(wi), modes: (2, 3)).value
        func single(_ t: Tensor<Double>) throws -> Variable<Float> { Variable(try Tensor<Float>(shape: t.shape, scalars: t.scalars.map(Float.init))) }
        let y32 = try single(x).spectralConvolution2D(weightReal: single(wr), weightImaginary: single(wi), modes: (2, 3)).value
        #expect(zip(y32.scalars, y64.scalars).allSatisfy { abs(Double($0) - $1) < 1e-4 * max(1, abs($1)) })
    }

    @Test func fourierNeuralOperatorGradientsAndShapes() throws {
        let configuration = FourierNeuralOperatorConfiguration(inChannels: 2, outChannels: 1, width: 3, modesHeight: 2, modesWidth: 2,
                                                               layers: 2, paddingHeight: 1, paddingWidth: 2, projectionWidth: 4)
        var model = FourierNeuralOperator2D<Double>(configuration, seed: 3)
        // Non-zero biases, so their gradients are exercised through GELU's curvature.
        model.parameters = model.parameters.mapTensors { name, t in name.hasSuffix("bias") ? randn(t.shape, 11) * 0.3 : t }
        let x = randn([2, 2, 5, 6], 12)
        #expect(try model(x).shape == [2, 1, 5, 6])
        let names = model.parameters.names
        let result = try checkGradients([x] + names.map { model.parameters[$0]! }) { v in
            let bound = ParameterVariables(names.enumerated().map { ($1, v[$0 + 1]) })
            return try project(model(v[0], parameters: bound))
        }
        #expect(result.relativeError < 1e-6 && result.numericNorm > 0.1, "\(result)")
    }

    @Test func badShapesAreRefused() throws {
        let x = Variable(randn([1, 2, 6, 8], 1))
        let w = Variable(randn([2, 2, 4, 3], 2))
        // An odd grid.
        #expect(throws: TensorError.self) {
            try Variable(randn([1, 2, 5, 8], 1)).spectralConvolution2D(weightReal: w, weightImaginary: w, modes: (2, 3))
        }
        // Too many modes for the grid.
        #expect(throws: TensorError.self) {
            try x.spectralConvolution2D(weightReal: Variable(randn([2, 2, 8, 3], 2)), weightImaginary: Variable(randn([2, 2, 8, 3], 2)), modes: (4, 3))
        }
        #expect(throws: TensorError.self) {
            try x.spectralConvolution2D(weightReal: Variable(randn([2, 2, 4, 5], 2)), weightImaginary: Variable(randn([2, 2, 4, 5], 2)), modes: (2, 5))
        }
        // Weights of the wrong shape or channel count.
        #expect(throws: TensorError.self) { try x.spectralConvolution2D(weightReal: w, weightImaginary: Variable(randn([2, 2, 4, 2], 3)), modes: (2, 3)) }
        #expect(throws: TensorError.self) { try x.spectralConvolution2D(weightReal: Variable(randn([3, 2, 4, 3], 3)), weightImaginary: Variable(randn([3, 2, 4, 3], 3)), modes: (2, 3)) }
        // An operator whose padded grid is odd.
        let odd = FourierNeuralOperatorConfiguration(inChannels: 2, outChannels: 1, width: 2, modesHeight: 1, modesWidth: 1, layers: 1)
        #expect(throws: TensorError.self) { try FourierNeuralOperator2D<Double>(odd, seed: 0)(randn([1, 2, 5, 6], 1)) }
    }
}
