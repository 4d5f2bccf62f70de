import Foundation

// Diffusion samplers as methods of the integrator core: exponential integrators of the
// probability-flow ODE (``DiffusionSchedule/probabilityFlow(initial:from:to:noisePrediction:)``).
// The problem's right-hand side is the whole `F = f(t) x + g²(t) ε̂/(2σ)`; the stepper recovers
// the noise prediction `ε̂ = (F − f x)·2σ/g²` and the data prediction `x̂₀ = (x − σ ε̂)/α`, and
// steps exactly in the linear part (Lu et al. 2022, DPM-Solver++):
//
//     x_s = (σ_s/σ_t) x_t − α_s (e^{−h} − 1) D,   h = λ_s − λ_t,
//
// with `D = x̂₀(t)` (first order: DDIM with η = 0) or the two-step extrapolation
// `D = (1 + 1/(2r)) x̂₀(t) − 1/(2r) x̂₀(t_prev)`, `r = h_prev/h` (DPM-Solver++(2M), second order).
// One evaluation of the model per step (the end derivative is the next step's first), cubic
// Hermite dense output, fixed steps (``FixedStep``) through the one driver, so events, saving and
// snapshots work as for any method.

/// DDIM (deterministic, η = 0): the first-order exponential integrator of the probability-flow
/// ODE. Give it ``FixedStep``.
public struct DDIM: ODEMethod, Sendable {
    public typealias Stepper = DiffusionSamplerStepper
    public let schedule: DiffusionSchedule

    public init(schedule: DiffusionSchedule = .cosine) { self.schedule = schedule }

    public var name: String { "DDIM" }
    public var errorEstimatorOrder: Int? { nil }
    public func validate(for problem: ODEProblem) throws(IntegrationError) { try validateSampler(schedule, problem, name) }
    public func makeStepper(for problem: ODEProblem, relative: [Double], absolute: [Double]) -> DiffusionSamplerStepper {
        DiffusionSamplerStepper(schedule: schedule, problem: problem, order: 1, name: name)
    }
}

/// DPM-Solver++(2M): the second-order multistep exponential integrator of the probability-flow
/// ODE in data prediction (its first step is DDIM's). Give it ``FixedStep``.
public struct DPMSolverPlusPlus2M: ODEMethod, Sendable {
    public typealias Stepper = DiffusionSamplerStepper
    public let schedule: DiffusionSchedule

    public init(schedule: DiffusionSchedule = .cosine) { self.schedule = schedule }

    public var name: String { "DPMSolver++2M" }
    public var errorEstimatorOrder: Int? { nil }
    public func validate(for problem: ODEProblem) throws(IntegrationError) { try validateSampler(schedule, problem, name) }
    public func makeStepper(for problem: ODEProblem, relative: [Double], absolute: [Double]) -> DiffusionSamplerStepper {
        DiffusionSamplerStepper(schedule: schedule, problem: problem, order: 2, name: name)
    }
}

/// The span must run backwards inside `(0, 1)` where `α > 0` and `σ > 0`.
func validateSampler(_ schedule: DiffusionSchedule, _ problem: ODEProblem, _ name: String) throws(IntegrationError) {
    guard problem.end < problem.start else {
        throw .invalidArgument("\(name) integrates the probability-flow ODE backwards: end = \(problem.end) must be below start = \(problem.start)")
    }
    guard problem.end > 0, schedule.sigma(problem.end) > 0, problem.start < 1, schedule.alpha(problem.start) > 0 else {
        throw .invalidArgument("\(name): the span [\(problem.end), \(problem.start)] must lie inside (0, 1) where alpha and sigma are positive")
    }
}

/// The stepping state of ``DDIM`` and ``DPMSolverPlusPlus2M``.
public struct DiffusionSamplerStepper: ODEStepper {
    @usableFromInline let schedule: DiffusionSchedule
    @usableFromInline let rhs: ODEFunction
    @usableFromInline let n: Int
    @usableFromInline let samplerOrder: Int
    public let methodName: String
    @usableFromInline let storage: StorageOwner
    @usableFromInline var y, yNew, f, fNew: UnsafeMutablePointer<Double>
    /// The data prediction at the current point (computed in the attempt) and at the previous one.
    @usableFromInline var data, previousData: UnsafeMutablePointer<Double>
    @usableFromInline var previousLambda = 0.0
    @usableFromInline var hasHistory = false
    @usableFromInline var stepSize = 0.0
    public var statistics = SolverStatistics()

    init(schedule: DiffusionSchedule, problem: ODEProblem, order: Int, name: String) {
        self.schedule = schedule
        rhs = problem.rhs
        n = problem.dimension
        samplerOrder = order
        methodName = name
        // y, yNew, f, fNew, data, previousData, scratch (2n), interpolant (4n).
        storage = StorageOwner(count: 12 * n)
        let p = storage.pointer
        (y, yNew, f, fNew, data, previousData) = (p, p + n, p + 2 * n, p + 3 * n, p + 4 * n, p + 5 * n)
        for i in 0..<n { y[i] = problem.initial[i] }
    }

    public var dimension: Int { n }
    public var order: Int { samplerOrder }
    public var interpolantDegree: Int { 3 }
    public var interpolantOrder: Int { 3 }
    public var currentState: UnsafeMutablePointer<Double> { y }
    public var trialState: UnsafeMutablePointer<Double> { yNew }
    public var currentDerivative: UnsafeMutablePointer<Double> { f }
    public var scratch: UnsafeMutablePointer<Double> { storage.pointer + 6 * n }
    public var failureWhenStepVanishes: StepFailure { .stepSizeUnderflow }

    mutating func evaluate(_ t: Double, _ x: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) throws(StepFailure) {
        rhs(t, UnsafeBufferPointer(start: x, count: n), UnsafeMutableBufferPointer(start: out, count: n))
        statistics.rhsEvaluations &+= 1
        guard allFinite(out, count: n) else { throw .nonFiniteDerivative }
    }

    public mutating func start(at t: Double) throws(StepFailure) { try evaluate(t, y, into: f) }

    /// After an event the multistep history no longer applies: the next step is first order.
    public mutating func restart(at t: Double) throws(StepFailure) {
        try evaluate(t, y, into: f)
        hasHistory = false
    }

    public mutating func attempt(from t: Double, to s: Double, step h: Double, estimatingError: Bool) throws(StepFailure) -> StepVerdict {
        let (alphaT, sigmaT, lambdaT) = (schedule.alpha(t), schedule.sigma(t), schedule.lambda(t))
        let (alphaS, sigmaS, lambdaS) = (schedule.alpha(s), schedule.sigma(s), schedule.lambda(s))
        let drift = schedule.drift(t), toNoise = 2 * sigmaT / schedule.diffusionSquared(t)
        let (y, f, data, previous, yNew) = (self.y, self.f, self.data, self.previousData, self.yNew)
        for i in 0..<n {
            let epsilon = (f[i] - drift * y[i]) * toNoise
            data[i] = (y[i] - sigmaT * epsilon) / alphaT
        }
        let step = lambdaS - lambdaT
        let (keep, weight) = (sigmaS / sigmaT, -alphaS * expm1(-step))
        if samplerOrder == 2 && hasHistory {
            let r = (lambdaT - previousLambda) / step
            let (a, b) = (1 + 1 / (2 * r), -1 / (2 * r))
            for i in 0..<n { yNew[i] = keep * y[i] + weight * (a * data[i] + b * previous[i]) }
        } else {
            for i in 0..<n { yNew[i] = keep * y[i] + weight * data[i] }
        }
        guard allFinite(yNew, count: n) else { throw .nonFiniteState }
        try evaluate(s, yNew, into: fNew)
        stepSize = h
        previousLambdaPending = lambdaT
        return .accepted(error: 0, stepFactor: nil)
    }

    @usableFromInline var previousLambdaPending = 0.0

    /// Cubic Hermite on `x_n, x_{n+1}` and the probability-flow derivatives there.
    public mutating func interpolant() -> UnsafeMutablePointer<Double> {
        hermiteStep(into: storage.pointer + 8 * n, count: n, step: stepSize, from: y, f, to: yNew, fNew)
    }

    public mutating func commit(to tNew: Double) throws(StepFailure) {
        swap(&y, &yNew)
        swap(&f, &fNew)
        swap(&data, &previousData)
        previousLambda = previousLambdaPending
        hasHistory = true
    }

    public func snapshotFields() -> (scalars: [String: Double], integers: [String: Int64], vectors: [String: [Double]]) {
        (scalars: ["previous_lambda": previousLambda], integers: ["has_history": hasHistory ? 1 : 0],
         vectors: ["f": Array(UnsafeBufferPointer(start: f, count: n)),
                   "previous_data": Array(UnsafeBufferPointer(start: previousData, count: n))])
    }

    public mutating func restoreFields(from snapshot: IntegratorSnapshot) throws(IntegrationError) {
        let derivative = try snapshot.vector("f", count: n), previous = try snapshot.vector("previous_data", count: n)
        for i in 0..<n {
            f[i] = derivative[i]
            previousData[i] = previous[i]
        }
        previousLambda = try snapshot.scalar("previous_lambda")
        hasHistory = try snapshot.integer("has_history") != 0
    }
}
