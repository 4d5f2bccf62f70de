/// User Jacobian `J = ∂f/∂y (t, y)` of an ``ODEFunction``.
///
/// - Parameters:
///   - t: time.
///   - y: the state, `n` components (read-only view; valid only during the call).
///   - J: output, `n·n` entries, **column-major** (LAPACK layout): `∂f_i/∂y_j` goes to `J[i + j·n]`.
///     The buffer is zeroed before every call, so only nonzero entries need to be written.
///
/// Used by the stiff solvers ``Rodas5P`` and ``BDF``. With a banded linear solver
/// (``StiffLinearSolver/banded(lower:upper:)``) the entries outside the band are ignored.
/// The closure must not retain the buffers.
public typealias JacobianFunction = (
    _ t: Double,
    _ y: UnsafeBufferPointer<Double>,
    _ J: UnsafeMutableBufferPointer<Double>
) -> Void

/// User time derivative `∂f/∂t (t, y)`, `n` components written into `dfdt` (Rosenbrock methods
/// need it for non-autonomous problems).
public typealias TimeDerivativeFunction = (
    _ t: Double,
    _ y: UnsafeBufferPointer<Double>,
    _ dfdt: UnsafeMutableBufferPointer<Double>
) -> Void

/// Optional derivative information of an ``ODEProblem`` for the stiff solvers.
///
/// Everything here is optional; a problem without it (`problem.jacobian == nil`) is solved with
/// finite differences:
///
/// - **Jacobian** (`matrix == nil`): forward differences, column `j` from
///   `(f(t, y + δ_j e_j) - f(t, y)) / δ_j` with `δ_j = sqrt(eps) · max(|y_j|, τ_j)`, where the
///   *typical scale* `τ_j = atol_j` (the absolute tolerance of component `j`; fixed-step solves use
///   `1`); `δ_j = sqrt(eps)` if that product is `0`; `δ_j` is rounded so that `y_j + δ_j` is exact.
///   (`τ_j = atol_j/rtol_j` was tried and is too coarse for tiny components such as Robertson's
///   `y_2 ≈ 1e-13`: Rodas5P needed 6× more steps and lost 4 digits.) Costs `n` RHS calls per Jacobian (dense) or `lower + upper + 1` calls (banded,
///   column grouping: columns `j ≡ g (mod lower + upper + 1)` are perturbed together). Each such
///   Jacobian counts once in ``SolverStatistics/jacobianEvaluations`` and its RHS calls count in
///   ``SolverStatistics/rhsEvaluations``. A user Jacobian also counts in `jacobianEvaluations`.
/// - **Time derivative** (``Rodas5P`` only; BDF does not need it): `timeDerivative`, or
///   `0` if `isAutonomous`, otherwise a forward difference `(f(t + δ, y) - f(t, y)) / δ` with
///   `δ = sqrt(eps) · max(|t|, |h|)` (one RHS call per step, counted in `rhsEvaluations`).
///
/// Forward-mode dual numbers are not offered.
public struct ODEJacobian {
    /// Dense Jacobian, column-major (see ``JacobianFunction``); `nil` for finite differences.
    public var matrix: JacobianFunction?
    /// `∂f/∂t`; `nil` means a finite difference in `t` unless ``isAutonomous``.
    public var timeDerivative: TimeDerivativeFunction?
    /// `true` if `f` does not depend on `t` (then `∂f/∂t = 0` and no RHS call is spent on it).
    public var isAutonomous: Bool
    /// Which entries of `J` may be nonzero (for ``StiffLinearSolver/sparse``); `nil`: detected.
    public var sparsity: SparsityPattern?
    /// `J`'s values on ``sparsity`` (see ``SparseJacobianFunction``); `nil`: a coloured finite difference.
    public var sparseValues: SparseJacobianFunction?

    public init(matrix: JacobianFunction? = nil, timeDerivative: TimeDerivativeFunction? = nil, isAutonomous: Bool = false) {
        self.matrix = matrix
        self.timeDerivative = timeDerivative
        self.isAutonomous = isAutonomous
    }
}

extension ODEProblem {
    /// A copy of the problem with the analytic Jacobian `jacobian` (column-major, see
    /// ``JacobianFunction``), keeping any time-derivative settings.
    public func withJacobian(_ jacobian: @escaping JacobianFunction) -> ODEProblem {
        var copy = self
        var info = copy.jacobian ?? ODEJacobian()
        info.matrix = jacobian
        copy.jacobian = info
        return copy
    }

    /// A copy of the problem with the analytic time derivative `∂f/∂t`.
    public func withTimeDerivative(_ timeDerivative: @escaping TimeDerivativeFunction) -> ODEProblem {
        var copy = self
        var info = copy.jacobian ?? ODEJacobian()
        info.timeDerivative = timeDerivative
        copy.jacobian = info
        return copy
    }

    /// A copy of the problem declared autonomous (`f` independent of `t`, so `∂f/∂t = 0`).
    /// The problem with a known sparsity pattern of its Jacobian: with ``StiffLinearSolver/sparse``
    /// the finite-difference Jacobian then costs one RHS evaluation per colour.
    public func withSparsity(_ pattern: SparsityPattern) -> ODEProblem {
        var copy = self
        var info = copy.jacobian ?? ODEJacobian()
        info.sparsity = pattern
        copy.jacobian = info
        return copy
    }

    /// The problem with an analytic sparse Jacobian: `values` fills `J`'s entries on `pattern` in
    /// its order (column by column, rows ascending). Used by ``StiffLinearSolver/sparse``.
    public func withSparseJacobian(_ pattern: SparsityPattern, values: @escaping SparseJacobianFunction) -> ODEProblem {
        var copy = withSparsity(pattern)
        copy.jacobian!.sparseValues = values
        return copy
    }

    public func autonomous() -> ODEProblem {
        var copy = self
        var info = copy.jacobian ?? ODEJacobian()
        info.isAutonomous = true
        copy.jacobian = info
        return copy
    }
}

/// Linear algebra used for the iteration matrix of the stiff solvers.
public enum StiffLinearSolver: Sendable, Equatable {
    /// Dense LU (LAPACK `dgetrf` / `dgetrs`).
    case dense
    /// Banded LU (LAPACK `dgbtrf` / `dgbtrs`): `∂f_i/∂y_j = 0` unless `-upper <= i - j <= lower`.
    /// Finite-difference Jacobians use column grouping (`lower + upper + 1` RHS calls).
    case banded(lower: Int, upper: Int)
    /// Sparse LU (SuiteSparse KLU) on the problem's ``SparsityPattern`` (``ODEProblem/withSparsity(_:)``,
    /// ``ODEProblem/withSparseJacobian(_:values:)``), or on one detected by probing the right-hand
    /// side at the first Jacobian (`2n + 1` RHS calls once). Finite-difference Jacobians cost one
    /// RHS call per colour of a column colouring.
    case sparse
    /// Matrix-free Newton–Krylov: restarted GMRES with finite-difference Jacobian–vector products
    /// and an optional preconditioner (see ``KrylovOptions``); no Jacobian is formed.
    case krylov(KrylovOptions = KrylovOptions())
}
