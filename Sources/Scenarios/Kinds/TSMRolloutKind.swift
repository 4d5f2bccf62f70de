import Foundation
import NetCDF
import TemporalStencil

/// Rolls the finite-volume coarse solver out from a reference trajectory's first frame and
/// measures how long it stays correlated with the reference (TSM's metric): ρ(t), the Pearson
/// correlation of vorticity at the model resolution, and the high-correlation duration, the
/// first time ρ falls below `threshold`. Runs at the model grid and at finer grids (compared
/// after cell-averaging down to the model grid). Models: the classical interpolations
/// (`van-leer`, `linear`); the learned TSM stencils are to come.
public struct TSMRolloutKind: ScenarioKind {
    public init() {}

    public let name = "tsm-rollout"
    public let summary = "Coarse finite-volume rollouts against ns2d-dns reference data: vorticity correlation rho(t) and its duration"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("reference", .string(), default: .string("runs/ns2d-dns/output.nc"),
                      summary: "the ns2d-dns output with vorticity_<m>, u_<m>, v_<m> for the grids used here"),
        ParameterSpec("grid", .integer(4...4096), default: .integer(32), summary: "model resolution m (the comparison grid)"),
        ParameterSpec("refinements", .numberList(maximumCount: 6), default: .array([.integer(1), .integer(2), .integer(4)]),
                      summary: "run the solver at grid × r for each r (finer runs are averaged down to the model grid)"),
        ParameterSpec("model", .string(choices: FaceInterpolation.allCases.map(\.rawValue)), default: .string("van-leer"),
                      summary: "face interpolation of the convective fluxes"),
        ParameterSpec("cfl", .number(maximum: 2, positive: true), default: .number(0.5), summary: "dt = cfl·H/max_velocity (TSM: 0.5)"),
        ParameterSpec("max_velocity", .number(positive: true), default: .number(7), summary: "speed the CFL step assumes (TSM: 7)"),
        ParameterSpec("threshold", .number(minimum: 0, maximum: 1), default: .number(0.8), summary: "rho below which the correlation is lost"),
    ]

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let path = p.string("reference"), m = p.int("grid")
        let reference = try Dataset.open(path)
        defer { try? reference.close() }
        guard let recorded = try reference.attribute("scenario_json")?.text, let setup = try? JSONParser.parse(recorded)["parameters"] else {
            throw FluidsRunError(message: "\(path) has no scenario_json attribute: it is not an ns2d-dns output")
        }
        let nu = setup["viscosity"]?.doubleValue ?? 0.001, drag = setup["drag"]?.doubleValue ?? 0.1
        let amplitude = setup["forcing_amplitude"]?.doubleValue ?? 1, wavenumber = Int(setup["forcing_wavenumber"]?.doubleValue ?? 4)
        let times = try reference.read(Double.self, from: "time")
        guard times.count >= 2 else { throw FluidsRunError(message: "\(path) holds \(times.count) records; a rollout needs at least 2") }
        let saveEvery = times[1] - times[0]
        let target = try reference.read(Double.self, from: "vorticity_\(m)")
        let interpolation = FaceInterpolation(rawValue: p.string("model"))!
        let refinements = p.doubles("refinements").map { Int($0) }

        context.progress.begin("tsm-rollout '\(scenario.name)'")
        var rho: [[Double]] = []
        var durations: [Double] = []
        for (index, r) in refinements.enumerated() {
            let grid = m * r
            var u = Array(try reference.read(Double.self, from: "u_\(grid)").prefix(grid * grid))
            var v = Array(try reference.read(Double.self, from: "v_\(grid)").prefix(grid * grid))
            let solver = FiniteVolumeNavierStokes2D(m: grid, viscosity: nu, drag: drag, forcingAmplitude: amplitude,
                                                    forcingWavenumber: wavenumber, interpolation: interpolation)
            let steps = max(1, Int((saveEvery / (p.double("cfl") * solver.spacing / p.double("max_velocity"))).rounded(.up)))
            let dt = saveEvery / Double(steps)
            var series: [Double] = []
            for k in 0..<times.count {
                if k > 0 { for _ in 0..<steps { solver.step(u: &u, v: &v, dt: dt) } }
                let omega = blockAverage(solver.vorticity(u: u, v: v), from: grid, to: m)
                series.append(vorticityCorrelation(omega, Array(target[(k * m * m)..<((k + 1) * m * m)])))
                context.progress.update(fraction: (Double(index) + Double(k + 1) / Double(times.count)) / Double(refinements.count))
            }
            rho.append(series)
            durations.append(zip(times, series).first { $0.1 < p.double("threshold") }.map { $0.0 } ?? times.last!)
        }

        let dataset = try context.createOutput(
            title: "Coarse finite-volume rollouts (\(interpolation.rawValue)) against \(path)",
            references: "Z. Sun, Y. Yang, S. Yoo (2023), A Neural PDE Solver with Temporal Stencil Modeling, ICML (metric: vorticity correlation and high-correlation duration)",
            comment: "Staggered finite volumes, \(interpolation.rawValue) convective interpolation, implicit diffusion, exact projection; initial state: the reference's face-averaged velocities at t = 0; finer runs are cell-averaged to \(m)x\(m) before correlating with the reference's cell averages.")
        defer { dataset.discard() }
        try dataset.defineDimension("time", length: times.count)
        try dataset.defineDimension("run", length: refinements.count)
        try dataset.defineVariable("time", type: .float64, dimensions: ["time"], attributes: [
            "standard_name": "time", "long_name": "time since the reference's first record", "units": "1", "axis": "T",
        ])
        try dataset.defineVariable("run_grid", type: .int32, dimensions: ["run"], attributes: ["long_name": "grid of the rollout", "units": "1"])
        try dataset.defineVariable("rho", type: .float64, dimensions: ["run", "time"], attributes: [
            "long_name": "Pearson correlation of the rollout's vorticity with the reference, at the model grid", "units": "1",
        ])
        try dataset.defineVariable("high_correlation_duration", type: .float64, dimensions: ["run"], attributes: [
            "long_name": .text("first time rho < \(p.double("threshold")) (the last record if never)"), "units": "1",
        ])
        try dataset.write(times.map { $0 - times[0] }, to: "time")
        try dataset.write(refinements.map { Int32(m * $0) }, to: "run_grid")
        try dataset.write(rho.flatMap { $0 }, to: "rho")
        try dataset.write(durations.map { $0 - times[0] }, to: "high_correlation_duration")
        try dataset.close()
        var statistics: [(key: String, value: JSONValue)] = [("model", .string(interpolation.rawValue))]
        for (r, d) in zip(refinements, durations) { statistics.append(("duration_\(m * r)", .number(d - times[0]))) }
        return RunSummary(statistics: statistics)
    }

    /// Means of `f × f` blocks (cell averages of cell averages).
    func blockAverage(_ field: [Double], from n: Int, to m: Int) -> [Double] {
        guard n != m else { return field }
        let f = n / m
        var coarse = [Double](repeating: 0, count: m * m)
        for row in 0..<n { for col in 0..<n { coarse[(row / f) * m + col / f] += field[row * n + col] / Double(f * f) } }
        return coarse
    }
}
