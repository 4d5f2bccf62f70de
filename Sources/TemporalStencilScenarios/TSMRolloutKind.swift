import Foundation
import NetCDF
import Scenarios
import TemporalStencil
import Tensors

/// Rolls the finite-volume coarse solver out from a reference trajectory's first frame and
/// measures how long it stays correlated with the reference (TSM's metric): ρ(t), the
/// correlation of vorticity at the model resolution, and the high-correlation duration, the
/// first time ρ falls below `threshold`. As in TSM's (JAX-CFD's) evaluation, the rollout and the
/// reference are both taken as face-averaged velocities on the model grid (finer runs averaged
/// down to it) and differentiated with the same curl, ``StaggeredVelocity/cornerVorticity``, so
/// ρ(0) = 1. Runs at the model grid and at finer grids. Models: the classical interpolations
/// (`van-leer`, `linear`) and a trained TSM model (`tsm`, the output of a `tsm-train` run),
/// which steps at its own training time step and reads the reference's history frames
/// (`u_history_<m>`, from ns2d-dns `history_frames`) into its memory first.
public struct TSMRolloutKind: ScenarioKind {
    public init() {}

    public let name = "tsm-rollout"

    public let domain = "temporal-stencil"
    public let summary = "Coarse finite-volume rollouts against ns2d-dns reference data: vorticity correlation rho(t) and its duration"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("reference", .string(), default: .string("runs/ns2d-dns/output.nc"),
                      summary: "the ns2d-dns output with u_<m>, v_<m> for the grids used here"),
        ParameterSpec("grid", .integer(4...4096), default: .integer(32), summary: "model resolution m (the comparison grid)"),
        ParameterSpec("refinements", .numberList(maximumCount: 6), default: .array([.integer(1), .integer(2), .integer(4)]),
                      summary: "run the solver at grid × r for each r (finer runs' face velocities are averaged down to the model grid)"),
        ParameterSpec("model", .string(choices: FaceInterpolation.allCases.map(\.rawValue) + ["tsm"]), default: .string("van-leer"),
                      summary: "face interpolation of the convective fluxes: classical, or the learned stencils of model_file"),
        ParameterSpec("model_file", .string(), default: .string("runs/tsm-train/output.nc"),
                      summary: "with model tsm: the tsm-train output holding the trained model"),
        ParameterSpec("cfl", .number(maximum: 2, positive: true), default: .number(0.5), summary: "dt = cfl·H/max_velocity (TSM: 0.5)"),
        ParameterSpec("max_velocity", .number(positive: true), default: .number(7), summary: "speed the CFL step assumes (TSM: 7)"),
        ParameterSpec("threshold", .number(minimum: 0, maximum: 1), default: .number(0.8), summary: "rho below which the correlation is lost"),
        ParameterSpec("initial_state", .string(choices: ["reference", "model-grid"]), default: .string("reference"),
                      summary: "reference: each grid starts from the reference's own face averages; model-grid: every grid starts from the model grid's, refined without adding scales (what a finer grid gains from its dynamics alone)"),
    ]

    public func check(_ p: ParameterValues, issues: inout [ValidationIssue]) {
        if p.string("initial_state") == "model-grid", p.int("grid") % 2 != 0 {
            issues.append(ValidationIssue(path: "$.parameters.grid", value: p["grid"], expected: "an even grid with initial_state model-grid"))
        }
        if p.string("model") == "tsm", p.doubles("refinements") != [1] {
            issues.append(ValidationIssue(path: "$.parameters.refinements", value: p["refinements"],
                                          expected: "[1] with model tsm (a learned model runs at its training grid)"))
        }
        for (i, r) in p.doubles("refinements").enumerated() where r < 1 || r != r.rounded() {
            issues.append(ValidationIssue(path: "$.parameters.refinements[\(i)]", value: .number(r), expected: "a whole number ≥ 1"))
        }
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let path = p.string("reference"), m = p.int("grid")
        let reference = try Dataset.open(path)
        defer { try? reference.close() }
        let flow = try ReferenceFlow(of: reference)
        let times = try reference.read(Double.self, from: "time")
        guard times.count >= 2 else { throw TemporalStencilRunError(message: "\(path) holds \(times.count) records; a rollout needs at least 2") }
        let saveEvery = times[1] - times[0]
        let target = try referenceVorticity(reference, path: path, grid: m, records: times.count)
        let modelName = p.string("model")
        let refinements = p.doubles("refinements").map { Int($0) }
        if modelName == "tsm" {
            return try runLearned(scenario, reference: reference, path: path, times: times, target: target, context: context)
        }
        let interpolation = FaceInterpolation(rawValue: modelName)!

        context.progress.begin("tsm-rollout '\(scenario.name)'")
        var rho: [[Double]] = []
        var durations: [Double] = []
        var fields: [Double] = []
        let fromModelGrid = p.string("initial_state") == "model-grid"
        let modelGridStart = fromModelGrid ? try initialFaces(reference, grid: m) : nil
        for (index, r) in refinements.enumerated() {
            let grid = m * r
            let start = try modelGridStart.map { $0.refined(to: grid) } ?? initialFaces(reference, grid: grid)
            var (u, v) = (start.u, start.v)
            let solver = FiniteVolumeNavierStokes2D(m: grid, viscosity: flow.viscosity, drag: flow.drag, forcingAmplitude: flow.amplitude,
                                                    forcingWavenumber: flow.wavenumber, interpolation: interpolation)
            let steps = max(1, Int((saveEvery / (p.double("cfl") * solver.spacing / p.double("max_velocity"))).rounded(.up)))
            let dt = saveEvery / Double(steps)
            var series: [Double] = []
            for k in 0..<times.count {
                if k > 0 { for _ in 0..<steps { solver.step(u: &u, v: &v, dt: dt) } }
                let omega = StaggeredVelocity(m: grid, u: u, v: v).averaged(to: m).cornerVorticity
                series.append(vorticityCorrelation(omega, Array(target[(k * m * m)..<((k + 1) * m * m)])))
                fields += omega
                context.progress.update(fraction: (Double(index) + Double(k + 1) / Double(times.count)) / Double(refinements.count))
            }
            rho.append(series)
            durations.append(zip(times, series).first { $0.1 < p.double("threshold") }.map { $0.0 } ?? times.last!)
        }

        try write(rho: rho, vorticity: fields, target: target, durations: durations, grids: refinements.map { m * $0 }, times: times, scenario: scenario, context: context,
                  title: "Coarse finite-volume rollouts (\(interpolation.rawValue)) against \(path)",
                  comment: "Staggered finite volumes, \(interpolation.rawValue) convective interpolation, implicit diffusion, exact projection; initial state: \(fromModelGrid ? "the reference's \(m)x\(m) face averages at t = 0, refined to each grid without adding scales" : "the reference's face-averaged velocities at t = 0"); finer runs' face velocities are averaged to the \(m)x\(m) faces; rho compares the corner vorticity of the rollout and of the reference's \(m)x\(m) face velocities.")
        var statistics: [(key: String, value: JSONValue)] = [("model", .string(interpolation.rawValue)),
                                                              ("initial_state", .string(p.string("initial_state")))]
        for (r, d) in zip(refinements, durations) { statistics.append(("duration_\(m * r)", .number(d - times[0]))) }
        return RunSummary(statistics: statistics)
    }

    /// The reference's face-averaged velocities at its first record on the `grid × grid` faces.
    func initialFaces(_ reference: Dataset, grid: Int) throws -> StaggeredVelocity {
        StaggeredVelocity(m: grid, u: Array(try reference.read(Double.self, from: "u_\(grid)").prefix(grid * grid)),
                          v: Array(try reference.read(Double.self, from: "v_\(grid)").prefix(grid * grid)))
    }

    /// The rollout of a trained TSM model at its grid and time step.
    func runLearned(_ scenario: Scenario, reference: Dataset, path: String, times: [Double], target: [Double],
                    context: RunContext) throws -> RunSummary {
        let p = scenario.parameters, m = p.int("grid")
        let file = try Dataset.open(p.string("model_file"))
        defer { try? file.close() }
        let (model, history) = try TemporalStencilModel.read(from: file)
        let c = model.configuration
        guard c.grid == m else {
            throw TemporalStencilRunError(message: "\(p.string("model_file")) was trained on a \(c.grid)x\(c.grid) grid, not \(m)x\(m)")
        }
        let saveEvery = times[1] - times[0]
        let steps = Int((saveEvery / c.timeStep).rounded())
        guard steps >= 1, abs(Double(steps) * c.timeStep - saveEvery) < 1e-9 * saveEvery else {
            throw TemporalStencilRunError(message: "the reference's records are \(saveEvery) apart, not a whole number of the model's time step \(c.timeStep)")
        }
        var frames: [[Double]] = []
        if c.memorySize > 0 {
            let variables = try reference.variableNames()
            guard variables.contains("u_history_\(m)"), variables.contains("history_time") else {
                throw TemporalStencilRunError(message: "\(path) has no u_history_\(m): rerun ns2d-dns with history_frames ≥ \(history) and history_every = \(c.timeStep)")
            }
            let historyTimes = try reference.read(Double.self, from: "history_time")
            guard historyTimes.count >= history,
                  historyTimes.count < 2 || abs(historyTimes[1] - historyTimes[0] - c.timeStep) < 1e-9 * c.timeStep else {
                throw TemporalStencilRunError(message: "\(path) holds \(historyTimes.count) history frames \((historyTimes.count > 1 ? historyTimes[1] - historyTimes[0] : 0)) apart; the model needs \(history) frames \(c.timeStep) apart")
            }
            let u = try reference.read(Double.self, from: "u_history_\(m)"), v = try reference.read(Double.self, from: "v_history_\(m)")
            let cells = m * m
            frames = ((historyTimes.count - history)..<historyTimes.count).map { k in
                Array(u[(k * cells)..<((k + 1) * cells)]) + Array(v[(k * cells)..<((k + 1) * cells)])
            }
        }
        let start = try initialFaces(reference, grid: m)
        context.progress.begin("tsm-rollout '\(scenario.name)' (learned stencils)")
        var fields: [Double] = []
        func correlation(_ state: [Double], _ k: Int) -> Double {
            let omega = StaggeredVelocity(m: m, u: Array(state[0..<(m * m)]), v: Array(state[(m * m)...])).cornerVorticity
            fields += omega
            return vorticityCorrelation(omega, Array(target[(k * m * m)..<((k + 1) * m * m)]))
        }
        var series = [correlation(start.u + start.v, 0)]
        try model.rollout(state: try Tensor(shape: [1, 2, m, m], scalars: start.u + start.v), history: frames, steps: steps * (times.count - 1)) { step, state in
            guard step % steps == 0 else { return }
            guard state.scalars.allSatisfy(\.isFinite) else {
                throw TemporalStencilRunError(message: "the learned rollout blew up (non-finite velocity) after \(step) steps")
            }
            series.append(correlation(state.scalars, step / steps))
            context.progress.update(fraction: Double(step / steps) / Double(times.count - 1))
        }
        let duration = zip(times, series).first { $0.1 < p.double("threshold") }.map { $0.0 } ?? times.last!
        try write(rho: [series], vorticity: fields, target: target, durations: [duration], grids: [m], times: times, scenario: scenario, context: context,
                  title: "Learned TSM rollout (\(p.string("model_file"))) against \(path)",
                  comment: "Staggered finite volumes with learned 4x4 convective stencils (CNN of \(c.depth) layers x \(c.width) channels, \(c.memorySize) HiPPO coefficients per face value, \(history) history frames), dt = \(c.timeStep); initial state: the reference's face-averaged velocities at t = 0.")
        return RunSummary(statistics: [("model", .string(c.memorySize > 0 ? "tsm" : "tsm-without-memory")),
                                       ("duration_\(m)", .number(duration - times[0]))])
    }

    func write(rho: [[Double]], vorticity: [Double], target: [Double], durations: [Double], grids: [Int], times: [Double], scenario: Scenario, context: RunContext,
               title: String, comment: String) throws {
        let p = scenario.parameters
        let dataset = try context.createOutput(
            title: title,
            references: "Z. Sun, Y. Yang, S. Yoo (2023), A Neural PDE Solver with Temporal Stencil Modeling, ICML (metric: vorticity correlation and high-correlation duration)",
            comment: comment)
        defer { dataset.discard() }
        try dataset.defineDimension("time", length: times.count)
        try dataset.defineDimension("run", length: grids.count)
        try dataset.defineVariable("time", type: .float64, dimensions: ["time"], attributes: [
            "standard_name": "time", "long_name": "time since the reference's first record", "units": "1", "axis": "T",
        ])
        try dataset.defineVariable("run_grid", type: .int32, dimensions: ["run"], attributes: ["long_name": "grid of the rollout", "units": "1"])
        let m = scenario.parameters.int("grid")
        for (axis, name) in [("X", "x"), ("Y", "y")] {
            try dataset.defineDimension(name, length: m)
            try dataset.defineVariable(name, type: .float64, dimensions: [name], attributes: [
                "long_name": .text("\(name) of the model-grid cell corner (where the vorticity lives)"), "units": "1", "axis": .text(axis),
            ])
        }
        try dataset.defineVariable("vorticity", type: .float32, dimensions: ["run", "time", "y", "x"], attributes: [
            "long_name": "vorticity of the rollout at the model grid's cell corners (curl of its face velocities; finer runs averaged to the model grid's faces first)", "units": "1",
        ], compression: Compression(), chunkSizes: [1, 1, m, m])
        try dataset.defineVariable("reference_vorticity", type: .float32, dimensions: ["time", "y", "x"], attributes: [
            "long_name": "vorticity of the reference at the model grid's cell corners (curl of its face-averaged velocities), what rho compares with", "units": "1",
        ], compression: Compression(), chunkSizes: [1, m, m])
        try dataset.defineVariable("rho", type: .float64, dimensions: ["run", "time"], attributes: [
            "long_name": "correlation of the rollout's vorticity with the reference's, at the model grid (both from face velocities on it)", "units": "1",
        ])
        try dataset.defineVariable("high_correlation_duration", type: .float64, dimensions: ["run"], attributes: [
            "long_name": .text("first time rho < \(p.double("threshold")) (the last record if never)"), "units": "1",
        ])
        try dataset.write(times.map { $0 - times[0] }, to: "time")
        try dataset.write(grids.map { Int32($0) }, to: "run_grid")
        try dataset.write(rho.flatMap { $0 }, to: "rho")
        try dataset.write(vorticity.map { Float($0) }, to: "vorticity")
        try dataset.write(target.map { Float($0) }, to: "reference_vorticity")
        for name in ["x", "y"] { try dataset.write((0..<m).map { Double($0 + 1) * 2 * Double.pi / Double(m) }, to: name) }
        try dataset.write(durations.map { $0 - times[0] }, to: "high_correlation_duration")
        try dataset.close()
    }

    /// The reference's corner vorticity on the `grid × grid` model grid for each of its `records`
    /// records (from its face-averaged velocities `u_<grid>`, `v_<grid>`), `records · grid²` values.
    func referenceVorticity(_ reference: Dataset, path: String, grid m: Int, records: Int) throws -> [Double] {
        let names = try reference.variableNames()
        guard names.contains("u_\(m)"), names.contains("v_\(m)") else {
            throw TemporalStencilRunError(message: "\(path) has no u_\(m)/v_\(m): rerun ns2d-dns with \(m) in coarse_grids")
        }
        let u = try reference.read(Double.self, from: "u_\(m)"), v = try reference.read(Double.self, from: "v_\(m)")
        let cells = m * m
        guard u.count >= records * cells, v.count >= records * cells else {
            throw TemporalStencilRunError(message: "\(path): u_\(m)/v_\(m) hold \(u.count / cells) records, the time axis \(records)")
        }
        return (0..<records).flatMap { k in
            StaggeredVelocity(m: m, u: Array(u[(k * cells)..<((k + 1) * cells)]), v: Array(v[(k * cells)..<((k + 1) * cells)])).cornerVorticity
        }
    }
}
