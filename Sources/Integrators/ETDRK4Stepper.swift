// ETDRK4 in the one driver: the exponential integrator as an ``ODEMethod`` on an ``ODEProblem``
// whose right-hand side is the whole `f(t, u) = L∘u + N(t, u)`; the stepper recovers `N = f − L∘u`.
// Four evaluations of `f` a step (the end derivative, used for the cubic Hermite interpolant, is
// the next step's first), fixed steps only (no embedded error estimate).

extension ETDRK4: ODEMethod {
    public typealias Stepper = ETDRK4Stepper

    public var name: String { "ETDRK4" }
    /// No embedded error estimate: give it ``FixedStep``.
    public var errorEstimatorOrder: Int? { nil }

    public func validate(for problem: ODEProblem) throws(IntegrationError) {
        guard linear.count == problem.dimension else {
            throw .invalidArgument("ETDRK4's linear part has \(linear.count) coefficients, the problem \(problem.dimension) components")
        }
        guard problem.end > problem.start else {
            throw .invalidArgument("ETDRK4 integrates forward in time: end = \(problem.end) must exceed start = \(problem.start)")
        }
        for (i, l) in linear.enumerated() where !l.isFinite {
            throw .invalidArgument("ETDRK4's linear coefficient \(i) is \(l)")
        }
    }

    public func makeStepper(for problem: ODEProblem, relative: [Double], absolute: [Double]) -> ETDRK4Stepper {
        ETDRK4Stepper(method: self, problem: problem)
    }
}

/// The stepping state of an ETDRK4 solve through the driver.
public struct ETDRK4Stepper: ODEStepper {
    @usableFromInline let method: ETDRK4
    @usableFromInline let rhs: ODEFunction
    @usableFromInline let n: Int
    @usableFromInline let storage: StorageOwner
    /// Current and trial states, `f` at both (exchanged by pointer on commit).
    @usableFromInline var y, yNew, f, fNew: UnsafeMutablePointer<Double>
    public var statistics = SolverStatistics()
    /// Coefficients for a step size other than the method's (the last grid step, a step cut at an
    /// event), kept for the next step of the same size.
    @usableFromInline var otherStep = Double.nan
    @usableFromInline var other: (e: [Double], e2: [Double], q: [Double], f1: [Double], f2: [Double], f3: [Double])
    @usableFromInline var stepSize = 0.0

    init(method: ETDRK4, problem: ODEProblem) {
        self.method = method
        rhs = problem.rhs
        n = problem.dimension
        // y, yNew, f, fNew, nu, na, nb, nc, a, b, c, scratch (2n), interpolant (4n).
        storage = StorageOwner(count: 17 * n)
        let p = storage.pointer
        (y, yNew, f, fNew) = (p, p + n, p + 2 * n, p + 3 * n)
        for i in 0..<n { y[i] = problem.initial[i] }
        other = ([], [], [], [], [], [])
    }

    @inlinable public var dimension: Int { n }
    @inlinable public var methodName: String { "ETDRK4" }
    @inlinable public var order: Int { 4 }
    @inlinable public var interpolantDegree: Int { 3 }
    @inlinable public var interpolantOrder: Int { 3 }
    @inlinable public var currentState: UnsafeMutablePointer<Double> { y }
    @inlinable public var trialState: UnsafeMutablePointer<Double> { yNew }
    @inlinable public var currentDerivative: UnsafeMutablePointer<Double> { f }
    @inlinable public var scratch: UnsafeMutablePointer<Double> { storage.pointer + 11 * n }
    @inlinable public var failureWhenStepVanishes: StepFailure { .stepSizeUnderflow }

    /// `out = f(t, x) − L∘x`, counted.
    @inlinable
    mutating func nonlinear(_ t: Double, _ x: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        rhs(t, UnsafeBufferPointer(start: x, count: n), UnsafeMutableBufferPointer(start: out, count: n))
        statistics.rhsEvaluations &+= 1
        method.linear.withUnsafeBufferPointer { l in
            for i in 0..<n { out[i] -= l[i] * x[i] }
        }
    }

    @inlinable
    mutating func evaluate(_ t: Double) throws(StepFailure) {
        rhs(t, UnsafeBufferPointer(start: y, count: n), UnsafeMutableBufferPointer(start: f, count: n))
        statistics.rhsEvaluations &+= 1
        guard allFinite(f, count: n) else { throw .nonFiniteDerivative }
    }

    public mutating func start(at t: Double) throws(StepFailure) { try evaluate(t) }

    public mutating func restart(at t: Double) throws(StepFailure) { try evaluate(t) }

    public mutating func attempt(from t: Double, to tNew: Double, step h: Double, estimatingError: Bool) throws(StepFailure) -> StepVerdict {
        // A grid step differs from `step` by rounding (t0 + k·step − t): within 1e-10 relative the
        // method's coefficients serve (the difference in e^{hL} is of that order times hL).
        let isMethodStep = abs(h - method.step) <= 1e-10 * method.step
        if !isMethodStep && !(abs(h - otherStep) <= 1e-10 * abs(h)) {
            other = ETDRK4.coefficients(linear: method.linear, step: h, contourPoints: method.contourPoints)
            otherStep = h
        }
        let p = storage.pointer
        let (nu, na, nb, nc, a, b, c) = (p + 4 * n, p + 5 * n, p + 6 * n, p + 7 * n, p + 8 * n, p + 9 * n, p + 10 * n)
        let (y, f) = (self.y, self.f)
        // N(t, u) from the stored f(t, u).
        method.linear.withUnsafeBufferPointer { l in
            for i in 0..<n { nu[i] = f[i] - l[i] * y[i] }
        }
        let coefficients = isMethodStep ? (method.e, method.e2, method.q, method.f1, method.f2, method.f3) : other
        let (e, e2, q, f1, f2, f3) = coefficients
        e2.withUnsafeBufferPointer { e2 in q.withUnsafeBufferPointer { q in
            for i in 0..<n { a[i] = e2[i] * y[i] + q[i] * nu[i] }
        } }
        nonlinear(t + h / 2, a, into: na)
        e2.withUnsafeBufferPointer { e2 in q.withUnsafeBufferPointer { q in
            for i in 0..<n { b[i] = e2[i] * y[i] + q[i] * na[i] }
        } }
        nonlinear(t + h / 2, b, into: nb)
        e2.withUnsafeBufferPointer { e2 in q.withUnsafeBufferPointer { q in
            for i in 0..<n { c[i] = e2[i] * a[i] + q[i] * (2 * nb[i] - nu[i]) }
        } }
        nonlinear(tNew, c, into: nc)
        let yNew = self.yNew
        e.withUnsafeBufferPointer { e in f1.withUnsafeBufferPointer { f1 in f2.withUnsafeBufferPointer { f2 in
            f3.withUnsafeBufferPointer { f3 in
                for i in 0..<n { yNew[i] = e[i] * y[i] + f1[i] * nu[i] + 2 * f2[i] * (na[i] + nb[i]) + f3[i] * nc[i] }
            }
        } } }
        guard allFinite(yNew, count: n) else { throw .nonFiniteState }
        // The end derivative (the next step's first evaluation).
        rhs(tNew, UnsafeBufferPointer(start: yNew, count: n), UnsafeMutableBufferPointer(start: fNew, count: n))
        statistics.rhsEvaluations &+= 1
        guard allFinite(fNew, count: n) else { throw .nonFiniteDerivative }
        stepSize = h
        return .accepted(error: 0, stepFactor: nil)
    }

    /// Cubic Hermite on `y_n, y_{n+1}, f_n, f_{n+1}`.
    public mutating func interpolant() -> UnsafeMutablePointer<Double> {
        hermiteStep(into: storage.pointer + 13 * n, count: n, step: stepSize, from: y, f, to: yNew, fNew)
    }

    public mutating func commit(to tNew: Double) throws(StepFailure) {
        swap(&y, &yNew)
        swap(&f, &fNew)
    }

    public func snapshotFields() -> (scalars: [String: Double], integers: [String: Int64], vectors: [String: [Double]]) {
        (scalars: ["etdrk4_step": method.step], integers: [:], vectors: ["f": Array(UnsafeBufferPointer(start: f, count: n))])
    }

    public mutating func restoreFields(from snapshot: IntegratorSnapshot) throws(IntegrationError) {
        guard try snapshot.scalar("etdrk4_step") == method.step else {
            throw .invalidSnapshot("it was taken with ETDRK4 steps of \(try snapshot.scalar("etdrk4_step")), not \(method.step)")
        }
        let derivative = try snapshot.vector("f", count: n)
        for i in 0..<n { f[i] = derivative[i] }
    }
}
