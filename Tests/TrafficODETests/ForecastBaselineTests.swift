import Foundation
import Testing
@testable import TrafficODE

/// Windows, masked metrics and the simple forecasts on the real Los-loop week, against the
/// persistence numbers computed independently with NumPy (Data/traffic/los-loop/SOURCE.md).
@Suite struct ForecastBaselineTests {
    static let losLoop: TrafficSeries = {
        try! TrafficSeries.readCSV(TrafficData.path("los-loop/los_speed.csv"))
    }()

    @Test func losLoopLoadsWithItsShapeAndStatistics() throws {
        let series = Self.losLoop
        #expect(series.timeSteps == 2016 && series.sensors == 207 && series.features == 1)
        #expect(series.sensorIDs.prefix(4) == ["773869", "767541", "767542", "717447"])
        #expect(abs(series.values.reduce(0, +) / Double(series.values.count) - 58.8914) < 5e-5)
        #expect(series.values.min() == 1 && series.values.max() == 70)
        var located = series
        try located.attachLocations(TrafficData.path("los-loop/graph_sensor_locations.csv"))
        #expect(located.latitude?.first == 34.15497 && located.longitude?.first == -118.31829)
    }

    @Test func windowsFollowTheChronologicalSplit() throws {
        let windows = try ForecastWindows(timeSteps: 2016)
        #expect(windows.segments == [0..<1209, 1209..<1612, 1612..<2016])
        #expect(windows.windowStarts(in: .test).count == 381)
        #expect(windows.windowStarts(in: .test).first == 1612 && windows.windowStarts(in: .test).last == 1992)
        let scaler = try StandardScaler(fitting: Self.losLoop, steps: windows.segments[0])
        #expect(abs(scaler.unscale(scaler.scale(42.5)) - 42.5) < 1e-12)
        #expect(scaler.deviation > 5 && scaler.deviation < 20)
    }

    @Test func persistenceMatchesTheIndependentNumbersOnTheGRAMODEProtocol() throws {
        let windows = try ForecastWindows(timeSteps: 2016)
        let errors = try PersistenceForecaster().errors(on: Self.losLoop, windows: windows, segment: .test)
        let all = errors.metrics()
        #expect(abs(all.mae - 4.4278) < 5e-5 && abs(all.rmse - 8.4462) < 5e-5 && abs(all.mape - 11.472) < 5e-4, "\(all)")
        for (h, mae, rmse, mape) in [(3, 3.5781, 6.4685, 8.864), (6, 4.3821, 8.2415, 11.345), (12, 5.7953, 10.8956, 15.663)] {
            let m = errors.metrics(step: h)
            #expect(abs(m.mae - mae) < 5e-5 && abs(m.rmse - rmse) < 5e-5 && abs(m.mape - mape) < 5e-4, "horizon \(h): \(m)")
        }
    }

    @Test func persistenceMatchesTheIndependentNumbersOnTheTGCNProtocol() throws {
        for (steps, rmse, mae) in [(3, 5.5428, 3.1561), (6, 6.6986, 3.6317), (9, 7.6281, 4.0417), (12, 8.4555, 4.4332)] {
            let windows = try ForecastWindows.tgcn(timeSteps: 2016, horizon: steps)
            #expect(windows.windowStarts(in: .test).count == 404 - 12 - steps, "T-GCN's window count")
            let m = try PersistenceForecaster().errors(on: Self.losLoop, windows: windows, segment: .test).metrics(step: steps, throughStep: true)
            #expect(abs(m.rmse - rmse) < 5e-5 && abs(m.mae - mae) < 5e-5, "pre_len \(steps): \(m)")
        }
    }

    @Test func historicalAverageForecastsTheTrainingDaysMean() throws {
        let series = Self.losLoop
        let windows = try ForecastWindows(timeSteps: 2016)
        let average = HistoricalAverageForecaster(fitting: series, steps: windows.segments[0])
        // Slot 100 of sensor 5: the mean of that slot over the training days (1209 steps: 4 days hold slot 100).
        let days = (0..<4).map { series.value(time: 100 + 288 * $0, sensor: 5) }
        #expect(abs(average.profiles[5][100] - days.reduce(0, +) / 4) < 1e-12)
        let forecast = try average.forecast(series, feature: 0, starts: [1612], inputLength: 12, horizon: 12)
        #expect(forecast[5] == average.profiles[5][series.slotOfDay(1624)])
        let ha = try average.errors(on: series, windows: windows, segment: .test).metrics(step: 12)
        #expect(ha.mae.isFinite && ha.mae > 0)
    }

    @Test func maskedMetricsSkipMissingReadings() {
        var errors = ForecastErrors(horizon: 1)
        errors.add(forecast: [10, 20, 5], truth: [12, 0, 4], sensors: 3)
        let m = errors.metrics()
        #expect(errors.count(step: 1) == 2)
        #expect(abs(m.mae - 1.5) < 1e-15 && abs(m.rmse - (2.5).squareRoot()) < 1e-15 && abs(m.mape - 100 * (2.0 / 12 + 0.25) / 2) < 1e-12)
        var mapped = ForecastErrors(horizon: 2, sensors: 2)
        mapped.add(forecast: [10, 20, 5, 1], truth: [12, 0, 4, 3], sensors: 2)   // steps × sensors
        #expect(mapped.sensorMAE(step: 1)[0] == 2 && mapped.sensorMAE(step: 1)[1].isNaN, "sensor 1's only step-1 truth is missing")
        #expect(mapped.sensorMAE(step: 1).count == 2 && mapped.sensorMAE(step: 2) == [1, 2] && mapped.sensorMAE(step: 2, throughStep: true) == [1.5, 2])
    }

    @Test func badSeriesAreRejectedWithThePlaceAndTheProblem() throws {
        #expect { try TrafficSeries(values: [1, .nan, 3, 4], timeSteps: 2, sensors: 2, features: 1, origin: "x.nc") } throws: {
            "\($0)".contains("x.nc") && "\($0)".contains("time step 0, sensor 1") && "\($0)".contains("NaN")
        }
        #expect { try TrafficSeries(values: [1, 2, -3, 4], timeSteps: 2, sensors: 2, features: 1, origin: "x.nc") } throws: {
            "\($0)".contains("time step 1, sensor 0") && "\($0)".contains("negative")
        }
        #expect { try ForecastWindows(timeSteps: 30) } throws: { "\($0)".contains("fewer than one window") }
        #expect { try ForecastWindows(timeSteps: 2016, horizon: 400) } throws: { "\($0)".contains("fewer than one window of 12 + 400 steps") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("traffic-bad-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ragged = directory.appendingPathComponent("ragged.csv").path
        try "1,2,3\n4,5,6\n7,8\n".write(toFile: ragged, atomically: true, encoding: .utf8)
        #expect { try TrafficSeries.readCSV(ragged) } throws: { "\($0)".contains("ragged.csv") && "\($0)".contains("row 3 has 2 columns") }
        #expect { try TrafficSeries.read(directory.appendingPathComponent("missing.nc").path) } throws: { "\($0)".contains("no such file") }
    }
}
