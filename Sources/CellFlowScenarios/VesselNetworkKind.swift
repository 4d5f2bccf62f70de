import CellFlow
import Foundation
import NetCDF
import Scenarios

/// Generates (or reads) a vessel network and solves its Hagen–Poiseuille flow: pressures,
/// flows, mean velocities and resistances, written with the network to NetCDF.
public struct VesselNetworkKind: ScenarioKind {
    public init() {}

    public let name = "vessel-network"

    public let domain = "cell-flow"
    public let summary = "Synthetic arterial/venous trees (or a user network): Kirchhoff flow by CG; writes flows and velocities"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("network_file", .string(), default: .string(""),
                      summary: "a user network to solve instead of the generated trees: a .nc file in the vessel-network layout, or the path of nodes.csv (segments.csv beside it); empty: generate"),
        ParameterSpec("generations", .integer(1...16), default: .integer(9),
                      summary: "bifurcation levels of the generated arterial tree (2^generations terminal segments)"),
        ParameterSpec("root_radius", .number(maximum: 0.05, positive: true), default: .number(0.0125),
                      summary: "aortic root radius, m"),
        ParameterSpec("asymmetry", .number(minimum: 0.05, maximum: 1), default: .number(0.7),
                      summary: "smallest ratio of daughter radii at a bifurcation (1: symmetric); Murray's law fixes their sizes"),
        ParameterSpec("venous_radius_factor", .number(maximum: 10, positive: true), default: .number(1.3),
                      summary: "venous radius / arterial radius"),
        ParameterSpec("inlet_flow", .number(positive: true), default: .number(1e-4),
                      summary: "volumetric flow into the inlet, m^3/s (CeFloPS: 1e-4)"),
        ParameterSpec("inlet_pressure", .number(minimum: 0), default: .number(0),
                      summary: "if > 0: hold the inlet at this pressure, Pa (a pressure condition; inlet_flow is then ignored)"),
        ParameterSpec("viscosity", .number(positive: true), default: .number(0.0035),
                      summary: "blood viscosity, Pa s"),
        ParameterSpec("solver", .string(choices: ["cg", "dense"]), default: .string("cg"),
                      summary: "\"cg\": Jacobi-preconditioned conjugate gradients; \"dense\": LAPACK Cholesky (small networks)"),
        ParameterSpec("organ_table", .string(), default: .string(""),
                      summary: "JSON organ table (see Data/cellflow/organs.json); empty: the built-in copy of that file"),
    ]

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let solver = PoiseuilleFlow(viscosity: p.double("viscosity"), inletFlow: p.double("inlet_flow"),
                                    inletPressure: p.double("inlet_pressure") > 0 ? p.double("inlet_pressure") : nil,
                                    method: p.string("solver") == "dense" ? .dense : .conjugateGradient())
        context.progress.begin("vessel-network '\(scenario.name)'")
        let arteries: VesselNetwork
        var system: VascularSystem?
        let file = p.string("network_file")
        if file.isEmpty {
            let generator = VesselTreeGenerator(generations: p.int("generations"), rootRadius: p.double("root_radius"),
                                                asymmetry: p.double("asymmetry"), venousRadiusFactor: p.double("venous_radius_factor"),
                                                organs: try OrganTable.load(p.string("organ_table")))
            system = try generator.generate(seed: UInt64(scenario.seed))
            arteries = system!.arteries
        } else if file.hasSuffix(".csv") {
            let segments = ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent("segments.csv")
            arteries = try VesselNetwork(nodesCSV: file, segmentsCSV: segments)
        } else {
            arteries = try VesselNetwork(contentsOf: file)
        }
        let flow = try solver.solve(arteries)
        let dense = arteries.nodes.count <= 3000 && p.string("solver") == "cg"
            ? try PoiseuilleFlow(viscosity: solver.viscosity, inletFlow: solver.inletFlow, inletPressure: solver.inletPressure,
                                 method: .dense).solve(arteries) : nil
        let agreement = dense.map { d in zip(flow.flows, d.flows).map { abs($0 - $1) }.max()! / abs(flow.inletFlow) }
        context.progress.update(fraction: 1)

        let dataset = try context.createOutput(
            title: "Vessel network with Hagen-Poiseuille flow (\(arteries.segments.count) segments)",
            references: "Motion simulation of radio-labeled cells in whole-body positron emission tomography (CeFloPS), arXiv:2407.07709; C. D. Murray (1926), PNAS 12, 207-214",
            comment: "Nodal analysis: " + (solver.inletPressure.map { "inlet held at \($0) Pa" } ?? "flow source \(solver.inletFlow) m3/s at the inlet") + ", zero pressure at the outlets, Kirchhoff's current law elsewhere; conductance pi r^4/(8 mu L), mu = \(solver.viscosity) Pa s; solver \(p.string("solver")).")
        defer { dataset.discard() }
        try arteries.write(to: dataset, flow: flow)
        if let system {
            try system.veins.write(to: dataset, prefix: "venous_")
            try dataset.defineDimension("organ", length: system.organs.count)
            try dataset.defineDimension("terminal", length: system.terminalCount)
            try dataset.defineVariable("terminal_organ", type: .int32, dimensions: ["terminal"], attributes: [
                "long_name": "organ (index along organ) the terminal segment ends in; terminal i is node terminal_first_node + i",
                "units": "1",
            ])
            try dataset.setAttribute("terminal_first_node", .int32([Int32(system.terminalCount)]))
            try dataset.setAttribute("organ_names", .text(system.organs.map(\.name).joined(separator: " ")))
            try dataset.write(system.terminalOrgan.map { Int32($0) }, to: "terminal_organ")
        }
        let statistics: [(key: String, value: JSONValue)] = [
            ("nodes", .integer(Int64(arteries.nodes.count))),
            ("segments", .integer(Int64(arteries.segments.count))),
            ("inlet_pressure_pa", .number(flow.pressures[arteries.inlet])),
            ("inlet_flow_m3_per_s", .number(flow.inletFlow)),
            ("kirchhoff_residual", .number(flow.kirchhoffResidual)),
            ("cg_iterations", .integer(Int64(flow.iterations))),
            ("cg_vs_dense_max_flow_difference", agreement.map { .number($0) } ?? .null),
        ]
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        return RunSummary(statistics: statistics)
    }
}
