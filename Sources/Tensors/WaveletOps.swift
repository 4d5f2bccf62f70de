import Spectral

// The discrete wavelet transform as tape operations: one level over the trailing axes of a batch,
// the sub-bands stacked as channels. Both directions are linear, so their vector–Jacobian
// products are the transposes (``WaveletTransform/forwardTransposed(_:)`` and
// ``WaveletTransform/inverseTransposed(_:shape:)``), which differ from the inverse for
// biorthogonal wavelets and for the zero mode.

extension Variable {
    /// One level of the DWT over the last `axisCount` axes: `[..., n_1, …, n_d]` →
    /// `[..., 2^d, m_1, …, m_d]`, the `2^d` sub-bands stacked in PyWavelets' key order
    /// (`"aa"`, `"ad"`, `"da"`, `"dd"` in 2-D), `m_i` coefficients per axis
    /// (``WaveletMode/coefficientCount(signalLength:filterLength:)``). Computed in Float64.
    ///
    /// - Throws: ``TensorError/invalidArgument(operation:message:)`` when the tensor has fewer
    ///   than `axisCount` axes or an axis is too short to split.
    public func waveletDecomposition(_ wavelet: Wavelet, mode: WaveletMode = .periodization, axisCount d: Int) throws -> Variable {
        let operation = "waveletDecomposition"
        guard d >= 1, d <= rank else {
            throw TensorError.invalidArgument(operation: operation, message: "cannot transform \(d) trailing axes of a rank-\(rank) tensor \(shape)")
        }
        let inputShape = shape
        let transform = try waveletTransform(wavelet, mode: mode, rank: rank, axisCount: d, operation: operation)
        let coefficients = try wrapped(operation) { () throws(WaveletError) in
            try transform.forward(value.scalars.map(Double.init), shape: inputShape)
        }
        let outputShape = stackedShape(signal: inputShape, bands: coefficients.approximation.shape, axisCount: d)
        let y = try Tensor<Scalar>(shape: outputShape, scalars: stackBands(coefficients.bands.map(\.values), batch: batchCount(inputShape, d)).map { Scalar($0) })
        return .recording(operation, value: y, inputs: [self]) { g, _ in
            let bands = unstackBands(g.scalars.map(Double.init), bandCount: 1 << d, batch: batchCount(inputShape, d))
            let cotangent = try relabel(coefficients, with: bands)
            let dx = try wrapped(operation) { () throws(WaveletError) in try transform.forwardTransposed(cotangent) }
            return [try Tensor(shape: inputShape, scalars: dx.map { Scalar($0) })]
        }
    }

    /// The inverse of ``waveletDecomposition(_:mode:axisCount:)``: `[..., 2^d, m_1, …, m_d]` →
    /// `[..., n_1, …, n_d]` with `signalShape = [n_1, …, n_d]` (the decomposed signal's trailing
    /// shape, which the coefficient counts alone do not fix: an odd length is cut back).
    ///
    /// - Throws: ``TensorError/invalidArgument(operation:message:)`` when the channel axis does not
    ///   hold `2^d` bands or the band shape is not the one `signalShape` decomposes into.
    public func waveletReconstruction(_ wavelet: Wavelet, mode: WaveletMode = .periodization, signalShape: [Int]) throws -> Variable {
        let operation = "waveletReconstruction"
        let d = signalShape.count
        guard d >= 1, rank >= d + 1, shape[rank - d - 1] == 1 << d else {
            throw TensorError.invalidArgument(
                operation: operation,
                message: "expected [..., \(1 << d), m_1, …, m_\(d)] for a \(d)-D signal \(signalShape), got \(shape)")
        }
        let inputShape = shape
        let batchShape = Array(inputShape[..<(rank - d - 1)])
        let fullSignal = batchShape + signalShape
        let transform = try waveletTransform(wavelet, mode: mode, rank: fullSignal.count, axisCount: d, operation: operation)
        let layout = try wrapped(operation) { () throws(WaveletError) in
            try transform.inverseTransposed([Double](repeating: 0, count: fullSignal.reduce(1, *)), shape: fullSignal)
        }
        guard layout.approximation.shape == batchShape + Array(inputShape[(rank - d)...]) else {
            throw TensorError.invalidArgument(
                operation: operation,
                message: "bands of shape \(Array(inputShape[(rank - d)...])) do not come from a signal \(signalShape) "
                    + "(\(wavelet.name), \(mode.rawValue) gives \(Array(layout.approximation.shape.suffix(d))))")
        }
        let batch = batchShape.reduce(1, *)
        let coefficients = try relabel(layout, with: unstackBands(value.scalars.map(Double.init), bandCount: 1 << d, batch: batch))
        let x = try wrapped(operation) { () throws(WaveletError) in try transform.inverse(coefficients) }
        let y = try Tensor<Scalar>(shape: fullSignal, scalars: x.map { Scalar($0) })
        return .recording(operation, value: y, inputs: [self]) { g, _ in
            let c = try wrapped(operation) { () throws(WaveletError) in
                try transform.inverseTransposed(g.scalars.map(Double.init), shape: fullSignal)
            }
            return [try Tensor(shape: inputShape, scalars: stackBands(c.bands.map(\.values), batch: batch).map { Scalar($0) })]
        }
    }
}

/// A one-level transform over the last `d` of `rank` axes.
private func waveletTransform(_ wavelet: Wavelet, mode: WaveletMode, rank: Int, axisCount d: Int, operation: String) throws -> WaveletTransform {
    try wrapped(operation) { () throws(WaveletError) in
        try WaveletTransform(wavelet: wavelet, mode: mode, levels: 1, axes: Array((rank - d)..<rank))
    }
}

/// Runs `body`, turning a ``WaveletError`` into a ``TensorError`` naming the operation.
private func wrapped<T>(_ operation: String, _ body: () throws(WaveletError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw TensorError.invalidArgument(operation: operation, message: error.description)
    }
}

private func batchCount(_ shape: [Int], _ d: Int) -> Int { shape.dropLast(d).reduce(1, *) }

/// `[batch..., n...]` with bands of shape `[batch..., m...]` → `[batch..., 2^d, m...]`.
private func stackedShape(signal: [Int], bands: [Int], axisCount d: Int) -> [Int] {
    Array(signal.dropLast(d)) + [1 << d] + Array(bands.suffix(d))
}

/// Interleaves bands `[batch, M]` (each) into `[batch, bands, M]`.
private func stackBands(_ bands: [[Double]], batch: Int) -> [Double] {
    let m = bands[0].count / batch
    var out = [Double](repeating: 0, count: bands.count * bands[0].count)
    for b in 0..<batch {
        for (k, band) in bands.enumerated() {
            for i in 0..<m { out[(b * bands.count + k) * m + i] = band[b * m + i] }
        }
    }
    return out
}

/// The inverse of ``stackBands(_:batch:)``.
private func unstackBands(_ values: [Double], bandCount: Int, batch: Int) -> [[Double]] {
    let m = values.count / (batch * bandCount)
    return (0..<bandCount).map { k in
        var band = [Double](repeating: 0, count: batch * m)
        for b in 0..<batch {
            for i in 0..<m { band[b * m + i] = values[(b * bandCount + k) * m + i] }
        }
        return band
    }
}

/// `layout`'s bands with new values (same order: approximation, then the one level's details).
private func relabel(_ layout: WaveletCoefficients, with bands: [[Double]]) throws -> WaveletCoefficients {
    try wrapped("wavelet") { () throws(WaveletError) in try layout.withFlattened(bands.flatMap { $0 }) }
}
