import Foundation
import NetCDF

extension TrafficSeries {
    /// Reads a series in T-GCN's CSV layout (`los_speed.csv`): a header row of sensor IDs, then
    /// one row of readings per time step, one column per sensor; one feature, `featureName`.
    public static func readCSV(_ path: String, featureName: String = "speed", stepMinutes: Double = 5,
                               firstSlotOfDay: Int = 0) throws -> TrafficSeries {
        let rows = try readCSVRows(path)
        guard let header = rows.first, !header.isEmpty else { throw TrafficODEError(path, "the file is empty; a header of sensor IDs and one row per time step expected") }
        let body = rows.dropFirst()
        guard !body.isEmpty else { throw TrafficODEError(path, "the file has a header but no readings") }
        var values: [Double] = []
        values.reserveCapacity(body.count * header.count)
        for (r, row) in body.enumerated() {
            guard row.count == header.count else {
                throw TrafficODEError(path, "row \(r + 2) has \(row.count) columns; the header names \(header.count) sensors")
            }
            for (c, field) in row.enumerated() {
                guard let v = Double(field) else { throw TrafficODEError(path, "row \(r + 2), column \(c + 1): '\(field)' is not a number") }
                values.append(v)
            }
        }
        return try TrafficSeries(values: values, timeSteps: body.count, sensors: header.count, features: 1, sensorIDs: header,
                                 featureNames: [featureName], stepMinutes: stepMinutes, firstSlotOfDay: firstSlotOfDay, origin: path)
    }

    /// Reads a series from NetCDF: `variable` over `(time, sensor, feature)` (or `(time, sensor)` for
    /// one feature). Optional: the global or variable attributes `step_minutes`,
    /// `first_slot_of_day` and `feature_names` (comma-separated), and `latitude(sensor)`,
    /// `longitude(sensor)` variables. This is the layout of PeMS's `.npz` files converted with
    /// xarray (README, Traffic forecasting).
    public static func readNetCDF(_ path: String, variable: String = "traffic") throws -> TrafficSeries {
        guard FileManager.default.fileExists(atPath: path) else { throw TrafficODEError(path, "no such file") }
        let dataset: Dataset
        do { dataset = try Dataset.open(path) } catch { throw TrafficODEError(path, "not a NetCDF file (\(error))") }
        defer { try? dataset.close() }
        guard let info = try? dataset.variable(variable) else {
            let names = (try? dataset.variableNames())?.joined(separator: ", ") ?? "none"
            throw TrafficODEError(path, "no variable '\(variable)' (the file has: \(names)); the series must be (time, sensor, feature)")
        }
        let shape = info.shape
        guard shape.count == 3 || shape.count == 2 else {
            throw TrafficODEError(path, "'\(variable)' has \(shape.count) dimensions \(shape); (time, sensor, feature) or (time, sensor) expected")
        }
        let values = try dataset.read(Double.self, from: variable)
        func number(_ name: String) throws -> Double? {
            let value = try dataset.attribute(name, of: variable) ?? dataset.attribute(name)
            return value?.doubles?.first
        }
        let features = shape.count == 3 ? shape[2] : 1
        let names = (try dataset.attribute("feature_names", of: variable) ?? dataset.attribute("feature_names"))?.text?
            .split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        var series = try TrafficSeries(values: values, timeSteps: shape[0], sensors: shape[1], features: features,
                                       featureNames: names, stepMinutes: try number("step_minutes") ?? 5,
                                       firstSlotOfDay: Int(try number("first_slot_of_day") ?? 0), origin: path)
        if (try? dataset.variable("latitude")) != nil, (try? dataset.variable("longitude")) != nil {
            let lat = try dataset.read(Double.self, from: "latitude"), lon = try dataset.read(Double.self, from: "longitude")
            guard lat.count == series.sensors, lon.count == series.sensors else {
                throw TrafficODEError(path, "latitude and longitude have \(lat.count) and \(lon.count) values for \(series.sensors) sensors")
            }
            series.latitude = lat
            series.longitude = lon
        }
        return series
    }

    /// Reads either layout, by the file's extension (`.csv`: T-GCN's; anything else: NetCDF).
    public static func read(_ path: String, variable: String = "traffic") throws -> TrafficSeries {
        path.lowercased().hasSuffix(".csv") ? try readCSV(path) : try readNetCDF(path, variable: variable)
    }

    /// Attaches sensor positions from DCRNN's `graph_sensor_locations.csv` layout
    /// (`index,sensor_id,latitude,longitude`, one row per sensor in the series' order; the IDs
    /// must match the series').
    public mutating func attachLocations(_ path: String) throws {
        let rows = try readCSVRows(path)
        let body = rows.first.map { Double($0.last ?? "") == nil } == true ? Array(rows.dropFirst()) : rows
        guard body.count == sensors else { throw TrafficODEError(path, "\(body.count) sensor locations for a series of \(sensors) sensors") }
        var lat: [Double] = [], lon: [Double] = []
        for (i, row) in body.enumerated() {
            guard row.count >= 4, let a = Double(row[2]), let b = Double(row[3]) else {
                throw TrafficODEError(path, "row \(i + 2): 'index,sensor_id,latitude,longitude' expected")
            }
            guard row[1] == sensorIDs[i] || sensorIDs[i] == String(i) else {
                throw TrafficODEError(path, "row \(i + 2) places sensor \(row[1]) but the series' sensor \(i) is \(sensorIDs[i])")
            }
            lat.append(a)
            lon.append(b)
        }
        latitude = lat
        longitude = lon
    }
}

/// The rows of a comma-separated file, fields trimmed; CRLF and a missing final newline are fine.
func readCSVRows(_ path: String) throws -> [[String]] {
    guard FileManager.default.fileExists(atPath: path) else { throw TrafficODEError(path, "no such file") }
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw TrafficODEError(path, "not a UTF-8 text file") }
    return text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).compactMap { line in
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
