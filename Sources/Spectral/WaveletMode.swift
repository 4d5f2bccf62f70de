/// How a discrete wavelet transform treats the signal beyond its ends (PyWavelets' modes).
public enum WaveletMode: String, Sendable, CaseIterable, Codable {
    /// The signal is periodic (an odd length is first extended by repeating its last sample):
    /// `⌈N/2⌉` coefficients per band, no redundancy.
    case periodization
    /// The signal is zero outside `[0, N)`: `⌊(N + F − 1)/2⌋` coefficients per band.
    case zero

    /// The mode called `name`.
    /// - Throws: ``WaveletError/unknownMode(_:)``.
    public init(named name: String) throws(WaveletError) {
        guard let mode = WaveletMode(rawValue: name) else { throw .unknownMode(name) }
        self = mode
    }

    /// Coefficients per band of one level on a signal of `length` samples with `filterLength` taps.
    public func coefficientCount(signalLength length: Int, filterLength: Int) -> Int {
        switch self {
        case .periodization: return (length + 1) / 2
        case .zero: return (length + filterLength - 1) / 2
        }
    }

    /// Samples the synthesis of `count` coefficients per band produces (before any cut).
    public func synthesisLength(coefficientCount count: Int, filterLength: Int) -> Int {
        switch self {
        case .periodization: return 2 * count
        case .zero: return 2 * count - filterLength + 2
        }
    }
}

/// Where tap `j` of coefficient `o` meets the signal along one axis, as a table of `count × taps`
/// signal indices (−1: outside, contributes nothing). Analysis gathers through the table
/// (`c[o] = Σ_j filter[j] x[index(o, j)]`), synthesis scatters through its own
/// (`y[index(o, j)] += filter[j] c[o]`); each one's transpose uses the same table the other way.
struct WaveletLineMap: Sendable {
    /// Coefficients per band.
    let count: Int
    /// Samples on the signal side.
    let length: Int
    let taps: Int
    let indices: [Int32]

    /// The analysis table for a signal of `length` samples: periodization reads
    /// `x[(F/2 + 2o − j) mod N']` with `N' = N` rounded up to even (index `N` is the repeated last
    /// sample), zero reads `x[2o + 1 − j]`.
    static func analysis(mode: WaveletMode, length n: Int, taps f: Int) -> WaveletLineMap {
        let m = mode.coefficientCount(signalLength: n, filterLength: f)
        var indices = [Int32](repeating: -1, count: m * f)
        let padded = n + n % 2
        for o in 0..<m {
            for j in 0..<f {
                let i: Int
                switch mode {
                case .periodization:
                    i = Swift.min(((f / 2 + 2 * o - j) % padded + padded) % padded, n - 1)
                case .zero:
                    let k = 2 * o + 1 - j
                    i = k >= 0 && k < n ? k : -1
                }
                indices[o * f + j] = Int32(i)
            }
        }
        return WaveletLineMap(count: m, length: n, taps: f, indices: indices)
    }

    /// The synthesis table from `count` coefficients to `length` samples (the full synthesis cut
    /// to its first `length`): periodization writes `y[(2o + j − F/2 + 1) mod 2m]`, zero
    /// writes `y[2o + j − F + 2]`.
    static func synthesis(mode: WaveletMode, count m: Int, length n: Int, taps f: Int) -> WaveletLineMap {
        var indices = [Int32](repeating: -1, count: m * f)
        for o in 0..<m {
            for j in 0..<f {
                let k: Int
                switch mode {
                case .periodization: k = ((2 * o + j - f / 2 + 1) % (2 * m) + 2 * m) % (2 * m)
                case .zero: k = 2 * o + j - f + 2
                }
                indices[o * f + j] = k >= 0 && k < n ? Int32(k) : -1
            }
        }
        return WaveletLineMap(count: m, length: n, taps: f, indices: indices)
    }

    /// `low[o] = Σ_j lowFilter[j] · signal[index(o, j)]` and the same for `high`, along the middle
    /// axis of arrays laid out `[outer, length, inner]` (signal) and `[outer, count, inner]`
    /// (coefficients): both halves of a split in one pass over the signal.
    func gather(_ signal: UnsafePointer<Double>, filters: (low: [Double], high: [Double]),
                into low: UnsafeMutablePointer<Double>, _ high: UnsafeMutablePointer<Double>, outer: Int, inner: Int) {
        low.initialize(repeating: 0, count: outer * count * inner)
        high.initialize(repeating: 0, count: outer * count * inner)
        apply(filters, low: low, high: high, signal: UnsafeMutablePointer(mutating: signal), outer: outer, inner: inner,
              intoCoefficients: true)
    }

    /// `signal[index(o, j)] += lowFilter[j] · low[o] + highFilter[j] · high[o]` along the middle
    /// axis (layouts as in ``gather(_:filters:into:_:outer:inner:)``): both halves of a merge in one pass.
    func scatter(_ low: UnsafePointer<Double>, _ high: UnsafePointer<Double>, filters: (low: [Double], high: [Double]),
                 into signal: UnsafeMutablePointer<Double>, outer: Int, inner: Int) {
        apply(filters, low: UnsafeMutablePointer(mutating: low), high: UnsafeMutablePointer(mutating: high), signal: signal,
              outer: outer, inner: inner, intoCoefficients: false)
    }

    /// The table's one loop: for every coefficient `o` and tap `j`, the rows `o` of the two
    /// coefficient arrays and the row `index(o, j)` of the signal meet with the weights
    /// `filters.low[j]`, `filters.high[j]`; the sums go into the coefficients (gather) or into the
    /// signal (scatter). Along the last (contiguous) axis the table is first packed to the entries
    /// that meet a non-zero tap, so each coefficient's sum runs over them alone.
    private func apply(_ filters: (low: [Double], high: [Double]), low: UnsafeMutablePointer<Double>, high: UnsafeMutablePointer<Double>,
                       signal: UnsafeMutablePointer<Double>, outer: Int, inner: Int, intoCoefficients: Bool) {
        let (m, n, f) = (count, length, taps)
        var packedIndex: [Int] = [], packedLow: [Double] = [], packedHigh: [Double] = [], start = [Int](repeating: 0, count: m + 1)
        for o in 0..<m {
            for j in 0..<f where (filters.low[j] != 0 || filters.high[j] != 0) && indices[o * f + j] >= 0 {
                packedIndex.append(Int(indices[o * f + j]))
                packedLow.append(filters.low[j])
                packedHigh.append(filters.high[j])
            }
            start[o + 1] = packedIndex.count
        }
        packedIndex.withUnsafeBufferPointer { idx in
            packedLow.withUnsafeBufferPointer { wl in
                packedHigh.withUnsafeBufferPointer { wh in
                    start.withUnsafeBufferPointer { bounds in
                        for b in 0..<outer {
                            let (lowBlock, highBlock) = (low + b * m * inner, high + b * m * inner)
                            let signalBlock = signal + b * n * inner
                            for o in 0..<m {
                                let (rowL, rowH) = (lowBlock + o * inner, highBlock + o * inner)
                                let (lo, hi) = (bounds[o], bounds[o + 1])
                                if inner == 1 {
                                    if intoCoefficients {
                                        var (sumL, sumH) = (rowL[0], rowH[0])
                                        for k in lo..<hi {
                                            let x = signalBlock[idx[k]]
                                            sumL += wl[k] * x
                                            sumH += wh[k] * x
                                        }
                                        (rowL[0], rowH[0]) = (sumL, sumH)
                                    } else {
                                        let (a, d) = (rowL[0], rowH[0])
                                        for k in lo..<hi { signalBlock[idx[k]] += wl[k] * a + wh[k] * d }
                                    }
                                    continue
                                }
                                for k in lo..<hi {
                                    let (cl, ch, column) = (wl[k], wh[k], signalBlock + idx[k] * inner)
                                    if intoCoefficients {
                                        for e in 0..<inner {
                                            let x = column[e]
                                            rowL[e] += cl * x
                                            rowH[e] += ch * x
                                        }
                                    } else {
                                        for e in 0..<inner { column[e] += cl * rowL[e] + ch * rowH[e] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
