import Foundation
import NetCDF
import Scenarios
import TrafficODE

/// Forecasts from consecutive origins starting at a chosen time: for each origin (the time of the
/// last observed reading) every sensor's forecast for the next `horizon` steps, next to the truth
/// where the series has it; sensors carry their latitude and longitude as coordinates, so a map
/// of the forecast or its error is one xarray call away.
public struct TrafficForecastKind: ScenarioKind {
    public init() {}

    public let name = "traffic-forecast"
    public let domain = "traffic"
    public let summary = "forecasts every sensor from a chosen start time: NetCDF (time, sensor, horizon) with the truth and the sensors' positions"

    public let parameters: [ParameterSpec] = TrafficInputs.parameters + TrafficInputs.modelParameters + [
        ParameterSpec("series_start", .string(), default: .string("2012-03-01T00:00"),
                      summary: "local date and time of the series' first reading (Los-loop: 2012-03-01T00:00, a Thursday)"),
        ParameterSpec("start_time", .string(), default: .string("2012-03-07T05:00"),
                      summary: "the first forecast origin (local time of the last observed reading), yyyy-MM-ddTHH:mm"),
        ParameterSpec("origins", .integer(1...1_000_000), default: .integer(48), summary: "consecutive forecast origins, one step apart"),
        ParameterSpec("input_length", .integer(1...10_000), default: .integer(12), summary: "observed steps before each origin (the origin included)"),
        ParameterSpec("horizon", .integer(1...10_000), default: .integer(12), summary: "forecast steps"),
    ]

    static func parse(_ text: String, parameter: String) throws -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        throw TrafficRunError(message: "\(parameter) '\(text)' is not a date and time of the form yyyy-MM-ddTHH:mm")
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let inputs = try TrafficInputs.load(scenario)
        let series = inputs.series, n = series.sensors, horizon = p.int("horizon"), inputLength = p.int("input_length")
        let seriesPath = TrafficInputs.resolve(p.string("series"), scenario: scenario)
        let origin0 = try Self.parse(p.string("series_start"), parameter: "series_start")
        let start = try Self.parse(p.string("start_time"), parameter: "start_time")
        let offset = start.timeIntervalSince(origin0) / 60 / series.stepMinutes
        guard offset == offset.rounded() else {
            throw TrafficRunError(message: "start_time \(p.string("start_time")) does not fall on a reading (the series steps every \(series.stepMinutes) minutes from \(p.string("series_start")))")
        }
        let firstOrigin = Int(offset), origins = p.int("origins")
        let lastOrigin = firstOrigin + origins - 1
        guard firstOrigin >= inputLength - 1, lastOrigin < series.timeSteps else {
            throw TrafficRunError(message: "\(seriesPath): origins at steps \(firstOrigin)...\(lastOrigin) need readings from step \(firstOrigin - inputLength + 1) "
                + "to \(lastOrigin), but the series holds steps 0...\(series.timeSteps - 1) (\(p.string("series_start")) onwards, every \(series.stepMinutes) min)")
        }
        let windows = try TrafficInputs.windows(protocol: p.string("protocol"), series: series, inputLength: inputLength, horizon: horizon, origin: seriesPath)
        let model = try TrafficInputs.forecaster(p.string("model"), series: series, feature: inputs.feature, windows: windows)
        context.progress.begin("traffic-forecast '\(scenario.name)' (\(model.name), \(origins) origins)")
        let starts = (firstOrigin...lastOrigin).map { $0 - inputLength + 1 }
        let predicted = try model.forecast(series, feature: inputs.feature, starts: starts, inputLength: inputLength, horizon: horizon)
        // (origin, horizon, sensor) → (time, sensor, horizon).
        var forecast = [Double](repeating: 0, count: origins * n * horizon), truth = forecast
        var errors = ForecastErrors(horizon: horizon)
        for o in 0..<origins {
            var block = [Double](repeating: 0, count: horizon * n), known = block
            for k in 0..<horizon {
                let t = firstOrigin + o + 1 + k
                for s in 0..<n {
                    let f = predicted[(o * horizon + k) * n + s]
                    let y = t < series.timeSteps ? series.value(time: t, sensor: s, feature: inputs.feature) : .nan
                    forecast[(o * n + s) * horizon + k] = f
                    truth[(o * n + s) * horizon + k] = y
                    block[k * n + s] = f
                    known[k * n + s] = y.isNaN ? 0 : y
                }
            }
            errors.add(forecast: block, truth: known, sensors: n)
        }
        let overall = errors.metrics()
        let statistics: [(key: String, value: JSONValue)] = [
            ("model", .string(model.name)), ("origins", .integer(Int64(origins))), ("first_origin_step", .integer(Int64(firstOrigin))),
            ("mae", .number(overall.mae)), ("rmse", .number(overall.rmse)), ("mape", .number(overall.mape)),
        ]

        let dataset = try context.createOutput(
            title: "\(model.name) forecasts of \(series.featureNames[inputs.feature]) from \(p.string("start_time")) (\(seriesPath))",
            references: "Z. Liu, P. Shojaee, C. K. Reddy (2023), Graph-based Multi-ODE Neural Networks for Spatio-Temporal Traffic Forecasting, TMLR",
            comment: "forecast(time, sensor, horizon): made at `time` (the last observed reading) for time + horizon; truth: the reading then (NaN past the series' end; 0 = missing).")
        defer { dataset.discard() }
        try dataset.setAttribute("model", .text(model.name))
        try dataset.setAttribute("series", .text(seriesPath))
        try dataset.setAttribute("sensor_ids", .text(series.sensorIDs.joined(separator: ",")))
        try dataset.defineDimension("time", length: origins)
        try dataset.defineDimension("sensor", length: n)
        try dataset.defineDimension("horizon", length: horizon)
        let stamp = ISO8601DateFormatter.string(from: origin0, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate, .withSpaceBetweenDateAndTime])
        try dataset.defineVariable("time", type: .float64, dimensions: ["time"], attributes: [
            "standard_name": "time", "long_name": "forecast origin (time of the last observed reading, local time)", "units": .text("minutes since \(stamp)"),
            "calendar": "standard",
        ])
        try dataset.defineVariable("sensor", type: .int32, dimensions: ["sensor"], attributes: ["long_name": "sensor index (IDs in the global attribute sensor_ids)"])
        try dataset.defineVariable("horizon", type: .float64, dimensions: ["horizon"], attributes: ["long_name": "lead time", "units": "minutes"])
        let unit: AttributeValue = series.featureNames[inputs.feature] == "speed" ? "mile/hour" : "1"
        let what = series.featureNames[inputs.feature]
        try dataset.defineVariable("forecast", type: .float32, dimensions: ["time", "sensor", "horizon"], attributes: [
            "long_name": .text("forecast \(what)"), "units": unit,
        ])
        try dataset.defineVariable("truth", type: .float32, dimensions: ["time", "sensor", "horizon"], attributes: [
            "long_name": .text("observed \(what) at the forecast's valid time"), "units": unit,
        ])
        if series.latitude != nil {
            for name in ["forecast", "truth"] { try dataset.setAttribute("coordinates", "latitude longitude", of: name) }
        }
        if series.latitude != nil {
            try dataset.defineVariable("latitude", type: .float64, dimensions: ["sensor"], attributes: ["standard_name": "latitude", "units": "degrees_north"])
            try dataset.defineVariable("longitude", type: .float64, dimensions: ["sensor"], attributes: ["standard_name": "longitude", "units": "degrees_east"])
        }
        try dataset.write((firstOrigin...lastOrigin).map { Double($0) * series.stepMinutes }, to: "time")
        try dataset.write((0..<n).map { Int32($0) }, to: "sensor")
        try dataset.write((1...horizon).map { Double($0) * series.stepMinutes }, to: "horizon")
        try dataset.write(forecast.map { Float($0) }, to: "forecast")
        try dataset.write(truth.map { Float($0) }, to: "truth")
        if let lat = series.latitude, let lon = series.longitude {
            try dataset.write(lat, to: "latitude")
            try dataset.write(lon, to: "longitude")
        }
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        return RunSummary(statistics: statistics)
    }
}
