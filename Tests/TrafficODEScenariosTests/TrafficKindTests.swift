import Foundation
import NetCDF
import ScenarioTestSupport
import Testing
import TestSupport
import TrafficODE
@testable import Scenarios
@testable import TrafficODEScenarios

/// traffic-evaluate and traffic-forecast on the shipped Los-loop week and on a small synthetic
/// file in PeMS's layout converted to NetCDF; bad inputs refused with the file and the problem.
@Suite struct TrafficKindTests {
    init() { AllKinds.register() }

    static let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data/traffic/los-loop")
    static var losLoop: String {
        #""series": "\#(data.appendingPathComponent("los_speed.csv").path)", "graph": "\#(data.appendingPathComponent("los_adj.csv").path)", "locations": "\#(data.appendingPathComponent("graph_sensor_locations.csv").path)""#
    }

    func number(_ statistics: [String: JSONValue], _ key: String) -> Double {
        if case .number(let value)? = statistics[key] { return value }
        return .nan
    }

    @Test func evaluateScoresPersistenceOnBothProtocolsAndMapsTheErrors() throws {
        let dir = TemporaryDirectory()
        let standard = try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "p", "seed": 0, "parameters": {\#(Self.losLoop)}}"#, in: dir.path)
        #expect(abs(number(standard, "mae") - 4.4278) < 5e-5 && abs(number(standard, "rmse_60min") - 10.8956) < 5e-5)
        #expect(standard["windows"] == .integer(381) && standard["isolated_sensors"] == .integer(1))
        let output = try Dataset.open(dir.file("p/output.nc"))
        #expect(try output.variable("sensor_mae").shape == [12, 207])
        #expect(try output.read(Double.self, from: "horizon").last == 60)
        let sensorMAE = try output.read(Double.self, from: "sensor_mae")
        let mae = try output.read(Double.self, from: "mae")
        // Every sensor has the same number of test values, so the sensors' mean MAE is the overall MAE.
        #expect(abs(sensorMAE[(11 * 207)...].reduce(0, +) / 207 - mae[11]) < 1e-10)
        #expect(try output.read(Double.self, from: "latitude").first == 34.15497)
        try output.close()

        let tgcn = try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "t", "seed": 0, "parameters": {\#(Self.losLoop), "protocol": "tgcn"}}"#, in: dir.path)
        #expect(abs(number(tgcn, "rmse_15min") - 5.5428) < 5e-5 && abs(number(tgcn, "mae_15min") - 3.1561) < 5e-5)
        let average = try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "h", "seed": 0, "parameters": {\#(Self.losLoop), "model": "historical-average"}}"#, in: dir.path)
        #expect(number(average, "mae") > 0 && number(average, "mae").isFinite)
    }

    @Test func sensorsParameterKeepsTheFirstSensorsOfSeriesGraphAndPositions() throws {
        let dir = TemporaryDirectory()
        let stats = try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "p", "seed": 0, "parameters": {\#(Self.losLoop), "sensors": 10}}"#, in: dir.path)
        #expect(stats["sensors"] == .integer(10))
        let output = try Dataset.open(dir.file("p/output.nc"))
        #expect(try output.variable("sensor_mae").shape == [12, 10])
        #expect(try output.read(Double.self, from: "latitude").first == 34.15497)
        // The 10 sensors' MAE equals the full run's MAE of the same sensors (persistence is per sensor).
        let few = try output.read(Double.self, from: "sensor_mae")
        try output.close()
        _ = try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "all", "seed": 0, "parameters": {\#(Self.losLoop)}}"#, in: dir.path)
        let all = try Dataset.open(dir.file("all/output.nc"))
        let every = try all.read(Double.self, from: "sensor_mae")
        try all.close()
        for s in 0..<10 { #expect(abs(few[s] - every[s]) < 1e-12 && abs(few[110 + s] - every[11 * 207 + s]) < 1e-12) }
        #expect { try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "x", "seed": 0, "parameters": {\#(Self.losLoop), "sensors": 300}}"#, in: dir.path) } throws: {
            "\($0)".contains("300 asked for") && "\($0)".contains("207 sensors")
        }
    }

    @Test func graphODERefusesAnIsolatedSensorAndRunsOnTheUnionOfTheGraphs() throws {
        let dir = TemporaryDirectory()
        // Los-loop's sensor 717804 has no neighbour on the road graph: graph-ode on it is refused, naming the sensor.
        #expect { try runScenarioStatistics(#"{"kind": "traffic-train", "name": "g", "seed": 0, "parameters": {\#(Self.losLoop), "model": "graph-ode", "branches": "spatial", "epochs": 1}}"#, in: dir.path) } throws: {
            "\($0)".contains("717804") && "\($0)".contains("los_adj.csv") && "\($0)".contains("spatial,semantic")
        }
        // On the union of the first 32 sensors' road and DTW graphs it trains, and the trained model scores on T-GCN's protocol (its first h of 12 steps).
        let trained = try runScenarioStatistics(#"{"kind": "traffic-train", "name": "g", "seed": 0, "parameters": {\#(Self.losLoop), "sensors": 32, "model": "graph-ode", "branches": "spatial,semantic", "width": 4, "epochs": 1, "batch_size": 128}}"#, in: dir.path)
        #expect(number(trained, "test_mae").isFinite)
        let output = try Dataset.open(dir.file("g/output.nc"))
        #expect((try? output.variable("semantic_graph")) != nil && (try? output.variable("spatial_graph")) != nil)
        try output.close()
        let tgcn = try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "t", "seed": 0, "parameters": {\#(Self.losLoop), "sensors": 32, "model": "\#(dir.file("g/output.nc"))", "protocol": "tgcn", "horizon": 3}}"#, in: dir.path)
        #expect(number(tgcn, "rmse_15min").isFinite && number(tgcn, "mae_15min") > 0)
    }

    @Test func forecastWritesTimeSensorHorizonWithPositions() throws {
        let dir = TemporaryDirectory()
        let stats = try runScenarioStatistics(#"{"kind": "traffic-forecast", "name": "f", "seed": 0, "parameters": {\#(Self.losLoop), "start_time": "2012-03-07T07:00", "origins": 5, "horizon": 3}}"#, in: dir.path)
        #expect(stats["first_origin_step"] == .integer(6 * 288 + 84))
        let output = try Dataset.open(dir.file("f/output.nc"))
        #expect(try output.variable("forecast").dimensions.map(\.name) == ["time", "sensor", "horizon"])
        #expect(try output.attribute("units", of: "time")?.text == "minutes since 2012-03-01 00:00:00")
        let forecast = try output.read(Float.self, from: "forecast"), truth = try output.read(Float.self, from: "truth")
        let series = try TrafficSeries.readCSV(Self.data.appendingPathComponent("los_speed.csv").path)
        // Persistence from origin step o: every lead equals the reading at o; the truth is the reading at o + lead.
        let o = 6 * 288 + 84
        for s in [0, 100, 206] {
            for k in 0..<3 {
                #expect(forecast[s * 3 + k] == Float(series.value(time: o, sensor: s)))
                #expect(truth[s * 3 + k] == Float(series.value(time: o + 1 + k, sensor: s)))
            }
        }
        try output.close()
        #expect { try runScenarioStatistics(#"{"kind": "traffic-forecast", "name": "late", "seed": 0, "parameters": {\#(Self.losLoop), "start_time": "2012-03-08T07:00"}}"#, in: dir.path) } throws: {
            "\($0)".contains("the series holds steps 0...2015")
        }
    }

    /// A user with PeMS's `.npz` converts it with xarray to (time, sensor, feature); this is that layout in miniature.
    @Test func pemsLayoutNetCDFRunsAndBadFilesAreNamed() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("pems-like.nc")
        let (steps, sensors) = (400, 5)
        var values: [Double] = []
        for t in 0..<steps { for s in 0..<sensors { for f in 0..<3 { values.append(Double(100 + 10 * s + f) + 20 * sin(Double(t) / 20)) } } }
        func write(_ values: [Double], to path: String) throws {
            let file = try Dataset.create(path)
            try file.defineDimension("time", length: steps)
            try file.defineDimension("sensor", length: sensors)
            try file.defineDimension("feature", length: 3)
            try file.defineVariable("traffic", type: .float64, dimensions: ["time", "sensor", "feature"])
            try file.setAttribute("feature_names", "flow,occupancy,speed")
            try file.write(values, to: "traffic")
            try file.close()
        }
        try write(values, to: path)
        let stats = try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "pems", "seed": 0, "parameters": {"series": "\#(path)", "graph": "", "locations": "", "feature": 2}}"#, in: dir.path)
        #expect(stats["sensors"] == .integer(5) && stats["windows"] == .integer(400 - 320 - 23))
        // Bad inputs: NaN in the file, a graph of the wrong size, a feature the file lacks, too short a series.
        var bad = values
        bad[3 * 15 + 4] = .nan
        try write(bad, to: dir.file("nan.nc"))
        #expect { try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "nan", "seed": 0, "parameters": {"series": "\#(dir.file("nan.nc"))", "graph": "", "locations": ""}}"#, in: dir.path) } throws: {
            "\($0)".contains("nan.nc") && "\($0)".contains("time step 3, sensor 1") && "\($0)".contains("NaN")
        }
        #expect { try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "g", "seed": 0, "parameters": {"series": "\#(path)", "graph": "\#(Self.data.appendingPathComponent("los_adj.csv").path)", "locations": ""}}"#, in: dir.path) } throws: {
            "\($0)".contains("los_adj.csv") && "\($0)".contains("207 rows for a series of 5 sensors")
        }
        #expect { try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "f", "seed": 0, "parameters": {"series": "\#(path)", "graph": "", "locations": "", "feature": 3}}"#, in: dir.path) } throws: {
            "\($0)".contains("feature 3") && "\($0)".contains("3 feature(s)")
        }
        #expect { try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "h", "seed": 0, "parameters": {"series": "\#(path)", "graph": "", "locations": "", "horizon": 100}}"#, in: dir.path) } throws: {
            "\($0)".contains("pems-like.nc") && "\($0)".contains("fewer than one window")
        }
    }

    /// traffic-train → traffic-evaluate with the trained file, for the GRU and a miniature GRAM-ODE.
    @Test func trainedModelsAreScoredThroughTheirFiles() throws {
        let dir = TemporaryDirectory()
        let series = dir.file("small.csv"), graph = dir.file("graph.csv")
        let full = try TrafficSeries.readCSV(Self.data.appendingPathComponent("los_speed.csv").path)
        var csv = full.sensorIDs.prefix(5).joined(separator: ",") + "\n"
        for t in 0..<full.timeSteps { csv += (0..<5).map { String(full.value(time: t, sensor: $0)) }.joined(separator: ",") + "\n" }
        try csv.write(toFile: series, atomically: true, encoding: .utf8)
        try "1,1,0,0,0\n1,1,1,0,0\n0,1,1,1,0\n0,0,1,1,1\n0,0,0,1,1\n".write(toFile: graph, atomically: true, encoding: .utf8)
        let inputs = #""series": "\#(series)", "graph": "\#(graph)", "locations": """#
        for (model, extra) in [("gru", #""width": 6, "epochs": 2, "learning_rate": 0.003"#),
                               ("gram-ode", #""width": 4, "blocks": 1, "edge_ode": true, "attention_width": 4, "epochs": 1, "learning_rate": 0.003"#)] {
            let trained = try runScenarioStatistics(#"{"kind": "traffic-train", "name": "\#(model)", "seed": 2, "parameters": {\#(inputs), "model": "\#(model)", \#(extra)}}"#, in: dir.path)
            #expect(number(trained, "test_mae").isFinite && number(trained, "best_validation_mape").isFinite, "\(model): \(trained)")
            let scored = try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "\#(model)-eval", "seed": 0, "parameters": {\#(inputs), "model": "\#(dir.file("\(model)/output.nc"))"}}"#, in: dir.path)
            // The evaluation of the saved best weights reproduces the training run's test score.
            #expect(abs(number(scored, "mae") - number(trained, "test_mae")) < 1e-6 * max(1, number(trained, "test_mae")), "\(model)")
        }
        #expect { try runScenarioStatistics(#"{"kind": "traffic-evaluate", "name": "wrong", "seed": 0, "parameters": {\#(Self.losLoop), "model": "\#(dir.file("gru/output.nc"))"}}"#, in: dir.path) } throws: {
            "\($0)".contains("forecasts 5 sensors") && "\($0)".contains("207 sensors")
        }
    }
}
