import Integrators

/// Which solver of the integrator core a neural ODE uses, and how it chooses steps:
/// `.adaptive(Tsit5(), tolerance: Tolerance(relative: 1e-6, absolute: 1e-8))` or
/// `.fixed(RK4(), step: 0.01)`.
///
/// The same configuration drives the forward solve, the forward pass of both gradient
/// methods, and (unless ``AdjointOptions/solver`` overrides it) the backward solve of the
/// adjoint. Tolerances should be scalar (one value for every component) so that they apply to
/// the adjoint's augmented state too.
public struct SolverConfiguration: Sendable {
    /// The method's name, e.g. `"Tsit5"`.
    public let methodName: String
    /// The method's coefficients (the discretise-then-optimise pass recomputes steps with them);
    /// `nil` for the stiff methods, whose gradients come from the adjoint.
    public let tableau: ButcherTableau?
    /// Whether steps are chosen by error control.
    public let isAdaptive: Bool
    /// A steppable integrator for a problem, saving only the final point, no dense output.
    let makeIntegrator: @Sendable (ODEProblem) throws(IntegrationError) -> any SteppableIntegrator
    /// A complete solve of a problem with the given saved points and dense output.
    let solveProblem: @Sendable (ODEProblem, SaveAt, Bool) throws(IntegrationError) -> ODESolution

    /// An adaptive solve with any method of the core (the arguments mean what they mean for the
    /// core's `solve`): an explicit Runge–Kutta method with an embedded estimator
    /// (`.adaptive(Tsit5(), tolerance: ...)`), or e.g. `.adaptive(Rodas5P(), tolerance: ...)` for
    /// a stiff neural ODE (gradients by ``GradientMethod/adjoint(_:)``; backpropagation needs an
    /// explicit Runge–Kutta method).
    public static func adaptive<Method: ODEMethod & Sendable>(
        _ method: Method, tolerance: Tolerance = Tolerance(), controller: PIController = PIController(),
        initialStep: Double? = nil, maxStep: Double? = nil, maxSteps: Int = 100_000
    ) -> SolverConfiguration {
        SolverConfiguration(
            methodName: method.name, tableau: (method as? any ExplicitRungeKuttaMethod)?.tableau, isAdaptive: true,
            makeIntegrator: { @Sendable (problem: ODEProblem) throws(IntegrationError) -> any SteppableIntegrator in
                try ODEIntegrator(
                    problem, using: method, tolerance: tolerance, saveAt: .final, controller: controller,
                    initialStep: initialStep, maxStep: maxStep, maxSteps: maxSteps, denseOutput: false)
            },
            solveProblem: { @Sendable (problem: ODEProblem, saveAt: SaveAt, dense: Bool) throws(IntegrationError) -> ODESolution in
                try Integrators.solve(
                    problem, using: method, tolerance: tolerance, saveAt: saveAt, controller: controller,
                    initialStep: initialStep, maxStep: maxStep, maxSteps: maxSteps, denseOutput: dense)
            })
    }

    /// The method called `name` in the core's ``MethodCatalogue`` (adaptive with `tolerance`, or
    /// fixed steps of `step` for a method without an error estimator).
    /// - Throws: ``NeuralODEError/invalidArgument(_:)`` for an unknown name or a missing step.
    public static func named(
        _ name: String, tolerance: Tolerance = Tolerance(), step: Double? = nil, maxSteps: Int = 100_000
    ) throws -> SolverConfiguration {
        let method: NamedODEMethod
        do { method = try MethodCatalogue.method(named: name) } catch {
            throw NeuralODEError.invalidArgument("\(error)")
        }
        if !method.isAdaptive && step == nil {
            throw NeuralODEError.invalidArgument("method \(name) takes fixed steps: give a step")
        }
        return SolverConfiguration(
            methodName: method.name, tableau: method.tableau, isAdaptive: step == nil,
            makeIntegrator: { @Sendable (problem: ODEProblem) throws(IntegrationError) -> any SteppableIntegrator in
                try method.integrator(problem, tolerance: tolerance, saveAt: .final, step: step, maxSteps: maxSteps,
                                      denseOutput: false)
            },
            solveProblem: { @Sendable (problem: ODEProblem, saveAt: SaveAt, dense: Bool) throws(IntegrationError) -> ODESolution in
                try method.solve(problem, tolerance: tolerance, saveAt: saveAt, step: step, maxSteps: maxSteps,
                                 denseOutput: dense)
            })
    }

    /// Fixed steps of size `step` (the core's `solve(_:using:step:...)`: each solved interval is
    /// cut into `ceil(length / step)` steps, the last one possibly shorter).
    public static func fixed<Method: ExplicitRungeKuttaMethod>(
        _ method: Method, step: Double, maxSteps: Int = 10_000_000
    ) -> SolverConfiguration {
        SolverConfiguration(
            methodName: method.name, tableau: method.tableau, isAdaptive: false,
            makeIntegrator: { @Sendable (problem: ODEProblem) throws(IntegrationError) -> any SteppableIntegrator in
                try ODEIntegrator(problem, using: method, step: step, saveAt: .final, maxSteps: maxSteps, denseOutput: false)
            },
            solveProblem: { @Sendable (problem: ODEProblem, saveAt: SaveAt, dense: Bool) throws(IntegrationError) -> ODESolution in
                try Integrators.solve(problem, using: method, step: step, saveAt: saveAt, maxSteps: maxSteps, denseOutput: dense)
            })
    }
}

/// How the gradient of a loss of observed states is computed.
public enum GradientMethod: Sendable, CustomStringConvertible {
    /// Discretise-then-optimise: reverse-mode differentiation of the discrete solve. The
    /// forward solve records its accepted step boundaries (sizes are then constants); the
    /// backward sweep recomputes each step's Runge–Kutta stages on a tape and propagates the
    /// cotangent through them.
    ///
    /// Memory: the state at the start of every `checkpointEvery`-th step is kept (plus the
    /// step times); during the sweep the states of one block of `checkpointEvery` steps are
    /// recomputed from its checkpoint. `checkpointEvery = 1` stores every step's start state and
    /// recomputes nothing but the stages; `checkpointEvery ≈ √N` stores `O(√N)` states for
    /// one extra forward pass.
    case backpropagation(checkpointEvery: Int = 1)
    /// Optimise-then-discretise: the continuous adjoint ODE solved backwards in time.
    case adjoint(AdjointOptions = AdjointOptions())

    public var description: String {
        switch self {
        case .backpropagation(let every): return "backpropagation(checkpointEvery: \(every))"
        case .adjoint(let options):
            return "adjoint(\(options.stateReconstruction)\(options.solver.map { ", backward solver \($0.methodName)" } ?? ""))"
        }
    }
}

/// Settings of the continuous adjoint.
public struct AdjointOptions: Sendable {
    /// How `y(t)` is known during the backward solve.
    public enum StateReconstruction: Sendable {
        /// Integrate `y` backwards alongside the adjoint (restarted from the forward value at every
        /// observation time). Memory independent of the number of steps.
        case backwardIntegration
        /// Read `y(t)` from the forward solve's dense output. Memory grows with the number of
        /// forward steps; avoids integrating `y` backwards (which is ill-conditioned for
        /// strongly contracting flows).
        case denseOutput
    }

    /// Solver for the backward (augmented) solve; `nil` uses the forward configuration.
    public var solver: SolverConfiguration?
    public var stateReconstruction: StateReconstruction

    public init(solver: SolverConfiguration? = nil, stateReconstruction: StateReconstruction = .backwardIntegration) {
        self.solver = solver
        self.stateReconstruction = stateReconstruction
    }
}

/// Invalid input to the NeuralODE module (the message names the argument and what was expected).
public enum NeuralODEError: Error, CustomStringConvertible, Equatable {
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidArgument(let message): return message
        }
    }
}
