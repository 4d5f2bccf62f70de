import Foundation
import NetCDF
import Scenarios
import TrafficODE

/// Scores a forecaster on the test (or validation) windows of a series, per horizon step: masked
/// MAE, RMSE and MAPE over all sensors, and each sensor's MAE (the map of where the model is
/// wrong). Protocols: `standard` (GRAM-ODE's 60/20/20 split in time order, 12 → 12, statistics of
/// the training segment, one RMSE over all values) and `tgcn` (T-GCN's 80/20 split; the metrics
/// at horizon h pool every step up to h, each h on its own windows, as T-GCN trains one model
/// per horizon).
public struct TrafficEvaluateKind: ScenarioKind {
    public init() {}

    public let name = "traffic-evaluate"
    public let domain = "traffic"
    public let summary = "scores a traffic forecaster per horizon (MAE, RMSE, MAPE, and each sensor's MAE) on held-out windows"

    public let parameters: [ParameterSpec] = TrafficInputs.parameters + TrafficInputs.modelParameters + [
        ParameterSpec("segment", .string(choices: ["test", "validation"]), default: .string("test"), summary: "which held-out segment to score"),
        ParameterSpec("input_length", .integer(1...10_000), default: .integer(12), summary: "observed steps in a window"),
        ParameterSpec("horizon", .integer(1...10_000), default: .integer(12), summary: "forecast steps"),
    ]

    public func check(_ p: ParameterValues, issues: inout [ValidationIssue]) {
        if p.string("protocol") == "tgcn", p.string("segment") == "validation" {
            issues.append(ValidationIssue(path: "$.parameters.segment", value: p["segment"], expected: "test (the tgcn protocol has no validation segment)"))
        }
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let inputs = try TrafficInputs.load(scenario)
        let series = inputs.series, n = series.sensors, horizon = p.int("horizon")
        let seriesPath = TrafficInputs.resolve(p.string("series"), scenario: scenario)
        let segment: ForecastWindows.Segment = p.string("segment") == "test" ? .test : .validation
        let pooled = p.string("protocol") == "tgcn"
        context.progress.begin("traffic-evaluate '\(scenario.name)' (\(p.string("model")), \(p.string("protocol")) protocol)")

        // Per step h: the metrics over all sensors and each sensor's MAE.
        var metrics: [ForecastMetrics] = [], sensorMAE = [Double](repeating: .nan, count: horizon * n), windowCounts: [Int] = []
        let evaluations = pooled ? Array(1...horizon) : [horizon]
        for h in evaluations {
            let windows = try TrafficInputs.windows(protocol: p.string("protocol"), series: series, inputLength: p.int("input_length"),
                                                    horizon: h, origin: seriesPath)
            let model = try TrafficInputs.forecaster(p.string("model"), series: series, feature: inputs.feature, windows: windows)
            let starts = windows.windowStarts(in: segment)
            let all = try model.errors(on: series, windows: windows, segment: segment, feature: inputs.feature, perSensor: true)
            if pooled {
                metrics.append(all.metrics(step: h, throughStep: true))
                sensorMAE.replaceSubrange(((h - 1) * n)..<(h * n), with: all.sensorMAE(step: h, throughStep: true))
                windowCounts.append(starts.count)
            } else {
                metrics = (1...h).map { all.metrics(step: $0) }
                for k in 1...h { sensorMAE.replaceSubrange(((k - 1) * n)..<(k * n), with: all.sensorMAE(step: k)) }
                windowCounts = Array(repeating: starts.count, count: h)
                let overall = all.metrics()
                metrics.append(overall)
            }
        }
        // Standard protocol: the last entry is the average over all horizons.
        let average = pooled ? metrics[horizon - 1] : metrics.removeLast()

        var statistics: [(key: String, value: JSONValue)] = [
            ("model", .string(p.string("model"))), ("protocol", .string(p.string("protocol"))), ("segment", .string(segment.name)),
            ("windows", .integer(Int64(windowCounts.last ?? 0))), ("sensors", .integer(Int64(n))),
            ("mae", .number(average.mae)), ("rmse", .number(average.rmse)), ("mape", .number(average.mape)),
        ]
        for minutes in [15.0, 30, 60] {
            let k = Int((minutes / series.stepMinutes).rounded())
            guard k >= 1, k <= horizon, Double(k) * series.stepMinutes == minutes else { continue }
            statistics += [("mae_\(Int(minutes))min", .number(metrics[k - 1].mae)), ("rmse_\(Int(minutes))min", .number(metrics[k - 1].rmse)),
                           ("mape_\(Int(minutes))min", .number(metrics[k - 1].mape))]
        }
        if let graph = inputs.graph { statistics.append(("isolated_sensors", .integer(Int64(graph.isolatedSensors.count)))) }

        let dataset = try context.createOutput(
            title: "\(p.string("model")) forecasts of \(series.featureNames[inputs.feature]) scored on the \(segment.name) windows of \(seriesPath)",
            references: "Z. Liu, P. Shojaee, C. K. Reddy (2023), Graph-based Multi-ODE Neural Networks for Spatio-Temporal Traffic Forecasting, TMLR; L. Zhao et al. (2019), T-GCN, IEEE T-ITS",
            comment: pooled
                ? "tgcn protocol: 80/20 split in time order, \(p.int("input_length")) steps in; at horizon step h the metrics pool every forecast step 1..h over windows of h steps out (the last window of the segment left out, as T-GCN's code)."
                : "standard protocol: 60/20/20 split in time order, \(p.int("input_length")) steps in, \(horizon) out; metrics at each horizon step; readings equal to 0 (missing) are masked; RMSE is one root over all values.")
        defer { dataset.discard() }
        try dataset.setAttribute("model", .text(p.string("model")))
        try dataset.setAttribute("protocol", .text(p.string("protocol")))
        try dataset.setAttribute("series", .text(seriesPath))
        try dataset.setAttribute("sensor_ids", .text(series.sensorIDs.joined(separator: ",")))
        try dataset.setAttribute("mae_all_horizons", .float64([average.mae]))
        try dataset.setAttribute("rmse_all_horizons", .float64([average.rmse]))
        try dataset.setAttribute("mape_all_horizons", .float64([average.mape]))
        try dataset.defineDimension("horizon", length: horizon)
        try dataset.defineDimension("sensor", length: n)
        try dataset.defineVariable("horizon", type: .float64, dimensions: ["horizon"], attributes: [
            "long_name": "lead time of the forecast step", "units": "minutes",
        ])
        try dataset.defineVariable("sensor", type: .int32, dimensions: ["sensor"], attributes: ["long_name": "sensor index (IDs in the global attribute sensor_ids)"])
        let unit = series.featureNames[inputs.feature] == "speed" ? "mile/hour" : "1"
        for (variable, meaning, units) in [("mae", "masked mean absolute error", unit), ("rmse", "masked root mean squared error", unit),
                                           ("mape", "masked mean absolute percentage error", "percent")] {
            try dataset.defineVariable(variable, type: .float64, dimensions: ["horizon"], attributes: [
                "long_name": .text(meaning + (pooled ? " pooled over steps 1..h" : " at step h")), "units": .text(units),
            ])
        }
        try dataset.defineVariable("windows", type: .int32, dimensions: ["horizon"], attributes: ["long_name": "windows scored"])
        try dataset.defineVariable("sensor_mae", type: .float64, dimensions: ["horizon", "sensor"], attributes: [
            "long_name": "each sensor's masked mean absolute error", "units": .text(unit),
        ])
        if series.latitude != nil { try dataset.setAttribute("coordinates", "latitude longitude", of: "sensor_mae") }
        if series.latitude != nil {
            try dataset.defineVariable("latitude", type: .float64, dimensions: ["sensor"], attributes: ["standard_name": "latitude", "units": "degrees_north"])
            try dataset.defineVariable("longitude", type: .float64, dimensions: ["sensor"], attributes: ["standard_name": "longitude", "units": "degrees_east"])
        }
        try dataset.write((1...horizon).map { Double($0) * series.stepMinutes }, to: "horizon")
        try dataset.write((0..<n).map { Int32($0) }, to: "sensor")
        try dataset.write(metrics.map(\.mae), to: "mae")
        try dataset.write(metrics.map(\.rmse), to: "rmse")
        try dataset.write(metrics.map(\.mape), to: "mape")
        try dataset.write(windowCounts.map { Int32($0) }, to: "windows")
        try dataset.write(sensorMAE, to: "sensor_mae")
        if let lat = series.latitude, let lon = series.longitude {
            try dataset.write(lat, to: "latitude")
            try dataset.write(lon, to: "longitude")
        }
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        return RunSummary(statistics: statistics)
    }
}
