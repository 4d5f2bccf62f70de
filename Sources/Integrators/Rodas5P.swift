// Rodas5P: the stiffly accurate Rosenbrock–Wanner method of order 5 with an embedded order-4
// estimate and an order-4 dense output (Steinebach, "Construction of Rosenbrock–Wanner method
// Rodas5P and numerical benchmarks within the Julia Differential Equations package", BIT 63, 2023;
// an improvement of RODASP). Coefficients: the published values as tabulated in OrdinaryDiffEq.jl.
//
// Formulation (Hairer–Wanner II, IV.7, "transformed" variables, as in RODAS): with
// W = I/(γh) - J, J = ∂f/∂y(t_n, y_n), f_t = ∂f/∂t(t_n, y_n), for stages i = 1...8
//
//     u_i = y_n + Σ_{j<i} a_ij k_j
//     W k_i = f(t_n + c_i h, u_i) + Σ_{j<i} (C_ij / h) k_j + h d_i f_t
//     y_{n+1} = u_8 + k_8                 (stiffly accurate: u_7 = u_6 + k_6, u_8 = u_7 + k_7)
//
// The embedded order-4 solution is u_8, so the local error estimate is k_8. W is LU-factorised once
// per step (dgetrf) and solved once per stage (dgetrs). Dense output (θ ∈ [0, 1]):
//
//     y(θ) = (1-θ) y_n + θ (y_{n+1} + (1-θ)(K_1 + θ (K_2 + θ K_3))),   K_r = Σ_j H_rj k_j
//
// stored in the power basis: y_n + θ(y_{n+1} - y_n + K_1) + θ²(K_2 - K_1) + θ³(K_3 - K_2) - θ⁴ K_3.
//
// Work per step: 8 RHS calls, 1 Jacobian (FD: n more calls, banded: ml+mu+1), 1 RHS call for a
// finite-difference ∂f/∂t unless the problem is autonomous or supplies it, 1 LU, 8 solves. A
// rejected step reuses J, f_t and f(t_n, y_n) and only refactorises W for the new h.

/// The Rosenbrock–Wanner method Rodas5P (order 5, embedded order 4, stiffly accurate, order-4
/// dense output). Use with `solve(problem, using: Rodas5P(), tolerance: ...)` or with fixed steps
/// `solve(problem, using: Rodas5P(), step: h)`.
public struct Rodas5P: Sendable {
    /// Dense (default) or banded LU for `W = I/(γh) - J`.
    public var linearSolver: StiffLinearSolver

    public init(linearSolver: StiffLinearSolver = .dense) {
        self.linearSolver = linearSolver
    }

    public var name: String { "Rodas5P" }
    /// Classical order.
    public static let order = 5
    /// Order of the embedded error estimator.
    public static let embeddedOrder = 4
    /// Order of the dense output.
    public static let denseOrder = 4
}

/// Rodas5P coefficients (Steinebach 2023).
@usableFromInline
enum Rodas5PCoefficients {
    @inlinable static var gamma: Double { 0.21193756319429014 }
    /// `a_ij` for stages 2...6 (rows), `j < i`.
    static let a: [[Double]] = [
        [],
        [3.0],
        [2.849394379747939, 0.45842242204463923],
        [-6.954028509809101, 2.489845061869568, -10.358996098473584],
        [2.8029986275628964, 0.5072464736228206, -0.3988312541770524, -0.04721187230404641],
        [-7.502846399306121, 2.561846144803919, -11.627539656261098, -0.18268767659942256, 0.030198172008377946],
    ]
    static let C: [[Double]] = [
        [],
        [-14.155112264123755],
        [-17.97296035885952, -2.859693295451294],
        [147.12150275711716, -1.41221402718213, 71.68940251302358],
        [165.43517024871676, -0.4592823456491126, 42.90938336958603, -5.961986721573306],
        [24.854864614690072, -3.0009227002832186, 47.4931110020768, 5.5814197821558125, -0.6610691825249471],
        [30.91273214028599, -3.1208243349937974, 77.79954646070892, 34.28646028294783, -19.097331116725623,
         -28.087943162872662],
        [37.80277123390563, -3.2571969029072276, 112.26918849496327, 66.9347231244047, -40.06618937091002,
         -54.66780262877968, -9.48861652309627],
    ]
    static let c: [Double] = [0, 0.6358126895828704, 0.4095798393397535, 0.9769306725060716, 0.4288403609558664, 1, 1, 1]
    static let d: [Double] = [
        0.21193756319429014, -0.42387512638858027, -0.3384627126235924, 1.8046452872882734, 2.325825639765069, 0, 0, 0,
    ]
    /// Dense-output weights `H_rj`, r = 1...3.
    static let H: [[Double]] = [
        [25.948786856663858, -2.5579724845846235, 10.433815404888879, -2.3679251022685204, 0.524948541321073,
         1.1241088310450404, 0.4272876194431874, -0.17202221070155493],
        [-9.91568850695171, -0.9689944594115154, 3.0438037242978453, -24.495224566215796, 20.176138334709044,
         15.98066361424651, -6.789040303419874, -6.710236069923372],
        [11.419903575922262, 2.8879645146136994, 72.92137995996029, 80.12511834622643, -52.072871366152654,
         -59.78993625266729, -0.15582684282751913, 4.883087185713722],
    ]

    /// Full 8×8 stage matrix `A` (row-major, `A[i*8 + j]`) including the stiffly accurate stages.
    static func stageMatrix() -> [Double] {
        var A = [Double](repeating: 0, count: 64)
        for i in 1..<6 { for j in 0..<i { A[i * 8 + j] = a[i][j] } }
        for i in 6..<8 {
            for j in 0..<5 { A[i * 8 + j] = a[5][j] }
            for j in 5..<i { A[i * 8 + j] = 1 }
        }
        return A
    }

    static func couplingMatrix() -> [Double] {
        var M = [Double](repeating: 0, count: 64)
        for i in 1..<8 { for j in 0..<i { M[i * 8 + j] = C[i][j] } }
        return M
    }
}

/// Buffers of a Rosenbrock solve (allocated once, freed on deinit).
@usableFromInline
final class RosenbrockWorkspace {
    @usableFromInline let n: Int
    /// Current state `y_n` and trial state.
    @usableFromInline let y: UnsafeMutablePointer<Double>
    @usableFromInline let yNew: UnsafeMutablePointer<Double>
    /// `f(t_n, y_n)`.
    @usableFromInline let f0: UnsafeMutablePointer<Double>
    /// `∂f/∂t(t_n, y_n)`.
    @usableFromInline let dT: UnsafeMutablePointer<Double>
    /// Stage increments `k_1...k_8`, `k_j` at `k + j·n`.
    @usableFromInline let k: UnsafeMutablePointer<Double>
    @usableFromInline let u: UnsafeMutablePointer<Double>
    @usableFromInline let rhs: UnsafeMutablePointer<Double>
    @usableFromInline let absolute: UnsafeMutablePointer<Double>
    @usableFromInline let relative: UnsafeMutablePointer<Double>
    /// Typical scales for FD Jacobian increments (`atol/rtol`).
    @usableFromInline let typical: UnsafeMutablePointer<Double>
    /// Dense-output polynomial, 5 × n.
    @usableFromInline let poly: UnsafeMutablePointer<Double>
    /// Coefficients: A (8×8), C (8×8), c, d (8), H (3×8).
    @usableFromInline let A: UnsafeMutablePointer<Double>
    @usableFromInline let C: UnsafeMutablePointer<Double>
    @usableFromInline let c: UnsafeMutablePointer<Double>
    @usableFromInline let d: UnsafeMutablePointer<Double>
    @usableFromInline let H: UnsafeMutablePointer<Double>
    private let storage: UnsafeMutablePointer<Double>
    private let coefficients: UnsafeMutablePointer<Double>

    @usableFromInline
    init(dimension n: Int, absolute atol: [Double], relative rtol: [Double]) {
        self.n = n
        let count = n * 22
        storage = .allocate(capacity: count)
        storage.initialize(repeating: 0, count: count)
        y = storage
        yNew = storage + n
        f0 = storage + 2 * n
        dT = storage + 3 * n
        u = storage + 4 * n
        rhs = storage + 5 * n
        absolute = storage + 6 * n
        relative = storage + 7 * n
        typical = storage + 8 * n
        k = storage + 9 * n
        poly = storage + 17 * n
        for i in 0..<n {
            absolute[i] = atol[i]
            relative[i] = rtol[i]
            typical[i] = atol[i]
        }
        coefficients = .allocate(capacity: 64 + 64 + 8 + 8 + 24)
        A = coefficients
        C = coefficients + 64
        c = coefficients + 128
        d = coefficients + 136
        H = coefficients + 144
        A.initialize(from: Rodas5PCoefficients.stageMatrix(), count: 64)
        C.initialize(from: Rodas5PCoefficients.couplingMatrix(), count: 64)
        c.initialize(from: Rodas5PCoefficients.c, count: 8)
        d.initialize(from: Rodas5PCoefficients.d, count: 8)
        for r in 0..<3 { (H + 8 * r).initialize(from: Rodas5PCoefficients.H[r], count: 8) }
    }

    deinit {
        storage.deallocate()
        coefficients.deallocate()
    }
}

/// The stepping state of a ``Rodas5P`` solve: the workspace, the iteration matrix and what is
/// valid at the current point (with the buffers `y`, `f0`, `dT`, the Jacobian and — when
/// `factoredStep` is the next step — the LU factors it determines the continuation bit for bit).
public struct Rodas5PStepper: ODEStepper {
    @usableFromInline let n: Int
    @usableFromInline let rhs: ODEFunction
    @usableFromInline let userJacobian: JacobianFunction?
    @usableFromInline let userTimeDerivative: TimeDerivativeFunction?
    @usableFromInline let isAutonomous: Bool
    @usableFromInline let direction: Double
    @usableFromInline let work: RosenbrockWorkspace
    @usableFromInline let matrix: IterationMatrix
    public var statistics = SolverStatistics()
    public let methodName = "Rodas5P"
    /// Current time `t_n`.
    @usableFromInline var t: Double
    /// `f0 = f(t_n, y_n)` is valid.
    @usableFromInline var derivativeCurrent = false
    /// `J` and `∂f/∂t` were evaluated at `(t_n, y_n)`.
    @usableFromInline var jacobianCurrent = false
    /// The step size `W` was last factorised for (NaN: none / stale Jacobian).
    @usableFromInline var factoredStep = Double.nan
    /// Consecutive singular-matrix rejections.
    @usableFromInline var consecutiveSingular = 0
    /// Consecutive failures of an iterative linear solver, and the last one's reason.
    @usableFromInline var consecutiveLinearFailures = 0
    @usableFromInline var linearFailure = ""

    @usableFromInline
    init(method: Rodas5P, problem: ODEProblem, relative: [Double], absolute: [Double]) {
        n = problem.dimension
        rhs = problem.rhs
        userJacobian = problem.jacobian?.matrix
        userTimeDerivative = problem.jacobian?.timeDerivative
        isAutonomous = problem.jacobian?.isAutonomous ?? false
        direction = problem.direction
        work = RosenbrockWorkspace(dimension: n, absolute: absolute, relative: relative)
        matrix = IterationMatrix(dimension: n, solver: method.linearSolver, problem: problem, relative: relative,
                                 absolute: absolute)
        t = problem.start
        for i in 0..<n { work.y[i] = problem.initial[i] }
    }

    @inlinable public var dimension: Int { n }
    @inlinable public var order: Int { Rodas5P.order }
    @inlinable public var interpolantDegree: Int { 4 }
    @inlinable public var interpolantOrder: Int { Rodas5P.denseOrder }
    @inlinable public var currentState: UnsafeMutablePointer<Double> { work.y }
    @inlinable public var trialState: UnsafeMutablePointer<Double> { work.yNew }
    @inlinable public var currentDerivative: UnsafeMutablePointer<Double> { work.f0 }
    @inlinable public var scratch: UnsafeMutablePointer<Double> { work.u }
    @inlinable public var failureWhenStepVanishes: StepFailure {
        if consecutiveSingular > 0 { return .singularMatrix }
        return consecutiveLinearFailures > 0 ? .linearSolverFailure(linearFailure) : .stepSizeUnderflow
    }

    @inlinable @inline(__always)
    mutating func evaluate(_ time: Double, _ y: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        rhs(time, UnsafeBufferPointer(start: y, count: n), UnsafeMutableBufferPointer(start: out, count: n))
        statistics.rhsEvaluations &+= 1
    }

    /// Makes `f0 = f(t_n, y_n)` valid; throws if it is not finite.
    @inlinable
    mutating func ensureDerivative() throws(StepFailure) {
        if derivativeCurrent { return }
        evaluate(t, work.y, into: work.f0)
        guard allFinite(work.f0, count: n) else { throw .nonFiniteDerivative }
        derivativeCurrent = true
    }

    /// Makes `J` and `∂f/∂t` at `(t_n, y_n)` valid.
    @inlinable
    mutating func ensureJacobian(h: Double) throws(StepFailure) {
        if jacobianCurrent { return }
        let w = work
        try matrix.evaluateJacobian(user: userJacobian, t: t, y: w.y, f0: w.f0, typical: w.typical, step: h) { time, y, out in
            self.evaluate(time, y, into: out)
        }
        statistics.jacobianEvaluations &+= 1
        if isAutonomous {
            w.dT.update(repeating: 0, count: n)
        } else if let user = userTimeDerivative {
            user(t, UnsafeBufferPointer(start: w.y, count: n), UnsafeMutableBufferPointer(start: w.dT, count: n))
        } else {
            var delta = Double.ulpOfOne.squareRoot() * Swift.max(abs(t), abs(h))
            if !(delta > 0) { delta = Double.ulpOfOne.squareRoot() }
            let tp = t + direction * delta
            delta = tp - t
            evaluate(tp, w.y, into: w.u)
            let inv = 1 / delta
            for i in 0..<n { w.dT[i] = (w.u[i] - w.f0[i]) * inv }
        }
        jacobianCurrent = true
        factoredStep = .nan
    }

    /// Refactorises `W = I/(γh) - J` if needed. Returns `false` if it is singular.
    @inlinable
    mutating func prepareMatrix(h: Double) -> Bool {
        if factoredStep == h { return true }
        statistics.factorizations &+= 1
        let ok = matrix.factor(diagonal: 1 / (Rodas5PCoefficients.gamma * h), jacobianScale: 1)
        factoredStep = ok ? h : .nan
        return ok
    }

    /// Computes the 8 stages for step `h` (W already factorised); `yNew = y + Σ b_j k_j`.
    /// Stops at the first linear solve that fails (iterative solvers) and returns its result.
    @inlinable
    mutating func computeStages(h: Double) -> LinearSolveResult {
        let w = work
        let y = w.y, u = w.u, r = w.rhs, K = w.k
        let invH = 1 / h
        for s in 0..<8 {
            if s == 0 {
                r.update(from: w.f0, count: n)
            } else {
                let row = w.A + 8 * s
                for i in 0..<n {
                    var acc = y[i]
                    for j in 0..<s { acc += row[j] * K[j * n + i] }
                    u[i] = acc
                }
                evaluate(t + w.c[s] * h, u, into: r)
            }
            let crow = w.C + 8 * s
            let hd = h * w.d[s]
            for i in 0..<n {
                var acc = r[i] + hd * w.dT[i]
                for j in 0..<s { acc += crow[j] * invH * K[j * n + i] }
                r[i] = acc
            }
            let solved = matrix.solve(r) { time, y, out in self.evaluate(time, y, into: out) }
            statistics.linearIterations &+= matrix.takeIterations()
            if solved != .solved { return solved }
            (K + s * n).update(from: r, count: n)
        }
        // y_{n+1} = u_8 + k_8 = y + Σ_{j<5} a_6j k_j + k_6 + k_7 + k_8.
        let row = w.A + 8 * 7
        for i in 0..<n {
            var acc = y[i]
            for j in 0..<7 { acc += row[j] * K[j * n + i] }
            w.yNew[i] = acc + K[7 * n + i]
        }
        return .solved
    }

    /// RMS norm of the embedded error `k_8` scaled by `atol + rtol·max(|y|, |yNew|)`; NaN/Inf if
    /// the trial state is not finite.
    @inlinable
    func errorNorm() -> Double {
        let w = work
        let e = w.k + 7 * n
        var sum = 0.0
        var poison = 0.0
        for i in 0..<n {
            let yi = w.yNew[i]
            poison += yi * 0
            let sc = w.absolute[i] + w.relative[i] * Swift.max(abs(w.y[i]), abs(yi))
            let q = e[i] / sc
            sum += q * q
        }
        return (sum / Double(n)).squareRoot() + poison
    }

    /// `f0 = f(t0, y0)`.
    @inlinable
    public mutating func start(at t: Double) throws(StepFailure) {
        self.t = t
        try ensureDerivative()
    }

    /// The Jacobian (and ∂f/∂t) are evaluated once per accepted step; a rejected step reuses
    /// them and only refactorises `W` for the new `h`. A singular `W` rejects the step
    /// (`h /= 4`); ten in a row throw.
    @inlinable
    public mutating func attempt(from t: Double, to tNew: Double, step h: Double, estimatingError: Bool) throws(StepFailure) -> StepVerdict {
        try ensureDerivative()
        try ensureJacobian(h: h)
        if !prepareMatrix(h: h) {
            guard estimatingError else { throw .singularMatrix }
            consecutiveSingular += 1
            if consecutiveSingular >= 10 { throw .singularMatrix }
            return .rejected(error: .nan, stepFactor: 0.25)
        }
        consecutiveSingular = 0
        switch computeStages(h: h) {
        case .solved:
            consecutiveLinearFailures = 0
        case .invalidPreconditioner:
            throw .invalidJacobian("the preconditioner returned NaN or infinity at t = \(t)")
        case .failed(let reason):
            linearFailure = reason
            consecutiveLinearFailures += 1
            if consecutiveLinearFailures >= 10 || !estimatingError { throw .linearSolverFailure(reason) }
            // Retry smaller with a fresh linearisation (a shorter step is an easier linear system).
            jacobianCurrent = false
            factoredStep = .nan
            return .rejected(error: .nan, stepFactor: 0.25)
        }
        guard estimatingError else { return .accepted(error: 0, stepFactor: nil) }
        let err = errorNorm()
        if !err.isFinite { return .rejected(error: .nan, stepFactor: nil) }
        return err <= 1 ? .accepted(error: err, stepFactor: nil) : .rejected(error: err, stepFactor: nil)
    }

    /// The order-4 dense output of the attempted step (see the file header).
    @inlinable
    public mutating func interpolant() -> UnsafeMutablePointer<Double> {
        let w = work
        let P = w.poly, K = w.k, H = w.H
        for i in 0..<n {
            var k1 = 0.0, k2 = 0.0, k3 = 0.0
            for j in 0..<8 {
                let kj = K[j * n + i]
                k1 += H[j] * kj
                k2 += H[8 + j] * kj
                k3 += H[16 + j] * kj
            }
            P[i] = w.y[i]
            P[n + i] = w.yNew[i] - w.y[i] + k1
            P[2 * n + i] = k2 - k1
            P[3 * n + i] = k3 - k2
            P[4 * n + i] = -k3
        }
        return P
    }

    @inlinable
    public mutating func commit(to tNew: Double) throws(StepFailure) {
        work.y.update(from: work.yNew, count: n)
        try restart(at: tNew)
    }

    /// Everything evaluated at the old point is stale; `f` at the new point is evaluated lazily.
    @inlinable
    public mutating func restart(at t: Double) throws(StepFailure) {
        self.t = t
        derivativeCurrent = false
        jacobianCurrent = false
        factoredStep = .nan
    }

    public func snapshotFields() -> (scalars: [String: Double], integers: [String: Int64], vectors: [String: [Double]]) {
        var vectors = matrix.snapshotVectors()
        vectors["f0"] = snapshotVector(work.f0, n)
        vectors["dfdt"] = snapshotVector(work.dT, n)
        return (["factored_step": factoredStep],
                ["derivative_current": derivativeCurrent ? 1 : 0, "jacobian_current": jacobianCurrent ? 1 : 0,
                 "consecutive_singular": Int64(consecutiveSingular)],
                vectors)
    }

    public mutating func restoreFields(from snapshot: IntegratorSnapshot) throws(IntegrationError) {
        try restoreVector(snapshot, "f0", into: work.f0, count: n)
        try restoreVector(snapshot, "dfdt", into: work.dT, count: n)
        try matrix.restore(from: snapshot)
        t = try snapshot.scalar("t")
        factoredStep = try snapshot.scalar("factored_step")
        derivativeCurrent = try snapshot.integer("derivative_current") != 0
        jacobianCurrent = try snapshot.integer("jacobian_current") != 0
        consecutiveSingular = try snapshot.integer("consecutive_singular")
    }
}

extension Rodas5P: ODEMethod {
    @inlinable public var errorEstimatorOrder: Int? { Rodas5P.embeddedOrder }

    public func validate(for problem: ODEProblem) throws(IntegrationError) {
        try linearSolver.validate(for: problem)
    }

    @inlinable
    public func makeStepper(for problem: ODEProblem, relative: [Double], absolute: [Double]) -> Rodas5PStepper {
        Rodas5PStepper(method: self, problem: problem, relative: relative, absolute: absolute)
    }
}

/// `16 ulp(t)`, at least the smallest normal number: the smallest step the stiff solvers take at `t`.
@inlinable
func stiffMinimumStep(at t: Double) -> Double { Swift.max(16 * abs(t).ulp, Double.leastNormalMagnitude) }
