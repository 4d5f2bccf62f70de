import Foundation
import Integrators
import NetCDF
import Scenarios

/// The Lorenz (1963) system, the classic chaotic ODE:
///
///     dx/dt = σ (y − x),   dy/dt = x (ρ − z) − y,   dz/dt = x y − β z
///
/// in dimensionless model time, integrated by the integrator core (adaptive Tsit5 by default)
/// and recorded along the unlimited `time` dimension of a CF NetCDF file.
public struct LorenzKind: ScenarioKind {
    public init() {}

    public let name = "lorenz"

    public let domain = "integrators"
    public let summary = "Lorenz (1963) chaotic convection ODE; writes x, y, z over model time"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("sigma", .number(), default: .number(10), summary: "Prandtl number σ (dimensionless)"),
        ParameterSpec("rho", .number(), default: .number(28), summary: "scaled Rayleigh number ρ (dimensionless)"),
        ParameterSpec("beta", .number(), default: .number(8.0 / 3.0), summary: "geometric factor β (dimensionless)"),
        ParameterSpec("initial", .numbers(count: 3), default: .array([.number(1), .number(1), .number(1)]),
                      summary: "initial state [x, y, z]"),
        ParameterSpec("t_end", .number(maximum: 1e7, positive: true), default: .number(40),
                      summary: "duration of the run in model time units (the run covers 0 ... t_end)"),
    ] + ODESolverSettings.parameters(defaultSaveInterval: 0.01)

    public func check(_ parameters: ParameterValues, issues: inout [ValidationIssue]) {
        ODESolverSettings.check(parameters, duration: parameters.double("t_end"), issues: &issues)
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let (sigma, rho, beta) = (p.double("sigma"), p.double("rho"), p.double("beta"))
        let settings = ODESolverSettings(p)
        let problem = ODEProblem(initial: p.doubles("initial"), timeSpan: 0...p.double("t_end")) { _, y, dy in
            dy[0] = sigma * (y[1] - y[0])
            dy[1] = y[0] * (rho - y[2]) - y[1]
            dy[2] = y[0] * y[1] - beta * y[2]
        }
        let tEnd = p.double("t_end")
        var integrator = try settings.makeIntegrator(problem)

        let dataset = try context.createOutput(
            title: "Lorenz (1963) system: sigma=\(sigma), rho=\(rho), beta=\(beta)",
            references: "E. N. Lorenz (1963), Deterministic nonperiodic flow, J. Atmos. Sci. 20, 130-141, doi:10.1175/1520-0469(1963)020<0130:DNF>2.0.CO;2",
            comment: "Integrated with \(settings.method)" + (settings.isFixedStep ? ", fixed step \(settings.dt ?? 0)" : ", rtol=\(p.double("rtol")), atol=\(p.double("atol"))") + ".")
        defer { dataset.discard() }  // no-op after a successful close
        try dataset.defineDimension("time", length: nil)
        let chunk = [4096]
        try dataset.defineVariable("time", type: .float64, dimensions: ["time"], attributes: [
            "standard_name": "time", "long_name": "model time", "units": "1", "axis": "T",
        ], compression: Compression(), chunkSizes: chunk)
        let components: [(String, String)] = [
            ("x", "Lorenz x: intensity of convective motion"),
            ("y", "Lorenz y: temperature difference between rising and falling currents"),
            ("z", "Lorenz z: distortion of the vertical temperature profile"),
        ]
        for (name, longName) in components {
            try dataset.defineVariable(name, type: .float64, dimensions: ["time"], attributes: [
                "long_name": .text(longName), "units": "1",
            ], compression: Compression(), chunkSizes: chunk)
        }
        for (name, value) in [("lorenz_sigma", sigma), ("lorenz_rho", rho), ("lorenz_beta", beta)] {
            try dataset.setAttribute(name, .float64([value]))
        }

        let records = try runRecorded(&integrator, stateWidth: 3, end: tEnd, label: "lorenz '\(scenario.name)'",
                                      context: context) { times, states in try append(times, states, to: dataset) }
        let statistics = ODESolverSettings.statistics(integrator, method: settings.method, records: records)
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        context.removeCheckpoint()  // the output holds everything it had
        return RunSummary(statistics: statistics)
    }

    private func append(_ times: [Double], _ states: [Double], to dataset: Dataset) throws {
        guard !times.isEmpty else { return }
        let count = times.count
        try dataset.appendRecords([
            "time": .float64(times),
            "x": .float64((0..<count).map { states[3 * $0] }),
            "y": .float64((0..<count).map { states[3 * $0 + 1] }),
            "z": .float64((0..<count).map { states[3 * $0 + 2] }),
        ], records: count)
    }
}
