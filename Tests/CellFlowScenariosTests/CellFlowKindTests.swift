import Foundation
import NetCDF
import Testing
import TestSupport
import ScenarioTestSupport
@testable import Scenarios
@testable import CellFlowScenarios

/// The `vessel-network` and `cell-flow` kinds end to end, and the organ table.
@Suite struct CellFlowKindTests {
    init() { AllKinds.register() }

    static func run(_ json: String, in dir: TemporaryDirectory) throws -> JSONValue {
        var scenario = try Scenario.parse(json, file: "c.json")
        scenario.output = dir.path
        return try ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test").run(scenario)
    }

    @Test func vesselNetworkWritesFlowsThatCloseAtEveryNode() throws {
        let dir = TemporaryDirectory()
        let record = try Self.run(#"{"kind": "vessel-network", "name": "v", "seed": 4, "parameters": {"generations": 6}}"#, in: dir)
        #expect(record["status"] == .string("completed"))
        #expect((record["statistics"]?["kirchhoff_residual"]?.doubleValue ?? 1) < 1e-10)
        #expect((record["statistics"]?["cg_vs_dense_max_flow_difference"]?.doubleValue ?? 1) < 1e-10)
        let dataset = try Dataset.open(dir.file("v/output.nc"))
        defer { try? dataset.close() }
        let flow = try dataset.read(Double.self, from: "segment_flow")
        let from = try dataset.read(Int32.self, from: "segment_from"), to = try dataset.read(Int32.self, from: "segment_to")
        #expect(flow.count == 127 && abs(flow[0] - 1e-4) < 1e-16)
        var net = [Double](repeating: 0, count: 128)
        for (s, q) in flow.enumerated() { net[Int(from[s])] += q; net[Int(to[s])] -= q }
        for node in 1..<64 { #expect(abs(net[node]) < 1e-10 * 1e-4) }
        #expect(try dataset.attribute("units", of: "segment_flow") == .text("m3 s-1"))
        #expect(try dataset.variable("venous_segment_radius").dimensions.map(\.name) == ["venous_segment"])
    }

    @Test func userNetworksFromCSVAndNetCDF() throws {
        let dir = TemporaryDirectory()
        dir.write("nodes.csv", "id,x,y,z,role\n0,0,0,0,inlet\n1,0.1,0,0,\n2,0.2,0.05,0,outlet\n3,0.2,-0.05,0,outlet\n")
        dir.write("segments.csv", "from,to,radius,length\n0,1,0.002,\n1,2,0.001,0.12\n1,3,0.0015,0.12\n")
        let record = try Self.run(#"{"kind": "vessel-network", "name": "u", "seed": 1, "parameters": {"network_file": "\#(dir.file("nodes.csv"))", "solver": "dense"}}"#, in: dir)
        // The two outlets share the pressure drop: flows split as r⁴ (equal lengths), 1 : 5.0625.
        let dataset = try Dataset.open(dir.file("u/output.nc"))
        let flow = try dataset.read(Double.self, from: "segment_flow")
        try dataset.close()
        #expect(abs(flow[2] / flow[1] - 5.0625) < 1e-12)
        #expect(record["statistics"]?["segments"] == .integer(3))
        // The written file reads back as a user network.
        let again = try Self.run(#"{"kind": "vessel-network", "name": "w", "seed": 1, "parameters": {"network_file": "\#(dir.file("u/output.nc"))"}}"#, in: dir)
        #expect(again["statistics"]?["inlet_pressure_pa"] == record["statistics"]?["inlet_pressure_pa"])
        // A broken network names its problem.
        dir.write("bad/nodes.csv", "id,x,y,z,role\n0,0,0,0,inlet\n1,0.1,0,0,outlet\n")
        dir.write("bad/segments.csv", "from,to,radius,length\n0,1,0,0.1\n")
        do {
            _ = try Self.run(#"{"kind": "vessel-network", "name": "b", "seed": 1, "parameters": {"network_file": "\#(dir.file("bad/nodes.csv"))"}}"#, in: dir)
            Issue.record("accepted a zero radius")
        } catch {
            #expect("\(error)".contains("segment 0") && "\(error)".contains("radius"), "\(error)")
        }
    }

    @Test func cellFlowWritesCurvesTrajectoriesAndEvents() throws {
        let dir = TemporaryDirectory()
        let record = try Self.run(#"{"kind": "cell-flow", "name": "c", "seed": 2, "parameters": {"cells": 300, "duration": 150, "generations": 6, "trajectory_cells": 3, "threads": 2}}"#, in: dir)
        #expect(record["status"] == .string("completed"), "\(record)")
        let dataset = try Dataset.open(dir.file("c/output.nc"))
        defer { try? dataset.close() }
        #expect(try dataset.dimension("time").length == 151)
        #expect(try dataset.variable("cells_in_organ").dimensions.map(\.name) == ["time", "organ", "compartment"])
        let organ = try dataset.read(Int32.self, from: "cells_in_organ"), place = try dataset.read(Int32.self, from: "cells_in_place")
        let organs = try dataset.dimension("organ").length
        for k in 0..<151 {
            let total = (0..<(organs * 3)).reduce(0) { $0 + Int(organ[k * organs * 3 + $1]) } + (0..<5).reduce(0) { $0 + Int(place[k * 5 + $1]) }
            #expect(total == 300)
        }
        #expect(try dataset.variable("cell_x").dimensions.map(\.name) == ["tracked_cell", "trajectory_time"])
        #expect(try dataset.attribute("organ_names")?.text?.hasPrefix("brain myocardium liver") == true)
        let moving = try String(contentsOfFile: dir.file("c/moving_sources.txt"), encoding: .utf8)
        #expect(moving.split(separator: "\n").count == 1 + 3 * (1 + 1501))
        // Same seed, one thread: the same file contents (counts and trajectories).
        let one = TemporaryDirectory()
        _ = try Self.run(#"{"kind": "cell-flow", "name": "c", "seed": 2, "parameters": {"cells": 300, "duration": 150, "generations": 6, "trajectory_cells": 3, "threads": 1}}"#, in: one)
        let other = try Dataset.open(one.file("c/output.nc"))
        defer { try? other.close() }
        for name in ["cells_in_organ", "cells_in_place", "cell_x", "cell_state", "event_time", "artery_segment_entries"] {
            #expect(try dataset.read(name) == other.read(name), "\(name) differs between 2 threads and 1")
        }
    }

    @Test func organTableFileEqualsTheBuiltInOne() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/cellflow/organs.json").path
        let organs = try OrganTable.load(file)
        #expect(organs == OrganTable.builtIn)
        #expect(organs.first { $0.name == "liver" }?.rates.K1 == 0.4134)
        #expect(throws: (any Error).self) { try OrganTable.parse(#"{"organs": [{"name": "x"}]}"#, file: "t.json") }
    }
}
