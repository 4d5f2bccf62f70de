import Spectral

/// A window of a 2-D flow, `frames` vorticity fields `ω(t, y, x)` on a periodic `height × width`
/// grid, as the channels of a diffusion U-Net: the 2-D-plus-time path of the Wavelet Diffusion
/// Neural Operator. One level of the 3-D DWT over `(t, y, x)` (bior2.4, periodization) gives 8
/// sub-bands of `frames/2 × height/2 × width/2` (PyWavelets' key order `aaa` … `ddd`, the first
/// letter along time); each band's time slices become channels (`band · frames/2 + slice`), so
/// the U-Net stays 2-D with time folded into its channels. Four more channels carry the 2-D DWT
/// of the first frame (the condition). Every channel is divided by its scale.
///
/// Layout of one sample: `[8·frames/2 + 4, height/2, width/2]`. The trajectory's "state" is the
/// window, `frames × (height·width)` row-major; there is no control (a decoded control is zeros,
/// a given one is ignored). Only simulation (from the first frame) is defined.
public struct VorticityWaveletChannels: TrajectoryRepresentation {
    public let frames: Int
    public let height: Int
    public let width: Int
    /// Divisors of the 8 bands and of the condition channels.
    public let bandScales: [Double]
    public let conditionScale: Double
    /// One level over every axis of what it is given: the window (3-D) and the first frame (2-D).
    let transform: WaveletTransform

    /// - Throws: ``WaveletDiffusionError/invalidShape(_:)`` for odd sides or scales that are not 8
    ///   positive numbers and one.
    public init(frames: Int, height: Int, width: Int, bandScales: [Double] = Array(repeating: 1, count: 8), conditionScale: Double = 1) throws {
        guard frames >= 2, height >= 2, width >= 2, frames % 2 == 0, height % 2 == 0, width % 2 == 0 else {
            throw WaveletDiffusionError.invalidShape("vorticity channels: \(frames) frames of \(height) x \(width) (every side must be even)")
        }
        guard bandScales.count == 8, bandScales.allSatisfy({ $0 > 0 && $0.isFinite }), conditionScale > 0, conditionScale.isFinite else {
            throw WaveletDiffusionError.invalidShape("vorticity channels: 8 positive band scales and a positive condition scale are needed")
        }
        (self.frames, self.height, self.width, self.bandScales, self.conditionScale) = (frames, height, width, bandScales, conditionScale)
        do {
            transform = try WaveletTransform(wavelet: .bior2_4, mode: .periodization, levels: 1)
        } catch {
            throw WaveletDiffusionError.invalidShape("vorticity channels: \(error)")
        }
    }

    public var name: String { "vorticity-wavelet" }
    public var rows: Int { frames }
    public var points: Int { height * width }
    public var paddedHeight: Int { height / 2 }
    public var paddedWidth: Int { width / 2 }
    var slices: Int { frames / 2 }
    var bandArea: Int { paddedHeight * paddedWidth }
    public var channelCount: Int { 8 * slices + 4 }
    public var channelWeights: [Double] { Array(repeating: 1, count: channelCount) }
    public var validMask: [Double] { Array(repeating: 1, count: sampleSize) }
    var conditionOffset: Int { 8 * slices * bandArea }

    /// The four condition channels (the first frame's sub-bands).
    public func knownMask(for task: DiffusionTask) -> [Double] {
        (0..<sampleSize).map { $0 >= conditionOffset ? 1 : 0 }
    }

    /// The RMS of each band and of the condition channels over `windows` (each
    /// `frames × height·width`): the scales that make every channel of order one.
    public static func scales(of windows: [[Double]], frames: Int, height: Int, width: Int) throws -> (bands: [Double], condition: Double) {
        let unit = try VorticityWaveletChannels(frames: frames, height: height, width: width)
        var squares = [Double](repeating: 0, count: 8), counts = [Double](repeating: 0, count: 8), condition = 0.0, conditionCount = 0.0
        for window in windows {
            let sample = try unit.encode(state: window, control: [], condition: .initialState)
            for c in 0..<(unit.channelCount) {
                let band = c < 8 * unit.slices ? c / unit.slices : -1
                for i in 0..<unit.bandArea {
                    let v = sample[c * unit.bandArea + i]
                    if band >= 0 { squares[band] += v * v; counts[band] += 1 } else { condition += v * v; conditionCount += 1 }
                }
            }
        }
        let bands = zip(squares, counts).map { max(($0 / max($1, 1)).squareRoot(), 1e-6) }
        return (bands, max((condition / max(conditionCount, 1)).squareRoot(), 1e-6))
    }

    public func encode(state u: [Double], control f: [Double], condition: TrajectoryCondition) throws -> [Double] {
        guard u.count == frames * points else {
            throw WaveletDiffusionError.invalidShape("vorticity window: \(u.count) values, expected \(frames) x \(height) x \(width)")
        }
        var out = [Double](repeating: 0, count: sampleSize)
        let c = try transform.forward(u, shape: [frames, height, width])
        for (b, band) in c.bands.enumerated() {
            // band.values is [slices, h/2, w/2]: slice s becomes channel b·slices + s.
            for i in 0..<(slices * bandArea) { out[b * slices * bandArea + i] = band.values[i] / bandScales[b] }
        }
        if condition.contains(.initialState) {
            let first = try transform.forward(Array(u.prefix(points)), shape: [height, width])
            for (q, band) in first.bands.enumerated() {
                for i in 0..<bandArea { out[conditionOffset + q * bandArea + i] = band.values[i] / conditionScale }
            }
        }
        return out
    }

    public func decode(_ sample: [Double]) throws -> (state: [Double], control: [Double]) {
        guard sample.count == sampleSize else {
            throw WaveletDiffusionError.invalidShape("sample: \(sample.count) values, expected \(channelCount) x \(paddedHeight) x \(paddedWidth)")
        }
        let layout = try transform.forward([Double](repeating: 0, count: frames * points), shape: [frames, height, width])
        let values = (0..<(8 * slices * bandArea)).map { sample[$0] * bandScales[$0 / (slices * bandArea)] }
        let u = try transform.inverse(layout.withFlattened(values))
        return (u, [Double](repeating: 0, count: (frames - 1) * points))
    }

    public func decodeTransposed(state gu: [Double], control gf: [Double]) throws -> [Double] {
        guard gu.count == frames * points else {
            throw WaveletDiffusionError.invalidShape("gradient: \(gu.count) values, expected \(frames) x \(height) x \(width)")
        }
        let c = try transform.inverseTransposed(gu, shape: [frames, height, width])
        var out = [Double](repeating: 0, count: sampleSize)
        for (i, v) in c.flattened.enumerated() { out[i] = v * bandScales[i / (slices * bandArea)] }
        return out
    }
}
