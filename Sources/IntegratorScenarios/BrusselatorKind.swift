import Foundation
import Integrators
import NetCDF
import ReferenceProblems
import Scenarios

/// The 2-D Brusselator reaction–diffusion system (SciMLBenchmarks setup, ``Brusselator2D``) by
/// the method of lines on a periodic N × N grid: a stiff system of 2N² ODEs solved by the
/// integrator core's stiff methods with sparse (KLU) or matrix-free Krylov linear algebra, or by an
/// IMEX method with the diffusion implicit. Writes the concentrations `u`, `v` over
/// `time × y × x` to CF NetCDF.
public struct BrusselatorKind: ScenarioKind {
    public init() {}

    public let name = "brusselator-2d"
    public let domain = "integrators"
    public let summary = "2-D Brusselator reaction-diffusion (method of lines, stiff); writes u, v over time x y x"

    static let methods = ["BDF", "Rodas5P", "ARK436L2SA", "ARK324L2SA"]

    public let parameters: [ParameterSpec] = [
        ParameterSpec("grid", .integer(4...1024), default: .integer(32),
                      summary: "grid points per side N (2N² unknowns; even N for the FFT preconditioner)"),
        ParameterSpec("a", .number(positive: true), default: .number(3.4), summary: "reaction constant A (dimensionless)"),
        ParameterSpec("b", .number(positive: true), default: .number(1), summary: "feed rate B (dimensionless)"),
        ParameterSpec("diffusion", .number(positive: true), default: .number(10),
                      summary: "diffusion coefficient before the 1/Δx² scaling (domain [0, 1]²)"),
        ParameterSpec("t_end", .number(maximum: 1e6, positive: true), default: .number(11.5),
                      summary: "duration in model time units (the forcing switches on at t = 1.1)"),
        ParameterSpec("method", .string(choices: methods), default: .string("BDF"),
                      summary: "stiff method: BDF, Rodas5P, or IMEX ARK436L2SA / ARK324L2SA (diffusion implicit)"),
        ParameterSpec("linear_solver", .string(choices: ["sparse", "krylov", "dense"]), default: .string("krylov"),
                      summary: "sparse LU (KLU, analytic Jacobian), matrix-free GMRES, or dense LU (small grids)"),
        ParameterSpec("preconditioner", .string(choices: ["fft", "none"]), default: .string("fft"),
                      summary: "GMRES preconditioner: the diffusion part solved by FFT, or none"),
        ParameterSpec("rtol", .number(maximum: 1, positive: true), default: .number(1e-6), summary: "relative tolerance"),
        ParameterSpec("atol", .number(positive: true), default: .number(1e-6), summary: "absolute tolerance (concentration units)"),
        ParameterSpec("save_every", .number(positive: true), default: .number(0.5),
                      summary: "model time between recorded fields"),
        ParameterSpec("max_steps", .integer(1...100_000_000), default: .integer(1_000_000),
                      summary: "limit on the number of steps (accepted and rejected)"),
    ]

    public func check(_ p: ParameterValues, issues: inout [ValidationIssue]) {
        let n = p.int("grid")
        if p.string("linear_solver") == "krylov" && p.string("preconditioner") == "fft" && n % 2 != 0 {
            issues.append(ValidationIssue(path: "$.parameters.grid", value: p["grid"],
                                          expected: "an even grid for the FFT preconditioner (or preconditioner \"none\")"))
        }
        if p.string("linear_solver") == "dense" && n > 48 {
            issues.append(ValidationIssue(path: "$.parameters.linear_solver", value: p["linear_solver"],
                                          expected: "sparse or krylov for grids above 48 (dense LU of \(2 * n * n) unknowns is too large)"))
        }
        let records = p.double("t_end") / p.double("save_every") + 1
        if records * Double(2 * n * n) > 2e9 {
            issues.append(ValidationIssue(path: "$.parameters.save_every", value: p["save_every"],
                                          expected: "an interval giving at most 2e9 recorded values (this gives \(records * Double(2 * n * n)))"))
        }
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let n = p.int("grid")
        var model = Brusselator2D(gridSize: n)
        model.a = p.double("a")
        model.b = p.double("b")
        model.diffusion = p.double("diffusion")
        model.end = p.double("t_end")
        let tolerance = Tolerance(relative: p.double("rtol"), absolute: p.double("atol"))
        let linear: StiffLinearSolver
        switch p.string("linear_solver") {
        case "sparse": linear = .sparse
        case "dense": linear = .dense
        default:
            linear = .krylov(KrylovOptions(preconditioner: p.string("preconditioner") == "fft" ? model.diffusionPreconditioner() : nil))
        }
        let method = p.string("method")
        let problem = method.hasPrefix("ARK")
            ? ODEProblem(initial: model.initialState, timeSpan: 0...model.end, explicit: model.reactionTerm,
                         implicit: model.diffusionTerm, implicitIsLinear: true)
            : model.sparseProblem()
        let saveAt = SaveAt.every(p.double("save_every"))
        let maxSteps = p.int("max_steps")
        var integrator: any SteppableIntegrator
        switch method {
        case "Rodas5P": integrator = try ODEIntegrator(problem, using: Rodas5P(linearSolver: linear), tolerance: tolerance,
                                                       saveAt: saveAt, maxSteps: maxSteps, denseOutput: false)
        case "ARK436L2SA": integrator = try ODEIntegrator(problem, using: ARK436L2SA(linearSolver: linear), tolerance: tolerance,
                                                          saveAt: saveAt, maxSteps: maxSteps, denseOutput: false)
        case "ARK324L2SA": integrator = try ODEIntegrator(problem, using: ARK324L2SA(linearSolver: linear), tolerance: tolerance,
                                                          saveAt: saveAt, maxSteps: maxSteps, denseOutput: false)
        default: integrator = try ODEIntegrator(problem, using: BDF(linearSolver: linear), tolerance: tolerance,
                                                saveAt: saveAt, maxSteps: maxSteps, denseOutput: false)
        }

        let dataset = try context.createOutput(
            title: "2-D Brusselator reaction-diffusion, \(n) x \(n) periodic grid",
            references: "Hairer & Wanner (1996), Solving ODEs II, IV.10; SciMLBenchmarks Brusselator 2D setup",
            comment: "Method of lines (5-point Laplacian), \(method) with \(p.string("linear_solver")) linear algebra, rtol=\(p.double("rtol")), atol=\(p.double("atol")).")
        defer { dataset.discard() }
        try dataset.defineDimension("time", length: nil)
        try dataset.defineDimension("y", length: n)
        try dataset.defineDimension("x", length: n)
        try dataset.defineVariable("time", type: .float64, dimensions: ["time"], attributes: [
            "standard_name": "time", "long_name": "model time", "units": "1", "axis": "T",
        ])
        for (axis, name) in [("Y", "y"), ("X", "x")] {
            try dataset.defineVariable(name, type: .float64, dimensions: [name], attributes: [
                "long_name": .text("\(name) coordinate on the unit square"), "units": "1", "axis": .text(axis),
            ])
        }
        for (name, longName) in [("u", "concentration of the activator u"), ("v", "concentration of the inhibitor v")] {
            try dataset.defineVariable(name, type: .float64, dimensions: ["time", "y", "x"], attributes: [
                "long_name": .text(longName), "units": "1",
            ], compression: Compression(), chunkSizes: [1, n, n])
        }
        for (name, value) in [("brusselator_a", model.a), ("brusselator_b", model.b), ("brusselator_alpha", model.alpha)] {
            try dataset.setAttribute(name, .float64([value]))
        }
        let coordinates = (0..<n).map { model.coordinate($0) }
        try dataset.write(coordinates, to: "y")
        try dataset.write(coordinates, to: "x")

        let records = try runRecorded(&integrator, stateWidth: 2 * n * n, end: model.end,
                                      label: "brusselator-2d '\(scenario.name)'", context: context) { times, states in
            try append(times, states, grid: n, to: dataset)
        }
        let s = integrator.statistics
        let statistics: [(key: String, value: JSONValue)] = [
            ("method", .string(method)), ("linear_solver", .string(p.string("linear_solver"))),
            ("unknowns", .integer(Int64(model.unknowns))),
            ("accepted_steps", .integer(Int64(s.acceptedSteps))), ("rejected_steps", .integer(Int64(s.rejectedSteps))),
            ("rhs_evaluations", .integer(Int64(s.rhsEvaluations))),
            ("jacobian_evaluations", .integer(Int64(s.jacobianEvaluations))),
            ("factorizations", .integer(Int64(s.factorizations))), ("linear_iterations", .integer(Int64(s.linearIterations))),
            ("records", .integer(Int64(records))), ("final_time", .number(integrator.time)),
        ]
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        context.removeCheckpoint()
        return RunSummary(statistics: statistics)
    }

    /// Appends records: the interleaved state (u, v per grid point, x fastest) split into two fields.
    private func append(_ times: [Double], _ states: [Double], grid n: Int, to dataset: Dataset) throws {
        guard !times.isEmpty else { return }
        let points = n * n
        var u = [Double](repeating: 0, count: times.count * points), v = u
        for r in 0..<times.count {
            for q in 0..<points {
                u[r * points + q] = states[r * 2 * points + 2 * q]
                v[r * points + q] = states[r * 2 * points + 2 * q + 1]
            }
        }
        _ = try dataset.appendRecords(["time": .float64(times), "u": .float64(u), "v": .float64(v)], records: times.count)
    }
}
