import Foundation
import Spectral
import Testing
@testable import WaveletDiffusion

/// The 2-D-plus-time representation: the 3-D DWT's bands with time folded into channels, the first
/// frame's 2-D DWT as the condition, exact round trips, scales that make channels of order one,
/// the transpose of decoding, refusals.
@Suite struct VorticityWaveletChannelsTests {
    /// A smooth periodic stand-in for a vorticity window: two travelling, decaying modes.
    static func window(frames: Int = 8, n: Int = 16, seed: Double = 0) -> [Double] {
        var w: [Double] = []
        for t in 0..<frames {
            for y in 0..<n {
                for x in 0..<n {
                    let (tx, ty) = (2 * Double.pi * Double(x) / Double(n), 2 * Double.pi * Double(y) / Double(n))
                    w.append(3 * exp(-0.05 * Double(t)) * sin(tx + 0.2 * Double(t) + seed) + cos(2 * ty - 0.1 * Double(t)) + 0.3 * sin(tx + 3 * ty + seed))
                }
            }
        }
        return w
    }

    @Test func roundTripsAndPlacesBandsAndCondition() throws {
        let channels = try VorticityWaveletChannels(frames: 8, height: 16, width: 16, bandScales: [4, 3, 3, 2, 2, 1, 1, 1], conditionScale: 5)
        #expect(channels.channelCount == 8 * 4 + 4 && channels.paddedHeight == 8 && channels.sampleSize == 36 * 64)
        let w = Self.window()
        let sample = try channels.encode(state: w, control: [], condition: .initialState)
        let (back, control) = try channels.decode(sample)
        #expect(zip(back, w).allSatisfy { abs($0 - $1) < 1e-12 } && control.count == 7 * 256 && control.allSatisfy { $0 == 0 })
        // Band 1 ("aad"), time slice 2, at (3, 5): channel 1·4 + 2, divided by its scale 3.
        let c = try WaveletTransform(wavelet: .bior2_4, mode: .periodization).forward(w, shape: [8, 16, 16])
        let placed: Double = sample[(1 * 4 + 2) * 64 + 3 * 8 + 5], computed: Double = c.bands[1].values[2 * 64 + 3 * 8 + 5] / 3
        #expect(abs(placed - computed) < 1e-14)
        // Condition channel 3 ("dd" of the first frame), divided by 5.
        let first = try WaveletTransform(wavelet: .bior2_4, mode: .periodization).forward(Array(w.prefix(256)), shape: [16, 16])
        let condition: Double = sample[(32 + 3) * 64 + 10], expected: Double = first.bands[3].values[10] / 5
        #expect(abs(condition - expected) < 1e-14)
        // Only the condition is known; decoding ignores it.
        let known = channels.knownMask(for: .simulation)
        #expect(known.prefix(32 * 64).allSatisfy { $0 == 0 } && known.suffix(4 * 64).allSatisfy { $0 == 1 })
    }

    @Test func scalesNormaliseTheChannelsAndDecodingHasItsTranspose() throws {
        let windows = (0..<3).map { Self.window(seed: Double($0)) }
        let (bands, condition) = try VorticityWaveletChannels.scales(of: windows, frames: 8, height: 16, width: 16)
        let channels = try VorticityWaveletChannels(frames: 8, height: 16, width: 16, bandScales: bands, conditionScale: condition)
        let samples = try windows.map { try channels.encode(state: $0, control: [], condition: .initialState) }
        let first = samples.flatMap { $0.prefix(4 * 64) }   // band 0's channels
        let rms = (first.reduce(0) { $0 + $1 * $1 } / Double(first.count)).squareRoot()
        #expect(abs(rms - 1) < 1e-9, "band 0 RMS \(rms)")
        // <decode(s), g> = <s, decodeTransposed(g)> over the generated channels.
        var s = [Double](repeating: 0, count: channels.sampleSize), g = [Double](repeating: 0, count: 8 * 256)
        for i in 0..<(32 * 64) { s[i] = sin(Double(i) * 0.37) }
        for i in g.indices { g[i] = cos(Double(i) * 0.11) }
        let lhs = zip(try channels.decode(s).state, g).reduce(0) { $0 + $1.0 * $1.1 }
        let rhs = zip(s, try channels.decodeTransposed(state: g, control: [])).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(lhs - rhs) < 1e-10 * max(1, abs(lhs)))
    }

    @Test func badShapesAreRefused() throws {
        #expect(throws: WaveletDiffusionError.self) { try VorticityWaveletChannels(frames: 7, height: 16, width: 16) }
        #expect(throws: WaveletDiffusionError.self) { try VorticityWaveletChannels(frames: 8, height: 16, width: 16, bandScales: [1, 2]) }
        let channels = try VorticityWaveletChannels(frames: 8, height: 16, width: 16)
        #expect(throws: WaveletDiffusionError.self) { try channels.encode(state: [1, 2, 3], control: [], condition: .initialState) }
        #expect(throws: WaveletDiffusionError.self) { try channels.decode([0]) }
    }
}
