import Integrators
import Tensors

/// A neural ODE `dy/dt = f(t, y; θ)`: a ``NeuralVectorField`` solved by the integrator core, with
/// gradients of losses of the solution with respect to `θ` and `y(t_0)`.
///
/// States are tensors of shape `[n]` or `[B, n]` (a batch of `B` trajectories solved together as
/// one flat ODE state of `B·n` components, row-major; error control then sees all of them).
///
/// ```swift
/// let node = NeuralODE(try MLPVectorField(widths: [2, 16, 2], seed: 1))
/// let solver = SolverConfiguration.adaptive(Tsit5(), tolerance: Tolerance(relative: 1e-7, absolute: 1e-9))
/// let loss = TrajectoryLoss.meanSquaredError(targets: observed)
/// let g = try node.gradient(of: loss, initial: y0, from: 0, observedAt: [0.5, 1.0], solver: solver,
///                           method: .adjoint())
/// g.parameters      // ∂L/∂θ, one tensor per parameter;  g.initialState: ∂L/∂y0
/// ```
///
/// Cost: the forward right-hand side evaluates the network in inference mode on the flat state
/// (one tensor copy in and out per call). The adjoint records one network evaluation on a fresh
/// tape per right-hand-side call of the augmented system and runs one backward pass through it;
/// backpropagation records one tape per step holding that step's `s` stage evaluations (6 for
/// Tsit5/DormandPrince5, 4 for RK4) and back-propagates it once. Either way a taped evaluation
/// costs roughly 2–3 inference evaluations plus the tape's allocations (which dominate for
/// small networks); ``GradientStatistics`` counts both kinds.
public struct NeuralODE<Field: NeuralVectorField> {
    /// The vector field, holding the current parameters.
    public var field: Field

    public init(_ field: Field) {
        self.field = field
    }

    // MARK: forward

    /// The initial-value problem `dy/dt = f(t, y; θ)`, `y(start) = initial` on the flat state
    /// (`initial.scalars`, `B·n` components). The right-hand side evaluates the network in
    /// inference mode with the current parameters; should an evaluation fail it writes NaN,
    /// which the integrator reports as an ``IntegrationError``.
    ///
    /// - Throws: ``NeuralODEError`` when `initial` does not fit the field, or when the network
    ///   cannot be evaluated at `initial` (so a bad network fails here, with its message).
    public func problem(initial: Tensor<Double>, from start: Double, to end: Double) throws -> ODEProblem {
        let batch = try field.batchSize(of: initial, operation: "NeuralODE.problem")
        _ = try field(start, try initial.reshaped([batch, field.stateDimension]))
        return ODEProblem(initial: initial.scalars, from: start, to: end, rhs: inferenceRHS(batch: batch))
    }

    /// The right-hand side on a flat state of `batch · n` components.
    func inferenceRHS(batch: Int) -> ODEFunction {
        let field = self.field
        let theta = field.parameters.map { Variable($0) }
        let shape = [batch, field.stateDimension]
        return { t, y, dy in
            do {
                let f = try field.evaluate(time: t, state: Variable(Tensor(shape: shape, copying: y)), parameters: theta)
                guard f.value.count == dy.count else {
                    for i in 0..<dy.count { dy[i] = .nan }
                    return
                }
                f.value.copy(into: dy, at: 0)
            } catch {
                for i in 0..<dy.count { dy[i] = .nan }
            }
        }
    }

    /// Solves from `start` and returns the states at `saveAt` (ascending, `>= start`; the solve
    /// ends at the last of them). The full ``ODESolution`` on the flat state is included; with
    /// `denseOutput: true` it answers `solution(t)` between `start` and the last time.
    public func solve(
        initial: Tensor<Double>, from start: Double, saveAt times: [Double], solver: SolverConfiguration,
        denseOutput: Bool = false
    ) throws -> NeuralODETrajectory {
        try validateObservationTimes(times, start: start, operation: "solve")
        let end = times.last!
        guard end > start else {
            return NeuralODETrajectory(times: times, states: times.map { _ in initial }, solution: nil)
        }
        let solution = try solver.solveProblem(
            try problem(initial: initial, from: start, to: end), .times(times), denseOutput)
        let states = try (0..<times.count).map { try Tensor(shape: initial.shape, scalars: solution.state(at: $0)) }
        return NeuralODETrajectory(times: times, states: states, solution: solution)
    }

    /// The loss of the forward solve: `L(y(t_1), …, y(t_K))`.
    public func loss(
        _ loss: TrajectoryLoss, initial: Tensor<Double>, from start: Double, observedAt times: [Double],
        solver: SolverConfiguration
    ) throws -> Double {
        try loss(try solve(initial: initial, from: start, saveAt: times, solver: solver).states)
    }

    // MARK: gradients

    /// `L` and its gradients `∂L/∂θ`, `∂L/∂y(t_0)` for the loss of the states observed at `times`.
    ///
    /// - Parameters:
    ///   - loss: `L(y(t_1), …, y(t_K))`.
    ///   - initial: `y(t_0)`, shape `[n]` or `[B, n]`.
    ///   - start: `t_0`.
    ///   - times: observation times `t_1 <= … <= t_K`, all `>= t_0` (`t_1 == t_0` observes the initial state).
    ///   - solver: the forward solver (and backward solver of the adjoint unless overridden).
    ///   - method: ``GradientMethod/backpropagation(checkpointEvery:)`` or ``GradientMethod/adjoint(_:)``.
    /// - Throws: ``NeuralODEError`` for bad arguments, ``IntegrationError`` when a solve fails,
    ///   ``TensorError``/loss errors from the network or the loss.
    public func gradient(
        of loss: TrajectoryLoss, initial: Tensor<Double>, from start: Double, observedAt times: [Double],
        solver: SolverConfiguration, method: GradientMethod
    ) throws -> NeuralODEGradients {
        try validateObservationTimes(times, start: start, operation: "gradient")
        _ = try field.batchSize(of: initial, operation: "gradient")
        switch method {
        case .backpropagation(let every):
            guard every >= 1 else {
                throw NeuralODEError.invalidArgument("backpropagation: checkpointEvery must be >= 1, got \(every)")
            }
            return try backpropagationGradient(
                of: loss, initial: initial, from: start, observedAt: times, solver: solver, checkpointEvery: every)
        case .adjoint(let options):
            return try adjointGradient(
                of: loss, initial: initial, from: start, observedAt: times, solver: solver, options: options)
        }
    }

    func validateObservationTimes(_ times: [Double], start: Double, operation: String) throws {
        guard start.isFinite else {
            throw NeuralODEError.invalidArgument("\(operation): the start time must be finite, got \(start)")
        }
        guard !times.isEmpty else {
            throw NeuralODEError.invalidArgument("\(operation): at least one observation time is needed")
        }
        for (k, t) in times.enumerated() {
            guard t.isFinite, t >= start else {
                throw NeuralODEError.invalidArgument(
                    "\(operation): observation time #\(k) = \(t) must be finite and >= the start time \(start)")
            }
            if k > 0 && t < times[k - 1] {
                throw NeuralODEError.invalidArgument(
                    "\(operation): observation times must be ascending; #\(k - 1) = \(times[k - 1]), #\(k) = \(t)")
            }
        }
    }
}

/// States of a forward solve at the requested times.
public struct NeuralODETrajectory {
    /// The requested times.
    public let times: [Double]
    /// `y(times[k])`, each with the initial state's shape.
    public let states: [Tensor<Double>]
    /// The core's solution on the flat state (`nil` when every time equals the start: nothing was solved).
    public let solution: ODESolution?
}

/// Work and memory of one gradient computation.
public struct GradientStatistics: Sendable, Equatable {
    /// Accepted steps of the forward solve.
    public var forwardSteps = 0
    /// Rejected steps of the forward solve.
    public var forwardRejectedSteps = 0
    /// Accepted steps of the backward pass (adjoint: the augmented solve; backpropagation: the
    /// steps swept, equal to `forwardSteps`).
    public var backwardSteps = 0
    /// Network evaluations without a tape (forward right-hand sides, checkpoint recomputation).
    public var inferenceEvaluations = 0
    /// Network evaluations recorded on a tape and back-propagated (vector–Jacobian products).
    public var tapedEvaluations = 0
    /// Peak number of state vectors (`B·n` doubles each) held by the gradient computation:
    /// the observed states, checkpoints and recomputed block states (backpropagation), or the
    /// forward solution's saved states, the augmented state's `y` and `a` and, with
    /// ``AdjointOptions/StateReconstruction/denseOutput``, the stored interpolant coefficients
    /// (adjoint). Per-step workspace of a single step is not counted.
    public var storedStates = 0
    /// Checkpointed states (backpropagation; 0 for the adjoint).
    public var checkpoints = 0

    public init() {}
}

extension GradientStatistics: CustomStringConvertible {
    public var description: String {
        "forward steps: \(forwardSteps) (+\(forwardRejectedSteps) rejected), backward steps: \(backwardSteps), "
            + "inference evaluations: \(inferenceEvaluations), taped evaluations: \(tapedEvaluations), "
            + "stored states: \(storedStates), checkpoints: \(checkpoints)"
    }
}

/// The result of ``NeuralODE/gradient(of:initial:from:observedAt:solver:method:)``.
public struct NeuralODEGradients {
    /// `L` at the forward solve.
    public let loss: Double
    /// `y(t_k)` of the forward solve, one per observation time.
    public let observedStates: [Tensor<Double>]
    /// `∂L/∂y(t_0)`, the initial state's shape.
    public let initialState: Tensor<Double>
    /// `∂L/∂θ_i`, one tensor per parameter in the field's order.
    public let parameters: [Tensor<Double>]
    /// The field's parameter names.
    public let parameterNames: [String]
    /// Backpropagation: the accepted step boundaries `t_0 < … < t_N` of the forward solve (they
    /// include every observation time); pass them to
    /// ``NeuralODE/discreteLoss(_:initial:from:observedAt:stepTimes:using:)`` to evaluate the
    /// very discrete map that was differentiated. Empty for the adjoint.
    public let stepTimes: [Double]
    public let statistics: GradientStatistics

    /// The gradient of the parameter called `name`.
    public func parameter(named name: String) -> Tensor<Double>? {
        parameterNames.firstIndex(of: name).map { parameters[$0] }
    }

    /// All parameter gradients concatenated in the layout of ``NeuralVectorField/flattenedParameters``.
    public var flattenedParameters: [Double] { parameters.flatMap(\.scalars) }
}
