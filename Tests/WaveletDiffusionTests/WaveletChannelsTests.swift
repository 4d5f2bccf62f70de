import Foundation
import Spectral
import Testing
@testable import WaveletDiffusion

@Suite struct WaveletChannelsTests {
    static func trajectory(seed: UInt64) -> (u: [Double], f: [Double]) {
        let setup = BurgersControlSetup()
        let sample = BurgersControlSample(seed: seed)
        let x = setup.pointPositions
        // A smooth stand-in for a trajectory: u0 decaying in time, plus a travelling wave.
        let u0 = sample.initialState(at: x)
        var u: [Double] = []
        for k in 0..<81 {
            let (decay, phase) = (exp(-0.02 * Double(k)), 0.05 * Double(k))
            for j in x.indices { u.append(u0[j] * decay + 0.1 * sin(6 * x[j] - phase)) }
        }
        return (u, sample.control(for: setup))
    }

    @Test func encodeDecodeRoundTripsAndPlacesTheBands() throws {
        let channels = try WaveletChannels()
        #expect(channels.bandShape == [41, 60] && channels.sampleSize == 9 * 64 * 64)
        let (u, f) = Self.trajectory(seed: 4)
        let sample = try channels.encode(state: u, control: f, condition: [.initialState, .finalState])
        let (u2, f2) = try channels.decode(sample)
        #expect(zip(u2, u).allSatisfy { abs($0 - $1) < 1e-12 } && zip(f2, f).allSatisfy { abs($0 - $1) < 1e-12 })
        // Channel 1 (u's "ad" band) is the Spectral transform's band over 3, at the top left; padding is zero.
        let c = try WaveletTransform(wavelet: .bior2_4, mode: .periodization).forward(u, shape: [81, 120])
        #expect(abs(sample[4096 + 5 * 64 + 7] - c.details[0][0].values[5 * 60 + 7] / 3) < 1e-14)
        #expect(sample[4096 + 41 * 64] == 0 && sample[4096 + 62] == 0)
        let mask = channels.validMask
        #expect(zip(sample, mask).allSatisfy { $1 == 1 || $0 == 0 })
        #expect(mask.reduce(0, +) == Double(8 * 41 * 60 + 64 * 60))
        // The condition channel: rows 0-15 the low half of u0's 1-D DWT over 10, rows 48-63 the high half of u_T's.
        let line = try WaveletTransform(wavelet: .bior2_4, mode: .periodization)
        let c0 = try line.forward(Array(u.prefix(120)), shape: [120]), cT = try line.forward(Array(u.suffix(120)), shape: [120])
        let base = 8 * 4096
        for r in [0, 15] { #expect(abs(sample[base + r * 64 + 3] - c0.approximation.values[3] / 10) < 1e-14) }
        for r in [48, 63] { #expect(abs(sample[base + r * 64 + 59] - cT.details[0][0].values[59] / 10) < 1e-14) }
        // Simulation conditions on u0 only: the u_T blocks stay zero.
        let simulation = try channels.encode(state: u, control: f, condition: .initialState)
        #expect((32..<64).allSatisfy { r in (0..<64).allSatisfy { simulation[base + r * 64 + $0] == 0 } })
    }

    /// Both representations: decode ∘ encode is the identity, decodeTransposed is decode's
    /// transpose, and the known masks cover what each task is given.
    @Test(arguments: ["wavelet", "raw"])
    func representationsRoundTripAndTranspose(name: String) throws {
        let layout: any TrajectoryRepresentation = name == "raw" ? try RawChannels() : try WaveletChannels()
        let (u, f) = Self.trajectory(seed: 6)
        let sample = try layout.encode(state: u, control: f, condition: [.initialState, .finalState])
        let (u2, f2) = try layout.decode(sample)
        #expect(zip(u2 + f2, u + f).allSatisfy { abs($0 - $1) < 1e-12 })
        // ⟨decode(s), (gu, gf)⟩ = ⟨s, decodeTransposedᵀ(gu, gf)⟩ over the valid values.
        let valid = layout.validMask
        let s = sample.indices.map { valid[$0] * sin(Double($0)) }
        let gu = u.indices.map { cos(Double($0)) }, gf = f.indices.map { sin(0.5 * Double($0)) }
        let (du, df) = try layout.decode(s)
        let lhs = zip(du, gu).reduce(0) { $0 + $1.0 * $1.1 } + zip(df, gf).reduce(0) { $0 + $1.0 * $1.1 }
        let rhs = zip(s, try layout.decodeTransposed(state: gu, control: gf)).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(lhs - rhs) < 1e-9 * max(1, abs(lhs)), "\(name): \(lhs) vs \(rhs)")
        let simulation = layout.knownMask(for: .simulation), control = layout.knownMask(for: .control)
        #expect(simulation.reduce(0, +) > control.reduce(0, +) && control.reduce(0, +) > 0)
        if name == "raw" {
            #expect(layout.channelCount == 2 && layout.paddedHeight == 128)
            // Simulation is given u's first row and all of f; control the first and last rows of u.
            #expect(simulation[5] == 1 && simulation[128 + 5] == 0 && simulation[128 * 128 + 300] == 1)
            #expect(control[80 * 128 + 7] == 1 && control[128 * 128 + 300] == 0)
        }
    }

    @Test func badShapesAreRefused() throws {
        let channels = try WaveletChannels()
        #expect(throws: WaveletDiffusionError.self) { try channels.encode(state: [1, 2], control: [], condition: []) }
        #expect(throws: WaveletDiffusionError.self) { try channels.decode([0]) }
        #expect(throws: WaveletDiffusionError.self) { try WaveletChannels(paddedHeight: 32) }
        #expect(throws: WaveletDiffusionError.self) { try WaveletChannels(bandScales: [1, 2]) }
    }
}
