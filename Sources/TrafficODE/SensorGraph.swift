import Foundation

/// A weighted graph over a network's sensors: `weights[i · sensors + j]` is the weight of the
/// edge from sensor i to sensor j (0: no edge). Built from road distances
/// (``gaussianKernel(distances:sensors:sigma:threshold:origin:)``), from the similarity of the
/// sensors' daily profiles (``semantic(dtwDistances:sensors:sigma:threshold:origin:)``) or read
/// from a file (``read(_:sensors:)``).
public struct SensorGraph: Sendable, Equatable {
    public let sensors: Int
    /// Row-major `(sensors, sensors)` edge weights.
    public let weights: [Double]

    public init(sensors: Int, weights: [Double], origin: String = "") throws {
        guard sensors > 0 else { throw TrafficODEError(origin, "a graph needs at least one sensor") }
        guard weights.count == sensors * sensors else {
            throw TrafficODEError(origin, "\(weights.count) weights for \(sensors) sensors (\(sensors * sensors) expected)")
        }
        if let bad = weights.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw TrafficODEError(origin, "the weight from sensor \(bad / sensors) to sensor \(bad % sensors) is \(weights[bad]); weights must be finite and ≥ 0")
        }
        self.sensors = sensors
        self.weights = weights
    }

    /// The graph among the first `count` sensors (edges to the others dropped).
    public func prefix(sensors count: Int) throws -> SensorGraph {
        guard (1...sensors).contains(count) else { throw TrafficODEError("", "\(count) sensors asked for; the graph has \(sensors)") }
        return try SensorGraph(sensors: count, weights: (0..<count).flatMap { i in weights[(i * sensors)..<(i * sensors + count)] })
    }

    /// Entries that are not zero, the diagonal included.
    public var nonzeros: Int { weights.reduce(0) { $1 != 0 ? $0 + 1 : $0 } }

    /// GRAM-ODE's "average degree": nonzeros / 2 / sensors.
    public var averageDegree: Double { Double(nonzeros) / 2 / Double(sensors) }

    /// Sensors with no edge to or from any other sensor.
    public var isolatedSensors: [Int] {
        (0..<sensors).filter { i in
            !(0..<sensors).contains { j in j != i && (weights[i * sensors + j] != 0 || weights[j * sensors + i] != 0) }
        }
    }

    /// GRAM-ODE's propagation matrix Â = scale · (I + D^−½ A D^−½), D the row sums of A (clamped
    /// below at 1e-4, so an isolated sensor keeps only its self term); scale 0.4 is the reference
    /// code's α/2 with α = 0.8. Row-major `(sensors, sensors)`.
    public func normalizedPropagation(scale: Double = 0.4) -> [Double] {
        let n = sensors
        let inverseRoot: [Double] = (0..<n).map { i in
            let degree = weights[(i * n)..<((i + 1) * n)].reduce(0, +)
            return 1 / max(degree, 1e-4).squareRoot()
        }
        var out = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { out[i * n + j] = scale * ((i == j ? 1 : 0) + inverseRoot[i] * weights[i * n + j] * inverseRoot[j]) }
        }
        return out
    }

    /// The spatial graph from road distances, as GRAM-ODE builds it: the finite distances are
    /// z-scored (mean and population standard deviation over the finite entries), weighted by
    /// exp(−z²/σ²), and weights below `threshold` set to 0. `distances` is row-major
    /// `(sensors, sensors)` with `.infinity` where two sensors are not linked (the diagonal
    /// included, which then has weight 0). Defaults: GRAM-ODE's σ = 10, threshold 0.5.
    public static func gaussianKernel(distances: [Double], sensors: Int, sigma: Double = 10, threshold: Double = 0.5,
                                      origin: String = "") throws -> SensorGraph {
        guard distances.count == sensors * sensors else {
            throw TrafficODEError(origin, "\(distances.count) distances for \(sensors) sensors (\(sensors * sensors) expected)")
        }
        guard sigma > 0 else { throw TrafficODEError(origin, "the kernel width σ must be positive, not \(sigma)") }
        let finite = distances.filter(\.isFinite)
        guard !finite.isEmpty else { throw TrafficODEError(origin, "no finite distance: no two sensors are linked") }
        let (mean, deviation) = meanAndDeviation(finite)
        let weights = distances.map { d -> Double in
            guard d.isFinite else { return 0 }
            let z = deviation > 0 ? (d - mean) / deviation : 0
            let w = Foundation.exp(-(z * z) / (sigma * sigma))
            return w < threshold ? 0 : w
        }
        return try SensorGraph(sensors: sensors, weights: weights, origin: origin)
    }

    /// The semantic graph from dynamic-time-warping distances between the sensors' daily profiles,
    /// as GRAM-ODE builds it: all distances z-scored, weighted by exp(−z²/σ²), and the graph
    /// binarised (1 where the weight exceeds `threshold`). Defaults: GRAM-ODE's σ = 0.1, threshold 0.6.
    public static func semantic(dtwDistances: [Double], sensors: Int, sigma: Double = 0.1, threshold: Double = 0.6,
                                origin: String = "") throws -> SensorGraph {
        guard dtwDistances.count == sensors * sensors else {
            throw TrafficODEError(origin, "\(dtwDistances.count) distances for \(sensors) sensors (\(sensors * sensors) expected)")
        }
        guard dtwDistances.allSatisfy(\.isFinite) else { throw TrafficODEError(origin, "DTW distances must all be finite") }
        guard sigma > 0 else { throw TrafficODEError(origin, "the kernel width σ must be positive, not \(sigma)") }
        let (mean, deviation) = meanAndDeviation(dtwDistances)
        let weights = dtwDistances.map { d -> Double in
            let z = deviation > 0 ? (d - mean) / deviation : 0
            return Foundation.exp(-(z * z) / (sigma * sigma)) > threshold ? 1 : 0
        }
        return try SensorGraph(sensors: sensors, weights: weights, origin: origin)
    }

    static func meanAndDeviation(_ values: [Double]) -> (Double, Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        return (mean, variance.squareRoot())
    }
}

extension SensorGraph {
    /// The semantic graph of a series as GRAM-ODE builds it: each sensor's mean day over `steps`
    /// (the training segment, so no test reading shapes the model), DTW distances between all
    /// pairs of profiles (absolute cost, optionally banded: the reference code's fastdtw uses
    /// radius 6), then ``semantic(dtwDistances:sensors:sigma:threshold:origin:)``.
    public static func semantic(of series: TrafficSeries, feature: Int = 0, steps: Range<Int>, band: Int? = nil,
                                sigma: Double = 0.1, threshold: Double = 0.6) throws -> (graph: SensorGraph, distances: [Double]) {
        let profiles = series.meanDailyProfiles(feature: feature, steps: steps)
        let distances = DynamicTimeWarping(localCost: .absolute, band: band).pairwiseDistances(profiles)
        return (try semantic(dtwDistances: distances, sensors: series.sensors, sigma: sigma, threshold: threshold), distances)
    }
}
