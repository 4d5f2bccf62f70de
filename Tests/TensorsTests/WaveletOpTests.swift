import Spectral
import Tensors
import Testing

/// The DWT as tape operations: layout against the Spectral transform, gradients against central
/// differences (biorthogonal and zero mode, where the transpose is not the inverse), round trips in
/// Float64 and Float32, refusals.
@Suite struct WaveletOpTests {
    @Test func decompositionStacksTheBandsOfTheSpectralTransform() throws {
        let x = randn([2, 9, 12], 3)
        let y = try Variable(x).waveletDecomposition(.bior2_4, mode: .periodization, axisCount: 2).value
        #expect(y.shape == [2, 4, 5, 6])
        let t = try WaveletTransform(wavelet: .bior2_4, mode: .periodization, axes: [0, 1])
        for b in 0..<2 {
            let c = try t.forward(Array(x.scalars[(b * 108)..<((b + 1) * 108)]), shape: [9, 12])
            for (k, band) in c.bands.enumerated() {
                let slice = Array(y.scalars[((b * 4 + k) * 30)..<((b * 4 + k + 1) * 30)])
                #expect(slice == band.values, "batch \(b) band \(band.key)")
            }
        }
        let back = try Variable(y).waveletReconstruction(.bior2_4, mode: .periodization, signalShape: [9, 12]).value
        #expect(back.shape == [2, 9, 12])
        #expect(zip(back.scalars, x.scalars).allSatisfy { abs($0 - $1) < 1e-12 })
        // Float32: the same round trip to single precision.
        let x32 = try Tensor<Float>(shape: [3, 16], scalars: x.scalars.prefix(48).map(Float.init))
        let back32 = try Variable(x32).waveletDecomposition(.db2, axisCount: 1).waveletReconstruction(.db2, signalShape: [16]).value
        #expect(zip(back32.scalars, x32.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test(arguments: [(Wavelet.bior2_4, WaveletMode.periodization), (.db3, .zero), (.haar, .periodization)])
    func gradientsMatchFiniteDifferences(wavelet: Wavelet, mode: WaveletMode) throws {
        let forward = try checkGradients([randn([2, 7, 10], 11)]) { v in
            try project(v[0].waveletDecomposition(wavelet, mode: mode, axisCount: 2))
        }
        #expect(forward.relativeError < 1e-8 && forward.numericNorm > 0.1, "decomposition \(forward)")
        let shape = try Variable(randn([2, 7, 10], 1)).waveletDecomposition(wavelet, mode: mode, axisCount: 2).shape
        let inverse = try checkGradients([randn(shape, 12)]) { v in
            try project(v[0].waveletReconstruction(wavelet, mode: mode, signalShape: [7, 10]))
        }
        #expect(inverse.relativeError < 1e-8 && inverse.numericNorm > 0.1, "reconstruction \(inverse)")
    }

    @Test func badShapesAreRefused() throws {
        let x = Variable(randn([4, 6], 2))
        #expect(throws: TensorError.self) { try x.waveletDecomposition(.haar, axisCount: 3) }
        #expect(throws: TensorError.self) { try Variable(randn([1, 1], 2)).waveletDecomposition(.haar, axisCount: 2) }
        let c = try x.waveletDecomposition(.haar, axisCount: 1)   // [4, 2, 3]
        #expect(throws: TensorError.self) { try c.waveletReconstruction(.haar, signalShape: [6, 2]) }
        #expect(throws: TensorError.self) { try c.waveletReconstruction(.haar, signalShape: [9]) }
    }
}
