import Dispatch

/// Dynamic time warping between two series: the least total local cost of a monotone alignment
/// of their samples,
///
///     D(i, j) = c(aᵢ, bⱼ) + min(D(i−1, j), D(i, j−1), D(i−1, j−1)),
///
/// optionally restricted to a Sakoe–Chiba band |i − j| ≤ `band` (after stretching for unequal
/// lengths, as dtaidistance's `window` − 1). The local cost is |a − b| (the distance is the sum,
/// as fastdtw's, which GRAM-ODE uses) or (a − b)² (the distance is the square root of the sum,
/// dtaidistance's default).
public struct DynamicTimeWarping: Sendable {
    public enum LocalCost: String, Sendable, CaseIterable {
        /// c = |a − b|; the distance is the summed cost.
        case absolute
        /// c = (a − b)²; the distance is the square root of the summed cost.
        case squared
    }

    public var localCost: LocalCost
    /// Largest |i − j| an alignment may use (nil: unrestricted).
    public var band: Int?

    public init(localCost: LocalCost = .absolute, band: Int? = nil) {
        self.localCost = localCost
        self.band = band
    }

    /// The DTW distance between `a` and `b` (both non-empty). Two rows of the cost table,
    /// O(len(a) · len(b)) time, or O(len(a) · band) with a band.
    public func distance(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in distance(pa, pb) } }
    }

    func distance(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
        let r = a.count, c = b.count
        precondition(r > 0 && c > 0, "DTW needs two non-empty series")
        // dtaidistance's band for unequal lengths: j ∈ [i − max(0, r − c) − w + 1, i + max(0, c − r) + w).
        let w = band.map { $0 + 1 } ?? max(r, c)
        var previous = [Double](repeating: .infinity, count: c + 1)
        var current = [Double](repeating: .infinity, count: c + 1)
        previous[0] = 0
        let squared = localCost == .squared
        for i in 0..<r {
            let lo = max(0, i - max(0, r - c) - w + 1), hi = min(c, i + max(0, c - r) + w)
            current.withUnsafeMutableBufferPointer { cur in
                previous.withUnsafeBufferPointer { prev in
                    // Only the cells just outside the band are reset: the band moves right
                    // monotonically, so the row above was written (or reset) at every index read.
                    cur[lo] = .infinity
                    let ai = a[i]
                    for j in lo..<hi {
                        let d = ai - b[j]
                        let cost = squared ? d * d : Swift.abs(d)
                        cur[j + 1] = cost + Swift.min(prev[j], Swift.min(prev[j + 1], cur[j]))
                    }
                    if hi < c { cur[hi + 1] = .infinity }
                }
            }
            swap(&previous, &current)
        }
        let total = previous[c]
        return squared ? total.squareRoot() : total
    }

    /// The symmetric matrix of DTW distances between all pairs of `series`, row-major
    /// `(count, count)` with a zero diagonal; the rows are computed in parallel.
    public func pairwiseDistances(_ series: [[Double]]) -> [Double] {
        let n = series.count
        let out = UnsafeMutableBufferPointer<Double>.allocate(capacity: n * n)
        out.initialize(repeating: 0)
        defer { out.deallocate() }
        nonisolated(unsafe) let shared = out
        // Row i holds n − 1 − i pairs: interleave long and short rows across workers.
        let order = (0..<n).map { $0 % 2 == 0 ? $0 / 2 : n - 1 - $0 / 2 }
        DispatchQueue.concurrentPerform(iterations: n) { k in
            let i = order[k]
            for j in (i + 1)..<max(i + 1, n) {
                let d = distance(series[i], series[j])
                shared[i * n + j] = d
                shared[j * n + i] = d
            }
        }
        return Array(out)
    }
}
