import Integrators
import Tensors

extension NeuralODE {
    /// Optimise-then-discretise: the continuous adjoint (Pontryagin; Chen et al. 2018).
    ///
    /// With `a(t) = ∂L/∂y(t)`, between observation times
    ///
    ///     dy/dt = f(t, y; θ),   da/dt = −aᵀ ∂f/∂y,   dθ̄/dt = −aᵀ ∂f/∂θ
    ///
    /// is solved backwards from `t_k` to `t_{k−1}` (down to `t_0`), starting from
    /// `a(t_K) = ∂L/∂y(t_K)`, `θ̄(t_K) = 0`; at each observation time `a` jumps by `∂L/∂y(t_k)`.
    /// Then `∂L/∂y(t_0) = a(t_0)` and `∂L/∂θ = θ̄(t_0)`. Each right-hand-side call of the
    /// augmented system is one taped network evaluation and one backward pass.
    ///
    /// With ``AdjointOptions/StateReconstruction/backwardIntegration`` `y` is part of the
    /// augmented state, restarted at every `t_k` from the forward value; only the `K` observed
    /// states and the current augmented state are held, whatever the number of steps.
    func adjointGradient(
        of loss: TrajectoryLoss, initial: Tensor<Double>, from start: Double, observedAt times: [Double],
        solver: SolverConfiguration, options: AdjointOptions
    ) throws -> NeuralODEGradients {
        let batch = try field.batchSize(of: initial, operation: "gradient")
        let shape = [batch, field.stateDimension]
        let m = batch * field.stateDimension
        let theta = field.parameters
        let p = field.parameterCount
        let useDense = options.stateReconstruction == .denseOutput
        let backward = options.solver ?? solver
        var statistics = GradientStatistics()

        // Forward: one solve saving the observed states (and the interpolant when asked).
        let end = times.last!
        let observed: [Tensor<Double>]
        let forward: ODESolution?
        if end > start {
            let solution = try solver.solveProblem(
                try problem(initial: initial, from: start, to: end), .times(times), useDense)
            observed = try (0..<times.count).map { try Tensor(shape: initial.shape, scalars: solution.state(at: $0)) }
            statistics.forwardSteps = solution.statistics.acceptedSteps
            statistics.forwardRejectedSteps = solution.statistics.rejectedSteps
            statistics.inferenceEvaluations = solution.statistics.rhsEvaluations
            statistics.storedStates = solution.stateStorage.count / m
            if useDense, solution.stepTimes.count >= 2 {
                statistics.storedStates += (solution.stepTimes.count - 1) * (solution.denseDegree + 1)
            }
            forward = solution
        } else {
            _ = try field(start, try initial.reshaped(shape))
            observed = times.map { _ in initial }
            forward = nil
            statistics.storedStates = times.count
        }
        // The augmented state: y (unless read from the dense output) and a.
        statistics.storedStates += useDense ? 1 : 2
        let (value, lossGradients) = try loss.valueAndGradients(at: observed)

        // a and θ̄, carried between intervals.
        var a = [Double](repeating: 0, count: m)
        var thetaBar = [Double](repeating: 0, count: p)
        let vectorField = self.field
        for k in stride(from: times.count - 1, through: 0, by: -1) {
            lossGradients[k].withUnsafeBufferPointer { g in
                for i in 0..<m { a[i] += g[i] }
            }
            let tHigh = times[k], tLow = k > 0 ? times[k - 1] : start
            guard tHigh > tLow else { continue }

            let rhs: ODEFunction
            let augmented: [Double]
            if useDense, let forward {
                // z = [a, θ̄];  y(t) from the forward interpolant.
                augmented = a + thetaBar
                let span = (lo: start, hi: end)
                rhs = { t, z, dz in
                    do {
                        var y = [Double](repeating: 0, count: m)
                        let inside = y.withUnsafeMutableBufferPointer {
                            forward.interpolate(Swift.min(Swift.max(t, span.lo), span.hi), into: $0)
                        }
                        guard inside else { throw NeuralODEError.invalidArgument("no dense output at t = \(t)") }
                        let r = try y.withUnsafeBufferPointer { yb in
                            try vectorField.taped(
                                time: t, state: Tensor(shape: shape, copying: yb), parameters: theta,
                                cotangent: Tensor(shape: shape, copying: UnsafeBufferPointer(rebasing: z[0..<m])))
                        }
                        r.state.copy(into: dz, at: 0, scaledBy: -1)
                        var offset = m
                        for g in r.parameters {
                            g.copy(into: dz, at: offset, scaledBy: -1)
                            offset += g.count
                        }
                    } catch {
                        for i in 0..<dz.count { dz[i] = .nan }
                    }
                }
            } else {
                // z = [y, a, θ̄], y restarted from the forward value y(t_k).
                augmented = observed[k].scalars + a + thetaBar
                rhs = { t, z, dz in
                    do {
                        let r = try vectorField.taped(
                            time: t, state: Tensor(shape: shape, copying: UnsafeBufferPointer(rebasing: z[0..<m])),
                            parameters: theta,
                            cotangent: Tensor(shape: shape, copying: UnsafeBufferPointer(rebasing: z[m..<(2 * m)])))
                        r.value.copy(into: dz, at: 0)
                        r.state.copy(into: dz, at: m, scaledBy: -1)
                        var offset = 2 * m
                        for g in r.parameters {
                            g.copy(into: dz, at: offset, scaledBy: -1)
                            offset += g.count
                        }
                    } catch {
                        for i in 0..<dz.count { dz[i] = .nan }
                    }
                }
            }
            let solution = try backward.solveProblem(
                ODEProblem(initial: augmented, from: tHigh, to: tLow, rhs: rhs), .final, false)
            let z = solution.final
            let aOffset = useDense ? 0 : m
            a = Array(z[aOffset..<(aOffset + m)])
            thetaBar = Array(z[(aOffset + m)...])
            statistics.backwardSteps += solution.statistics.acceptedSteps
            statistics.tapedEvaluations += solution.statistics.rhsEvaluations
        }

        var parameterGradients: [Tensor<Double>] = []
        var offset = 0
        for t in theta {
            parameterGradients.append(try Tensor(shape: t.shape, scalars: Array(thetaBar[offset..<(offset + t.count)])))
            offset += t.count
        }
        return NeuralODEGradients(
            loss: value, observedStates: observed, initialState: try Tensor(shape: initial.shape, scalars: a),
            parameters: parameterGradients, parameterNames: vectorField.parameterNames, stepTimes: [],
            statistics: statistics)
    }
}
