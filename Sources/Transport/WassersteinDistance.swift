/// The p-Wasserstein distance between two weighted point clouds, computed exactly:
/// Wₚ(μ, ν) = (min over couplings π of Σ π(i, j) ‖xᵢ − yⱼ‖ᵖ)^(1/p).
///
/// W2 is the square root of the optimal squared-Euclidean cost (the convention of POT's
/// `ot.emd2` on `ot.dist` costs, and of the Meta Flow Matching paper's tables).
public enum WassersteinDistance {
    /// W1: the optimal mean Euclidean distance moved.
    public static func w1(_ source: PointCloud, _ target: PointCloud) throws -> Double {
        try ExactTransport.plan(from: source, to: target, cost: .euclidean).cost
    }

    /// W2: the square root of the optimal mean squared Euclidean distance moved.
    public static func w2(_ source: PointCloud, _ target: PointCloud) throws -> Double {
        max(0, try ExactTransport.plan(from: source, to: target, cost: .squaredEuclidean).cost).squareRoot()
    }
}
