import Foundation
import NetCDF

/// Vessel networks in files: NetCDF (what `vessel-network` writes, and what users can supply)
/// and a CSV pair for people coming from other tools.
///
/// NetCDF layout: dimensions `node`, `segment`, `outlet`; variables `node_x`, `node_y`, `node_z`
/// (m), `segment_from`, `segment_to` (0-based node indices), `segment_radius`, `segment_length`
/// (m), `outlet_node`; global attribute `inlet_node`. Optional `prefix` (e.g. `"venous_"`) lets
/// two networks share a file.
///
/// CSV pair: `nodes.csv` with header `id,x,y,z,role` (role `inlet`, `outlet` or empty; ids
/// 0 ... n−1 in any order) and `segments.csv` with header `from,to,radius,length` (metres;
/// an empty length means the distance between the nodes).
extension VesselNetwork {
    public func write(to dataset: Dataset, prefix: String = "", flow: FlowSolution? = nil) throws {
        try dataset.defineDimension("\(prefix)node", length: nodes.count)
        try dataset.defineDimension("\(prefix)segment", length: segments.count)
        try dataset.defineDimension("\(prefix)outlet", length: outlets.count)
        for axis in ["x", "y", "z"] {
            try dataset.defineVariable("\(prefix)node_\(axis)", type: .float64, dimensions: ["\(prefix)node"], attributes: [
                "long_name": .text("\(axis) position of the vessel node"), "units": "m",
            ])
        }
        try dataset.defineVariable("\(prefix)segment_from", type: .int32, dimensions: ["\(prefix)segment"], attributes: [
            "long_name": "upstream node of the segment (0-based index along node)", "units": "1",
        ])
        try dataset.defineVariable("\(prefix)segment_to", type: .int32, dimensions: ["\(prefix)segment"], attributes: [
            "long_name": "downstream node of the segment (0-based index along node)", "units": "1",
        ])
        try dataset.defineVariable("\(prefix)segment_radius", type: .float64, dimensions: ["\(prefix)segment"], attributes: [
            "long_name": "lumen radius", "units": "m",
        ])
        try dataset.defineVariable("\(prefix)segment_length", type: .float64, dimensions: ["\(prefix)segment"], attributes: [
            "long_name": "segment length", "units": "m",
        ])
        try dataset.defineVariable("\(prefix)outlet_node", type: .int32, dimensions: ["\(prefix)outlet"], attributes: [
            "long_name": "nodes held at zero pressure", "units": "1",
        ])
        try dataset.setAttribute("\(prefix)inlet_node", .int32([Int32(inlet)]))
        if flow != nil {
            try dataset.defineVariable("\(prefix)node_pressure", type: .float64, dimensions: ["\(prefix)node"], attributes: [
                "long_name": "blood pressure above the outlet pressure", "units": "Pa",
            ])
            try dataset.defineVariable("\(prefix)segment_flow", type: .float64, dimensions: ["\(prefix)segment"], attributes: [
                "long_name": "volumetric blood flow from segment_from to segment_to", "units": "m3 s-1",
            ])
            try dataset.defineVariable("\(prefix)segment_mean_velocity", type: .float64, dimensions: ["\(prefix)segment"], attributes: [
                "long_name": "mean blood velocity Q/(pi r^2) (the Poiseuille profile's maximum is twice this)", "units": "m s-1",
            ])
            try dataset.defineVariable("\(prefix)segment_resistance", type: .float64, dimensions: ["\(prefix)segment"], attributes: [
                "long_name": "Hagen-Poiseuille resistance 8 mu L/(pi r^4)", "units": "Pa s m-3",
            ])
        }
        try dataset.write(nodes.map(\.x), to: "\(prefix)node_x")
        try dataset.write(nodes.map(\.y), to: "\(prefix)node_y")
        try dataset.write(nodes.map(\.z), to: "\(prefix)node_z")
        try dataset.write(segments.map { Int32($0.from) }, to: "\(prefix)segment_from")
        try dataset.write(segments.map { Int32($0.to) }, to: "\(prefix)segment_to")
        try dataset.write(segments.map(\.radius), to: "\(prefix)segment_radius")
        try dataset.write(segments.map(\.length), to: "\(prefix)segment_length")
        try dataset.write(outlets.map { Int32($0) }, to: "\(prefix)outlet_node")
        if let flow {
            try dataset.write(flow.pressures, to: "\(prefix)node_pressure")
            try dataset.write(flow.flows, to: "\(prefix)segment_flow")
            try dataset.write(flow.meanVelocities, to: "\(prefix)segment_mean_velocity")
            try dataset.write(segments.map { $0.resistance(viscosity: flow.viscosity) }, to: "\(prefix)segment_resistance")
        }
    }

    /// Reads a network written by ``write(to:prefix:flow:)`` (or made by another tool in that layout).
    public init(contentsOf path: String, prefix: String = "") throws {
        let dataset = try Dataset.open(path)
        defer { try? dataset.close() }
        func doubles(_ name: String) throws -> [Double] { try dataset.read(Double.self, from: "\(prefix)\(name)") }
        func ints(_ name: String) throws -> [Int] { try dataset.read(Int64.self, from: "\(prefix)\(name)").map { Int($0) } }
        let (x, y, z) = (try doubles("node_x"), try doubles("node_y"), try doubles("node_z"))
        guard x.count == y.count, y.count == z.count else {
            throw NetworkError.unreadable(file: path, reason: "node_x, node_y, node_z have \(x.count), \(y.count), \(z.count) values")
        }
        let from = try ints("segment_from"), to = try ints("segment_to")
        let radius = try doubles("segment_radius"), length = try doubles("segment_length")
        guard from.count == to.count, to.count == radius.count, radius.count == length.count else {
            throw NetworkError.unreadable(file: path, reason: "the segment variables have different lengths")
        }
        guard let inlet = try dataset.attribute("\(prefix)inlet_node")?.doubles?.first else {
            throw NetworkError.unreadable(file: path, reason: "no global attribute \(prefix)inlet_node (missing inlet)")
        }
        self.init(nodes: (0..<x.count).map { Point3(x[$0], y[$0], z[$0]) },
                  segments: (0..<from.count).map { VesselSegment(from: from[$0], to: to[$0], radius: radius[$0], length: length[$0]) },
                  inlet: Int(inlet), outlets: try ints("outlet_node"))
    }

    /// Reads the CSV pair `nodes.csv` + `segments.csv`.
    public init(nodesCSV: String, segmentsCSV: String) throws(NetworkError) {
        func rows(_ path: String, header expected: [String]) throws(NetworkError) -> [(line: Int, fields: [String])] {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw .unreadable(file: path, reason: "no such file, or not UTF-8 text")
            }
            var lines = text.split(whereSeparator: \.isNewline).map(String.init).enumerated().filter {
                !$0.element.trimmingCharacters(in: .whitespaces).isEmpty && !$0.element.hasPrefix("#")
            }
            guard let header = lines.first else { throw .unreadable(file: path, reason: "the file is empty") }
            let names = header.element.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard names == expected else {
                throw .unreadable(file: path, reason: "the header is '\(header.element)'; expected '\(expected.joined(separator: ","))'")
            }
            lines.removeFirst()
            return lines.map { (line: $0.offset + 1, fields: $0.element.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }) }
        }
        let nodeRows = try rows(nodesCSV, header: ["id", "x", "y", "z", "role"])
        var positions = [Point3?](repeating: nil, count: nodeRows.count)
        var inlet: Int?
        var outlets: [Int] = []
        for (line, fields) in nodeRows {
            guard fields.count == 5, let id = Int(fields[0]), let x = Double(fields[1]), let y = Double(fields[2]), let z = Double(fields[3]) else {
                throw .unreadable(file: nodesCSV, reason: "line \(line): expected id,x,y,z,role with an integer id and numbers in metres")
            }
            guard (0..<nodeRows.count).contains(id), positions[id] == nil else {
                throw .unreadable(file: nodesCSV, reason: "line \(line): node id \(id) is repeated or outside 0 ... \(nodeRows.count - 1)")
            }
            positions[id] = Point3(x, y, z)
            switch fields[4].lowercased() {
            case "inlet":
                if let inlet { throw .unreadable(file: nodesCSV, reason: "line \(line): a second inlet (node \(inlet) is one)") }
                inlet = id
            case "outlet": outlets.append(id)
            case "": break
            default: throw .unreadable(file: nodesCSV, reason: "line \(line): role '\(fields[4])' is not inlet, outlet or empty")
            }
        }
        guard let inlet else { throw .invalid("missing inlet: no node of \(nodesCSV) has role 'inlet'") }
        let nodes = positions.map { $0! }
        var segments: [VesselSegment] = []
        for (line, fields) in try rows(segmentsCSV, header: ["from", "to", "radius", "length"]) {
            guard fields.count == 4, let from = Int(fields[0]), let to = Int(fields[1]), let radius = Double(fields[2]),
                  (0..<nodes.count).contains(from), (0..<nodes.count).contains(to) else {
                throw .unreadable(file: segmentsCSV, reason: "line \(line): expected from,to,radius,length with node ids 0 ... \(nodes.count - 1)")
            }
            let length = fields[3].isEmpty ? nodes[from].distance(to: nodes[to]) : Double(fields[3])
            guard let length else { throw .unreadable(file: segmentsCSV, reason: "line \(line): length '\(fields[3])' is not a number") }
            segments.append(VesselSegment(from: from, to: to, radius: radius, length: length))
        }
        self.init(nodes: nodes, segments: segments, inlet: inlet, outlets: outlets.sorted())
    }
}
