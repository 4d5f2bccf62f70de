import Foundation
import Spectral
import Testing

/// Reproducible uniform values in [−1, 1) (a small LCG: the tests need no other randomness).
func waveletTestSignal(count: Int, seed: UInt64) -> [Double] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 52) - 1
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

/// The wavelet filter banks and the n-D multi-level transforms: filter identities, Haar by hand,
/// perfect reconstruction, the transposes, refusals. `make test` compares the coefficients with
/// PyWavelets (Tests/python/check_wavelets.py reads the cases this suite writes).
@Suite struct WaveletTests {
    static let cases: [(shape: [Int], levels: Int, axes: [Int]?)] = [
        ([17], 1, nil), ([64], 3, nil), ([9, 12], 1, nil), ([16, 20], 2, nil), ([81, 120], 1, nil),
        ([5, 6, 7], 1, nil), ([8, 10, 12], 2, nil), ([3, 10, 12], 1, [1, 2]),
    ]

    @Test func filterBanksSatisfyTheirIdentities() throws {
        let root2 = Double(2.0).squareRoot()
        for w in Wavelet.all {
            #expect(abs(w.decompositionLowPass.reduce(0, +) - root2) < 1e-14, "\(w) Σ dec_lo")
            #expect(abs(w.reconstructionLowPass.reduce(0, +) - root2) < 1e-14, "\(w) Σ rec_lo")
            #expect(abs(w.decompositionHighPass.reduce(0, +)) < 1e-14, "\(w) Σ dec_hi")
            // Biorthogonality: Σ_k rec_lo[k] dec_lo[F − 1 − k + 2m] = δ_m (shifts by two).
            let f = w.filterLength
            for m in -(f / 2 - 1)...(f / 2 - 1) {
                var s = 0.0
                for k in 0..<f {
                    let j = f - 1 - k + 2 * m
                    if j >= 0 && j < f { s += w.reconstructionLowPass[k] * w.decompositionLowPass[j] }
                }
                #expect(abs(s - (m == 0 ? 1 : 0)) < 1e-14, "\(w) biorthogonality at shift \(m): \(s)")
            }
            #expect(try Wavelet(named: w.name) == w)
        }
        #expect(try Wavelet(named: "db1") == .haar)
        #expect(Wavelet.db2.reconstructionLowPass[0] == (1 + Double(3.0).squareRoot()) / (4 * root2))
    }

    @Test func haarByHand() throws {
        let t = try WaveletTransform(wavelet: .haar, mode: .periodization)
        let c = try t.forward([1, 2, 3, 4], shape: [4])
        let r = Double(0.5).squareRoot()
        #expect(zip(c.approximation.values, [3 * r, 7 * r]).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(zip(c.details[0][0].values, [-r, -r]).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(c.details[0][0].key == "d" && c.approximation.key == "a")
        // 2-D: keys in PyWavelets' order, bands [1, 1] of a 2 × 2 block.
        let c2 = try t.forward([1, 2, 3, 4], shape: [2, 2])
        #expect(c2.details[0].map(\.key) == ["ad", "da", "dd"])
        #expect(abs(c2.approximation.values[0] - 5) < 1e-14)              // (1 + 2 + 3 + 4)/2
        #expect(c2.details[0].map { $0.values[0] }.enumerated().allSatisfy { i, v in
            abs(v - [-1.0, -2, 0][i]) < 1e-14 })                               // ad: -(2-1+4-3)/2, da: -(3+4-1-2)/2
    }

    @Test func perfectReconstructionEveryWaveletModeAndShape() throws {
        var worst = 0.0
        for w in Wavelet.all {
            for mode in WaveletMode.allCases {
                for (i, c) in Self.cases.enumerated() {
                    let t = try WaveletTransform(wavelet: w, mode: mode, levels: c.levels, axes: c.axes)
                    let x = waveletTestSignal(count: c.shape.reduce(1, *), seed: UInt64(i + 1))
                    let coefficients = try t.forward(x, shape: c.shape)
                    let back = try t.inverse(coefficients)
                    let error = zip(back, x).map { abs($0 - $1) }.max()!
                    #expect(back.count == x.count && error < 1e-12, "\(w) \(mode) \(c.shape) levels \(c.levels): \(error)")
                    worst = max(worst, error)
                }
            }
        }
        print("WAVELETS: perfect reconstruction, worst error \(worst)")
    }

    /// ⟨T x, c⟩ = ⟨x, Tᵀ c⟩ for the forward transform and for the inverse.
    @Test func transposesAreAdjoint() throws {
        for w in Wavelet.all {
            for mode in WaveletMode.allCases {
                for (i, c) in Self.cases.enumerated() where c.shape.reduce(1, *) < 2000 {
                    let t = try WaveletTransform(wavelet: w, mode: mode, levels: c.levels, axes: c.axes)
                    let x = waveletTestSignal(count: c.shape.reduce(1, *), seed: UInt64(10 + i))
                    let layout = try t.forward(x, shape: c.shape)
                    let y = try layout.withFlattened(waveletTestSignal(count: layout.flattened.count, seed: UInt64(20 + i)))
                    let lhs = dot(try t.forward(x, shape: c.shape).flattened, y.flattened)
                    let rhs = dot(x, try t.forwardTransposed(y))
                    #expect(abs(lhs - rhs) < 1e-12 * max(1, abs(lhs)), "\(w) \(mode) \(c.shape): forward \(lhs) vs \(rhs)")
                    let lhs2 = dot(try t.inverse(y), x)
                    let rhs2 = dot(y.flattened, try t.inverseTransposed(x, shape: c.shape).flattened)
                    #expect(abs(lhs2 - rhs2) < 1e-12 * max(1, abs(lhs2)), "\(w) \(mode) \(c.shape): inverse \(lhs2) vs \(rhs2)")
                }
            }
        }
        // Orthogonal wavelets with periodization on even lengths: the transpose is the inverse.
        let t = try WaveletTransform(wavelet: .db3, mode: .periodization, levels: 2)
        let x = waveletTestSignal(count: 16 * 20, seed: 5)
        let c = try t.forward(x, shape: [16, 20])
        let viaTranspose = try t.forwardTransposed(c)
        #expect(zip(viaTranspose, x).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func badInputIsRefusedWithAReason() throws {
        #expect(throws: WaveletError.self) { try Wavelet(named: "db7") }
        #expect(throws: WaveletError.self) { try WaveletMode(named: "symmetric") }
        #expect(throws: WaveletError.self) { try WaveletTransform(wavelet: .haar, levels: 0) }
        #expect(throws: WaveletError.self) { try WaveletTransform(wavelet: .haar, axes: [1, 1]) }
        let t = try WaveletTransform(wavelet: .haar, levels: 3)
        do {
            _ = try t.forward([1, 2, 3, 4], shape: [4])
            Issue.record("three levels of a 4-sample signal were accepted")
        } catch {
            #expect("\(error)".contains("level 3"), "\(error)")
        }
        #expect(throws: WaveletError.self) { try t.forward([1, 2, 3], shape: [4]) }
        #expect(throws: WaveletError.self) { try WaveletTransform(wavelet: .haar, axes: [2]).forward([1, 2, 3, 4], shape: [2, 2]) }
        let one = try WaveletTransform(wavelet: .haar)
        var c = try one.forward([1, 2, 3, 4], shape: [4])
        c.approximation.values.append(0)
        #expect(throws: WaveletError.self) { try one.inverse(c) }
        #expect(throws: WaveletError.self) { try t.inverse(try one.forward([1, 2, 3, 4, 5, 6, 7, 8], shape: [8])) }
    }

    /// Writes random cases and our coefficients for the PyWavelets comparison of `make test`.
    @Test func writesTheCasesForThePyWaveletsCheck() throws {
        var records: [[String: Any]] = []
        for w in Wavelet.all {
            for mode in WaveletMode.allCases {
                for (i, c) in Self.cases.enumerated() {
                    let t = try WaveletTransform(wavelet: w, mode: mode, levels: c.levels, axes: c.axes)
                    let x = waveletTestSignal(count: c.shape.reduce(1, *), seed: UInt64(100 + i))
                    let coefficients = try t.forward(x, shape: c.shape)
                    let bands = coefficients.bands.map { ["key": $0.key, "shape": $0.shape, "values": $0.values] as [String: Any] }
                    records.append([
                        "wavelet": w.name, "mode": mode.rawValue, "levels": c.levels, "axes": c.axes ?? Array(c.shape.indices),
                        "shape": c.shape, "signal": x, "bands": bands, "reconstruction": try t.inverse(coefficients),
                    ])
                }
            }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = root.appendingPathComponent(".build/wavelet-checks")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let data = try JSONSerialization.data(withJSONObject: ["cases": records])
        let file = directory.appendingPathComponent("wavelets.json")
        try data.write(to: file, options: .atomic)
        #expect(records.count == Wavelet.all.count * WaveletMode.allCases.count * Self.cases.count)
    }
}
