/// The separable discrete wavelet transform of an n-dimensional array along chosen axes, over
/// several levels, and its inverse: PyWavelets' `wavedecn` / `waverecn` (same coefficients, same
/// order), plus the transposes of both linear maps (for gradients: the transpose of the forward
/// transform is not the inverse unless the wavelet is orthogonal and the mode periodization).
///
///     let transform = try WaveletTransform(wavelet: .bior2_4, mode: .periodization, levels: 1)
///     let c = try transform.forward(u, shape: [81, 120])     // 4 bands of [41, 60]
///     let back = try transform.inverse(c)                     // u again, to rounding
///
/// Arrays are row-major `[Double]` with an explicit shape. Each level splits every transformed
/// axis into a low- and a high-pass half (``WaveletMode/coefficientCount(signalLength:filterLength:)``
/// coefficients each) and continues on the all-low-pass band.
public struct WaveletTransform: Sendable {
    public let wavelet: Wavelet
    public let mode: WaveletMode
    public let levels: Int
    /// The transformed axes (increasing); `nil`: every axis of the signal.
    public let axes: [Int]?

    /// - Throws: ``WaveletError/invalidLevel(_:)`` for `levels < 1`, ``WaveletError/invalidShape(_:)``
    ///   for negative or repeated axes.
    public init(wavelet: Wavelet, mode: WaveletMode = .periodization, levels: Int = 1, axes: [Int]? = nil) throws(WaveletError) {
        guard levels >= 1 else { throw .invalidLevel("wavelet transform: levels must be >= 1, got \(levels)") }
        if let axes {
            guard !axes.isEmpty, axes.allSatisfy({ $0 >= 0 }), Set(axes).count == axes.count else {
                throw .invalidShape("wavelet transform: axes must be distinct and non-negative, got \(axes)")
            }
        }
        self.wavelet = wavelet
        self.mode = mode
        self.levels = levels
        self.axes = axes?.sorted()
    }

    /// The transformed axes for a signal of `shape`.
    func resolvedAxes(for shape: [Int]) throws(WaveletError) -> [Int] {
        let axes = self.axes ?? Array(shape.indices)
        guard let last = axes.last, last < shape.count else {
            throw .invalidShape("wavelet transform: axes \(axes) do not exist in a signal of shape \(shape)")
        }
        return axes
    }

    /// Shapes of the signal and of each level's bands: `[signal, level 1, …, level L]`.
    /// - Throws: ``WaveletError/invalidLevel(_:)`` when a transformed axis is shorter than 2 samples
    ///   before some level.
    public func levelShapes(signalShape shape: [Int]) throws(WaveletError) -> [[Int]] {
        let axes = try resolvedAxes(for: shape)
        guard shape.allSatisfy({ $0 >= 1 }) else { throw .invalidShape("wavelet transform: empty axis in shape \(shape)") }
        var shapes = [shape]
        for level in 1...levels {
            var next = shapes[level - 1]
            for axis in axes {
                guard next[axis] >= 2 else {
                    throw .invalidLevel(
                        "wavelet transform: axis \(axis) has \(next[axis]) sample(s) before level \(level) of \(levels) "
                            + "(signal shape \(shape)); use fewer levels")
                }
                next[axis] = mode.coefficientCount(signalLength: next[axis], filterLength: wavelet.filterLength)
            }
            shapes.append(next)
        }
        return shapes
    }

    // MARK: the four linear maps

    /// The decomposition of `signal` (row-major, `shape`).
    /// - Throws: ``WaveletError`` when the values do not fill the shape or the shape cannot take the levels.
    public func forward(_ signal: [Double], shape: [Int]) throws(WaveletError) -> WaveletCoefficients {
        try decompose(signal, shape: shape, analysis: true)
    }

    /// The signal from its decomposition (cut to the decomposed signal's shape).
    /// - Throws: ``WaveletError/invalidShape(_:)`` when the coefficients' layout is not this transform's.
    public func inverse(_ coefficients: WaveletCoefficients) throws(WaveletError) -> [Double] {
        try recompose(coefficients, analysis: false)
    }

    /// The transpose of ``forward(_:shape:)``: coefficient cotangents to a signal cotangent.
    public func forwardTransposed(_ cotangent: WaveletCoefficients) throws(WaveletError) -> [Double] {
        try recompose(cotangent, analysis: true)
    }

    /// The transpose of ``inverse(_:)``: a signal cotangent (row-major, `shape`) to coefficient
    /// cotangents.
    public func inverseTransposed(_ cotangent: [Double], shape: [Int]) throws(WaveletError) -> WaveletCoefficients {
        try decompose(cotangent, shape: shape, analysis: false)
    }

    /// Level after level, splits the data into bands and continues on the all-low band: the
    /// forward transform (`analysis`) or the inverse's transpose.
    func decompose(_ data: [Double], shape: [Int], analysis: Bool) throws(WaveletError) -> WaveletCoefficients {
        try checkCount(data.count, shape: shape, what: analysis ? "signal" : "cotangent")
        let shapes = try levelShapes(signalShape: shape)
        let axes = try resolvedAxes(for: shape)
        var current = data
        var details: [[WaveletBand]] = []
        for level in 1...levels {
            var bands = split(current, from: shapes[level - 1], to: shapes[level], axes: axes, analysis: analysis)
            current = bands.removeFirst().values
            details.insert(bands, at: 0)
        }
        let key = String(repeating: "a", count: axes.count)
        return WaveletCoefficients(approximation: WaveletBand(key: key, shape: shapes[levels], values: current),
                                   details: details, signalShape: shape)
    }

    /// From the coarsest level to the finest, merges the bands into the next finer approximation:
    /// the inverse transform (not `analysis`) or the forward's transpose.
    func recompose(_ coefficients: WaveletCoefficients, analysis: Bool) throws(WaveletError) -> [Double] {
        let shapes = try checkLayout(coefficients)
        let axes = try resolvedAxes(for: coefficients.signalShape)
        var current = coefficients.approximation.values
        for level in stride(from: levels, through: 1, by: -1) {
            let bands = [current] + coefficients.details[levels - level].map(\.values)
            current = merge(bands, from: shapes[level], to: shapes[level - 1], axes: axes, analysis: analysis)
        }
        return current
    }

    // MARK: one level

    /// The line map of one axis between `count` coefficients and `length` samples.
    func lineMap(count: Int, length: Int, analysis: Bool) -> WaveletLineMap {
        analysis
            ? WaveletLineMap.analysis(mode: mode, length: length, taps: wavelet.filterLength)
            : WaveletLineMap.synthesis(mode: mode, count: count, length: length, taps: wavelet.filterLength)
    }

    /// One level's split of `data` (shape `signal`) into `2^d` bands of shape `bands`, gathering
    /// through the analysis maps with the decomposition filters (the forward transform) or through
    /// the synthesis maps with the reconstruction filters (the inverse's transpose). Bands come in
    /// key order.
    func split(_ data: [Double], from signal: [Int], to bands: [Int], axes: [Int], analysis: Bool) -> [WaveletBand] {
        let (low, highFilter) = analysis
            ? (wavelet.decompositionLowPass, wavelet.decompositionHighPass)
            : (wavelet.reconstructionLowPass, wavelet.reconstructionHighPass)
        var parts = [WaveletBand(key: "", shape: signal, values: data)]
        for axis in axes {
            let map = lineMap(count: bands[axis], length: signal[axis], analysis: analysis)
            var next: [WaveletBand] = []
            for part in parts {
                let outer = part.shape[..<axis].reduce(1, *), inner = part.shape[(axis + 1)...].reduce(1, *)
                var shape = part.shape
                shape[axis] = bands[axis]
                let size = shape.reduce(1, *)
                var high = [Double]()
                let lowValues = [Double](unsafeUninitializedCapacity: size) { lowOut, lowCount in
                    high = [Double](unsafeUninitializedCapacity: size) { highOut, highCount in
                        part.values.withUnsafeBufferPointer { src in
                            map.gather(src.baseAddress!, filters: (low, high: highFilter), into: lowOut.baseAddress!, highOut.baseAddress!,
                                       outer: outer, inner: inner)
                        }
                        highCount = size
                    }
                    lowCount = size
                }
                next.append(WaveletBand(key: part.key + "a", shape: shape, values: lowValues))
                next.append(WaveletBand(key: part.key + "d", shape: shape, values: high))
            }
            parts = next
        }
        return parts
    }

    /// One level's merge of `2^d` bands (key order, shape `bands`) into an array of shape `signal`,
    /// scattering through the synthesis maps with the reconstruction filters (the inverse
    /// transform) or through the analysis maps with the decomposition filters (the forward's transpose).
    func merge(_ parts: [[Double]], from bands: [Int], to signal: [Int], axes: [Int], analysis: Bool) -> [Double] {
        let (low, high) = analysis
            ? (wavelet.decompositionLowPass, wavelet.decompositionHighPass)
            : (wavelet.reconstructionLowPass, wavelet.reconstructionHighPass)
        var current = parts
        var shape = bands
        // Undo the axes last to first: pairs (key + "a", key + "d") are adjacent in key order.
        for axis in axes.reversed() {
            let map = lineMap(count: bands[axis], length: signal[axis], analysis: analysis)
            let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
            shape[axis] = signal[axis]
            let size = shape.reduce(1, *)
            var next: [[Double]] = []
            for pair in stride(from: 0, to: current.count, by: 2) {
                var out = [Double](repeating: 0, count: size)
                out.withUnsafeMutableBufferPointer { o in
                    current[pair].withUnsafeBufferPointer { a in
                        current[pair + 1].withUnsafeBufferPointer { d in
                            map.scatter(a.baseAddress!, d.baseAddress!, filters: (low, high), into: o.baseAddress!, outer: outer, inner: inner)
                        }
                    }
                }
                next.append(out)
            }
            current = next
        }
        return current[0]
    }

    // MARK: checks

    func checkCount(_ count: Int, shape: [Int], what: String) throws(WaveletError) {
        guard shape.allSatisfy({ $0 >= 1 }), shape.reduce(1, *) == count else {
            throw .invalidShape("wavelet transform: the \(what) has \(count) values, its shape \(shape) needs \(shape.reduce(1, *))")
        }
    }

    /// The level shapes, after checking that `coefficients` has this transform's layout.
    func checkLayout(_ coefficients: WaveletCoefficients) throws(WaveletError) -> [[Int]] {
        let shapes = try levelShapes(signalShape: coefficients.signalShape)
        let axes = try resolvedAxes(for: coefficients.signalShape)
        guard coefficients.levels == levels else {
            throw .invalidShape("wavelet coefficients have \(coefficients.levels) level(s), the transform \(levels)")
        }
        let bandCount = (1 << axes.count) - 1
        func check(_ band: WaveletBand, _ shape: [Int], _ place: String) throws(WaveletError) {
            guard band.shape == shape, band.values.count == shape.reduce(1, *) else {
                throw .invalidShape("wavelet coefficients: \(place) band '\(band.key)' has shape \(band.shape) "
                                        + "with \(band.values.count) values, expected \(shape)")
            }
        }
        try check(coefficients.approximation, shapes[levels], "the approximation")
        for (i, level) in coefficients.details.enumerated() {
            guard level.count == bandCount else {
                throw .invalidShape("wavelet coefficients: level \(levels - i) has \(level.count) detail bands, expected \(bandCount)")
            }
            for band in level { try check(band, shapes[levels - i], "level \(levels - i)") }
        }
        return shapes
    }
}
