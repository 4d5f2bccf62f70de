// IMEX additive Runge–Kutta methods (Kennedy & Carpenter, "Additive Runge–Kutta schemes for
// convection–diffusion–reaction equations", Appl. Numer. Math. 44, 2003), as ARKODE's ARKStep
// runs them: for a split problem y' = f_E(t, y) + f_I(t, y) (ODEProblem.split) an explicit tableau
// A_E treats the non-stiff f_E and an ESDIRK tableau A_I (diagonal γ) the stiff f_I; both share c,
// b and the embedded b̂. Stage i (z_1 = y_n):
//
//     z_i = y_n + h Σ_{j<i} (A_E[i][j] F_E,j + A_I[i][j] F_I,j) + h γ f_I(t_n + c_i h, z_i)
//
// solved by a modified Newton iteration with M = I - hγ J_I (dense, banded, sparse or Krylov
// linear algebra: the same IterationMatrix as the other stiff solvers); F_I,i = (z_i - base_i)/(hγ)
// (no extra evaluation), F_E,i = f_E(t_i, z_i). y_{n+1} = y_n + h Σ b_i (F_E,i + F_I,i); the error
// estimate h Σ (b_i - b̂_i)(F_E,i + F_I,i) goes to the driver's controller (PI, embedded order).
// J_I is re-evaluated after 20 steps or a Newton failure (once per solve when f_I is linear); M is
// refactorised when hγ changed by more than 20 % (at every change when its setup is cheap: Krylov).
// Dense output: cubic Hermite on y_n, y_{n+1}, f(t_n, y_n), f(t_{n+1}, y_{n+1}) (order 3); the end
// derivatives are the next step's first stage, so it costs nothing extra.

/// The coefficients of an additive (IMEX) Runge–Kutta pair.
public struct AdditiveTableau: Sendable {
    /// Explicit stage matrix (strictly lower triangular), `s × s`.
    public let explicitA: [[Double]]
    /// Implicit ESDIRK stage matrix (lower triangular, first row zero, diagonal `γ` from row 2).
    public let implicitA: [[Double]]
    public let c: [Double]
    public let b: [Double]
    /// Embedded weights.
    public let bHat: [Double]
    public let order: Int
    public let embeddedOrder: Int

    public var stageCount: Int { c.count }
    /// `γ`, the ESDIRK diagonal.
    public var gamma: Double { implicitA[1][1] }
}

/// An IMEX additive Runge–Kutta method: explicit on the problem's `split.explicit`, implicit on
/// `split.implicit` (see ``ODEProblem/init(initial:timeSpan:explicit:implicit:implicitIsLinear:)``),
/// with the linear algebra of the stiff solvers.
public protocol AdditiveRungeKuttaMethod: ODEMethod, Sendable where Stepper == AdditiveRungeKuttaStepper {
    var tableau: AdditiveTableau { get }
    /// Linear algebra for `I - hγ J_I` (`J_I` = ∂f_I/∂y: the problem's Jacobian, or a finite difference of f_I).
    var linearSolver: StiffLinearSolver { get }
}

extension AdditiveRungeKuttaMethod {
    public var errorEstimatorOrder: Int? { tableau.embeddedOrder }

    public func validate(for problem: ODEProblem) throws(IntegrationError) {
        guard problem.split != nil else {
            throw .invalidArgument("\(name) is an IMEX method: give the problem as explicit + implicit parts (ODEProblem(initial:timeSpan:explicit:implicit:))")
        }
        try linearSolver.validate(for: problem)
    }

    public func makeStepper(for problem: ODEProblem, relative: [Double], absolute: [Double]) -> AdditiveRungeKuttaStepper {
        AdditiveRungeKuttaStepper(tableau: tableau, name: name, linearSolver: linearSolver, problem: problem,
                                  relative: relative, absolute: absolute)
    }
}

/// Kennedy & Carpenter's ARK3(2)4L[2]SA: 4 stages, order 3, embedded order 2, L-stable stiffly
/// accurate ESDIRK part (ARKODE's default third-order IMEX pair; OrdinaryDiffEq's KenCarp3).
public struct ARK324L2SA: AdditiveRungeKuttaMethod {
    public var linearSolver: StiffLinearSolver
    public init(linearSolver: StiffLinearSolver = .dense) { self.linearSolver = linearSolver }
    public var name: String { "ARK324L2SA" }
    public var tableau: AdditiveTableau { KennedyCarpenter.ark324 }
}

/// Kennedy & Carpenter's ARK4(3)6L[2]SA: 6 stages, order 4, embedded order 3 (ARKODE's default
/// fourth-order IMEX pair; OrdinaryDiffEq's KenCarp4).
public struct ARK436L2SA: AdditiveRungeKuttaMethod {
    public var linearSolver: StiffLinearSolver
    public init(linearSolver: StiffLinearSolver = .dense) { self.linearSolver = linearSolver }
    public var name: String { "ARK436L2SA" }
    public var tableau: AdditiveTableau { KennedyCarpenter.ark436 }
}

/// The stepping state of an IMEX additive Runge–Kutta solve.
public struct AdditiveRungeKuttaStepper: ODEStepper {
    @usableFromInline let n: Int
    @usableFromInline let s: Int
    @usableFromInline let explicitPart: ODEFunction
    @usableFromInline let implicitPart: ODEFunction
    @usableFromInline let implicitIsLinear: Bool
    @usableFromInline let userJacobian: JacobianFunction?
    @usableFromInline let matrix: IterationMatrix
    @usableFromInline let aE: [Double]
    @usableFromInline let aI: [Double]
    @usableFromInline let c: [Double]
    @usableFromInline let b: [Double]
    @usableFromInline let e: [Double]
    @usableFromInline let gamma: Double
    public let methodName: String
    public let order: Int
    public var statistics = SolverStatistics()
    /// Buffers: y, yNew, F_E (s × n), F_I (s × n), base, z, delta, stiff, weights, end F_E, end F_I,
    /// poly (4 × n), scratch (2n), absolute, relative, typical.
    @usableFromInline let y: UnsafeMutablePointer<Double>
    @usableFromInline let yNew: UnsafeMutablePointer<Double>
    @usableFromInline let fE: UnsafeMutablePointer<Double>
    @usableFromInline let fI: UnsafeMutablePointer<Double>
    @usableFromInline let base: UnsafeMutablePointer<Double>
    @usableFromInline let z: UnsafeMutablePointer<Double>
    @usableFromInline let delta: UnsafeMutablePointer<Double>
    @usableFromInline let stiff: UnsafeMutablePointer<Double>
    @usableFromInline let weights: UnsafeMutablePointer<Double>
    @usableFromInline let endE: UnsafeMutablePointer<Double>
    @usableFromInline let endI: UnsafeMutablePointer<Double>
    @usableFromInline let poly: UnsafeMutablePointer<Double>
    @usableFromInline let scratchBuffer: UnsafeMutablePointer<Double>
    @usableFromInline let absolute: UnsafeMutablePointer<Double>
    @usableFromInline let relative: UnsafeMutablePointer<Double>
    @usableFromInline let typical: UnsafeMutablePointer<Double>
    @usableFromInline let storage: StorageOwner
    // Step state.
    @usableFromInline var t = 0.0
    @usableFromInline var stepSize = 0.0
    @usableFromInline var endReady = false
    @usableFromInline var jacobianValid = false
    @usableFromInline var stepsSinceJacobian = 0
    @usableFromInline var factoredHG = Double.nan
    @usableFromInline var consecutiveSingular = 0
    @usableFromInline var consecutiveNewtonFailures = 0
    @usableFromInline var linearFailure: String?

    init(tableau: AdditiveTableau, name: String, linearSolver: StiffLinearSolver, problem: ODEProblem,
         relative rtol: [Double], absolute atol: [Double]) {
        let split = problem.split!
        n = problem.dimension
        s = tableau.stageCount
        explicitPart = split.explicit
        implicitPart = split.implicit
        implicitIsLinear = split.implicitIsLinear
        userJacobian = problem.jacobian?.matrix
        var implicitProblem = problem
        implicitProblem.rhs = split.implicit
        matrix = IterationMatrix(dimension: n, solver: linearSolver, problem: implicitProblem, relative: rtol,
                                 absolute: atol)
        aE = tableau.explicitA.flatMap { row in (0..<tableau.stageCount).map { $0 < row.count ? row[$0] : 0 } }
        aI = tableau.implicitA.flatMap { row in (0..<tableau.stageCount).map { $0 < row.count ? row[$0] : 0 } }
        c = tableau.c
        b = tableau.b
        e = zip(tableau.b, tableau.bHat).map { $0 - $1 }
        gamma = tableau.gamma
        methodName = name
        order = tableau.order
        let count = n * (2 * s + 19)
        storage = StorageOwner(count: count)
        let p = storage.pointer
        y = p
        yNew = p + n
        fE = p + 2 * n
        fI = fE + s * n
        base = fI + s * n
        z = base + n
        delta = z + n
        stiff = delta + n
        weights = stiff + n
        endE = weights + n
        endI = endE + n
        poly = endI + n
        scratchBuffer = poly + 4 * n
        absolute = scratchBuffer + 2 * n
        relative = absolute + n
        typical = relative + n
        for i in 0..<n {
            y[i] = problem.initial[i]
            absolute[i] = atol[i]
            relative[i] = rtol[i]
            typical[i] = atol[i]
        }
        t = problem.start
    }

    public var dimension: Int { n }
    public var interpolantDegree: Int { 3 }
    public var interpolantOrder: Int { 3 }
    public var currentState: UnsafeMutablePointer<Double> { y }
    public var trialState: UnsafeMutablePointer<Double> { yNew }
    public var currentDerivative: UnsafeMutablePointer<Double> { endE }
    public var scratch: UnsafeMutablePointer<Double> { scratchBuffer }
    public var failureWhenStepVanishes: StepFailure {
        if consecutiveSingular > 0 { return .singularMatrix }
        if consecutiveNewtonFailures > 0 { return linearFailure.map { .linearSolverFailure($0) } ?? .newtonFailure }
        return .stepSizeUnderflow
    }

    @inline(__always)
    mutating func evaluateExplicit(_ time: Double, _ state: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        explicitPart(time, UnsafeBufferPointer(start: state, count: n), UnsafeMutableBufferPointer(start: out, count: n))
        statistics.rhsEvaluations &+= 1
    }

    @inline(__always)
    mutating func evaluateImplicit(_ time: Double, _ state: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        implicitPart(time, UnsafeBufferPointer(start: state, count: n), UnsafeMutableBufferPointer(start: out, count: n))
        statistics.rhsEvaluations &+= 1
    }

    /// `F_E,1`, `F_I,1` at `(t, y)`; `currentDerivative` holds their sum.
    public mutating func start(at t: Double) throws(StepFailure) {
        self.t = t
        evaluateExplicit(t, y, into: fE)
        evaluateImplicit(t, y, into: fI)
        for i in 0..<n { endE[i] = fE[i] + fI[i] }
        guard allFinite(endE, count: n) else { throw .nonFiniteDerivative }
    }

    public mutating func restart(at t: Double) throws(StepFailure) {
        try start(at: t)
        if !implicitIsLinear { jacobianValid = false }
    }

    /// Makes `J_I` valid and `M = I - hγ J_I` factorised for `hγ` (or close to it); false if singular.
    mutating func prepareMatrix(hg: Double) throws(StepFailure) -> Bool {
        if !jacobianValid || (!implicitIsLinear && stepsSinceJacobian >= 20) {
            try matrix.evaluateJacobian(user: userJacobian, t: t, y: y, f0: fI, typical: typical, step: hg / gamma) { time, state, out in
                self.evaluateImplicit(time, state, into: out)
            }
            statistics.jacobianEvaluations &+= 1
            jacobianValid = true
            stepsSinceJacobian = 0
            factoredHG = .nan
        }
        let cheap = matrix.krylov != nil
        if factoredHG.isNaN || (cheap ? hg != factoredHG : abs(hg / factoredHG - 1) > 0.2) {
            statistics.factorizations &+= 1
            guard matrix.factor(diagonal: 1, jacobianScale: hg) else {
                factoredHG = .nan
                return false
            }
            factoredHG = hg
        }
        return true
    }

    /// Outcome of one stage's Newton iteration.
    enum StageResult { case converged, failed, invalidPreconditioner }

    /// Solves stage `i`'s implicit equation for `z` (starting from `z = base`).
    mutating func solveStage(time: Double, hg: Double) -> StageResult {
        let ratio = hg / factoredHG
        let correctionScale = ratio == 1 ? 1.0 : 2 / (1 + ratio)
        z.update(from: base, count: n)
        var previous = 0.0
        for m in 0..<4 {
            evaluateImplicit(time, z, into: stiff)
            for i in 0..<n { delta[i] = base[i] + hg * stiff[i] - z[i] }
            let solved = matrix.solve(delta) { t, state, out in self.evaluateImplicit(t, state, into: out) }
            statistics.linearIterations &+= matrix.takeIterations()
            switch solved {
            case .solved: break
            case .invalidPreconditioner: return .invalidPreconditioner
            case .failed(let reason):
                linearFailure = reason
                return .failed
            }
            if correctionScale != 1 { for i in 0..<n { delta[i] *= correctionScale } }
            var sum = 0.0
            for i in 0..<n {
                z[i] += delta[i]
                let q = delta[i] / weights[i]
                sum += q * q
            }
            let del = (sum / Double(n)).squareRoot()
            guard del.isFinite else { return .failed }
            // A linear f_I with M factorised at this hγ: one solve is the exact stage.
            if implicitIsLinear && ratio == 1 { return .converged }
            if m == 0 {
                if del <= 1e-3 { return .converged }
            } else {
                let rate = del / previous
                if rate > 0.9 { return .failed }
                if del * rate / (1 - rate) <= 1e-2 { return .converged }
            }
            previous = del
        }
        return .failed
    }

    public mutating func attempt(from t: Double, to tNew: Double, step h: Double, estimatingError: Bool) throws(StepFailure) -> StepVerdict {
        stepSize = h
        endReady = false
        linearFailure = nil
        let hg = h * gamma
        guard try prepareMatrix(hg: hg) else {
            consecutiveSingular += 1
            if consecutiveSingular >= 10 || !estimatingError { throw .singularMatrix }
            return .rejected(error: .nan, stepFactor: 0.25)
        }
        consecutiveSingular = 0
        for i in 0..<n { weights[i] = absolute[i] + relative[i] * abs(y[i]) }
        for stage in 1..<s {
            for i in 0..<n { base[i] = 0 }
            for j in 0..<stage {
                let (ae, ai) = (aE[stage * s + j], aI[stage * s + j])
                let (ke, ki) = (fE + j * n, fI + j * n)
                for i in 0..<n { base[i] += ae * ke[i] + ai * ki[i] }
            }
            for i in 0..<n { base[i] = y[i] + h * base[i] }
            let time = t + c[stage] * h
            switch solveStage(time: time, hg: hg) {
            case .converged:
                break
            case .invalidPreconditioner:
                throw .invalidJacobian("the preconditioner returned NaN or infinity at t = \(time)")
            case .failed:
                consecutiveNewtonFailures += 1
                if consecutiveNewtonFailures >= 10 || !estimatingError {
                    if let reason = linearFailure { throw .linearSolverFailure(reason) }
                    throw .newtonFailure
                }
                if !implicitIsLinear { jacobianValid = false }
                factoredHG = .nan
                return .rejected(error: .nan, stepFactor: 0.25)
            }
            let stageI = fI + stage * n, stageE = fE + stage * n
            let inverse = 1 / hg
            for i in 0..<n { stageI[i] = (z[i] - base[i]) * inverse }
            evaluateExplicit(time, z, into: stageE)
        }
        consecutiveNewtonFailures = 0
        var sum = 0.0
        var poison = 0.0
        for i in 0..<n {
            var acc = 0.0, err = 0.0
            for j in 0..<s {
                let k = fE[j * n + i] + fI[j * n + i]
                acc += b[j] * k
                err += e[j] * k
            }
            let yi = y[i] + h * acc
            yNew[i] = yi
            poison += yi * 0
            let sc = absolute[i] + relative[i] * Swift.max(abs(y[i]), abs(yi))
            let q = h * err / sc
            sum += q * q
        }
        guard estimatingError else { return .accepted(error: 0, stepFactor: nil) }
        let norm = (sum / Double(n)).squareRoot() + poison
        if !norm.isFinite { return .rejected(error: .nan, stepFactor: nil) }
        return norm <= 1 ? .accepted(error: norm, stepFactor: nil) : .rejected(error: norm, stepFactor: nil)
    }

    /// `f_E`, `f_I` at the trial point (the next step's first stage).
    mutating func ensureEndDerivatives(at tNew: Double) {
        if endReady { return }
        evaluateExplicit(tNew, yNew, into: endE)
        evaluateImplicit(tNew, yNew, into: endI)
        endReady = true
    }

    public mutating func interpolant() -> UnsafeMutablePointer<Double> {
        ensureEndDerivatives(at: t + stepSize)
        let (h, fE, fI, endE, endI) = (stepSize, fE, fI, endE, endI)
        writeCubicHermite(into: poly, count: n, from: y, to: yNew) { i in (h * (fE[i] + fI[i]), h * (endE[i] + endI[i])) }
        return poly
    }

    public mutating func commit(to tNew: Double) throws(StepFailure) {
        ensureEndDerivatives(at: tNew)
        y.update(from: yNew, count: n)
        fE.update(from: endE, count: n)
        fI.update(from: endI, count: n)
        t = tNew
        stepsSinceJacobian += 1
        guard allFinite(fE, count: n), allFinite(fI, count: n) else { throw .nonFiniteDerivative }
    }

    public func snapshotFields() -> (scalars: [String: Double], integers: [String: Int64], vectors: [String: [Double]]) {
        var vectors = matrix.snapshotVectors()
        vectors["f_explicit"] = snapshotVector(fE, n)
        vectors["f_implicit"] = snapshotVector(fI, n)
        return (["factored_hgamma": factoredHG],
                ["jacobian_valid": jacobianValid ? 1 : 0, "steps_since_jacobian": Int64(stepsSinceJacobian),
                 "consecutive_singular": Int64(consecutiveSingular),
                 "consecutive_newton_failures": Int64(consecutiveNewtonFailures)],
                vectors)
    }

    public mutating func restoreFields(from snapshot: IntegratorSnapshot) throws(IntegrationError) {
        try restoreVector(snapshot, "f_explicit", into: fE, count: n)
        try restoreVector(snapshot, "f_implicit", into: fI, count: n)
        try matrix.restore(from: snapshot)
        t = try snapshot.scalar("t")
        factoredHG = try snapshot.scalar("factored_hgamma")
        jacobianValid = try snapshot.integer("jacobian_valid") != 0
        stepsSinceJacobian = try snapshot.integer("steps_since_jacobian")
        consecutiveSingular = try snapshot.integer("consecutive_singular")
        consecutiveNewtonFailures = try snapshot.integer("consecutive_newton_failures")
    }
}

/// Owns one zero-initialised buffer of doubles (freed on deinit).
@usableFromInline
final class StorageOwner {
    @usableFromInline let pointer: UnsafeMutablePointer<Double>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit { pointer.deallocate() }
}
