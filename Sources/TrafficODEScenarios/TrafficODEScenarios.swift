import Foundation
import Scenarios
import TrafficODE

/// The scenario kinds of traffic forecasting: what `ndyn` registers from this domain.
public enum TrafficODEScenarios {
    public static let kinds: [any ScenarioKind] = [TrafficTrainKind(), TrafficEvaluateKind(), TrafficForecastKind()]
}

/// A traffic run that cannot go on: a file of the wrong kind, a model that does not fit the series.
public struct TrafficRunError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The inputs every traffic kind shares: the series (with its sensors' positions) and its road
/// graph, read and checked against each other.
struct TrafficInputs {
    var series: TrafficSeries
    var graph: SensorGraph?
    var feature: Int

    static let parameters: [ParameterSpec] = [
        ParameterSpec("series", .string(), default: .string("Data/traffic/los-loop/los_speed.csv"),
                      summary: "the readings: T-GCN's CSV layout (.csv) or NetCDF (time, sensor, feature); relative paths are looked up from the working directory, then from the scenario file's folder and its parents"),
        ParameterSpec("variable", .string(), default: .string("traffic"), summary: "NetCDF series: the variable holding (time, sensor, feature)"),
        ParameterSpec("feature", .integer(0...1_000), default: .integer(0), summary: "which feature to forecast (PeMS: 0 flow, 1 occupancy, 2 speed)"),
        ParameterSpec("locations", .string(), default: .string("Data/traffic/los-loop/graph_sensor_locations.csv"),
                      summary: "sensor positions (index,sensor_id,latitude,longitude); empty: none, or those in the NetCDF series"),
        ParameterSpec("graph", .string(), default: .string("Data/traffic/los-loop/los_adj.csv"),
                      summary: "road graph: a dense weight matrix (CSV) or an edge list from,to,cost of distances; checked against the series; empty: none"),
        ParameterSpec("sensors", .integer(0...1_000_000), default: .integer(0),
                      summary: "use only the first k sensors of the series and graph (quick runs); 0: all"),
    ]

    /// The forecaster and the protocol whose split fits it and (traffic-evaluate) scores it.
    static let modelParameters: [ParameterSpec] = [
        ParameterSpec("model", .string(), default: .string("persistence"), summary: "persistence, historical-average, or a traffic-train output (.nc)"),
        ParameterSpec("protocol", .string(choices: ["standard", "tgcn"]), default: .string("standard"),
                      summary: "standard: GRAM-ODE's 60/20/20 split, metrics at each step; tgcn: T-GCN's 80/20 split, metrics pooled through each step"),
    ]

    /// `path` as given when it exists from the working directory, else found from the scenario
    /// file's folder upwards (so the shipped scenarios find `Data/` from any folder).
    static func resolve(_ path: String, scenario: Scenario) -> String {
        guard !path.isEmpty, !path.hasPrefix("/"), !FileManager.default.fileExists(atPath: path) else { return path }
        var folder = URL(fileURLWithPath: scenario.file).deletingLastPathComponent().standardizedFileURL
        for _ in 0..<6 {
            let candidate = folder.appendingPathComponent(path).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder.deleteLastPathComponent()
        }
        return path
    }

    static func load(_ scenario: Scenario) throws -> TrafficInputs {
        let p = scenario.parameters
        let seriesPath = resolve(p.string("series"), scenario: scenario)
        var series = try TrafficSeries.read(seriesPath, variable: p.string("variable"))
        guard p.int("feature") < series.features else {
            throw TrafficODEError(seriesPath, "feature \(p.int("feature")) asked for, but the series has \(series.features) feature(s)")
        }
        if !p.string("locations").isEmpty {
            try series.attachLocations(resolve(p.string("locations"), scenario: scenario))
        }
        let fullSize = series.sensors, kept = p.int("sensors") == 0 ? fullSize : p.int("sensors")
        guard kept <= fullSize else { throw TrafficODEError(seriesPath, "\"sensors\": \(kept) asked for, but the series has \(fullSize) sensors") }
        series = try series.prefix(sensors: kept)
        var graph: SensorGraph? = nil
        if !p.string("graph").isEmpty {
            let graphPath = resolve(p.string("graph"), scenario: scenario)
            let read = try SensorGraph.read(graphPath, sensors: fullSize).prefix(sensors: kept)
            // A sensor with no neighbour at all cannot take part in a graph model; the one-off
            // isolated sensor of a road graph (Los-loop's 26) is reported in the run's statistics.
            if read.isolatedSensors.count == series.sensors, series.sensors > 1 {
                throw TrafficODEError(graphPath, "no two sensors are linked: every sensor is disconnected")
            }
            graph = read
        }
        return TrafficInputs(series: series, graph: graph, feature: p.int("feature"))
    }

    /// The protocol's windows for a forecast horizon.
    static func windows(protocol name: String, series: TrafficSeries, inputLength: Int, horizon: Int, origin: String) throws -> ForecastWindows {
        name == "tgcn"
            ? try .tgcn(timeSteps: series.timeSteps, inputLength: inputLength, horizon: horizon, origin: origin)
            : try .standard(timeSteps: series.timeSteps, inputLength: inputLength, horizon: horizon, origin: origin)
    }

    /// The forecaster a `model` parameter names, fitted on the training segment of `windows`.
    static func forecaster(_ model: String, series: TrafficSeries, feature: Int, windows: ForecastWindows) throws -> any TrafficForecaster {
        switch model {
        case "persistence": return PersistenceForecaster()
        case "historical-average": return HistoricalAverageForecaster(fitting: series, feature: feature, steps: windows.segments[0])
        default:
            guard model.hasSuffix(".nc") else {
                throw TrafficRunError(message: "model '\(model)': persistence, historical-average or the output.nc of a traffic-train run")
            }
            let (forecaster, configuration) = try TrafficModelFile.load(model)
            guard configuration.sensors == series.sensors, configuration.inputLength == windows.inputLength, windows.horizon <= configuration.horizon else {
                throw TrafficRunError(message: "\(model) forecasts \(configuration.sensors) sensors \(configuration.inputLength) → \(configuration.horizon) steps; "
                    + "this evaluation has \(series.sensors) sensors, \(windows.inputLength) → \(windows.horizon)")
            }
            return forecaster
        }
    }
}
