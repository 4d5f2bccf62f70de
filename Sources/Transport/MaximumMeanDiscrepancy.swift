import Foundation

/// The maximum mean discrepancy between two weighted clouds under Gaussian (RBF) kernels
/// k(x, y) = exp(−γ ‖x − y‖²) (scikit-learn's `rbf_kernel` convention), averaged over a list
/// of bandwidths γ.
///
/// MMD² = E k(x, x′) + E k(y, y′) − 2 E k(x, y). The biased (V-statistic) estimator keeps the
/// diagonal terms; the unbiased (U-statistic) one leaves them out, normalising the within-cloud
/// sums by 1 − Σ wᵢ² (= (n − 1)/n for uniform weights, the usual 1/(n(n − 1))), and can be
/// negative. The Meta Flow Matching paper reports the biased estimate averaged over
/// γ ∈ {2, 1, 0.5, 0.1, 0.01, 0.005}: the defaults here.
public struct MaximumMeanDiscrepancy: Sendable {
    /// Which estimator of MMD².
    public enum Estimator: String, Sendable, CaseIterable {
        case biased, unbiased
    }

    /// The kernel bandwidths γ (inverse squared length, in the coordinates' units⁻²), each > 0.
    public var gammas: [Double]
    public var estimator: Estimator

    /// The paper's bandwidth list.
    public static let paperGammas: [Double] = [2, 1, 0.5, 0.1, 0.01, 0.005]

    public init(gammas: [Double] = MaximumMeanDiscrepancy.paperGammas, estimator: Estimator = .biased) {
        self.gammas = gammas
        self.estimator = estimator
    }

    /// MMD² averaged over the bandwidths.
    ///
    /// - Throws: `TransportError` for clouds of different dimension, an empty bandwidth list, a
    ///   bandwidth ≤ 0, or (unbiased estimator) a cloud whose weight sits on a single point.
    public func squared(_ x: PointCloud, _ y: PointCloud) throws -> Double {
        guard !gammas.isEmpty else { throw TransportError.invalidParameter("the MMD needs at least one kernel bandwidth γ") }
        if let bad = gammas.first(where: { !($0 > 0) || !$0.isFinite }) {
            throw TransportError.invalidParameter("the MMD kernel bandwidth γ = \(bad) must be finite and > 0")
        }
        guard x.dimension == y.dimension else { throw TransportError.dimensionMismatch(source: x.dimension, target: y.dimension) }
        let dxx = squaredDistances(x, x), dyy = squaredDistances(y, y), dxy = squaredDistances(x, y)
        let unbiased = estimator == .unbiased
        let selfX = x.weights.reduce(0) { $0 + $1 * $1 }, selfY = y.weights.reduce(0) { $0 + $1 * $1 }
        if unbiased {
            if selfX >= 1 - 1e-12 { throw TransportError.invalidParameter("the unbiased MMD needs two or more weighted points in the first cloud") }
            if selfY >= 1 - 1e-12 { throw TransportError.invalidParameter("the unbiased MMD needs two or more weighted points in the second cloud") }
        }
        var total = 0.0
        for gamma in gammas {
            var kxx = kernelMean(dxx, x.weights, x.weights, gamma, skipDiagonal: unbiased)
            var kyy = kernelMean(dyy, y.weights, y.weights, gamma, skipDiagonal: unbiased)
            if unbiased { kxx /= 1 - selfX; kyy /= 1 - selfY }
            let kxy = kernelMean(dxy, x.weights, y.weights, gamma, skipDiagonal: false)
            total += kxx + kyy - 2 * kxy
        }
        return total / Double(gammas.count)
    }

    private func squaredDistances(_ x: PointCloud, _ y: PointCloud) -> [Double] {
        // Same dimension checked by the caller.
        (try? GroundCost.squaredEuclidean.matrix(from: x, to: y)) ?? []
    }

    private func kernelMean(_ d: [Double], _ wx: [Double], _ wy: [Double], _ gamma: Double, skipDiagonal: Bool) -> Double {
        let n = wx.count, m = wy.count
        var sum = 0.0
        d.withUnsafeBufferPointer { d in
            for i in 0..<n {
                var row = 0.0
                let base = d.baseAddress! + i * m
                for j in 0..<m where !(skipDiagonal && i == j) { row += wy[j] * Foundation.exp(-gamma * base[j]) }
                sum += wx[i] * row
            }
        }
        return sum
    }
}
