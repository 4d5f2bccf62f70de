// SDE methods in the one driver (``ODEIntegrator``): an ``SDEMethod`` on a fixed Brownian path is
// an ``ODEMethod`` whose stepper queries the path over each attempted step, so fixed and adaptive
// SDE solves share span clipping, step limits, the controller, events, saving, dense output,
// statistics and snapshots with every other method.
//
// What differs from a deterministic method, and how the driver is told:
// - the controller's exponents follow the estimate's non-integer order (`h^1.5` for SRIW1/SRA1):
//   ``ODEMethod/stochasticErrorExponent``;
// - saved states are solver values at exactly the save times, never interpolated:
//   ``ODEMethod/stepsToSaveTimes``;
// - the first step is `min(maxStep, span/100)`, not Hairer's (which would need `f` along a path
//   the method does not follow): ``ODEMethod/defaultInitialStep(span:)``;
// - nothing is evaluated at the start: ``ODEStepper/startsWithDerivative``.
//
// The Brownian tree is stateless given its seed, so a rejected step simply queries it over the
// shorter interval (no bias, no memory), and a snapshot stores only the tree's identity: `W(t)` and
// `∫W` at the current time are recomputed on resumption, bit-identical to the cached values.
// Dense output and event location use the straight line between a step's ends (it is not a
// Brownian bridge and carries no strong-order guarantee between steps).

/// An ``SDEMethod`` together with the ``SDEProblem`` it solves and the Brownian path it follows:
/// the ``ODEMethod`` through which the one driver runs SDE solves. Made by the SDE entry points
/// (`solve(_:using:step:brownian:...)`, `SDEIntegrator(...)`); the driver's ``ODEProblem`` is the
/// problem's drift (``SDEProblem/driftProblem``).
public struct SDEMethodOnPath<Method: SDEMethod>: ODEMethod {
    public typealias Stepper = SDEStepper<Method>

    /// The stochastic method.
    public let method: Method
    /// The SDE (drift, diffusion, noise structure).
    public let problem: SDEProblem
    /// The Brownian path the solve follows.
    public let path: BrownianTree

    @inlinable
    public init(_ method: Method, problem: SDEProblem, path: BrownianTree) {
        self.method = method
        self.problem = problem
        self.path = path
    }

    @inlinable public var name: String { method.name }
    /// SDE methods report their estimate through ``stochasticErrorExponent``.
    @inlinable public var errorEstimatorOrder: Int? { nil }
    @inlinable public var stochasticErrorExponent: Double? { (method as? any AdaptiveSDEMethod)?.errorEstimateOrder }
    @inlinable public var stepsToSaveTimes: Bool { true }
    @inlinable public func defaultInitialStep(span: Double) -> Double? { span / 100 }

    public func validate(for problem: ODEProblem) throws(IntegrationError) {
        try Integrators.validate(self.problem, tree: path, method: method)
        guard problem.dimension == self.problem.dimension, problem.start == self.problem.start,
              problem.end == self.problem.end
        else { throw .invalidArgument("the drift problem does not match the SDE problem (use SDEProblem.driftProblem)") }
    }

    @inlinable
    public func makeStepper(for problem: ODEProblem, relative: [Double], absolute: [Double]) -> SDEStepper<Method> {
        SDEStepper(method: method, problem: self.problem, path: path, relative: relative, absolute: absolute)
    }
}

extension SDEProblem {
    /// The deterministic part `dX/dt = f(t, X)` with the same initial state and span: the
    /// ``ODEProblem`` the driver is given for an SDE solve.
    @inlinable
    public var driftProblem: ODEProblem { ODEProblem(initial: initial, from: start, to: end, rhs: drift) }
}

/// The stepping state of an SDE solve: the workspace of the method, the Brownian values at the
/// current and trial times, and the straight-line interpolant of the last step.
public struct SDEStepper<Method: SDEMethod>: ODEStepper {
    @usableFromInline let method: Method
    @usableFromInline let work: SDEWorkspace
    @usableFromInline let path: BrownianTree
    @usableFromInline let n: Int
    @usableFromInline let m: Int
    /// `4n` doubles: the driver's scratch (`2n`) and the interpolant (`2n`).
    @usableFromInline let storage: StorageOwner
    /// Counters other than the workspace's drift and diffusion calls.
    @usableFromInline var counted = SolverStatistics()

    @usableFromInline
    init(method: Method, problem: SDEProblem, path: BrownianTree, relative: [Double], absolute: [Double]) {
        self.method = method
        self.path = path
        work = SDEWorkspace(problem: problem, absolute: absolute, relative: relative)
        n = problem.dimension
        m = problem.noiseDimension
        storage = StorageOwner(count: 4 * problem.dimension)
    }

    @inlinable public var dimension: Int { n }
    @inlinable public var methodName: String { method.name }
    /// The strong order, rounded down (the driver's first-step heuristic is not used for SDEs).
    @inlinable public var order: Int { Swift.max(1, Int(method.strongOrder)) }
    @inlinable public var interpolantDegree: Int { 1 }
    @inlinable public var interpolantOrder: Int { 1 }
    @inlinable public var currentState: UnsafeMutablePointer<Double> { work.y }
    @inlinable public var trialState: UnsafeMutablePointer<Double> { work.yNew }
    /// The drift of the last step's first stage (not evaluated at the start).
    @inlinable public var currentDerivative: UnsafeMutablePointer<Double> { work.f1 }
    @inlinable public var scratch: UnsafeMutablePointer<Double> { storage.pointer }
    @inlinable public var failureWhenStepVanishes: StepFailure { .stepSizeUnderflow }
    @inlinable public var startsWithDerivative: Bool { false }

    /// Drift and diffusion calls come from the workspace's counters; the driver's updates of the
    /// other counters are folded in (the workspace's counters restart from the value set).
    @inlinable
    public var statistics: SolverStatistics {
        get {
            var s = counted
            s.rhsEvaluations &+= work.driftEvaluations
            s.diffusionEvaluations &+= work.diffusionEvaluations
            return s
        }
        set {
            counted = newValue
            work.driftEvaluations = 0
            work.diffusionEvaluations = 0
        }
    }

    /// `W(t)` and `K(t) = ∫_{t0}^t W` at the current time, from the tree.
    @inlinable
    mutating func queryPath(at t: Double) {
        path.evaluate(t, w: work.wCurrent, k: work.kCurrent, scratch: work.treeScratch)
    }

    @inlinable
    public mutating func start(at t: Double) throws(StepFailure) { queryPath(at: t) }

    /// Queries the tree at `tNew`, forms `ΔW` and `ΔZ = ∫_t^{tNew} (W_s − W_t) ds` and runs the
    /// method's step.
    @inlinable
    public mutating func attempt(from t: Double, to tNew: Double, step h: Double, estimatingError: Bool) throws(StepFailure) -> StepVerdict {
        let w = work
        path.evaluate(tNew, w: w.wTrial, k: w.kTrial, scratch: w.treeScratch)
        for d in 0..<m {
            w.dW[d] = w.wTrial[d] - w.wCurrent[d]
            w.dZ[d] = w.kTrial[d] - w.kCurrent[d] - h * w.wCurrent[d]
        }
        let error = method._step(w, t: t, h: h, estimateError: estimatingError)
        guard estimatingError else {
            guard allFinite(w.yNew, count: n) else { throw .nonFiniteState }
            return .accepted(error: 0, stepFactor: nil)
        }
        return error <= 1 ? .accepted(error: error, stepFactor: nil) : .rejected(error: error, stepFactor: nil)
    }

    /// The straight line `y + θ (yNew − y)`.
    @inlinable
    public mutating func interpolant() -> UnsafeMutablePointer<Double> {
        let poly = storage.pointer + 2 * n
        let (y, yNew) = (work.y, work.yNew)
        for i in 0..<n {
            poly[i] = y[i]
            poly[n + i] = yNew[i] - y[i]
        }
        return poly
    }

    @inlinable
    public mutating func commit(to tNew: Double) throws(StepFailure) {
        swap(&work.y, &work.yNew)
        swap(&work.wCurrent, &work.wTrial)
        swap(&work.kCurrent, &work.kTrial)
    }

    /// After an event: the state is the driver's; the path values are the tree's at `t`.
    @inlinable
    public mutating func restart(at t: Double) throws(StepFailure) { queryPath(at: t) }

    public func snapshotFields() -> (scalars: [String: Double], integers: [String: Int64], vectors: [String: [Double]]) {
        (scalars: ["brownian_start": path.start, "brownian_end": path.end],
         integers: ["brownian_seed": Int64(bitPattern: path.seed), "brownian_dimension": Int64(path.dimension),
                    "brownian_depth": Int64(path.depth)],
         vectors: [:])
    }

    /// Checks that the snapshot was taken on this Brownian path, then recomputes `W` and `∫W`
    /// at its time.
    public mutating func restoreFields(from snapshot: IntegratorSnapshot) throws(IntegrationError) {
        guard UInt64(bitPattern: Int64(try snapshot.integer("brownian_seed"))) == path.seed,
              try snapshot.integer("brownian_dimension") == path.dimension,
              try snapshot.integer("brownian_depth") == path.depth,
              try snapshot.scalar("brownian_start") == path.start, try snapshot.scalar("brownian_end") == path.end
        else { throw .invalidSnapshot("it was taken on another Brownian path (seed, span, dimension or depth differ)") }
        queryPath(at: try snapshot.scalar("t"))
    }
}
