import NetCDF

/// The Lorenz (1963) system, the classic chaotic ODE:
///
///     dx/dt = σ (y − x),   dy/dt = x (ρ − z) − y,   dz/dt = x y − β z
///
/// in dimensionless model time. Integrated with the classical fixed-step RK4 method (a
/// placeholder until the adaptive integrator core takes over), recording `x`, `y`, `z` every
/// `save_every` steps along the unlimited `time` dimension of a CF NetCDF file.
public struct LorenzKind: ScenarioKind {
    public init() {}

    public let name = "lorenz"
    public let summary = "Lorenz (1963) chaotic convection ODE, fixed-step RK4; writes x, y, z over time"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("sigma", .number(), default: .number(10), summary: "Prandtl number σ (dimensionless)"),
        ParameterSpec("rho", .number(), default: .number(28), summary: "scaled Rayleigh number ρ (dimensionless)"),
        ParameterSpec("beta", .number(), default: .number(8.0 / 3.0), summary: "geometric factor β (dimensionless)"),
        ParameterSpec("initial", .numbers(count: 3), default: .array([.number(1), .number(1), .number(1)]),
                      summary: "initial state [x, y, z]"),
        ParameterSpec("dt", .number(maximum: 1, positive: true), default: .number(0.001),
                      summary: "time step in model time units"),
        ParameterSpec("steps", .integer(1...1_000_000_000), default: .integer(40_000),
                      summary: "number of time steps (the run covers steps × dt)"),
        ParameterSpec("save_every", .integer(1...1_000_000_000), default: .integer(10),
                      summary: "write one record every this many steps"),
    ]

    /// Records an output file may hold (3 doubles each, plus time): 20 million ≈ 640 MB.
    static let maximumRecords = 20_000_000

    public func check(_ parameters: ParameterValues, issues: inout [ValidationIssue]) {
        let records = parameters.int("steps") / parameters.int("save_every") + 1
        if records > Self.maximumRecords {
            issues.append(ValidationIssue(
                path: "$.parameters.save_every", value: parameters["save_every"],
                expected: "at most \(Self.maximumRecords) saved records, but steps/save_every gives \(records); raise save_every or lower steps"))
        }
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let system = LorenzSystem(sigma: p.double("sigma"), rho: p.double("rho"), beta: p.double("beta"))
        let initial = p.doubles("initial")
        let dt = p.double("dt")
        let steps = p.int("steps")
        let saveEvery = p.int("save_every")

        let dataset = try context.createOutput(
            title: "Lorenz (1963) system: sigma=\(system.sigma), rho=\(system.rho), beta=\(system.beta)",
            references: "E. N. Lorenz (1963), Deterministic nonperiodic flow, J. Atmos. Sci. 20, 130-141, doi:10.1175/1520-0469(1963)020<0130:DNF>2.0.CO;2",
            comment: "Integrated with the classical fixed-step fourth-order Runge-Kutta method, dt=\(dt).")
        defer { dataset.discard() }  // no-op after a successful close
        try dataset.defineDimension("time", length: nil)
        let chunk = [min(4096, steps / saveEvery + 1)]
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
        for (name, value) in [("lorenz_sigma", system.sigma), ("lorenz_rho", system.rho), ("lorenz_beta", system.beta), ("time_step", dt)] {
            try dataset.setAttribute(name, .float64([value]))
        }

        var buffer = RecordBuffer(capacity: chunk[0])
        var state = SIMD3(initial[0], initial[1], initial[2])
        buffer.append(time: 0, state: state)
        context.progress.begin("lorenz '\(scenario.name)'", total: steps)
        for step in 1...steps {
            state = system.rk4Step(state, dt: dt)
            if step % saveEvery == 0 {
                let time = Double(step) * dt
                guard state.x.isFinite, state.y.isFinite, state.z.isFinite else {
                    throw LorenzError.diverged(step: step, time: time, dt: dt)
                }
                buffer.append(time: time, state: state)
                if buffer.isFull { try buffer.flush(to: dataset) }
                context.progress.update(done: step, time: time)
            }
        }
        guard state.x.isFinite, state.y.isFinite, state.z.isFinite else {
            throw LorenzError.diverged(step: steps, time: Double(steps) * dt, dt: dt)
        }
        try buffer.flush(to: dataset)
        let records = try dataset.dimension("time").length
        try dataset.close()
        return RunSummary(statistics: [
            ("method", .string("RK4 (fixed step)")),
            ("steps", .integer(Int64(steps))),
            ("rhs_evaluations", .integer(Int64(4 * steps))),
            ("records", .integer(Int64(records))),
            ("final_time", .number(Double(steps) * dt)),
            ("final_state", .array([.number(state.x), .number(state.y), .number(state.z)])),
        ])
    }
}

/// A Lorenz run that left the finite numbers.
enum LorenzError: Error, CustomStringConvertible {
    case diverged(step: Int, time: Double, dt: Double)

    var description: String {
        switch self {
        case let .diverged(step, time, dt):
            return "the state became infinite or NaN by step \(step) (t=\(time)); the time step dt=\(dt) is too large for RK4 here — try a smaller dt"
        }
    }
}

/// The Lorenz vector field and its classical RK4 step.
struct LorenzSystem {
    var sigma: Double
    var rho: Double
    var beta: Double

    func derivative(_ s: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(sigma * (s.y - s.x), s.x * (rho - s.z) - s.y, s.x * s.y - beta * s.z)
    }

    /// One step of the classical fourth-order Runge–Kutta method.
    func rk4Step(_ s: SIMD3<Double>, dt: Double) -> SIMD3<Double> {
        let k1 = derivative(s)
        let k2 = derivative(s + 0.5 * dt * k1)
        let k3 = derivative(s + 0.5 * dt * k2)
        let k4 = derivative(s + dt * k3)
        return s + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4)
    }
}

/// Saved records held in memory until a chunk's worth can be appended at once.
private struct RecordBuffer {
    let capacity: Int
    var time: [Double] = []
    var x: [Double] = []
    var y: [Double] = []
    var z: [Double] = []

    init(capacity: Int) {
        self.capacity = capacity
        time.reserveCapacity(capacity); x.reserveCapacity(capacity); y.reserveCapacity(capacity); z.reserveCapacity(capacity)
    }

    var isFull: Bool { time.count >= capacity }

    mutating func append(time t: Double, state: SIMD3<Double>) {
        time.append(t); x.append(state.x); y.append(state.y); z.append(state.z)
    }

    mutating func flush(to dataset: Dataset) throws {
        guard !time.isEmpty else { return }
        try dataset.appendRecords(["time": .float64(time), "x": .float64(x), "y": .float64(y), "z": .float64(z)],
                                  records: time.count)
        time.removeAll(keepingCapacity: true); x.removeAll(keepingCapacity: true)
        y.removeAll(keepingCapacity: true); z.removeAll(keepingCapacity: true)
    }
}
