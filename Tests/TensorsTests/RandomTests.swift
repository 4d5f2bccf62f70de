import Testing
import Tensors
import Randomness

@Suite struct RandomTests {
    @Test func splitMix64MatchesReferenceOutputs() {
        var g = SplitMix64(seed: 1234567)
        let expected: [UInt64] = [6457827717110365317, 3203168211198807973, 9817491932198370423,
                                  4593380528125082431, 16408922859458223821]
        #expect((0..<5).map { _ in g.next() } == expected)
    }

    @Test func xoshiro256StarStarMatchesReferenceOutputs() {
        var g = Xoshiro256StarStar(rawState: [1, 2, 3, 4])
        let expected: [UInt64] = [11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600]
        #expect((0..<6).map { _ in g.next() } == expected)
    }

    @Test func seededTensorsAreReproducibleAndNormal() throws {
        let a = Tensor<Double>.randomNormal(shape: [200, 500], seed: 42)
        #expect(a == Tensor<Double>.randomNormal(shape: [200, 500], seed: 42))
        #expect(a != Tensor<Double>.randomNormal(shape: [200, 500], seed: 43))
        let mean = a.mean().scalar!
        let variance = (a - mean).squared().mean().scalar!
        #expect(abs(mean) < 0.01 && abs(variance - 1) < 0.02, "mean \(mean), variance \(variance)")
        let b = Tensor<Float>.randomNormal(shape: [4], mean: 3, standardDeviation: 0.5, seed: 42)
        #expect(try Tensor<Double>(b).maxAbsDifference(a.reshaped([-1]).sliced(axis: 0, 0..<4) * 0.5 + 3) < 1e-6)
    }

    @Test func xavierAndKaimingBounds() throws {
        let x = Tensor<Double>.xavierUniform(shape: [64, 32], fanIn: 64, fanOut: 32, seed: 1)
        let bound = (6.0 / 96).squareRoot()
        #expect(x.scalars.allSatisfy { abs($0) < bound })
        #expect(try x.abs().max().scalar! > 0.95 * bound)
        let k = Tensor<Float>.kaimingUniform(shape: [16, 8, 3], fanIn: 24, seed: 2)
        let kb = Float(6.0 / 24).squareRoot()
        #expect(k.scalars.allSatisfy { abs($0) < kb })
        #expect(try k.abs().max().scalar! > 0.9 * kb)
    }
}
