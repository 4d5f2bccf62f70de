/// How a Burgers trajectory `(u, f)` becomes the images a diffusion U-Net works on, and back:
/// ``WaveletChannels`` (the Wavelet Diffusion Neural Operator) or ``RawChannels`` (the paper's
/// ablation: the same diffusion model on the raw `(t, x)` values). Training, sampling, guidance
/// and the scenarios work with either.
public protocol TrajectoryRepresentation: Sendable {
    /// `"wavelet"` or `"raw"` (recorded with a trained model).
    var name: String { get }
    /// Time points of `u` (`f` has one fewer) and space points.
    var rows: Int { get }
    var points: Int { get }
    /// Image channels and size of one sample.
    var channelCount: Int { get }
    var paddedHeight: Int { get }
    var paddedWidth: Int { get }
    /// Loss weight of each channel.
    var channelWeights: [Double] { get }
    /// The sample of a trajectory, with what `condition` names filled in where the
    /// representation carries it separately.
    func encode(state u: [Double], control f: [Double], condition: TrajectoryCondition) throws -> [Double]
    /// The trajectory of a sample.
    func decode(_ sample: [Double]) throws -> (state: [Double], control: [Double])
    /// The transpose of ``decode(_:)`` (gradients of a trajectory cost to the sample).
    func decodeTransposed(state gu: [Double], control gf: [Double]) throws -> [Double]
    /// 1 where a sample can hold a value, 0 in the padding.
    var validMask: [Double] { get }
    /// 1 where the task gives the value (clean), 0 where the model generates it.
    func knownMask(for task: DiffusionTask) -> [Double]
}

extension TrajectoryRepresentation {
    /// Values in one sample.
    public var sampleSize: Int { channelCount * paddedHeight * paddedWidth }
}

/// The raw representation (the ablation without wavelets): `u` (`rows × points`) and `f` (with a
/// zero row added) divided by `scale` as two channels, zero-padded to `paddedHeight ×
/// paddedWidth` (the reference code: scale 10, 128 × 128). The conditions are the rows themselves:
/// simulation is given `f` and the first row of `u`, control the first and last rows of `u`.
public struct RawChannels: TrajectoryRepresentation {
    public let rows: Int
    public let points: Int
    public let paddedHeight: Int
    public let paddedWidth: Int
    public let scale: Double

    /// - Throws: ``WaveletDiffusionError/invalidShape(_:)`` when the trajectory does not fit.
    public init(rows: Int = 81, points: Int = 120, paddedHeight: Int = 128, paddedWidth: Int = 128, scale: Double = 10) throws {
        guard rows >= 2, points >= 1, rows <= paddedHeight, points <= paddedWidth, scale > 0 else {
            throw WaveletDiffusionError.invalidShape("raw channels: \(rows) x \(points) trajectories do not fit \(paddedHeight) x \(paddedWidth) (scale \(scale))")
        }
        (self.rows, self.points, self.paddedHeight, self.paddedWidth, self.scale) = (rows, points, paddedHeight, paddedWidth, scale)
    }

    /// The square padded size the scenarios use: the larger side rounded up to a multiple of 16.
    public static func paddedSize(rows: Int, points: Int) -> Int { (max(rows, points) + 15) / 16 * 16 }

    public var name: String { "raw" }
    public var channelCount: Int { 2 }
    public var channelWeights: [Double] { [1, 1] }
    var plane: Int { paddedHeight * paddedWidth }

    public func encode(state u: [Double], control f: [Double], condition: TrajectoryCondition) throws -> [Double] {
        guard u.count == rows * points, f.count == (rows - 1) * points else {
            throw WaveletDiffusionError.invalidShape("trajectory: u has \(u.count) values (expected \(rows) x \(points)), f \(f.count) (expected \(rows - 1) x \(points))")
        }
        var out = [Double](repeating: 0, count: sampleSize)
        for r in 0..<rows { for j in 0..<points { out[r * paddedWidth + j] = u[r * points + j] / scale } }
        for r in 0..<(rows - 1) { for j in 0..<points { out[plane + r * paddedWidth + j] = f[r * points + j] / scale } }
        return out
    }

    public func decode(_ sample: [Double]) throws -> (state: [Double], control: [Double]) {
        guard sample.count == sampleSize else {
            throw WaveletDiffusionError.invalidShape("sample: \(sample.count) values, expected 2 x \(paddedHeight) x \(paddedWidth)")
        }
        let u = (0..<(rows * points)).map { sample[($0 / points) * paddedWidth + $0 % points] * scale }
        let f = (0..<((rows - 1) * points)).map { sample[plane + ($0 / points) * paddedWidth + $0 % points] * scale }
        return (u, f)
    }

    public func decodeTransposed(state gu: [Double], control gf: [Double]) throws -> [Double] {
        guard gu.count == rows * points, gf.count == (rows - 1) * points else {
            throw WaveletDiffusionError.invalidShape("gradient: u has \(gu.count) values, f \(gf.count)")
        }
        var out = [Double](repeating: 0, count: sampleSize)
        for (i, g) in gu.enumerated() { out[(i / points) * paddedWidth + i % points] = g * scale }
        for (i, g) in gf.enumerated() { out[plane + (i / points) * paddedWidth + i % points] = g * scale }
        return out
    }

    public var validMask: [Double] {
        var mask = [Double](repeating: 0, count: sampleSize)
        for r in 0..<rows { for j in 0..<points { mask[r * paddedWidth + j] = 1 } }
        for r in 0..<(rows - 1) { for j in 0..<points { mask[plane + r * paddedWidth + j] = 1 } }
        return mask
    }

    public func knownMask(for task: DiffusionTask) -> [Double] {
        var mask = [Double](repeating: 0, count: sampleSize)
        let knownRows = task == .simulation ? [0] : [0, rows - 1]
        for r in knownRows { for j in 0..<points { mask[r * paddedWidth + j] = 1 } }
        if task == .simulation { for i in 0..<plane { mask[plane + i] = 1 } }
        return mask
    }
}
