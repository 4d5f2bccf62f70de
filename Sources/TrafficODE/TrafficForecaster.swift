/// Anything that forecasts one feature of every sensor from a window of past readings: the
/// baselines here and the learned models. Forecasts are in the series' units.
public protocol TrafficForecaster {
    /// A short name for tables ("persistence", "gram-ode", …).
    var name: String { get }

    /// Forecasts feature `feature` for the windows starting at `starts` (each observes
    /// `inputLength` steps and forecasts the `horizon` steps after them): `(window, horizon,
    /// sensor)` row-major.
    func forecast(_ series: TrafficSeries, feature: Int, starts: [Int], inputLength: Int, horizon: Int) throws -> [Double]
}

extension TrafficForecaster {
    /// Scores the forecaster on every window of one segment, in batches of `batch` windows
    /// (each sensor's errors too with `perSensor`).
    public func errors(on series: TrafficSeries, windows: ForecastWindows, segment: ForecastWindows.Segment,
                       feature: Int = 0, batch: Int = 64, perSensor: Bool = false) throws -> ForecastErrors {
        var errors = ForecastErrors(horizon: windows.horizon, sensors: perSensor ? series.sensors : nil)
        let starts = windows.windowStarts(in: segment)
        let n = series.sensors, h = windows.horizon
        for first in stride(from: 0, to: starts.count, by: batch) {
            let chunk = Array(starts[first..<min(first + batch, starts.count)])
            let predicted = try forecast(series, feature: feature, starts: chunk, inputLength: windows.inputLength, horizon: h)
            precondition(predicted.count == chunk.count * h * n, "\(name) returned \(predicted.count) values for \(chunk.count) windows")
            for (w, start) in chunk.enumerated() {
                let truth = (0..<h).flatMap { k in (0..<n).map { series.value(time: start + windows.inputLength + k, sensor: $0, feature: feature) } }
                errors.add(forecast: Array(predicted[(w * h * n)..<((w + 1) * h * n)]), truth: truth, sensors: n)
            }
        }
        return errors
    }
}

/// The last observed reading, repeated over the whole horizon (ŷ(t + k) = x(t)).
public struct PersistenceForecaster: TrafficForecaster, Sendable {
    public init() {}
    public var name: String { "persistence" }

    public func forecast(_ series: TrafficSeries, feature: Int, starts: [Int], inputLength: Int, horizon: Int) throws -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(starts.count * horizon * series.sensors)
        for start in starts {
            let last = (0..<series.sensors).map { series.value(time: start + inputLength - 1, sensor: $0, feature: feature) }
            for _ in 0..<horizon { out += last }
        }
        return out
    }
}

/// The historical average by time of day: for each sensor and slot of the day, the mean reading
/// over the training steps (missing readings left out), whatever the window observed.
public struct HistoricalAverageForecaster: TrafficForecaster, Sendable {
    /// `(sensor, slot of the day)` row-major means.
    public let profiles: [[Double]]

    public init(fitting series: TrafficSeries, feature: Int = 0, steps: Range<Int>) {
        profiles = series.meanDailyProfiles(feature: feature, steps: steps)
    }

    public var name: String { "historical-average" }

    public func forecast(_ series: TrafficSeries, feature: Int, starts: [Int], inputLength: Int, horizon: Int) throws -> [Double] {
        guard profiles.count == series.sensors else {
            throw TrafficODEError("", "the historical average was fitted on \(profiles.count) sensors, the series has \(series.sensors)")
        }
        var out: [Double] = []
        out.reserveCapacity(starts.count * horizon * series.sensors)
        for start in starts {
            for k in 0..<horizon {
                let slot = series.slotOfDay(start + inputLength + k)
                for s in 0..<series.sensors { out.append(profiles[s][slot % profiles[s].count]) }
            }
        }
        return out
    }
}
