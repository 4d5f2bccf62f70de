import Foundation
import NetCDF
import Tensors
import TrafficODE

/// What a `traffic-train` output records to rebuild its model: the configuration (JSON), the
/// training statistics of the z-scoring, the graphs the branches run on, and the weights (the
/// best validation epoch's as `best.*`, the last epoch's unprefixed).
enum TrafficModelFile {
    static func describe(_ c: TrafficModelConfiguration, scaler: StandardScaler, graphs: [String: SensorGraph], series: String, feature: Int,
                         in dataset: Dataset) throws {
        try dataset.setAttribute("model_configuration", .text(try c.json()))
        try dataset.setAttribute("model", .text(c.model))
        try dataset.setAttribute("scaler_mean", .float64([scaler.mean]))
        try dataset.setAttribute("scaler_deviation", .float64([scaler.deviation]))
        try dataset.setAttribute("training_series", .text(series))
        try dataset.setAttribute("feature", .int32([Int32(feature)]))
        try dataset.defineDimension("sensor_from", length: c.sensors)
        try dataset.defineDimension("sensor_to", length: c.sensors)
        for (name, _) in graphs.sorted(by: { $0.key < $1.key }) {
            try dataset.defineVariable("\(name)_graph", type: .float64, dimensions: ["sensor_from", "sensor_to"], attributes: [
                "long_name": .text("\(name) graph weights the model was trained on"), "units": "1",
            ])
        }
    }

    static func writeGraphs(_ graphs: [String: SensorGraph], to dataset: Dataset) throws {
        for (name, graph) in graphs { try dataset.write(graph.weights, to: "\(name)_graph") }
    }

    /// The trained model of a `traffic-train` output (best weights unless `last`), as a forecaster.
    static func load(_ path: String, last: Bool = false) throws -> (forecaster: LearnedForecaster<AnyTrafficNetwork>, configuration: TrafficModelConfiguration) {
        guard FileManager.default.fileExists(atPath: path) else { throw TrafficRunError(message: "\(path): no such file (run a traffic-train scenario first)") }
        let dataset = try Dataset.open(path)
        defer { try? dataset.close() }
        guard let json = try dataset.attribute("model_configuration")?.text, let c = try? TrafficModelConfiguration.from(json: json),
              let mean = try dataset.attribute("scaler_mean")?.doubles?.first, let deviation = try dataset.attribute("scaler_deviation")?.doubles?.first else {
            throw TrafficRunError(message: "\(path) is not a traffic-train output: it lacks the model configuration or the scaling statistics")
        }
        var graphs: [String: SensorGraph] = [:]
        for name in ["spatial", "semantic"] where (try? dataset.variable("\(name)_graph")) != nil {
            graphs[name] = try SensorGraph(sensors: c.sensors, weights: try dataset.read(Double.self, from: "\(name)_graph"), origin: path)
        }
        var network = try AnyTrafficNetwork(c, graphs: graphs, seed: 0)
        let all = try Checkpoint.readParameters(from: dataset, matching: combined(network.parameters, network.parameters))
        network.parameters = last ? all.mapTensorsDroppingBest() : all.scoped("best")
        return (LearnedForecaster(network: network, scaler: StandardScaler(mean: mean, deviation: deviation)), c)
    }

    static func combined(_ current: Parameters<Float>, _ best: Parameters<Float>) -> Parameters<Float> {
        var all = current
        all.merge(best.prefixed("best"))
        return all
    }
}

extension Parameters where Scalar == Float {
    /// The unprefixed tensors of a combined (current + `best.*`) set.
    func mapTensorsDroppingBest() -> Parameters<Float> {
        Parameters(names.filter { !$0.hasPrefix("best.") }.map { ($0, self[$0]!) })
    }
}
