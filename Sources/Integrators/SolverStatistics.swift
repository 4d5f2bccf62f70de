/// Work counters of one solve, counted exactly.
///
/// RHS evaluations of the explicit Runge–Kutta methods in this module (s = number of stages,
/// `A`/`R` = accepted/rejected steps):
///
/// - `1` for `f(t0, y0)`, plus `1` for Hairer's initial step selection when no `initialStep` is
///   given (adaptive solves only);
/// - FSAL methods (BS3, DP5, Tsit5): `s - 1` per attempted step, i.e. `(s - 1)(A + R)`;
/// - other methods (Euler, Heun, RK4, Verner7): `s - 1` per attempted step plus `1` per accepted
///   step for `f(t_{n+1}, y_{n+1})` (reused as the next step's first stage and by the interpolant);
/// - methods whose interpolant needs extra stages (Verner7: 5): those stages for every accepted
///   step when dense output is stored, otherwise only for steps that contain a `saveAt` time.
public struct SolverStatistics: Sendable, Equatable, CustomStringConvertible {
    /// Number of calls of the right-hand side `f`.
    public var rhsEvaluations: Int = 0
    /// Accepted steps.
    public var acceptedSteps: Int = 0
    /// Rejected steps (error estimate > 1, or a non-finite trial state).
    public var rejectedSteps: Int = 0
    /// Jacobian evaluations (always 0 for explicit methods; for stiff solvers).
    public var jacobianEvaluations: Int = 0
    /// LU factorizations (always 0 for explicit methods; for stiff solvers).
    public var factorizations: Int = 0
    /// Calls of an SDE's diffusion `g` (and of its derivative `(∂g/∂X)·g`); 0 for ODE solves.
    public var diffusionEvaluations: Int = 0
    /// Iterations of the iterative linear solver (Krylov), over the whole solve.
    public var linearIterations: Int = 0

    public init() {}

    public var description: String {
        "rhs evaluations: \(rhsEvaluations), accepted steps: \(acceptedSteps), rejected steps: \(rejectedSteps), "
            + "jacobian evaluations: \(jacobianEvaluations), factorizations: \(factorizations)"
            + (diffusionEvaluations > 0 ? ", diffusion evaluations: \(diffusionEvaluations)" : "")
            + (linearIterations > 0 ? ", linear iterations: \(linearIterations)" : "")
    }
}
