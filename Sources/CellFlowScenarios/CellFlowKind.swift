import CellFlow
import Foundation
import NetCDF
import Scenarios

/// Radio-labelled cells through a synthetic vascular system and its organs (the CeFloPS
/// workflow): flow-weighted branch choices, biased walks through capillary beds, two-tissue
/// compartment kinetics per organ, F-18 decay. Writes time–activity curves, sampled
/// trajectories, list-mode decay events and the network coloured by flow.
public struct CellFlowKind: ScenarioKind {
    public init() {}

    public let name = "cell-flow"

    public let domain = "cell-flow"
    public let summary = "Radio-labelled cells through vessels and organs (CeFloPS): time-activity curves, trajectories, decay events"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("cells", .integer(1...10_000_000), default: .integer(2000),
                      summary: "number of cells (the paper: 100000)"),
        ParameterSpec("duration", .number(maximum: 1e6, positive: true), default: .number(120),
                      summary: "simulated time after injection, s (the paper: 1000)"),
        ParameterSpec("step", .number(maximum: 10, positive: true), default: .number(0.1),
                      summary: "time step, s (also the trajectory record interval; the paper records every 0.1 s)"),
        ParameterSpec("count_every", .number(positive: true), default: .number(1),
                      summary: "interval of the time-activity curves, s (a multiple of step)"),
        ParameterSpec("trajectory_cells", .integer(0...100_000), default: .integer(20),
                      summary: "cells whose trajectories are written (every step)"),
        ParameterSpec("generations", .integer(1...16), default: .integer(9),
                      summary: "bifurcation levels of the arterial tree (2^g terminal segments; 9: 1023 arterial + 1023 venous segments)"),
        ParameterSpec("inlet_flow", .number(positive: true), default: .number(1e-4), summary: "cardiac output into the aortic root, m^3/s"),
        ParameterSpec("viscosity", .number(positive: true), default: .number(0.0035), summary: "blood viscosity, Pa s"),
        ParameterSpec("elimination", .number(minimum: 0), default: .number(0.013),
                      summary: "blood -> eliminated rate, 1/min (renal clearance; constant here)"),
        ParameterSpec("heart_transit", .number(minimum: 0), default: .number(6.8),
                      summary: "venae cavae -> right heart -> lungs -> left heart -> aortic root, s (CeFloPS targets: 1.57 + 3.66 + 1.54)"),
        ParameterSpec("walk_spread", .number(minimum: 0), default: .number(0.5),
                      summary: "organ walk: weight of each of the 6 axis moves"),
        ParameterSpec("walk_pull", .number(minimum: 0), default: .number(2),
                      summary: "organ walk: weight of the pull toward the chosen venous exit"),
        ParameterSpec("voxel", .number(maximum: 0.1, positive: true), default: .number(0.001), summary: "organ walk voxel pitch, m"),
        ParameterSpec("injection_organ", .string(), default: .string("muscle"),
                      summary: "organ whose first venous exit is the injection site (an arm or leg vein)"),
        ParameterSpec("injection_levels_up", .integer(0...16), default: .integer(5),
                      summary: "venous levels above that exit where the injection enters (0: the exit itself; 5: a large limb vein)"),
        ParameterSpec("half_life", .number(positive: true), default: .number(6586.2), summary: "F-18 half-life, s (109.77 min)"),
        ParameterSpec("threads", .integer(0...1024), default: .integer(0),
                      summary: "worker threads (0: all cores); the output does not depend on it"),
        ParameterSpec("organ_table", .string(), default: .string(""),
                      summary: "JSON organ table (see Data/cellflow/organs.json); empty: the built-in copy of that file"),
    ]

    public func check(_ p: ParameterValues, issues: inout [ValidationIssue]) {
        let ratio = p.double("count_every") / p.double("step")
        if abs(ratio - ratio.rounded()) > 1e-9 || ratio < 1 {
            issues.append(ValidationIssue(path: "$.parameters.count_every", value: p["count_every"],
                                          expected: "a whole multiple of step (\(JSONValue.format(p.double("step"))) s)"))
        }
        if p.double("duration") / p.double("step") > 1e7 {
            issues.append(ValidationIssue(path: "$.parameters.step", value: p["step"], expected: "at most 1e7 steps over the duration"))
        }
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let organs = try OrganTable.load(p.string("organ_table"))
        guard let injection = organs.firstIndex(where: { $0.name == p.string("injection_organ") }) else {
            throw OrganTable.TableError(message: "injection_organ '\(p.string("injection_organ"))' is not in the organ table (\(organs.map(\.name).joined(separator: ", ")))")
        }
        var settings = CellFlowSettings()
        settings.cells = p.int("cells")
        settings.duration = p.double("duration")
        settings.step = p.double("step")
        settings.countEvery = p.double("count_every")
        settings.trajectoryCells = p.int("trajectory_cells")
        settings.inletFlow = p.double("inlet_flow")
        settings.viscosity = p.double("viscosity")
        settings.elimination = p.double("elimination")
        settings.heartTransit = p.double("heart_transit")
        settings.walkSpread = p.double("walk_spread")
        settings.walkPull = p.double("walk_pull")
        settings.voxel = p.double("voxel")
        settings.injectionOrgan = injection
        settings.injectionLevelsUp = p.int("injection_levels_up")
        settings.halfLife = p.double("half_life")
        settings.threads = p.int("threads") == 0 ? ProcessInfo.processInfo.activeProcessorCount : p.int("threads")
        settings.seed = UInt64(scenario.seed)

        context.progress.begin("cell-flow '\(scenario.name)'")
        let system = try VesselTreeGenerator(generations: p.int("generations"), organs: organs).generate(seed: UInt64(scenario.seed))
        let model = try CellFlowModel(system: system, settings: settings)
        let clock = Date()
        let result = CellSimulation(model: model).run()
        let seconds = Date().timeIntervalSince(clock)
        context.progress.update(fraction: 1)
        try write(result, scenario: scenario, context: context)
        try writeMovingSources(result, to: (context.directory as NSString).appendingPathComponent("moving_sources.txt"))

        let last = result.countTimes.count - 1
        let statistics: [(key: String, value: JSONValue)] = [
            ("cells", .integer(Int64(settings.cells))),
            ("simulated_seconds", .number(settings.duration)),
            ("arterial_segments", .integer(Int64(system.arteries.segments.count))),
            ("venous_segments", .integer(Int64(system.veins.segments.count))),
            ("kirchhoff_residual", .number(model.arterialFlow.kirchhoffResidual)),
            ("decay_events", .integer(Int64(result.events.count))),
            ("eliminated_at_end", .integer(Int64(result.vesselCounts[last * 5 + 4]))),
            ("bound_at_end", .integer(Int64((0..<organs.count).reduce(0) { $0 + Int(result.organCounts[(last * organs.count + $1) * 3 + 1] + result.organCounts[(last * organs.count + $1) * 3 + 2]) }))),
            ("threads", .integer(Int64(settings.threads))),
            ("simulation_seconds", .number((seconds * 1000).rounded() / 1000)),
            ("cell_seconds_per_second", .number((Double(settings.cells) * settings.duration / max(seconds, 1e-9)).rounded())),
        ]
        return RunSummary(statistics: statistics)
    }

    private func write(_ result: CellFlowResult, scenario: Scenario, context: RunContext) throws {
        let model = result.model
        let organs = model.system.organs
        let dataset = try context.createOutput(
            title: "Radio-labelled cells through vessels and organs: \(model.settings.cells) cells, \(model.settings.duration) s",
            references: "Motion simulation of radio-labeled cells in whole-body positron emission tomography (CeFloPS), arXiv:2407.07709; reference code EIMI-Institute/CeFloPS (facts only)",
            comment: "Synthetic Murray's-law arterial and venous trees (\(model.system.arteries.segments.count) segments each) with Hagen-Poiseuille flow; per-organ two-tissue kinetics P = expm(Q dt); input function t0 = 0.905 min, A = 767.3, 27.43, 29.13, lambda = -4.195, -0.232, -0.0165 /min; F-18 half-life \(model.settings.halfLife) s.")
        defer { dataset.discard() }
        try dataset.setAttribute("organ_names", .text(organs.map(\.name).joined(separator: " ")))
        try dataset.setAttribute("place_names", .text("injection arteries veins heart_and_lungs eliminated"))
        let nTime = result.countTimes.count, nOrgan = organs.count
        try dataset.defineDimension("time", length: nTime)
        try dataset.defineDimension("organ", length: nOrgan)
        try dataset.defineDimension("compartment", length: 3)
        try dataset.defineDimension("place", length: 5)
        try dataset.defineVariable("time", type: .float64, dimensions: ["time"], attributes: [
            "standard_name": "time", "long_name": "time since injection", "units": "s", "axis": "T",
        ])
        try dataset.defineVariable("organ", type: .int32, dimensions: ["organ"], attributes: [
            "long_name": "organ index; names in the global attribute organ_names (same order)", "units": "1",
            "flag_values": .int32((0..<Int32(nOrgan)).map { $0 }),
            "flag_meanings": .text(organs.map(\.name).joined(separator: " ")),
        ])
        try dataset.defineVariable("compartment", type: .int32, dimensions: ["compartment"], attributes: [
            "long_name": "tracer compartment in the organ", "units": "1",
            "flag_values": .int32([0, 1, 2]), "flag_meanings": "capillary_blood C1_free C2_bound",
        ])
        try dataset.defineVariable("place", type: .int32, dimensions: ["place"], attributes: [
            "long_name": "where cells outside the organs are", "units": "1",
            "flag_values": .int32([0, 1, 2, 3, 4]), "flag_meanings": "injection arteries veins heart_and_lungs eliminated",
        ])
        try dataset.defineVariable("cells_in_organ", type: .int32, dimensions: ["time", "organ", "compartment"], attributes: [
            "long_name": "cells in the organ's capillary blood, C1 and C2 compartments (time-activity curves in cells)", "units": "1",
        ], compression: Compression())
        try dataset.defineVariable("cells_in_place", type: .int32, dimensions: ["time", "place"], attributes: [
            "long_name": "cells not in an organ, by place", "units": "1",
        ], compression: Compression())
        try dataset.defineVariable("decay_weight", type: .float64, dimensions: ["time"], attributes: [
            "long_name": "F-18 activity per cell relative to injection, exp(-ln2 t / half_life): activity = cells x decay_weight x A0", "units": "1",
        ])

        // Trajectories.
        let tracked = min(model.settings.trajectoryCells, model.settings.cells)
        let nSteps = result.trajectoryTimes.count
        if tracked > 0 {
            try dataset.defineDimension("tracked_cell", length: tracked)
            try dataset.defineDimension("trajectory_time", length: nSteps)
            try dataset.defineVariable("trajectory_time", type: .float64, dimensions: ["trajectory_time"], attributes: [
                "long_name": "time of the trajectory records", "units": "s",
            ])
            for axis in ["x", "y", "z"] {
                try dataset.defineVariable("cell_\(axis)", type: .float32, dimensions: ["tracked_cell", "trajectory_time"], attributes: [
                    "long_name": .text("\(axis) position of the cell"), "units": "m",
                ], compression: Compression(), chunkSizes: [1, nSteps])
            }
            try dataset.defineVariable("cell_place", type: .int32, dimensions: ["tracked_cell", "trajectory_time"], attributes: [
                "long_name": "where the cell is", "units": "1",
                "flag_values": .int32([0, 1, 2, 3, 4, 5]), "flag_meanings": "injection artery vein heart_and_lungs organ eliminated",
            ], compression: Compression(), chunkSizes: [1, nSteps])
            try dataset.defineVariable("cell_state", type: .int32, dimensions: ["tracked_cell", "trajectory_time"], attributes: [
                "long_name": "tracer state of the cell", "units": "1",
                "flag_values": .int32([0, 1, 2, 3]), "flag_meanings": "blood eliminated C1 C2",
            ], compression: Compression(), chunkSizes: [1, nSteps])
            try dataset.defineVariable("cell_organ", type: .int32, dimensions: ["tracked_cell", "trajectory_time"], attributes: [
                "long_name": "organ index while in an organ, -1 elsewhere", "units": "1",
            ], compression: Compression(), chunkSizes: [1, nSteps])
        }
        // List-mode events.
        let events = result.events
        try dataset.defineDimension("event", length: max(events.count, 1))
        try dataset.setAttribute("event_count", .int64([Int64(events.count)]))
        try dataset.defineVariable("event_time", type: .float64, dimensions: ["event"], attributes: [
            "long_name": "F-18 decay time (list-mode moving-source event)", "units": "s",
        ], compression: Compression())
        for axis in ["x", "y", "z"] {
            try dataset.defineVariable("event_\(axis)", type: .float64, dimensions: ["event"], attributes: [
                "long_name": .text("\(axis) position of the decay"), "units": "m",
            ], compression: Compression())
        }
        try dataset.defineVariable("event_cell", type: .int64, dimensions: ["event"], attributes: [
            "long_name": "cell that decayed", "units": "1",
        ], compression: Compression())
        try dataset.defineVariable("event_organ", type: .int32, dimensions: ["event"], attributes: [
            "long_name": "organ index if the decay was in an organ, else -1", "units": "1",
        ], compression: Compression())
        // The network, coloured by flow in the notebook.
        try model.system.arteries.write(to: dataset, prefix: "artery_", flow: model.arterialFlow)
        try model.system.veins.write(to: dataset, prefix: "vein_")
        try dataset.defineVariable("artery_segment_entries", type: .int64, dimensions: ["artery_segment"], attributes: [
            "long_name": "times a cell entered the arterial segment", "units": "1",
        ])
        try dataset.defineVariable("branch_probability", type: .float64, dimensions: ["artery_node"], attributes: [
            "long_name": "probability of taking child 2k at arterial branch node k (flow fraction; 0 where no branch)", "units": "1",
        ])

        try dataset.write(result.countTimes, to: "time")
        try dataset.write((0..<Int32(nOrgan)).map { $0 }, to: "organ")
        try dataset.write([Int32(0), 1, 2], to: "compartment")
        try dataset.write([Int32(0), 1, 2, 3, 4], to: "place")
        try dataset.write(result.organCounts, to: "cells_in_organ")
        try dataset.write(result.vesselCounts, to: "cells_in_place")
        let lambda = log(2.0) / model.settings.halfLife
        try dataset.write(result.countTimes.map { exp(-lambda * $0) }, to: "decay_weight")
        if tracked > 0 {
            try dataset.write(result.trajectoryTimes, to: "trajectory_time")
            for (axis, offset) in [("x", 0), ("y", 1), ("z", 2)] {
                try dataset.write(stride(from: offset, to: result.trajectoryPositions.count, by: 3).map { Float(result.trajectoryPositions[$0]) },
                                  to: "cell_\(axis)")
            }
            try dataset.write(result.trajectoryLocations, to: "cell_place")
            try dataset.write(result.trajectoryStates, to: "cell_state")
            try dataset.write(result.trajectoryOrgans, to: "cell_organ")
        }
        if events.isEmpty {
            for name in ["event_time", "event_x", "event_y", "event_z"] { try dataset.write([Double.nan], to: name) }
            try dataset.write([Int64(-1)], to: "event_cell")
            try dataset.write([Int32(-1)], to: "event_organ")
        } else {
            try dataset.write(events.map(\.time), to: "event_time")
            try dataset.write(events.map(\.position.x), to: "event_x")
            try dataset.write(events.map(\.position.y), to: "event_y")
            try dataset.write(events.map(\.position.z), to: "event_z")
            try dataset.write(events.map(\.cell), to: "event_cell")
            try dataset.write(events.map { $0.location == .organ ? $0.organ : -1 }, to: "event_organ")
        }
        try dataset.write(result.segmentEntries, to: "artery_segment_entries")
        try dataset.write(model.branchProbability + [Double](repeating: 0, count: model.system.arteries.nodes.count - model.branchProbability.count),
                          to: "branch_probability")
        try dataset.close()
    }

    /// The tracked cells as CeFloPS-style moving sources: one line "x y z t state" per cell and
    /// record (mm, s; state 0 blood, 1 C1, 2 C2, 3 eliminated), cells separated by a comment line.
    private func writeMovingSources(_ result: CellFlowResult, to path: String) throws {
        let steps = result.trajectoryTimes.count
        let tracked = result.trajectoryLocations.count / max(steps, 1)
        var text = "# x_mm y_mm z_mm t_s state (0 blood, 1 C1, 2 C2, 3 eliminated); NeuralDynamics cell-flow\n"
        for cell in 0..<tracked {
            text += "# cell \(cell)\n"
            for step in 0..<steps {
                let i = cell * steps + step
                let state: Int32 = switch result.trajectoryStates[i] { case 2: 1; case 3: 2; case 1: 3; default: 0 }
                text += String(format: "%.3f %.3f %.3f %.1f %d\n", result.trajectoryPositions[3 * i] * 1000,
                               result.trajectoryPositions[3 * i + 1] * 1000, result.trajectoryPositions[3 * i + 2] * 1000,
                               result.trajectoryTimes[step], state)
            }
        }
        let temporary = path + ".partial-\(getpid())"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        _ = rename(temporary, path)
    }
}
