import Foundation

extension SensorGraph {
    /// Road distances from an edge list in PeMS's `distance.csv` layout (`from,to,cost`, 0-based
    /// sensor indices, a header row): row-major `(sensors, sensors)`, symmetric, `.infinity` where
    /// no row links two sensors (the diagonal included). Rows are applied in order, so a repeated
    /// pair keeps its last cost, as GRAM-ODE's reader does.
    public static func distances(edgeList path: String, sensors: Int) throws -> [Double] {
        let rows = try readCSVRows(path)
        let body = rows.first.map { Double($0.first ?? "") == nil } == true ? Array(rows.dropFirst()) : rows
        guard !body.isEmpty else { throw TrafficODEError(path, "no edges") }
        var d = [Double](repeating: .infinity, count: sensors * sensors)
        for (r, row) in body.enumerated() {
            guard row.count >= 3, let i = Int(row[0]), let j = Int(row[1]), let cost = Double(row[2]) else {
                throw TrafficODEError(path, "row \(r + 2): 'from,to,cost' with integer sensor indices expected")
            }
            guard (0..<sensors).contains(i), (0..<sensors).contains(j) else {
                throw TrafficODEError(path, "row \(r + 2) links sensors \(i) and \(j), but the series has \(sensors) sensors (0-based indices)")
            }
            guard cost.isFinite, cost >= 0 else { throw TrafficODEError(path, "row \(r + 2): the distance \(cost) must be finite and ≥ 0") }
            d[i * sensors + j] = cost
            d[j * sensors + i] = cost
        }
        return d
    }

    /// Reads a graph for a series of `sensors` sensors: a dense CSV of `sensors` rows of `sensors`
    /// weights (T-GCN's `los_adj.csv`), used as they are, or an edge list `from,to,cost` of road
    /// distances, turned into the spatial graph by ``gaussianKernel(distances:sensors:sigma:threshold:origin:)``.
    public static func read(_ path: String, sensors: Int, sigma: Double = 10, threshold: Double = 0.5) throws -> SensorGraph {
        let rows = try readCSVRows(path)
        guard let first = rows.first else { throw TrafficODEError(path, "the file is empty") }
        let isEdgeList = first.count == 3 && (Double(first[0]) == nil || rows.count != 3)
        if isEdgeList {
            return try gaussianKernel(distances: distances(edgeList: path, sensors: sensors), sensors: sensors,
                                      sigma: sigma, threshold: threshold, origin: path)
        }
        guard rows.count == sensors else {
            throw TrafficODEError(path, "a dense graph of \(rows.count) rows for a series of \(sensors) sensors (the graph's size must match the series')")
        }
        var weights: [Double] = []
        weights.reserveCapacity(sensors * sensors)
        for (r, row) in rows.enumerated() {
            guard row.count == sensors else { throw TrafficODEError(path, "row \(r + 1) has \(row.count) weights; \(sensors) expected") }
            for (c, field) in row.enumerated() {
                guard let w = Double(field) else { throw TrafficODEError(path, "row \(r + 1), column \(c + 1): '\(field)' is not a number") }
                weights.append(w)
            }
        }
        return try SensorGraph(sensors: sensors, weights: weights, origin: path)
    }
}
