import CFFTW
import Foundation
import Spectral
import Testing

/// The real transforms against their definition `f̂_k = Σ_j f_j e^{−i k·x_j}`, their inverses, the
/// unnormalised inverse from a caller's spectrum buffer, the wavenumber order, and the chunked loops.
@Suite struct RealFFTTests {
    @Test func oneDimensionalTransformOfACosineAndBack() {
        let n = 16
        let fft = RealFFT1D(n: n)
        for j in 0..<n { fft.physical[j] = 3 + 2 * cos(2 * Double.pi * 5 * Double(j) / Double(n) + 0.3) }
        fft.forward()
        for k in 0...(n / 2) {
            let (re, im) = fft.spectrum[k]
            // 3·n at k = 0; a cosine of amplitude 2 gives n·e^{i·0.3} at k = 5.
            let expected: (Double, Double) = k == 0 ? (3 * Double(n), 0) : k == 5 ? (Double(n) * cos(0.3), Double(n) * sin(0.3)) : (0, 0)
            #expect(abs(re - expected.0) < 1e-12 && abs(im - expected.1) < 1e-12, "k = \(k): (\(re), \(im))")
        }
        let original = (0..<n).map { j in 3 + 2 * cos(2 * Double.pi * 5 * Double(j) / Double(n) + 0.3) }
        fft.inverse()
        #expect(zip(original, UnsafeBufferPointer(start: fft.physical, count: n)).allSatisfy { abs($0 - $1) < 1e-13 })
    }

    @Test func twoDimensionalTransformMatchesTheDefinition() {
        let (nx, ny) = (8, 6)
        let fft = RealFFT2D(nx: nx, ny: ny)
        var state: UInt64 = 7
        var field: [Double] = []
        for _ in 0..<(nx * ny) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            field.append(Double(state >> 11) / Double(1 << 53) - 0.5)
        }
        for i in 0..<(nx * ny) { fft.physical[i] = field[i] }
        fft.forward()
        let kx = Wavenumbers.half(nx), ky = Wavenumbers.full(ny)
        for row in 0..<ny {
            for col in 0..<fft.spectralColumns {
                var re = 0.0, im = 0.0
                for y in 0..<ny {
                    for x in 0..<nx {
                        let phase = -2 * Double.pi * (kx[col] * Double(x) / Double(nx) + ky[row] * Double(y) / Double(ny))
                        re += field[y * nx + x] * cos(phase)
                        im += field[y * nx + x] * sin(phase)
                    }
                }
                let (r, i) = fft.spectrum[row * fft.spectralColumns + col]
                #expect(abs(r - re) < 1e-12 && abs(i - im) < 1e-12, "(\(row), \(col))")
            }
        }
        // The inverse leaves `spectrum` as it was and returns the field.
        let saved = (0..<(ny * fft.spectralColumns)).map { fft.spectrum[$0] }
        fft.inverse()
        #expect(zip(field, UnsafeBufferPointer(start: fft.physical, count: nx * ny)).allSatisfy { abs($0 - $1) < 1e-14 })
        #expect((0..<saved.count).allSatisfy { fft.spectrum[$0] == saved[$0] })
        // The unnormalised inverse from a separate spectrum buffer is n·(the inverse).
        let input = fft.allocateSpectrum(), output = fft.allocateField()
        defer { RealFFT2D.freeSpectrum(input); RealFFT2D.freeField(output) }
        for k in 0..<saved.count { input[k] = saved[k] }
        fft.inverseUnnormalised(input, into: output)
        let count = Double(nx * ny)
        #expect((0..<(nx * ny)).allSatisfy { abs(output[$0] / count - field[$0]) < 1e-14 })
    }

    @Test func wavenumbersFollowFFTWOrder() {
        #expect(Wavenumbers.full(6) == [0, 1, 2, -3, -2, -1])
        #expect(Wavenumbers.half(6) == [0, 1, 2, 3])
    }

    @Test(arguments: [1, 2, 3, 7, 64])
    func chunkedLoopsVisitEachIndexOnce(workers: Int) {
        let count = 37
        let visits = UnsafeMutablePointer<Int>.allocate(capacity: count)
        visits.initialize(repeating: 0, count: count)
        defer { visits.deallocate() }
        let box = VisitBox(visits)
        forEachChunk(count, workers: workers) { range in for i in range { box.pointer[i] += 1 } }
        #expect((0..<count).allSatisfy { visits[$0] == 1 })
    }
}

/// The visit counters, written by the chunks at disjoint indices.
private struct VisitBox: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
    init(_ pointer: UnsafeMutablePointer<Int>) { self.pointer = pointer }
}
