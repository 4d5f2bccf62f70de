import Spectral

/// Which of `u0` and `u_T` the condition channel carries.
public struct TrajectoryCondition: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// The initial state (simulation and control).
    public static let initialState = TrajectoryCondition(rawValue: 1)
    /// The target final state (control).
    public static let finalState = TrajectoryCondition(rawValue: 2)
}

/// A Burgers trajectory `(u, f)` as the channels a diffusion U-Net sees, and back (the WDNO
/// representation): `f` gets one zero row so both have `rows` time points; each goes through one
/// level of the 2-D DWT over `(t, x)` (bior2.4, periodization by default), giving four sub-bands
/// apiece (``WaveletBand`` key order `aa`, `ad`, `da`, `dd`, the first letter along time); the eight
/// bands, divided by per-channel scales, are zero-padded to `paddedHeight × paddedWidth` and
/// stacked; a ninth channel carries the 1-D DWT of `u0` and `u_T` (low and high halves, each row
/// repeated over a quarter of the height), divided by its own scale.
///
/// Layout of one sample: `[9, paddedHeight, paddedWidth]`, row-major, channel-major.
public struct WaveletChannels: TrajectoryRepresentation {
    public let wavelet: Wavelet
    public let mode: WaveletMode
    /// Time points of `u` (`f` has one fewer) and space points.
    public let rows: Int
    public let points: Int
    public let paddedHeight: Int
    public let paddedWidth: Int
    /// Divisors of the eight band channels and of the condition channel (the reference code's
    /// `[10, 3, 3, 1, 21, 5, 5, 1]` and `10`).
    public let bandScales: [Double]
    public let conditionScale: Double
    /// One level over every axis of what it is given (the 2-D trajectory, the 1-D states).
    let transform: WaveletTransform
    /// Shape of one band, `[⌈rows/2⌉, ⌈points/2⌉]` for periodization.
    public let bandShape: [Int]

    /// Channels of one sample: 8 bands and the condition.
    public static let channelCount = 9
    /// The band channels of `u` and of `f`.
    public static let stateChannels = 0..<4
    public static let controlChannels = 4..<8
    public static let conditionChannel = 8

    /// - Throws: ``WaveletDiffusionError/invalidShape(_:)`` when the bands do not fit the padded
    ///   size or a scale is not positive.
    public init(rows: Int = 81, points: Int = 120, wavelet: Wavelet = .bior2_4, mode: WaveletMode = .periodization,
                paddedHeight: Int = 64, paddedWidth: Int = 64,
                bandScales: [Double] = [10, 3, 3, 1, 21, 5, 5, 1], conditionScale: Double = 10) throws {
        do {
            transform = try WaveletTransform(wavelet: wavelet, mode: mode, levels: 1)
            bandShape = try transform.levelShapes(signalShape: [rows, points])[1]
        } catch {
            throw WaveletDiffusionError.invalidShape("wavelet channels: \(error)")
        }
        let lineCount = mode.coefficientCount(signalLength: points, filterLength: wavelet.filterLength)
        guard bandShape[0] <= paddedHeight, bandShape[1] <= paddedWidth, lineCount <= paddedWidth, paddedHeight % 4 == 0 else {
            throw WaveletDiffusionError.invalidShape(
                "wavelet channels: bands \(bandShape) (and 1-D halves of \(lineCount)) do not fit the padded \(paddedHeight) x \(paddedWidth) "
                    + "(its height must be a multiple of 4)")
        }
        guard bandScales.count == 8, bandScales.allSatisfy({ $0 > 0 }), conditionScale > 0 else {
            throw WaveletDiffusionError.invalidShape("wavelet channels: 8 positive band scales and a positive condition scale are needed")
        }
        (self.wavelet, self.mode, self.rows, self.points) = (wavelet, mode, rows, points)
        (self.paddedHeight, self.paddedWidth, self.bandScales, self.conditionScale) = (paddedHeight, paddedWidth, bandScales, conditionScale)
    }

    /// The square padded size the scenarios use: the bands' larger side rounded up to a multiple
    /// of 16 (64 for the paper's 41 × 60 bands), so a U-Net of up to five levels halves it cleanly.
    public static func paddedSize(rows: Int, points: Int, wavelet: Wavelet = .bior2_4, mode: WaveletMode = .periodization) -> Int {
        let largest = max(mode.coefficientCount(signalLength: rows, filterLength: wavelet.filterLength),
                          mode.coefficientCount(signalLength: points, filterLength: wavelet.filterLength))
        return (largest + 15) / 16 * 16
    }

    public var name: String { "wavelet" }
    public var channelCount: Int { Self.channelCount }
    /// The band scales and the condition scale (the reference code weights its loss by them).
    public var channelWeights: [Double] { bandScales + [conditionScale] }

    /// The task's known values: for simulation the control's four band channels and the `u0`
    /// half of the condition channel, for control the whole condition channel.
    public func knownMask(for task: DiffusionTask) -> [Double] {
        var mask = [Double](repeating: 0, count: sampleSize)
        let quarter = paddedHeight / 4
        if task == .simulation {
            for c in Self.controlChannels { for i in 0..<plane { mask[c * plane + i] = 1 } }
        }
        let conditionRows = task == .simulation ? 2 * quarter : paddedHeight
        for i in 0..<(conditionRows * paddedWidth) { mask[Self.conditionChannel * plane + i] = 1 }
        return mask
    }
    var plane: Int { paddedHeight * paddedWidth }

    /// The channels of a trajectory: `u` (`rows × points`), `f` (`(rows − 1) × points`), and the
    /// condition channel from `u`'s first and/or last row.
    public func encode(state u: [Double], control f: [Double], condition: TrajectoryCondition) throws -> [Double] {
        guard u.count == rows * points, f.count == (rows - 1) * points else {
            throw WaveletDiffusionError.invalidShape("trajectory: u has \(u.count) values (expected \(rows) x \(points)), f \(f.count) (expected \(rows - 1) x \(points))")
        }
        var out = [Double](repeating: 0, count: sampleSize)
        for (offset, field) in [(0, u), (4, f + [Double](repeating: 0, count: points))] {
            let c = try transform.forward(field, shape: [rows, points])
            for (b, band) in c.bands.enumerated() { place(band.values, channel: offset + b, scale: bandScales[offset + b], into: &out) }
        }
        let initial = Array(u.prefix(points)), final = Array(u.suffix(points))
        try writeCondition(initial: condition.contains(.initialState) ? initial : nil,
                           final: condition.contains(.finalState) ? final : nil, into: &out)
        return out
    }

    /// Writes the condition channel (zero where a state is not given).
    public func writeCondition(initial: [Double]?, final: [Double]?, into sample: inout [Double]) throws {
        let base = Self.conditionChannel * plane, quarter = paddedHeight / 4
        for i in 0..<plane { sample[base + i] = 0 }
        for (block, state) in [(0, initial), (2, final)] {
            guard let state else { continue }
            guard state.count == points else {
                throw WaveletDiffusionError.invalidShape("condition state: \(state.count) values, expected \(points)")
            }
            let c = try transform.forward(state, shape: [points])
            for (half, values) in [c.approximation.values, c.details[0][0].values].enumerated() {
                for r in 0..<quarter {
                    let row = base + ((block + half) * quarter + r) * paddedWidth
                    for (j, v) in values.enumerated() { sample[row + j] = v / conditionScale }
                }
            }
        }
    }

    /// The trajectory of a sample: `u` (`rows × points`) and `f` (`(rows − 1) × points`).
    public func decode(_ sample: [Double]) throws -> (state: [Double], control: [Double]) {
        guard sample.count == sampleSize else {
            throw WaveletDiffusionError.invalidShape("sample: \(sample.count) values, expected \(Self.channelCount) x \(paddedHeight) x \(paddedWidth)")
        }
        var fields: [[Double]] = []
        for offset in [0, 4] {
            let layout = try transform.forward([Double](repeating: 0, count: rows * points), shape: [rows, points])
            let values = (0..<4).flatMap { take(sample, channel: offset + $0, scale: bandScales[offset + $0]) }
            fields.append(try transform.inverse(layout.withFlattened(values)))
        }
        return (fields[0], Array(fields[1].prefix((rows - 1) * points)))
    }

    /// The transpose of ``decode(_:)``: gradients with respect to `u` (`rows × points`) and `f`
    /// (`(rows − 1) × points`) to the gradient with respect to the sample's values (zero in the
    /// padding and the condition channel).
    public func decodeTransposed(state gu: [Double], control gf: [Double]) throws -> [Double] {
        guard gu.count == rows * points, gf.count == (rows - 1) * points else {
            throw WaveletDiffusionError.invalidShape("gradient: u has \(gu.count) values (expected \(rows) x \(points)), f \(gf.count)")
        }
        var out = [Double](repeating: 0, count: sampleSize)
        for (offset, field) in [(0, gu), (4, gf + [Double](repeating: 0, count: points))] {
            let c = try transform.inverseTransposed(field, shape: [rows, points])
            for (b, band) in c.bands.enumerated() {
                // decode multiplies a channel by its scale: the chain rule multiplies back.
                place(band.values.map { $0 * bandScales[offset + b] * bandScales[offset + b] }, channel: offset + b,
                      scale: bandScales[offset + b], into: &out)
            }
        }
        return out
    }

    /// Mask of the values a sample can hold (1 inside the bands and the condition's columns, 0 in
    /// the padding): the loss and the sampler ignore the rest.
    public var validMask: [Double] {
        var mask = [Double](repeating: 0, count: sampleSize)
        for c in 0..<8 {
            for r in 0..<bandShape[0] { for j in 0..<bandShape[1] { mask[c * plane + r * paddedWidth + j] = 1 } }
        }
        let lineCount = mode.coefficientCount(signalLength: points, filterLength: wavelet.filterLength)
        for r in 0..<paddedHeight { for j in 0..<lineCount { mask[Self.conditionChannel * plane + r * paddedWidth + j] = 1 } }
        return mask
    }

    func place(_ values: [Double], channel: Int, scale: Double, into out: inout [Double]) {
        let (h, w) = (bandShape[0], bandShape[1])
        for r in 0..<h { for j in 0..<w { out[channel * plane + r * paddedWidth + j] = values[r * w + j] / scale } }
    }

    func take(_ sample: [Double], channel: Int, scale: Double) -> [Double] {
        let (h, w) = (bandShape[0], bandShape[1])
        return (0..<(h * w)).map { sample[channel * plane + ($0 / w) * paddedWidth + $0 % w] * scale }
    }
}
