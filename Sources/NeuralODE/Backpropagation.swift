import Integrators
import Tensors

/// One explicit Runge–Kutta step written with ``Variable`` operations, so that the same code
/// recomputes a step without a tape (constants) or records it for back-propagation:
///
///     k_i = f(t + c_i h, y + h Σ_{j<i} a_ij k_j),   y_{n+1} = y + h Σ_i b_i k_i
///
/// Only the stages up to the last nonzero `b_i` are evaluated (for FSAL methods the last stage
/// serves only the error estimate), and zero coefficients are skipped.
struct RungeKuttaStep {
    /// Nonzero `a_ij` of each evaluated stage.
    let rows: [[(stage: Int, coefficient: Double)]]
    /// Nonzero `b_i`.
    let weights: [(stage: Int, coefficient: Double)]
    let nodes: [Double]

    init(_ tableau: ButcherTableau) {
        let last = tableau.b.lastIndex { $0 != 0 } ?? 0
        rows = (0...last).map { i in
            tableau.a[i].enumerated().filter { $0.element != 0 }.map { (stage: $0.offset, coefficient: $0.element) }
        }
        weights = tableau.b.enumerated().filter { $0.element != 0 }.map { (stage: $0.offset, coefficient: $0.element) }
        nodes = Array(tableau.c[0...last])
    }

    /// Network evaluations per step.
    var stageCount: Int { rows.count }

    func step<Field: NeuralVectorField>(
        _ field: Field, time t: Double, size h: Double, state y: Variable<Double>, parameters: [Variable<Double>]
    ) throws -> Variable<Double> {
        try step(time: t, size: h, state: y) { try field.evaluate(time: $0, state: $1, parameters: parameters) }
    }

    /// The same step for any scalar type and any field written with ``Variable`` operations.
    func step<Scalar: TensorScalar>(
        time t: Double, size h: Double, state y: Variable<Scalar>, field: (Double, Variable<Scalar>) throws -> Variable<Scalar>
    ) throws -> Variable<Scalar> {
        var k: [Variable<Scalar>] = []
        k.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            var stage = y
            for (j, a) in row { stage = try stage + k[j] * Scalar(h * a) }
            k.append(try field(t + nodes[i] * h, stage))
        }
        var next = y
        for (i, b) in weights { next = try next + k[i] * Scalar(h * b) }
        return next
    }
}

extension NeuralODE {
    /// Discretise-then-optimise (see ``GradientMethod/backpropagation(checkpointEvery:)``).
    func backpropagationGradient(
        of loss: TrajectoryLoss, initial: Tensor<Double>, from start: Double, observedAt times: [Double],
        solver: SolverConfiguration, checkpointEvery every: Int
    ) throws -> NeuralODEGradients {
        let batch = try field.batchSize(of: initial, operation: "gradient")
        let shape = [batch, field.stateDimension]
        _ = try field(start, try initial.reshaped(shape))   // a bad network fails here, with its message
        let rhs = inferenceRHS(batch: batch)
        var statistics = GradientStatistics()

        // Forward: the core's solver, interval by interval between observation times (so every
        // observation time is a step boundary), recording the accepted step boundaries and the
        // state at the start of every `every`-th step.
        var stepTimes = [start]
        var checkpoints = [try initial.reshaped(shape)]
        var observed: [Tensor<Double>] = []
        var observedBoundary: [Int] = []
        var y = initial.scalars
        var tPrevious = start
        for t in times {
            if t > tPrevious {
                var integrator = try solver.makeIntegrator(ODEProblem(initial: y, from: tPrevious, to: t, rhs: rhs))
                while !integrator.isFinished {
                    let before = integrator.time
                    try integrator.step()
                    if integrator.time != before {
                        stepTimes.append(integrator.time)
                        if (stepTimes.count - 1) % every == 0 {
                            checkpoints.append(try Tensor(shape: shape, scalars: integrator.state))
                        }
                    }
                }
                y = integrator.state
                statistics.forwardSteps += integrator.statistics.acceptedSteps
                statistics.forwardRejectedSteps += integrator.statistics.rejectedSteps
                statistics.inferenceEvaluations += integrator.statistics.rhsEvaluations
                tPrevious = t
            }
            observed.append(try Tensor(shape: initial.shape, scalars: y))
            observedBoundary.append(stepTimes.count - 1)
        }
        let (value, lossGradients) = try loss.valueAndGradients(at: observed)

        // Jumps of the cotangent at step boundaries: ∂L/∂y(t_k) enters where y(t_k) was produced.
        var jumps: [Int: Tensor<Double>] = [:]
        for (k, boundary) in observedBoundary.enumerated() {
            let g = try lossGradients[k].reshaped(shape)
            if jumps[boundary] == nil { jumps[boundary] = g } else { try jumps[boundary]! += g }
        }

        // Backward sweep, block by block from the last; each block's states are recomputed from
        // its checkpoint, then each step is recomputed on a tape and back-propagated.
        guard let tableau = solver.tableau else {
            throw NeuralODEError.invalidArgument(
                "backpropagation differentiates explicit Runge–Kutta steps; \(solver.methodName) needs the adjoint")
        }
        let stepper = RungeKuttaStep(tableau)
        let theta = field.parameters
        let constants = theta.map { Variable($0) }
        var lambda = Tensor<Double>(shape: shape, repeating: 0)
        var thetaBar = theta.map { Tensor<Double>(shape: $0.shape, repeating: 0) }
        let steps = stepTimes.count - 1
        let blocks = (steps + every - 1) / every
        var peak = checkpoints.count + observed.count
        for block in stride(from: blocks - 1, through: 0, by: -1) {
            let first = block * every, last = Swift.min(steps, first + every)
            var states = [checkpoints[block]]
            for j in first..<(last - 1) {
                let h = stepTimes[j + 1] - stepTimes[j]
                states.append(try stepper.step(
                    field, time: stepTimes[j], size: h, state: Variable(states.last!), parameters: constants).value)
                statistics.inferenceEvaluations += stepper.stageCount
            }
            peak = Swift.max(peak, checkpoints.count + observed.count + states.count - 1)
            for j in stride(from: last - 1, through: first, by: -1) {
                if let g = jumps[j + 1] { try lambda += g }
                let tape = Tape<Double>()
                let yLeaf = tape.variable(states[j - first])
                let leaves = theta.map { tape.variable($0) }
                let next = try stepper.step(
                    field, time: stepTimes[j], size: stepTimes[j + 1] - stepTimes[j], state: yLeaf, parameters: leaves)
                let grads = try next.backward(seed: lambda)
                lambda = grads[yLeaf]
                for i in thetaBar.indices { try thetaBar[i] += grads[leaves[i]] }
                statistics.tapedEvaluations += stepper.stageCount
                statistics.backwardSteps += 1
            }
        }
        if let g = jumps[0] { try lambda += g }
        statistics.storedStates = peak
        statistics.checkpoints = checkpoints.count

        return NeuralODEGradients(
            loss: value, observedStates: observed, initialState: try lambda.reshaped(initial.shape),
            parameters: thetaBar, parameterNames: field.parameterNames, stepTimes: stepTimes, statistics: statistics)
    }

    /// The loss of the discrete map that ``GradientMethod/backpropagation(checkpointEvery:)``
    /// differentiates: explicit Runge–Kutta steps of `tableau` on the given step boundaries
    /// (no error control), evaluated with the current parameters.
    ///
    /// Use it to check that gradient against finite differences, or to evaluate the discrete
    /// objective on a fixed grid: `stepTimes` from ``NeuralODEGradients/stepTimes`` reproduce
    /// the forward solve up to rounding.
    ///
    /// - Parameters:
    ///   - stepTimes: `t_0 = start < t_1 < … < t_N`, containing every observation time after `start`.
    ///   - tableau: the method, e.g. `Tsit5().tableau` or ``SolverConfiguration/tableau``.
    public func discreteLoss(
        _ loss: TrajectoryLoss, initial: Tensor<Double>, from start: Double, observedAt times: [Double],
        stepTimes: [Double], using tableau: ButcherTableau
    ) throws -> Double {
        try validateObservationTimes(times, start: start, operation: "discreteLoss")
        let batch = try field.batchSize(of: initial, operation: "discreteLoss")
        guard stepTimes.first == start else {
            throw NeuralODEError.invalidArgument(
                "discreteLoss: stepTimes must start at the start time \(start), got \(stepTimes.first.map { "\($0)" } ?? "none")")
        }
        for j in 1..<stepTimes.count where !(stepTimes[j] > stepTimes[j - 1]) || !stepTimes[j].isFinite {
            throw NeuralODEError.invalidArgument(
                "discreteLoss: stepTimes must be finite and strictly increasing; #\(j - 1) = \(stepTimes[j - 1]), #\(j) = \(stepTimes[j])")
        }
        let stepper = RungeKuttaStep(tableau)
        let constants = field.parameters.map { Variable($0) }
        var y = try initial.reshaped([batch, field.stateDimension])
        var observed: [Tensor<Double>] = []
        var k = 0
        func record(at t: Double) throws {
            while k < times.count && times[k] == t {
                observed.append(try y.reshaped(initial.shape))
                k += 1
            }
        }
        try record(at: start)
        for j in 0..<(stepTimes.count - 1) {
            guard k < times.count else { break }
            y = try stepper.step(
                field, time: stepTimes[j], size: stepTimes[j + 1] - stepTimes[j], state: Variable(y),
                parameters: constants).value
            try record(at: stepTimes[j + 1])
        }
        guard k == times.count else {
            throw NeuralODEError.invalidArgument(
                "discreteLoss: observation time #\(k) = \(times[k]) is not one of the step boundaries")
        }
        return try loss(observed)
    }
}
