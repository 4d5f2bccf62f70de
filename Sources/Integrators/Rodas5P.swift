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

/// The complete integrator state of a Rodas5P solve: with the buffers named below it determines the
/// continuation bit for bit (a restart must snapshot these and the workspace buffers `y`, and — if
/// `jacobianCurrent` — `f0`, `dT` and the Jacobian; if `factoredStep == h`, also the LU and pivots).
@usableFromInline
struct Rodas5PState {
    /// Current time `t_n`.
    @usableFromInline var t: Double
    /// Signed size of the next step to attempt.
    @usableFromInline var h: Double
    /// PI controller memory.
    @usableFromInline var controller = PIController.State()
    /// `f0 = f(t_n, y_n)` is valid.
    @usableFromInline var derivativeCurrent = false
    /// `J` and `∂f/∂t` were evaluated at `(t_n, y_n)`.
    @usableFromInline var jacobianCurrent = false
    /// The step size `W` was last factorised for (NaN: none / stale Jacobian).
    @usableFromInline var factoredStep = Double.nan
    /// Whether the last rejection was due to a non-finite trial state.
    @usableFromInline var lastFailureNonFinite = false
    /// Consecutive singular-matrix rejections.
    @usableFromInline var consecutiveSingular = 0
    /// `f(t0, y0)` evaluated, the first step chosen.
    @usableFromInline var started = false
    /// The end of the span reached.
    @usableFromInline var finished = false

    @usableFromInline init(t: Double, h: Double) {
        self.t = t
        self.h = h
    }
}

/// Rodas5P integrator: state, workspace, matrices and output.
@usableFromInline
struct Rodas5PStepLoop {
    @usableFromInline let n: Int
    @usableFromInline let rhs: ODEFunction
    @usableFromInline let userJacobian: JacobianFunction?
    @usableFromInline let userTimeDerivative: TimeDerivativeFunction?
    @usableFromInline let isAutonomous: Bool
    @usableFromInline let tStart: Double
    @usableFromInline let tEnd: Double
    @usableFromInline let direction: Double
    @usableFromInline let work: RosenbrockWorkspace
    @usableFromInline let matrix: IterationMatrix
    @usableFromInline var state: Rodas5PState
    @usableFromInline var statistics = SolverStatistics()
    @usableFromInline var output: SolutionRecorder
    @usableFromInline let methodName = "Rodas5P"

    @usableFromInline
    init(
        method: Rodas5P, problem: ODEProblem, absolute: [Double], relative: [Double], saveAt: ResolvedSaveAt,
        denseOutput: Bool
    ) {
        n = problem.dimension
        rhs = problem.rhs
        userJacobian = problem.jacobian?.matrix
        userTimeDerivative = problem.jacobian?.timeDerivative
        isAutonomous = problem.jacobian?.isAutonomous ?? false
        tStart = problem.start
        tEnd = problem.end
        direction = problem.direction
        work = RosenbrockWorkspace(dimension: n, absolute: absolute, relative: relative)
        matrix = IterationMatrix(dimension: n, solver: method.linearSolver, userJacobian: userJacobian != nil)
        state = Rodas5PState(t: problem.start, h: 0)
        output = SolutionRecorder(
            problem: problem, saveAt: saveAt, denseOutput: denseOutput, degree: 4, denseOrder: Rodas5P.denseOrder)
        for i in 0..<n { work.y[i] = problem.initial[i] }
    }

    @inlinable @inline(__always)
    mutating func evaluate(_ time: Double, _ y: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        rhs(time, UnsafeBufferPointer(start: y, count: n), UnsafeMutableBufferPointer(start: out, count: n))
        statistics.rhsEvaluations &+= 1
    }

    @inlinable
    func failure(stepSize h: Double) -> IntegrationFailure {
        IntegrationFailure(
            t: state.t, stepSize: h, lastGoodState: Array(UnsafeBufferPointer(start: work.y, count: n)),
            partialSolution: makeSolution(completed: false))
    }

    @inlinable
    func makeSolution(completed: Bool) -> ODESolution {
        output.makeSolution(
            y: work.y, t: state.t, statistics: statistics, completed: completed, methodName: methodName)
    }

    /// Smallest resolvable step magnitude at the current time: `16 ulp(t)` (at least the smallest
    /// normal number), so that long spans starting at `t0 = 0` may begin with tiny steps.
    @inlinable
    func minimumStep() -> Double { stiffMinimumStep(at: state.t) }

    /// Makes `f0 = f(t_n, y_n)` valid; throws if it is not finite.
    @inlinable
    mutating func ensureDerivative(h: Double) throws(IntegrationError) {
        if state.derivativeCurrent { return }
        evaluate(state.t, work.y, into: work.f0)
        guard allFinite(work.f0, count: n) else { throw .nonFiniteDerivative(failure(stepSize: h)) }
        state.derivativeCurrent = true
    }

    /// Makes `J` and `∂f/∂t` at `(t_n, y_n)` valid.
    @inlinable
    mutating func ensureJacobian(h: Double) {
        if state.jacobianCurrent { return }
        let w = work
        let t = state.t
        if let user = userJacobian {
            matrix.evaluateUser(user, t: t, y: w.y)
        } else {
            matrix.evaluateFiniteDifference(t: t, y: w.y, f0: w.f0, typical: w.typical) { time, y, out in
                self.evaluate(time, y, into: out)
            }
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
        state.jacobianCurrent = true
        state.factoredStep = .nan
    }

    /// Computes the 8 stages for step `h` (W already factorised); `yNew = y + Σ b_j k_j`.
    @inlinable
    mutating func computeStages(h: Double) {
        let w = work
        let y = w.y, u = w.u, r = w.rhs, K = w.k
        let t = state.t
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
            matrix.solve(r)
            (K + s * n).update(from: r, count: n)
        }
        // y_{n+1} = u_8 + k_8 = y + Σ_{j<5} a_6j k_j + k_6 + k_7 + k_8.
        let row = w.A + 8 * 7
        for i in 0..<n {
            var acc = y[i]
            for j in 0..<7 { acc += row[j] * K[j * n + i] }
            w.yNew[i] = acc + K[7 * n + i]
        }
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

    /// Builds the dense-output polynomial of the trial step in `work.poly`.
    @inlinable
    func buildPolynomial() {
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
    }

    /// Commits the trial step.
    @inlinable
    mutating func accept(tNew: Double) {
        let w = work
        statistics.acceptedSteps &+= 1
        if output.needsPolynomial(upTo: tNew) { buildPolynomial() }
        output.accept(tOld: state.t, tNew: tNew, yNew: w.yNew, poly: w.poly, scratch: w.u)
        w.y.update(from: w.yNew, count: n)
        state.t = tNew
        state.derivativeCurrent = false
        state.jacobianCurrent = false
        state.factoredStep = .nan
    }

    /// Refactorises `W = I/(γh) - J` if needed. Returns `false` if it is singular.
    @inlinable
    mutating func prepareMatrix(h: Double) -> Bool {
        if state.factoredStep == h { return true }
        statistics.factorizations &+= 1
        let ok = matrix.factor(diagonal: 1 / (Rodas5PCoefficients.gamma * h), jacobianScale: 1)
        state.factoredStep = ok ? h : .nan
        return ok
    }

    // MARK: drivers

    /// Starts an adaptive solve: `f(t0, y0)` and the first step (given or Hairer's).
    @inlinable
    mutating func beginAdaptive(initialStep: Double?, maxStep: Double) throws(IntegrationError) {
        output.start(work.y)
        try ensureDerivative(h: 0)
        let spanLength = abs(tEnd - tStart)
        if let h0 = initialStep {
            state.h = direction * Swift.min(h0, maxStep)
        } else {
            let w = work
            let magnitude = hairerInitialStep(
                count: n, t0: state.t, y0: w.y, f0: w.f0, direction: direction, order: Rodas5P.order,
                absolute: w.absolute, relative: w.relative, spanLength: spanLength, maxStep: maxStep,
                scratchY: w.yNew, scratchF: w.u,
                evaluate: { time, y, out in self.evaluate(time, y, into: out) })
            state.h = direction * magnitude
        }
        state.started = true
    }

    /// Attempts one adaptive step of size `state.h` and chooses the next one.
    @inlinable
    mutating func attemptAdaptive(
        controller: PIController.Resolved, maxStep: Double, maxSteps: Int
    ) throws(IntegrationError) {
        var h = state.h
        var isLast = false
        if abs(h) > maxStep { h = direction * maxStep }
        if direction * (state.t + 1.01 * h - tEnd) >= 0 {
            h = tEnd - state.t
            isLast = true
        }
        if abs(h) < minimumStep() {
            if state.consecutiveSingular > 0 { throw .singularMatrix(failure(stepSize: h)) }
            throw state.lastFailureNonFinite
                ? .nonFiniteState(failure(stepSize: h)) : .stepSizeUnderflow(failure(stepSize: h))
        }
        if statistics.acceptedSteps + statistics.rejectedSteps >= maxSteps {
            throw .maxStepsReached(maxSteps: maxSteps, failure(stepSize: h))
        }
        try ensureDerivative(h: h)
        ensureJacobian(h: h)
        if !prepareMatrix(h: h) {
            statistics.rejectedSteps &+= 1
            state.consecutiveSingular += 1
            if state.consecutiveSingular >= 10 { throw .singularMatrix(failure(stepSize: h)) }
            state.controller.previousStepRejected = true
            state.h = h * 0.25
            return
        }
        state.consecutiveSingular = 0
        computeStages(h: h)
        let err = errorNorm()
        if !err.isFinite {
            statistics.rejectedSteps &+= 1
            state.controller.previousStepRejected = true
            state.lastFailureNonFinite = true
            state.h = h * controller.minFactor
            return
        }
        state.lastFailureNonFinite = false
        if err <= 1 {
            let factor = controller.factorAfterAcceptance(error: err, state: &state.controller)
            accept(tNew: isLast ? tEnd : state.t + h)
            if isLast {
                state.finished = true
                return
            }
            state.h = h * factor
        } else {
            statistics.rejectedSteps &+= 1
            state.h = h * controller.factorAfterRejection(error: err, state: &state.controller)
        }
    }

    /// Fixed steps (as the explicit fixed-step driver: `ceil(|t1 - t0|/step)` steps, the last one
    /// ending exactly at `t1`). A singular `W` or a non-finite state throws.
    @inlinable
    mutating func integrateFixed(step: Double, maxSteps: Int) throws(IntegrationError) {
        output.start(work.y)
        let ratio = abs(tEnd - tStart) / step
        let nearest = ratio.rounded()
        let count: Int
        if ratio >= 1e15 {
            count = Int.max
        } else if abs(ratio - nearest) <= 1e-9 * Swift.max(1, ratio) {
            count = Swift.max(1, Int(nearest))
        } else {
            count = Int(ratio.rounded(.up))
        }
        var k = 0
        while k < count {
            let tNew = k + 1 == count ? tEnd : tStart + direction * Double(k + 1) * step
            let h = tNew - state.t
            state.h = h
            if k >= maxSteps { throw .maxStepsReached(maxSteps: maxSteps, failure(stepSize: h)) }
            try ensureDerivative(h: h)
            ensureJacobian(h: h)
            guard prepareMatrix(h: h) else { throw .singularMatrix(failure(stepSize: h)) }
            computeStages(h: h)
            guard allFinite(work.yNew, count: n) else { throw .nonFiniteState(failure(stepSize: h)) }
            accept(tNew: tNew)
            k += 1
        }
    }
}

/// `16 ulp(t)`, at least the smallest normal number: the smallest step the stiff solvers take at `t`.
@inlinable
func stiffMinimumStep(at t: Double) -> Double { Swift.max(16 * abs(t).ulp, Double.leastNormalMagnitude) }

/// Validates the common arguments of the stiff solvers.
@usableFromInline
func validateStiffArguments(
    _ problem: ODEProblem, linearSolver: StiffLinearSolver, initialStep: Double?, maxStep: Double?, maxSteps: Int
) throws(IntegrationError) {
    try validate(problem)
    if case .banded(let ml, let mu) = linearSolver, ml < 0 || mu < 0 {
        throw .invalidArgument("banded linear solver needs lower, upper >= 0 (got \(ml), \(mu))")
    }
    if let h0 = initialStep, !(h0.isFinite && h0 > 0) { throw .invalidStepSize(name: "initialStep", value: h0) }
    if let hmax = maxStep, !(hmax > 0) { throw .invalidStepSize(name: "maxStep", value: hmax) }
    guard maxSteps >= 1 else { throw .invalidArgument("maxSteps = \(maxSteps) must be >= 1") }
}

/// Solves a (stiff) problem with the adaptive Rosenbrock–Wanner method ``Rodas5P``.
///
/// The local error estimate `k_8` (difference of the order-5 and embedded order-4 solutions) is
/// measured in the RMS norm scaled by `atol_i + rtol_i max(|y_i|, |ynew_i|)` (see ``Tolerance``);
/// steps are accepted if it is `<= 1` and sized by `controller` (PI, estimator order 4). The
/// Jacobian is the problem's (``ODEProblem/jacobian``) or a finite difference (see
/// ``ODEJacobian``), evaluated once per accepted step; rejected steps reuse it. A singular
/// `W = I/(γh) - J` rejects the step (`h /= 4`); ten in a row throw
/// ``IntegrationError/singularMatrix(_:)``.
///
/// - Parameters: as for the explicit `solve(_:using:tolerance:...)`.
/// - Returns: the solution with dense output of order 4 (`solution(t)`), statistics including
///   `jacobianEvaluations` and `factorizations`.
/// - Throws: ``IntegrationError``.
@inlinable
public func solve(
    _ problem: ODEProblem,
    using method: Rodas5P,
    tolerance: Tolerance = Tolerance(),
    saveAt: SaveAt = .steps,
    controller: PIController = PIController(),
    initialStep: Double? = nil,
    maxStep: Double? = nil,
    maxSteps: Int = 100_000,
    denseOutput: Bool = true
) throws(IntegrationError) -> ODESolution {
    try validateStiffArguments(
        problem, linearSolver: method.linearSolver, initialStep: initialStep, maxStep: maxStep, maxSteps: maxSteps)
    let (rtol, atol) = try tolerance.resolved(dimension: problem.dimension)
    let save = try saveAt.resolved(start: problem.start, end: problem.end)
    let resolvedController = try controller.resolved(errorEstimatorOrder: Rodas5P.embeddedOrder)
    var integrator = Rodas5PIntegrator(
        core: Rodas5PStepLoop(
            method: method, problem: problem, absolute: atol, relative: rtol, saveAt: save, denseOutput: denseOutput),
        controller: resolvedController, initialStep: initialStep, maxStep: maxStep ?? .infinity, maxSteps: maxSteps)
    try integrator.finish()
    return integrator.solution
}

/// Solves `problem` with ``Rodas5P`` on fixed steps of size `step` (the grid of the explicit
/// fixed-step `solve`; the last step ends exactly at `t1`). Used for order measurements. FD
/// Jacobian increments use the typical scale `1` (no tolerance is given).
@inlinable
public func solve(
    _ problem: ODEProblem,
    using method: Rodas5P,
    step: Double,
    saveAt: SaveAt = .steps,
    maxSteps: Int = 10_000_000,
    denseOutput: Bool = true
) throws(IntegrationError) -> ODESolution {
    try validateStiffArguments(problem, linearSolver: method.linearSolver, initialStep: nil, maxStep: nil, maxSteps: maxSteps)
    guard step.isFinite, step > 0 else { throw .invalidStepSize(name: "step", value: step) }
    let save = try saveAt.resolved(start: problem.start, end: problem.end)
    let ones = [Double](repeating: 1, count: problem.dimension)
    var integrator = Rodas5PStepLoop(
        method: method, problem: problem, absolute: ones, relative: ones, saveAt: save, denseOutput: denseOutput)
    try integrator.integrateFixed(step: step, maxSteps: maxSteps)
    return integrator.makeSolution(completed: true)
}
