import Foundation

/// Masked forecast errors per horizon step: MAE, RMSE and MAPE over every forecast value whose
/// truth is not the missing-value mark (0), as DCRNN's and GRAM-ODE's masked metrics. RMSE is one
/// root of the mean over all values (not a mean of per-batch RMSEs, as GRAM-ODE's code takes it).
public struct ForecastErrors: Sendable, Equatable {
    public let horizon: Int
    var absolute: [Double]
    var squared: [Double]
    var relative: [Double]
    var counts: [Int]
    /// With per-sensor tracking: each sensor's absolute errors and counts, `(horizon, sensor)`.
    let sensors: Int?
    var sensorAbsolute: [Double]
    var sensorCounts: [Int]

    /// Errors per horizon step; with `sensors`, also each sensor's (the map of where a model is wrong).
    public init(horizon: Int, sensors: Int? = nil) {
        self.horizon = horizon
        absolute = Array(repeating: 0, count: horizon)
        squared = absolute
        relative = absolute
        counts = Array(repeating: 0, count: horizon)
        self.sensors = sensors
        sensorAbsolute = Array(repeating: 0, count: horizon * (sensors ?? 0))
        sensorCounts = Array(repeating: 0, count: horizon * (sensors ?? 0))
    }

    /// Adds one window's forecasts: `forecast` and `truth` are `(horizon, sensor)` row-major
    /// (per-sensor errors are tracked when `sensors` is the count given at init).
    public mutating func add(forecast: [Double], truth: [Double], sensors: Int) {
        precondition(forecast.count == horizon * sensors && truth.count == horizon * sensors, "forecast and truth must be (horizon, sensor)")
        for h in 0..<horizon {
            for s in 0..<sensors {
                let y = truth[h * sensors + s]
                guard y != 0 else { continue }
                let e = forecast[h * sensors + s] - y
                absolute[h] += Swift.abs(e)
                if self.sensors == sensors {
                    sensorAbsolute[h * sensors + s] += Swift.abs(e)
                    sensorCounts[h * sensors + s] += 1
                }
                squared[h] += e * e
                relative[h] += Swift.abs(e / y)
                counts[h] += 1
            }
        }
    }

    /// Merges errors accumulated elsewhere (another worker or rank).
    public mutating func merge(_ other: ForecastErrors) {
        precondition(other.horizon == horizon)
        for h in 0..<horizon {
            absolute[h] += other.absolute[h]
            squared[h] += other.squared[h]
            relative[h] += other.relative[h]
            counts[h] += other.counts[h]
        }
        for i in sensorAbsolute.indices {
            sensorAbsolute[i] += other.sensorAbsolute[i]
            sensorCounts[i] += other.sensorCounts[i]
        }
    }

    /// Values scored at horizon step h (1-based: 1 = the first forecast step).
    public func count(step h: Int) -> Int { counts[h - 1] }

    /// Each sensor's masked MAE at horizon step h (1-based), or pooled over steps 1…h with
    /// `throughStep` (NaN for a sensor with no scored value; empty without per-sensor tracking).
    public func sensorMAE(step h: Int, throughStep: Bool = false) -> [Double] {
        guard let n = sensors else { return [] }
        let steps = throughStep ? Array(0..<h) : [h - 1]
        return (0..<n).map { s in
            let count = steps.reduce(0) { $0 + sensorCounts[$1 * n + s] }
            return count > 0 ? steps.reduce(0) { $0 + sensorAbsolute[$1 * n + s] } / Double(count) : .nan
        }
    }

    /// Errors at horizon step h (1-based) or, with `throughStep`, over steps 1…h pooled (T-GCN's
    /// protocol), or over all steps (`nil`).
    public func metrics(step h: Int? = nil, throughStep: Bool = false) -> ForecastMetrics {
        let steps = h.map { throughStep ? Array(0..<$0) : [$0 - 1] } ?? Array(0..<horizon)
        let n = Double(steps.reduce(0) { $0 + counts[$1] })
        guard n > 0 else { return ForecastMetrics(mae: .nan, rmse: .nan, mape: .nan) }
        return ForecastMetrics(mae: steps.reduce(0) { $0 + absolute[$1] } / n,
                               rmse: (steps.reduce(0) { $0 + squared[$1] } / n).squareRoot(),
                               mape: 100 * steps.reduce(0) { $0 + relative[$1] } / n)
    }
}

/// Mean absolute error and root mean squared error (in the series' units) and mean absolute
/// percentage error (in %).
public struct ForecastMetrics: Sendable, Equatable, CustomStringConvertible {
    public var mae: Double
    public var rmse: Double
    public var mape: Double

    public var description: String {
        "MAE \(mae.formatted4) RMSE \(rmse.formatted4) MAPE \(mape.formatted4) %"
    }
}

extension Double {
    var formatted4: String { String(format: "%.4f", self) }
}
