// Variable-order (1...5), variable-step BDF with a modified Newton iteration, in the style of
// CVODE (Hindmarsh et al., "SUNDIALS", ACM TOMS 31, 2005; CVODE user guide, "Mathematical
// considerations"), written in the *quasi-constant step size* backward-difference form
// (Shampine & Reichelt, "The MATLAB ODE suite", 1997; the form scipy's BDF uses):
//
// History. `D_j = ∇^j y_n`, j = 0...k (backward differences on the equally spaced grid
// t_n, t_n - h, ..., t_n - k h), plus D_{k+1}, D_{k+2} for the order-change estimates. This is the
// Nordsieck array in another basis: a step-size change by the factor r re-interpolates the history
// polynomial onto the new grid (D ← (R(r) U)ᵀ D, the analogue of CVODE's Nordsieck rescaling).
//
// Step (order k, γ_j = Σ_{i≤j} 1/i, c = h/γ_k):
//     predictor    y⁽⁰⁾ = Σ_{j=0}^{k} D_j,   ψ = Σ_{j=1}^{k} γ_j D_j / γ_k
//     corrector    d = y - y⁽⁰⁾ solves  c f(t_{n+1}, y⁽⁰⁾ + d) - ψ - d = 0   (the BDF-k formula)
//     Newton       (I - c_LU J) Δ = c f(y) - ψ - d,  Δ scaled by 2/(1 + c/c_LU) if c ≠ c_LU (CVODE)
//     error        ‖d‖ / (k + 1)   (= local truncation error estimate; RMS norm, weights
//                  atol + rtol |y_{n+1}|), accepted if <= 1
//
// Newton (CVODE): at most 3 iterations; converged when ‖Δ‖·min(1, rate)/(k+1) <= 0.03 where the
// convergence-rate estimate `rate = max(0.3·rate, ‖Δ_m‖/‖Δ_{m-1}‖)` persists across steps (reset to
// 1 at each factorisation); divergence if ‖Δ_m‖ > 2‖Δ_{m-1}‖. (CVODE's coefficient is 0.1; in this
// formulation 0.1 let Newton noise dominate the error estimate on Robertson at rtol 1e-8 and stalled
// the step size, 0.03 matched CVODE's accuracy and cost on HIRES/Robertson/Van der Pol.)
// Jacobian/LU reuse (CVODE): refactorise M = I - cJ when |c/c_LU - 1| > 0.3, after 20 steps, or
// after a failure; re-evaluate J (at (t_{n+1}, y⁽⁰⁾), FD using the already computed f(y⁽⁰⁾))
// only on the first step, after 50 steps, or when Newton fails with a stale J (then the step is
// retried with the fresh J at the same h). A Newton failure with a fresh J reduces h by 4.
// Step/order selection: after k+1 equal steps, error estimates for k-1, k, k+1 give factors
// (safety · err^(-1/(order+1))), the best one is taken, capped at 10, and not applied at all
// if < 1.5 (CVODE's THRESH: keeps the LU valid). Error-test failures shrink h (>= ×0.2); three in
// a row drop the order to 1.
// Dense output: the interpolating polynomial Σ_j D_j Π_{m<j} (x + m)/(m + 1), x = (t - t_{n+1})/h,
// stored in θ = x + 1 (degree 5 storage; a step of order k has a degree-k interpolant).

/// Variable-order, variable-step BDF (orders 1...`maxOrder`, at most 5) for stiff problems. Use with
/// `solve(problem, using: BDF(), tolerance: ...)`; fixed order and step (for order measurements)
/// with `solve(problem, using: BDF(maxOrder: k), step: h)`.
public struct BDF: Sendable {
    /// Highest order used (1...5; default 5). In fixed-step mode, the order used.
    public var maxOrder: Int
    /// Dense (default) or banded LU for the Newton matrix `I - γJ`.
    public var linearSolver: StiffLinearSolver

    public init(maxOrder: Int = 5, linearSolver: StiffLinearSolver = .dense) {
        self.maxOrder = maxOrder
        self.linearSolver = linearSolver
    }

    public var name: String { "BDF" }
}

/// The complete integrator state of a BDF solve. Together with the workspace buffers `D` (rows
/// `0...order+2`) and — when `jacobianValid` / `luValid` — the Jacobian, the LU factors and pivots
/// of ``IterationMatrix``, these fields determine the continuation bit for bit.
@usableFromInline
struct BDFState {
    /// Current time `t_n` (`D_0 = y_n`).
    @usableFromInline var t: Double
    /// Signed step size the history `D` is scaled to (the next step's size).
    @usableFromInline var h: Double
    /// Current order `k`.
    @usableFromInline var order = 1
    /// Steps taken with the current `h` and `k` (order/step selection waits for `k + 1`).
    @usableFromInline var equalSteps = 0
    /// Newton convergence-rate estimate (CVODE's `crate`).
    @usableFromInline var convergenceRate = 1.0
    /// `c = h/γ_k` used in the current LU (`c_LU`).
    @usableFromInline var factoredC = Double.nan
    @usableFromInline var luValid = false
    @usableFromInline var jacobianValid = false
    /// `J` was evaluated during the current step attempt.
    @usableFromInline var jacobianCurrent = false
    /// Force a new Jacobian at the next setup.
    @usableFromInline var forceJacobian = true
    /// Force a refactorisation at the next step attempt.
    @usableFromInline var forceSetup = true
    /// Accepted steps since the last factorisation / Jacobian.
    @usableFromInline var stepsSinceFactorization = 0
    @usableFromInline var stepsSinceJacobian = 0
    @usableFromInline var consecutiveErrorFailures = 0
    @usableFromInline var consecutiveNewtonFailures = 0
    @usableFromInline var consecutiveSingular = 0
    @usableFromInline var lastFailureNonFinite = false
    /// The last failure of an iterative linear solver (reported if the step size vanishes).
    @usableFromInline var linearFailure: String?
    /// The order-1 history `D_1 = h f(t_n, y_n)` is still to be set for the first step.
    @usableFromInline var historyPending = true

    @usableFromInline init(t: Double, h: Double) {
        self.t = t
        self.h = h
    }
}

/// Buffers of a BDF solve.
@usableFromInline
final class BDFWorkspace {
    @usableFromInline let n: Int
    /// Difference array, 8 rows of n: `D_j` at `D + j·n`.
    @usableFromInline let D: UnsafeMutablePointer<Double>
    @usableFromInline let yPredict: UnsafeMutablePointer<Double>
    @usableFromInline let y: UnsafeMutablePointer<Double>
    @usableFromInline let d: UnsafeMutablePointer<Double>
    @usableFromInline let psi: UnsafeMutablePointer<Double>
    @usableFromInline let f: UnsafeMutablePointer<Double>
    @usableFromInline let delta: UnsafeMutablePointer<Double>
    @usableFromInline let weight: UnsafeMutablePointer<Double>
    @usableFromInline let absolute: UnsafeMutablePointer<Double>
    @usableFromInline let relative: UnsafeMutablePointer<Double>
    @usableFromInline let typical: UnsafeMutablePointer<Double>
    /// Dense-output polynomial in θ, 6 × n.
    @usableFromInline let poly: UnsafeMutablePointer<Double>
    /// Temporary for the difference-array rescaling, 6 × n.
    @usableFromInline let temp: UnsafeMutablePointer<Double>
    /// Small matrices (6×6 each): R, U, RU; θ-basis table B (6×6).
    @usableFromInline let R: UnsafeMutablePointer<Double>
    @usableFromInline let U: UnsafeMutablePointer<Double>
    @usableFromInline let RU: UnsafeMutablePointer<Double>
    @usableFromInline let B: UnsafeMutablePointer<Double>
    /// `γ_k = Σ_{i<=k} 1/i`, k = 0...6.
    @usableFromInline let gammaSums: UnsafeMutablePointer<Double>
    private let storage: UnsafeMutablePointer<Double>
    private let storageCount: Int

    @usableFromInline
    init(dimension n: Int, absolute atol: [Double], relative rtol: [Double]) {
        self.n = n
        storageCount = n * (8 + 10 + 12) + 4 * 36 + 8
        storage = .allocate(capacity: storageCount)
        storage.initialize(repeating: 0, count: storageCount)
        D = storage
        yPredict = storage + 8 * n
        y = storage + 9 * n
        d = storage + 10 * n
        psi = storage + 11 * n
        f = storage + 12 * n
        delta = storage + 13 * n
        weight = storage + 14 * n
        absolute = storage + 15 * n
        relative = storage + 16 * n
        typical = storage + 17 * n
        poly = storage + 18 * n
        temp = storage + 24 * n
        let m = storage + 30 * n
        R = m
        U = m + 36
        RU = m + 72
        B = m + 108
        gammaSums = m + 144
        for i in 0..<n {
            absolute[i] = atol[i]
            relative[i] = rtol[i]
            typical[i] = atol[i]
        }
        gammaSums[0] = 0
        for k in 1..<8 { gammaSums[k] = gammaSums[k - 1] + 1 / Double(k) }
        // b_0(θ) = 1, b_j(θ) = b_{j-1}(θ) (θ + j - 2)/j; B[j*6 + p] = coefficient of θ^p.
        B[0] = 1
        for j in 1..<6 {
            let shift = Double(j - 2), scale = 1 / Double(j)
            for p in 0...j {
                let lower = p > 0 ? B[(j - 1) * 6 + p - 1] : 0
                let same = p < j ? B[(j - 1) * 6 + p] : 0
                B[j * 6 + p] = (lower + shift * same) * scale
            }
        }
    }

    deinit {
        storage.deinitialize(count: storageCount)
        storage.deallocate()
    }

    /// `R(order, factor)` of the quasi-constant step scheme into `dst` (6×6, row-major):
    /// `R[0][j] = 1`, `R[i][0] = 0` (i >= 1), `R[i][j] = Π_{m=1}^{i} (m - 1 - factor·j)/m`.
    @inlinable
    func computeR(order: Int, factor: Double, into dst: UnsafeMutablePointer<Double>) {
        for j in 0...order { dst[j] = 1 }
        for i in 1...Swift.max(order, 1) where i <= order {
            dst[i * 6] = 0
            for j in 1...order {
                dst[i * 6 + j] = dst[(i - 1) * 6 + j] * (Double(i - 1) - factor * Double(j)) / Double(i)
            }
        }
    }

    /// Rescales `D_0...D_order` to the step size `factor · h` (re-interpolation on the new grid).
    @inlinable
    func changeStep(order: Int, factor: Double) {
        if factor == 1 { return }
        computeR(order: order, factor: factor, into: R)
        computeR(order: order, factor: 1, into: U)
        for i in 0...order {
            for j in 0...order {
                var s = 0.0
                for m in 0...order { s += R[i * 6 + m] * U[m * 6 + j] }
                RU[i * 6 + j] = s
            }
        }
        // D'_j = Σ_i RU[i][j] D_i.
        for j in 0...order {
            let dst = temp + j * n
            for c in 0..<n { dst[c] = 0 }
            for i in 0...order {
                let w = RU[i * 6 + j]
                if w == 0 { continue }
                let src = D + i * n
                for c in 0..<n { dst[c] += w * src[c] }
            }
        }
        D.update(from: temp, count: (order + 1) * n)
    }
}

/// The stepping state of a ``BDF`` solve: the difference array, the Newton matrix and CVODE's
/// reuse counters. The method chooses its own order and step after each accepted step (the
/// driver still clips to `maxStep` and the span, and applies its step limits and events).
public struct BDFStepper: ODEStepper {
    @usableFromInline let n: Int
    @usableFromInline let rhs: ODEFunction
    @usableFromInline let userJacobian: JacobianFunction?
    @usableFromInline let maxOrder: Int
    /// Newton iterations per attempt (3 as in CVODE; 10 in fixed-order mode).
    @usableFromInline var maxNewtonIterations = 3
    @usableFromInline let work: BDFWorkspace
    @usableFromInline let matrix: IterationMatrix
    @usableFromInline var state: BDFState
    public var statistics = SolverStatistics()
    public let methodName = "BDF"

    @usableFromInline
    init(method: BDF, problem: ODEProblem, relative: [Double], absolute: [Double]) {
        n = problem.dimension
        rhs = problem.rhs
        userJacobian = problem.jacobian?.matrix
        maxOrder = method.maxOrder
        work = BDFWorkspace(dimension: n, absolute: absolute, relative: relative)
        matrix = IterationMatrix(dimension: n, solver: method.linearSolver, problem: problem, relative: relative,
                                 absolute: absolute)
        state = BDFState(t: problem.start, h: 0)
        for i in 0..<n { work.D[i] = problem.initial[i] }
    }

    @inlinable public var dimension: Int { n }
    /// The first step is chosen for order 1 (the history starts at order 1).
    @inlinable public var order: Int { 1 }
    @inlinable public var interpolantDegree: Int { 5 }
    @inlinable public var interpolantOrder: Int { maxOrder }
    @inlinable public var currentState: UnsafeMutablePointer<Double> { work.D }
    @inlinable public var trialState: UnsafeMutablePointer<Double> { work.D }
    @inlinable public var currentDerivative: UnsafeMutablePointer<Double> { work.f }
    @inlinable public var scratch: UnsafeMutablePointer<Double> { work.yPredict }
    @inlinable public var failureWhenStepVanishes: StepFailure {
        if state.consecutiveSingular > 0 { return .singularMatrix }
        if state.consecutiveNewtonFailures > 0 {
            if let reason = state.linearFailure { return .linearSolverFailure(reason) }
            return state.lastFailureNonFinite ? .nonFiniteState : .newtonFailure
        }
        return .stepSizeUnderflow
    }

    @inlinable @inline(__always)
    mutating func evaluate(_ time: Double, _ y: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        rhs(time, UnsafeBufferPointer(start: y, count: n), UnsafeMutableBufferPointer(start: out, count: n))
        statistics.rhsEvaluations &+= 1
    }

    /// RMS norm of `v_i · scale / weight_i`.
    @inlinable
    func weightedNorm(_ v: UnsafeMutablePointer<Double>, scale: Double = 1) -> Double {
        let w = work.weight
        var sum = 0.0
        for i in 0..<n {
            let q = v[i] / w[i]
            sum += q * q
        }
        return scale * (sum / Double(n)).squareRoot()
    }

    /// Changes the step size of the history by `factor` (and `state.h`).
    @inlinable
    mutating func rescale(_ factor: Double) {
        work.changeStep(order: state.order, factor: factor)
        state.h *= factor
        state.equalSteps = 0
    }

    /// Predictor `y⁽⁰⁾`, `ψ`, and the Newton weights `atol + rtol |y⁽⁰⁾|`.
    @inlinable
    func predict() {
        let w = work
        let k = state.order
        let invAlpha = 1 / w.gammaSums[k]
        for i in 0..<n {
            var yp = w.D[i]
            var ps = 0.0
            for j in 1...k {
                let v = w.D[j * n + i]
                yp += v
                ps += w.gammaSums[j] * v
            }
            w.yPredict[i] = yp
            w.psi[i] = ps * invAlpha
            w.weight[i] = w.absolute[i] + w.relative[i] * abs(yp)
        }
    }

    /// Outcome of one corrector solve.
    @usableFromInline
    enum CorrectorResult: Equatable { case converged, failed, nonFinite, singular, invalidPreconditioner }

    /// Newton iteration for the current step (state.h, state.order); on success `work.y` holds
    /// `y_{n+1}` and `work.d` the total correction.
    @inlinable
    mutating func correct(tNew: Double) throws(StepFailure) -> CorrectorResult {
        let w = work
        let k = state.order
        let c = state.h / w.gammaSums[k]
        let errorConstant = 1 / Double(k + 1)
        predict()
        w.y.update(from: w.yPredict, count: n)
        w.d.update(repeating: 0, count: n)
        evaluate(tNew, w.y, into: w.f)
        if !allFinite(w.f, count: n) { return .nonFinite }
        // Setup (CVODE's criteria).
        let needSetup = state.forceSetup || !state.luValid || abs(c / state.factoredC - 1) > 0.3
            || state.stepsSinceFactorization >= 20
        if needSetup {
            if state.forceJacobian || !state.jacobianValid || state.stepsSinceJacobian >= 50 {
                try matrix.evaluateJacobian(user: userJacobian, t: tNew, y: w.y, f0: w.f, typical: w.typical, step: state.h) { time, y, out in
                    self.evaluate(time, y, into: out)
                }
                statistics.jacobianEvaluations &+= 1
                state.jacobianValid = true
                state.jacobianCurrent = true
                state.forceJacobian = false
                state.stepsSinceJacobian = 0
            }
            statistics.factorizations &+= 1
            state.forceSetup = false
            state.stepsSinceFactorization = 0
            state.convergenceRate = 1
            if !matrix.factor(diagonal: 1, jacobianScale: c) {
                state.luValid = false
                return .singular
            }
            state.luValid = true
            state.factoredC = c
        }
        let ratio = c / state.factoredC
        let correctionScale = ratio == 1 ? 1.0 : 2 / (1 + ratio)
        var previous = 0.0
        var m = 0
        while true {
            for i in 0..<n { w.delta[i] = c * w.f[i] - w.psi[i] - w.d[i] }
            let solved = matrix.solve(w.delta) { time, y, out in self.evaluate(time, y, into: out) }
            statistics.linearIterations &+= matrix.takeIterations()
            switch solved {
            case .solved: break
            case .invalidPreconditioner: return .invalidPreconditioner
            case .failed(let reason):
                state.linearFailure = reason
                return .failed
            }
            if correctionScale != 1 { for i in 0..<n { w.delta[i] *= correctionScale } }
            let del = weightedNorm(w.delta)
            if !del.isFinite { return .nonFinite }
            for i in 0..<n {
                w.y[i] += w.delta[i]
                w.d[i] += w.delta[i]
            }
            if m > 0 { state.convergenceRate = Swift.max(0.3 * state.convergenceRate, del / previous) }
            if del * Swift.min(1, state.convergenceRate) * errorConstant <= 0.03 { return .converged }
            m += 1
            if m == maxNewtonIterations || (m >= 2 && del > 2 * previous) { return .failed }
            previous = del
            evaluate(tNew, w.y, into: w.f)
            if !allFinite(w.f, count: n) { return .nonFinite }
        }
    }

    /// Updates the differences after an accepted step (`d = ∇^{k+1} y_{n+1}`).
    @inlinable
    func updateDifferences() {
        let w = work
        let k = state.order
        let D = w.D
        for i in 0..<n {
            let dk1 = D[(k + 1) * n + i]
            D[(k + 2) * n + i] = w.d[i] - dk1
            D[(k + 1) * n + i] = w.d[i]
        }
        var j = k
        while j >= 0 {
            for i in 0..<n { D[j * n + i] += D[(j + 1) * n + i] }
            j -= 1
        }
    }

    /// Dense-output polynomial (in θ over the step just taken) from the updated differences.
    @inlinable
    func buildPolynomial() {
        let w = work
        let k = state.order
        w.poly.update(repeating: 0, count: 6 * n)
        for j in 0...k {
            let src = w.D + j * n
            for p in 0...j {
                let b = w.B[j * 6 + p]
                if b == 0 { continue }
                let dst = w.poly + p * n
                for i in 0..<n { dst[i] += b * src[i] }
            }
        }
    }

    /// Updates the history after an accepted corrector (`t → tNew`).
    @inlinable
    mutating func acceptStep(tNew: Double) {
        updateDifferences()
        state.t = tNew
        state.equalSteps += 1
        state.stepsSinceFactorization += 1
        state.stepsSinceJacobian += 1
        state.jacobianCurrent = false
    }

    /// `f(t0, y0)`; the order-1 history is set once the first step size is known.
    @inlinable
    public mutating func start(at t: Double) throws(StepFailure) {
        state.t = t
        evaluate(t, work.D, into: work.f)
        guard allFinite(work.f, count: n) else { throw .nonFiniteDerivative }
        state.historyPending = true
    }

    /// Restarts at order 1 from `(t, D_0)` (after an event cut the step or changed the state).
    @inlinable
    public mutating func restart(at t: Double) throws(StepFailure) {
        try start(at: t)
        state.forceSetup = true
    }

    /// One BDF step of size `h` at the current order (the history is rescaled first if `h` differs
    /// from the size it holds); after an accepted step, the next order and step factor.
    @inlinable
    public mutating func attempt(from t: Double, to tNew: Double, step h: Double, estimatingError: Bool) throws(StepFailure) -> StepVerdict {
        let w = work
        if state.historyPending {
            state.h = h
            state.order = 1
            state.equalSteps = 0
            for i in 0..<n { w.D[n + i] = h * w.f[i] }
            for i in (2 * n)..<(8 * n) { w.D[i] = 0 }
            state.historyPending = false
        } else if h != state.h {
            rescale(h / state.h)
        }
        state.linearFailure = nil
        let result = try correct(tNew: tNew)
        if result == .invalidPreconditioner {
            throw .invalidJacobian("the preconditioner returned NaN or infinity at t = \(tNew)")
        }
        if result == .singular {
            state.consecutiveSingular += 1
            if state.consecutiveSingular >= 10 || !estimatingError { throw .singularMatrix }
            state.forceSetup = true
            state.forceJacobian = true
            return .rejected(error: .nan, stepFactor: 0.25)
        }
        state.consecutiveSingular = 0
        if result == .failed || result == .nonFinite {
            if result == .failed && !state.jacobianCurrent {
                // Stale Jacobian: retry the same step with a fresh one.
                state.forceJacobian = true
                state.forceSetup = true
                return .retry
            }
            state.consecutiveNewtonFailures += 1
            state.lastFailureNonFinite = result == .nonFinite
            if state.consecutiveNewtonFailures >= 10 || !estimatingError {
                if let reason = state.linearFailure { throw .linearSolverFailure(reason) }
                throw state.lastFailureNonFinite ? .nonFiniteState : .newtonFailure
            }
            state.forceJacobian = true
            state.forceSetup = true
            return .rejected(error: result == .nonFinite ? .nan : .infinity, stepFactor: 0.25)
        }
        state.consecutiveNewtonFailures = 0
        state.lastFailureNonFinite = false
        // Error test.
        let k = state.order
        for i in 0..<n { w.weight[i] = w.absolute[i] + w.relative[i] * abs(w.y[i]) }
        let errorNorm = weightedNorm(w.d, scale: 1 / Double(k + 1))
        let safety = 0.9
        if estimatingError && !(errorNorm <= 1) {
            state.consecutiveErrorFailures += 1
            var factor = errorNorm.isFinite
                ? Swift.max(0.2, safety * power(errorNorm, -1 / Double(k + 1))) : 0.25
            if state.consecutiveErrorFailures >= 3 {
                state.order = 1
                factor = Swift.min(factor, 0.25)
            }
            return .rejected(error: errorNorm.isFinite ? errorNorm : .nan, stepFactor: Swift.min(factor, 0.9))
        }
        state.consecutiveErrorFailures = 0
        acceptStep(tNew: tNew)
        let accepted = estimatingError ? errorNorm : 0
        // Order and step selection.
        if state.equalSteps < k + 1 || !estimatingError { return .accepted(error: accepted, stepFactor: 1) }
        var errorLower = Double.infinity
        var errorHigher = Double.infinity
        if k > 1 { errorLower = weightedNorm(w.D + k * n, scale: 1 / Double(k)) }
        if k < maxOrder { errorHigher = weightedNorm(w.D + (k + 2) * n, scale: 1 / Double(k + 2)) }
        let fLower = errorLower.isFinite ? power(errorLower, -1 / Double(k)) : 0
        let fSame = errorNorm > 0 ? power(errorNorm, -1 / Double(k + 1)) : 1e10
        let fHigher = errorHigher.isFinite ? power(errorHigher, -1 / Double(k + 2)) : 0
        var best = fSame
        var newOrder = k
        if fLower > best {
            best = fLower
            newOrder = k - 1
        }
        if fHigher > best {
            best = fHigher
            newOrder = k + 1
        }
        let factor = Swift.min(10, safety * best)
        if factor < 1.5 { return .accepted(error: accepted, stepFactor: 1) }  // CVODE's THRESH: keep h (and the LU)
        state.order = newOrder
        return .accepted(error: accepted, stepFactor: factor)
    }

    @inlinable
    public mutating func interpolant() -> UnsafeMutablePointer<Double> {
        buildPolynomial()
        return work.poly
    }

    /// The accepted step already updated the history.
    @inlinable
    public mutating func commit(to tNew: Double) throws(StepFailure) {}

    public func snapshotFields() -> (scalars: [String: Double], integers: [String: Int64], vectors: [String: [Double]]) {
        let s = state
        var vectors = matrix.snapshotVectors()
        vectors["differences"] = snapshotVector(work.D, 8 * n)
        vectors["f"] = snapshotVector(work.f, n)
        func flag(_ b: Bool) -> Int64 { b ? 1 : 0 }
        return (
            ["bdf_h": s.h, "convergence_rate": s.convergenceRate, "factored_c": s.factoredC],
            ["order": Int64(s.order), "equal_steps": Int64(s.equalSteps),
             "lu_valid": flag(s.luValid), "jacobian_valid": flag(s.jacobianValid), "jacobian_current": flag(s.jacobianCurrent),
             "force_jacobian": flag(s.forceJacobian), "force_setup": flag(s.forceSetup),
             "steps_since_factorization": Int64(s.stepsSinceFactorization), "steps_since_jacobian": Int64(s.stepsSinceJacobian),
             "consecutive_error_failures": Int64(s.consecutiveErrorFailures),
             "consecutive_newton_failures": Int64(s.consecutiveNewtonFailures),
             "consecutive_singular": Int64(s.consecutiveSingular), "bdf_last_failure_nonfinite": flag(s.lastFailureNonFinite),
             "history_pending": flag(s.historyPending)],
            vectors)
    }

    public mutating func restoreFields(from snapshot: IntegratorSnapshot) throws(IntegrationError) {
        try restoreVector(snapshot, "differences", into: work.D, count: 8 * n)
        try restoreVector(snapshot, "f", into: work.f, count: n)
        try matrix.restore(from: snapshot)
        var s = BDFState(t: try snapshot.scalar("t"), h: try snapshot.scalar("bdf_h"))
        s.order = try snapshot.integer("order")
        s.equalSteps = try snapshot.integer("equal_steps")
        s.convergenceRate = try snapshot.scalar("convergence_rate")
        s.factoredC = try snapshot.scalar("factored_c")
        s.luValid = try snapshot.integer("lu_valid") != 0
        s.jacobianValid = try snapshot.integer("jacobian_valid") != 0
        s.jacobianCurrent = try snapshot.integer("jacobian_current") != 0
        s.forceJacobian = try snapshot.integer("force_jacobian") != 0
        s.forceSetup = try snapshot.integer("force_setup") != 0
        s.stepsSinceFactorization = try snapshot.integer("steps_since_factorization")
        s.stepsSinceJacobian = try snapshot.integer("steps_since_jacobian")
        s.consecutiveErrorFailures = try snapshot.integer("consecutive_error_failures")
        s.consecutiveNewtonFailures = try snapshot.integer("consecutive_newton_failures")
        s.consecutiveSingular = try snapshot.integer("consecutive_singular")
        s.lastFailureNonFinite = try snapshot.integer("bdf_last_failure_nonfinite") != 0
        s.historyPending = try snapshot.integer("history_pending") != 0
        state = s
    }
}

extension BDF: ODEMethod {
    /// BDF chooses its own order and step; the controller's `maxStep` and limits still apply.
    @inlinable public var errorEstimatorOrder: Int? { maxOrder }
    /// Fixed-order, fixed-step BDF is `solve(_:using:step:)` (Rodas5P starting steps).
    public var takesFixedSteps: Bool { false }

    public func validate(for problem: ODEProblem) throws(IntegrationError) {
        guard (1...5).contains(maxOrder) else { throw .invalidArgument("BDF maxOrder = \(maxOrder) must be in 1...5") }
        try linearSolver.validate(for: problem)
    }

    @inlinable
    public func makeStepper(for problem: ODEProblem, relative: [Double], absolute: [Double]) -> BDFStepper {
        BDFStepper(method: self, problem: problem, relative: relative, absolute: absolute)
    }
}

/// The fixed-order, fixed-step BDF solve of `solve(_:using: BDF(maxOrder: k), step:)` (order
/// measurements): the first `k - 1` steps by ``Rodas5P`` with the same step, then BDF-k. A Newton
/// failure (after a Jacobian refresh) or a singular matrix throws.
@usableFromInline
struct BDFFixedOrderSolve {
    @usableFromInline var stepper: BDFStepper
    @usableFromInline var output: SolutionRecorder
    @usableFromInline let tStart: Double
    @usableFromInline let tEnd: Double
    @usableFromInline let direction: Double

    @usableFromInline
    init(method: BDF, problem: ODEProblem, saveAt: ResolvedSaveAt, denseOutput: Bool) {
        let tight = [Double](repeating: 1e-12, count: problem.dimension)
        stepper = BDFStepper(method: method, problem: problem, relative: tight, absolute: tight)
        stepper.maxNewtonIterations = 10
        output = SolutionRecorder(problem: problem, saveAt: saveAt, denseOutput: denseOutput, degree: 5,
                                  denseOrder: method.maxOrder)
        tStart = problem.start
        tEnd = problem.end
        direction = problem.direction
    }

    @inlinable var n: Int { stepper.n }

    @inlinable
    func failure(stepSize h: Double) -> IntegrationFailure {
        IntegrationFailure(
            t: stepper.state.t, stepSize: h, lastGoodState: snapshotVector(stepper.work.D, n),
            partialSolution: makeSolution(completed: false))
    }

    @inlinable
    func makeSolution(completed: Bool) -> ODESolution {
        output.makeSolution(y: stepper.work.D, t: stepper.state.t, statistics: stepper.statistics,
                            completed: completed, methodName: stepper.methodName)
    }

    @inlinable
    mutating func run(step: Double, maxSteps: Int, problem: ODEProblem) throws(IntegrationError) {
        let w = stepper.work
        let k = stepper.maxOrder
        let h = direction * step
        output.start(w.D)
        var startSteps = Swift.min(k - 1, Int((abs(tEnd - tStart) / step).rounded(.down)))
        if startSteps < 0 { startSteps = 0 }
        // History y_0, ..., y_{k-1} (newest last), via Rodas5P.
        var history: [[Double]] = [Array(UnsafeBufferPointer(start: w.D, count: n))]
        if startSteps > 0 {
            var sub = problem
            sub.end = tStart + h * Double(startSteps)
            let s = try solve(sub, using: Rodas5P(), step: step, saveAt: .steps, denseOutput: output.storeDense)
            stepper.statistics.rhsEvaluations += s.statistics.rhsEvaluations
            stepper.statistics.jacobianEvaluations += s.statistics.jacobianEvaluations
            stepper.statistics.factorizations += s.statistics.factorizations
            stepper.statistics.acceptedSteps += s.statistics.acceptedSteps
            for j in 1...startSteps { history.append(s.state(at: j)) }
            output.absorb(s)
            stepper.state.t = sub.end
        }
        // Differences of the history (D_0 = newest).
        let points = history.count
        var rows = history.reversed().map { $0 }
        for j in 0..<points {
            for i in 0..<n { w.D[j * n + i] = rows[0][i] }
            if j + 1 < points {
                for r in 0..<(points - j - 1) {
                    for i in 0..<n { rows[r][i] = rows[r][i] - rows[r + 1][i] }
                }
                rows.removeLast()
            }
        }
        for j in points..<8 { for i in 0..<n { w.D[j * n + i] = 0 } }
        stepper.state.order = k
        stepper.state.h = h
        stepper.state.historyPending = false
        var count = 0
        while direction * (tEnd - stepper.state.t) > 0 {
            var tNew = stepper.state.t + stepper.state.h
            if direction * (tNew - tEnd) >= -1e-9 * step {
                if tNew != tEnd { stepper.rescale((tEnd - stepper.state.t) / stepper.state.h) }
                tNew = tEnd
            }
            if count >= maxSteps { throw .maxStepsReached(maxSteps: maxSteps, failure(stepSize: stepper.state.h)) }
            var result: BDFStepper.CorrectorResult
            do throws(StepFailure) {
                result = try stepper.correct(tNew: tNew)
                if result == .failed && !stepper.state.jacobianCurrent {
                    stepper.state.forceJacobian = true
                    stepper.state.forceSetup = true
                    result = try stepper.correct(tNew: tNew)
                }
            } catch {
                throw .invalidArgument("\(error)")
            }
            if result == .invalidPreconditioner { throw .invalidArgument("the preconditioner returned NaN or infinity") }
            if result == .singular { throw .singularMatrix(failure(stepSize: stepper.state.h)) }
            if result == .nonFinite { throw .nonFiniteState(failure(stepSize: stepper.state.h)) }
            if result == .failed { throw .newtonFailure(failure(stepSize: stepper.state.h)) }
            let tOld = stepper.state.t
            stepper.acceptStep(tNew: tNew)
            stepper.statistics.acceptedSteps &+= 1
            if output.needsPolynomial(upTo: tNew) { stepper.buildPolynomial() }
            output.accept(tOld: tOld, tNew: tNew, yNew: w.D, poly: w.poly, scratch: w.delta)
            count += 1
        }
    }
}

extension SolutionRecorder {
    /// Appends the steps of a sub-solution (same `n`) computed for the start of this solve.
    @usableFromInline
    mutating func absorb(_ s: ODESolution) {
        let steps = s.stepTimes.count - 1
        if storeDense && steps >= 1 {
            let stride = (s.denseDegree + 1) * n
            for k in 0..<steps {
                denseTimes.append(s.stepTimes[k + 1])
                let base = k * stride
                for p in 0...degree {
                    if p <= s.denseDegree {
                        denseCoefficients.append(contentsOf: s.denseCoefficients[(base + p * n)..<(base + (p + 1) * n)])
                    } else {
                        denseCoefficients.append(contentsOf: repeatElement(0, count: n))
                    }
                }
            }
        }
        for j in 1..<s.times.count {
            let tNew = s.times[j]
            if saveEverySteps { outTimes.append(tNew); outStates.append(contentsOf: s.state(at: j)) }
            while nextSave < saveTimes.count && direction * (saveTimes[nextSave] - tNew) <= 0 {
                let v = s.interpolate(saveTimes[nextSave]) ?? s.state(at: j)
                outTimes.append(saveTimes[nextSave])
                outStates.append(contentsOf: v)
                nextSave += 1
            }
        }
    }
}

/// Solves `problem` with BDF of fixed order `method.maxOrder` and fixed step `step` (for order
/// measurements). The first `maxOrder - 1` steps are taken by ``Rodas5P`` with the same step
/// (starting values of order 5); the last step is shortened to end at `t1` if needed. Newton
/// tolerances use `rtol = atol = 1e-12`. (BDF with `controller: FixedStep(h)` is refused: this is
/// the fixed-step BDF.)
@inlinable
public func solve(
    _ problem: ODEProblem,
    using method: BDF,
    step: Double,
    saveAt: SaveAt = .steps,
    maxSteps: Int = 10_000_000,
    denseOutput: Bool = true
) throws(IntegrationError) -> ODESolution {
    try validate(problem)
    try method.validate(for: problem)
    guard step.isFinite, step > 0 else { throw .invalidStepSize(name: "step", value: step) }
    guard maxSteps >= 1 else { throw .invalidArgument("maxSteps = \(maxSteps) must be >= 1") }
    let save = try saveAt.resolved(start: problem.start, end: problem.end)
    var integrator = BDFFixedOrderSolve(method: method, problem: problem, saveAt: save, denseOutput: denseOutput)
    try integrator.run(step: step, maxSteps: maxSteps, problem: problem)
    return integrator.makeSolution(completed: true)
}
