import Integrators
import Scenarios

/// The integrator settings every ODE scenario kind accepts inside `"parameters"`:
/// `method`, `rtol`, `atol`, `dt`, `save_at`, `max_steps`.
struct ODESolverSettings {
    /// Methods by the name a scenario uses.
    static let adaptiveMethods = MethodCatalogue.all.filter { $0.isAdaptive && $0.kind != .imex }.map(\.name)
    static let fixedStepMethods = MethodCatalogue.all.filter { !$0.isAdaptive }.map(\.name)
    static let maximumRecords = 20_000_000

    /// Parameter specs, with the kind's default time between saved records.
    static func parameters(defaultSaveInterval: Double) -> [ParameterSpec] {
        [
            ParameterSpec("method", .string(choices: adaptiveMethods + fixedStepMethods), default: .string("Tsit5"),
                          summary: "integration method: adaptive \(adaptiveMethods.joined(separator: ", ")) (the last two for stiff problems); fixed-step \(fixedStepMethods.joined(separator: ", "))"),
            ParameterSpec("rtol", .number(maximum: 1, positive: true), default: .number(1e-8),
                          summary: "relative tolerance of adaptive methods"),
            ParameterSpec("atol", .number(minimum: 0), default: .number(1e-8),
                          summary: "absolute tolerance of adaptive methods (state units)"),
            ParameterSpec("dt", .number(positive: true), default: .null,
                          summary: "step size: required by fixed-step methods; for adaptive ones the first step (null: automatic)"),
            ParameterSpec("save_at", .union([.number(positive: true), .string(choices: ["steps", "final"]), .numberList(maximumCount: maximumRecords)]),
                          default: .number(defaultSaveInterval),
                          summary: "what to record: a time interval, \"steps\" (every step), \"final\", or a list of times"),
            ParameterSpec("max_steps", .integer(1...1_000_000_000), default: .integer(10_000_000),
                          summary: "limit on the number of steps (accepted and rejected)"),
        ]
    }

    var method: String
    var tolerance: Tolerance
    var dt: Double?
    var saveAt: SaveAt
    var maxSteps: Int

    init(_ p: ParameterValues) {
        method = p.string("method")
        tolerance = Tolerance(relative: p.double("rtol"), absolute: p.double("atol"))
        dt = p.optionalDouble("dt")
        switch p["save_at"] {
        case .string("steps")?: saveAt = .steps
        case .string("final")?: saveAt = .final
        case .array?: saveAt = .times(p.doubles("save_at"))
        default: saveAt = .every(p.double("save_at"))
        }
        maxSteps = p.int("max_steps")
    }

    var isFixedStep: Bool { Self.fixedStepMethods.contains(method) }

    /// Checks between the settings and the span `[0, duration]`.
    static func check(_ p: ParameterValues, duration: Double, issues: inout [ValidationIssue]) {
        let settings = ODESolverSettings(p)
        if settings.isFixedStep {
            guard let dt = settings.dt else {
                issues.append(ValidationIssue(path: "$.parameters.dt", value: nil,
                                              expected: "a step size > 0: method \(settings.method) takes fixed steps"))
                return
            }
            if duration / dt > 1e9 {
                issues.append(ValidationIssue(path: "$.parameters.dt", value: p["dt"],
                                              expected: "a step giving at most 1e9 steps over \(duration) time units (this gives \(duration / dt))"))
            }
        }
        switch settings.saveAt {
        case .every(let interval) where duration / interval + 1 > Double(maximumRecords):
            issues.append(ValidationIssue(path: "$.parameters.save_at", value: p["save_at"],
                                          expected: "an interval giving at most \(maximumRecords) records over \(duration) time units; raise it"))
        case .times(let times):
            if let bad = times.firstIndex(where: { $0 < 0 || $0 > duration }) {
                issues.append(ValidationIssue(path: "$.parameters.save_at[\(bad)]", value: .number(times[bad]),
                                              expected: "a time within the run, 0 ... \(duration)"))
            } else if let bad = times.indices.dropFirst().first(where: { times[$0 - 1] > times[$0] }) {
                issues.append(ValidationIssue(path: "$.parameters.save_at[\(bad)]", value: .number(times[bad]),
                                              expected: "times in ascending order"))
            }
        default:
            break
        }
    }

    /// An integrator for `problem` with the chosen method and settings, to be advanced piece by
    /// piece (no dense output: the run drains saved points as it goes).
    func makeIntegrator(_ problem: ODEProblem) throws(IntegrationError) -> any SteppableIntegrator {
        let chosen = try MethodCatalogue.method(named: method)
        if chosen.isAdaptive {
            return try chosen.integrator(problem, tolerance: tolerance, saveAt: saveAt, initialStep: dt, maxSteps: maxSteps,
                                         denseOutput: false)
        }
        return try chosen.integrator(problem, saveAt: saveAt, step: dt ?? 0, maxSteps: maxSteps, denseOutput: false)
    }

    /// Solver statistics for `run.json` and the output's attributes.
    static func statistics(_ integrator: any SteppableIntegrator, method: String, records: Int) -> [(key: String, value: JSONValue)] {
        let s = integrator.statistics
        return [
            ("method", .string(method)),
            ("accepted_steps", .integer(Int64(s.acceptedSteps))),
            ("rejected_steps", .integer(Int64(s.rejectedSteps))),
            ("rhs_evaluations", .integer(Int64(s.rhsEvaluations))),
            ("jacobian_evaluations", .integer(Int64(s.jacobianEvaluations))),
            ("factorizations", .integer(Int64(s.factorizations))),
            ("records", .integer(Int64(records))),
            ("final_time", .number(integrator.time)),
            ("final_state", .array(integrator.state.map { .number($0) })),
        ]
    }
}
