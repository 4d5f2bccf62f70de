/// Where and how an integration stopped early; carries everything computed so far.
public struct IntegrationFailure: Sendable {
    /// Time reached (the last accepted time, or `t0`).
    public let t: Double
    /// Step size `h` (signed, time units) that was being attempted when the integration stopped.
    public let stepSize: Double
    /// Last good (finite, accepted) state at `t`, `n` components.
    public let lastGoodState: [Double]
    /// The solution up to `t`: saved points, dense output (if requested) and statistics.
    /// `partialSolution.completed == false`.
    public let partialSolution: ODESolution

    @usableFromInline
    init(t: Double, stepSize: Double, lastGoodState: [Double], partialSolution: ODESolution) {
        self.t = t
        self.stepSize = stepSize
        self.lastGoodState = lastGoodState
        self.partialSolution = partialSolution
    }

    var location: String {
        "at t = \(t) with step size h = \(stepSize); last good state y = \(lastGoodState)"
    }
}

/// Errors thrown by `solve`: invalid input (nothing integrated) or a run-time failure (with the
/// partial solution in ``IntegrationFailure/partialSolution``).
public enum IntegrationError: Error, Sendable, CustomStringConvertible {
    // MARK: invalid input
    /// The initial state has no components.
    case emptyInitialState
    /// Initial state component `index` is NaN or infinite.
    case invalidInitialState(index: Int, value: Double)
    /// Non-finite endpoints or `start == end`.
    case invalidTimeSpan(start: Double, end: Double)
    /// `rtol <= 0`, `atol < 0`, or a non-finite tolerance at state component `component`.
    case invalidTolerance(component: Int, relative: Double, absolute: Double)
    /// A tolerance vector has neither 1 nor `dimension` entries.
    case toleranceCountMismatch(dimension: Int, relative: Int, absolute: Int)
    /// A step-size argument (fixed `step`, `initialStep`, `maxStep`) is not finite and positive.
    case invalidStepSize(name: String, value: Double)
    /// Invalid `saveAt` (times outside the span, unsorted, non-finite, `dt <= 0`).
    case invalidSaveAt(String)
    /// Some other argument is invalid (e.g. `maxSteps < 1`, controller parameters).
    case invalidArgument(String)
    /// A snapshot cannot resume this solve (another method, problem size, span or tolerance; or incomplete).
    case invalidSnapshot(String)

    // MARK: run-time failures
    /// `maxSteps` attempted (accepted + rejected) steps were used before reaching the end.
    case maxStepsReached(maxSteps: Int, IntegrationFailure)
    /// The adaptive step size fell below the resolvable minimum (`16 ulp(max(|t|, |t1|))`).
    case stepSizeUnderflow(IntegrationFailure)
    /// A trial state became NaN/Inf and could not be avoided by reducing the step.
    case nonFiniteState(IntegrationFailure)
    /// The right-hand side returned NaN/Inf at an accepted state (e.g. at `t0`).
    case nonFiniteDerivative(IntegrationFailure)
    /// Stiff solvers: the iteration matrix (`I/(γh) - J` or `I - γJ`) stayed singular although the
    /// step was reduced repeatedly (``IntegrationFailure/stepSize`` is the last `h` tried).
    case singularMatrix(IntegrationFailure)
    /// Stiff solvers (BDF): the Newton iteration failed to converge repeatedly, even with a fresh
    /// Jacobian and reduced steps.
    case newtonFailure(IntegrationFailure)
    /// Stiff solvers with an iterative linear solver: it kept failing (e.g. GMRES not converging
    /// within its iteration limit) although the step was reduced repeatedly; the reason says which.
    case linearSolverFailure(String, IntegrationFailure)

    /// The failure details for run-time failures; `nil` for invalid input.
    public var failure: IntegrationFailure? {
        switch self {
        case .maxStepsReached(_, let f), .stepSizeUnderflow(let f), .nonFiniteState(let f), .nonFiniteDerivative(let f):
            return f
        case .singularMatrix(let f), .newtonFailure(let f), .linearSolverFailure(_, let f):
            return f
        default:
            return nil
        }
    }

    /// The solution computed before a run-time failure; `nil` for invalid input.
    public var partialSolution: ODESolution? { failure?.partialSolution }

    public var description: String {
        switch self {
        case .emptyInitialState:
            return "Invalid ODE problem: the initial state has no components"
        case .invalidInitialState(let index, let value):
            return "Invalid ODE problem: initial state component \(index) is \(value) (must be finite)"
        case .invalidTimeSpan(let start, let end):
            return "Invalid ODE problem: time span from \(start) to \(end) must have finite, distinct endpoints"
        case .invalidTolerance(let component, let relative, let absolute):
            return "Invalid tolerance for component \(component): relative = \(relative) (must be finite and > 0), "
                + "absolute = \(absolute) (must be finite and >= 0)"
        case .toleranceCountMismatch(let dimension, let relative, let absolute):
            return "Tolerance vector length mismatch: state has \(dimension) components but relative has \(relative) "
                + "and absolute has \(absolute) entries (each must be 1 or \(dimension))"
        case .invalidStepSize(let name, let value):
            return "Invalid \(name) = \(value): must be finite and > 0"
        case .invalidSaveAt(let reason):
            return "Invalid saveAt: \(reason)"
        case .invalidSnapshot(let reason):
            return "Cannot resume from this snapshot: \(reason)."
        case .invalidArgument(let reason):
            return "Invalid argument: \(reason)"
        case .maxStepsReached(let maxSteps, let f):
            return "Integration stopped: maximum number of steps (\(maxSteps)) reached \(f.location)"
        case .stepSizeUnderflow(let f):
            return "Integration stopped: step size underflow (the problem may be stiff or singular) \(f.location)"
        case .nonFiniteState(let f):
            return "Integration stopped: the state became NaN or infinite \(f.location)"
        case .nonFiniteDerivative(let f):
            return "Integration stopped: the right-hand side returned NaN or infinity \(f.location)"
        case .singularMatrix(let f):
            return "Integration stopped: singular iteration matrix (LU factorization failed) \(f.location)"
        case .newtonFailure(let f):
            return "Integration stopped: the Newton iteration failed to converge \(f.location)"
        case .linearSolverFailure(let reason, let f):
            return "Integration stopped: the linear solver failed (\(reason)) \(f.location)"
        }
    }
}
