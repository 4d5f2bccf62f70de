/// One sub-band of a wavelet decomposition: approximation or detail along each transformed axis.
public struct WaveletBand: Sendable, Equatable {
    /// One letter per transformed axis, `"a"` (low-pass) or `"d"` (high-pass), in axis order:
    /// PyWavelets' keys (`"ad"`: approximation along the first transformed axis, detail along
    /// the second).
    public let key: String
    /// The band's shape (untransformed axes keep the signal's length), row-major.
    public let shape: [Int]
    /// The coefficients, row-major.
    public var values: [Double]

    public init(key: String, shape: [Int], values: [Double]) {
        self.key = key
        self.shape = shape
        self.values = values
    }
}

/// A multi-level wavelet decomposition in PyWavelets' `wavedecn` order: the coarsest
/// approximation, then the details of each level from the coarsest to the finest, each level's
/// bands in key order (`"ad"`, `"da"`, `"dd"` in 2-D).
public struct WaveletCoefficients: Sendable, Equatable {
    /// The approximation after the last level (key all `"a"`).
    public var approximation: WaveletBand
    /// `details[0]` is the coarsest level, `details[levels − 1]` the finest; `2^d − 1` bands each.
    public var details: [[WaveletBand]]
    /// The shape of the transformed signal.
    public let signalShape: [Int]

    public init(approximation: WaveletBand, details: [[WaveletBand]], signalShape: [Int]) {
        self.approximation = approximation
        self.details = details
        self.signalShape = signalShape
    }

    /// Number of levels.
    public var levels: Int { details.count }

    /// Every band in order: the approximation, then the details from the coarsest level.
    public var bands: [WaveletBand] { [approximation] + details.flatMap { $0 } }

    /// All coefficients concatenated in ``bands`` order.
    public var flattened: [Double] { bands.flatMap(\.values) }

    /// Coefficients of the same layout from a flat vector in ``bands`` order.
    /// - Throws: ``WaveletError/invalidShape(_:)`` when `values.count` differs from this layout's.
    public func withFlattened(_ values: [Double]) throws(WaveletError) -> WaveletCoefficients {
        let total = bands.reduce(0) { $0 + $1.values.count }
        guard values.count == total else {
            throw .invalidShape("wavelet coefficients: \(values.count) values given, the layout holds \(total)")
        }
        var offset = 0
        func take(_ band: WaveletBand) -> WaveletBand {
            defer { offset += band.values.count }
            return WaveletBand(key: band.key, shape: band.shape, values: Array(values[offset..<(offset + band.values.count)]))
        }
        let approximation = take(self.approximation)
        let details = self.details.map { level in level.map(take) }
        return WaveletCoefficients(approximation: approximation, details: details, signalShape: signalShape)
    }
}
