import Foundation
import Integrators
import NeuralODE
import Tensors
import Testing

/// Both gradient methods against central finite differences on a small MLP field, a batch of
/// three trajectories and three observation times.
@Suite struct GradientTests {
    static let times = [0.3, 0.7, 1.0]

    static func setup() throws -> (NeuralODE<MLPVectorField>, Tensor<Double>, TrajectoryLoss) {
        let field = try MLPVectorField(widths: [2, 8, 2], timeDependent: true, seed: 21)
        let y0 = try Tensor<Double>(shape: [3, 2], scalars: [0.5, -0.3, -1.0, 0.8, 0.2, 0.1])
        let targets = (0..<times.count).map { Tensor<Double>.randomNormal(shape: [3, 2], seed: UInt64(100 + $0)) }
        return (NeuralODE(field), y0, .meanSquaredError(targets: targets))
    }

    /// Parameter entries checked: spread over every tensor (weights, biases, the time column).
    static func parameterIndices(_ count: Int) -> [Int] { [0, 3, 17, 24, 30, 41, count - 2, count - 1] }

    /// Fixed RK4 steps: backpropagation is the exact gradient of the discrete map, so it matches
    /// central differences of that same map to FD accuracy.
    @Test func backpropagationMatchesFiniteDifferencesOfTheFixedStepSolve() throws {
        let (node, y0, loss) = try Self.setup()
        let solver = SolverConfiguration.fixed(RK4(), step: 0.05)
        let g = try node.gradient(of: loss, initial: y0, from: 0, observedAt: Self.times, solver: solver,
                                  method: .backpropagation())
        // The discrete map replayed on the recorded grid reproduces the core's solve.
        let replayed = try node.discreteLoss(loss, initial: y0, from: 0, observedAt: Self.times,
                                             stepTimes: g.stepTimes, using: solver.tableau!)
        #expect(abs(replayed - g.loss) <= 1e-13 * abs(g.loss))
        #expect(g.stepTimes.count == 21 && g.statistics.forwardSteps == 20)
        #expect(abs(try node.loss(loss, initial: y0, from: 0, observedAt: Self.times, solver: solver) - g.loss) <= 1e-13 * g.loss)

        let discrete: (NeuralODE<MLPVectorField>) throws -> Double = {
            try $0.discreteLoss(loss, initial: y0, from: 0, observedAt: Self.times, stepTimes: g.stepTimes, using: solver.tableau!)
        }
        let indices = Self.parameterIndices(node.field.parameterCount)
        let fdTheta = try centralDifferences(node.field.flattenedParameters, indices: indices, step: 1e-5,
                                             lossOfParameters(node, discrete))
        let fdY0 = try centralDifferences(y0.scalars, indices: Array(0..<6), step: 1e-5) { x in
            try node.discreteLoss(loss, initial: Tensor(shape: [3, 2], scalars: x), from: 0, observedAt: Self.times,
                                  stepTimes: g.stepTimes, using: solver.tableau!)
        }
        let errTheta = relativeError(indices.map { g.flattenedParameters[$0] }, fdTheta)
        let errY0 = relativeError(g.initialState.scalars, fdY0)
        measured("backprop (RK4 fixed) θ vs FD of the discrete solve", errTheta)
        measured("backprop (RK4 fixed) y0 vs FD of the discrete solve", errY0)
        #expect(errTheta < 1e-8)
        #expect(errY0 < 1e-8)
    }

    /// Adaptive Tsit5 with the accepted step sizes held fixed: again the exact discrete gradient.
    @Test func backpropagationMatchesFiniteDifferencesWithFixedAcceptedSteps() throws {
        let (node, y0, loss) = try Self.setup()
        let solver = SolverConfiguration.adaptive(Tsit5(), tolerance: Tolerance(relative: 1e-5, absolute: 1e-7))
        let g = try node.gradient(of: loss, initial: y0, from: 0, observedAt: Self.times, solver: solver,
                                  method: .backpropagation())
        #expect(g.statistics.forwardSteps == g.stepTimes.count - 1 && g.statistics.forwardSteps >= 3)
        #expect(Self.times.allSatisfy { g.stepTimes.contains($0) })
        let replayed = try node.discreteLoss(loss, initial: y0, from: 0, observedAt: Self.times,
                                             stepTimes: g.stepTimes, using: solver.tableau!)
        #expect(abs(replayed - g.loss) <= 1e-13 * abs(g.loss))

        let discrete: (NeuralODE<MLPVectorField>) throws -> Double = {
            try $0.discreteLoss(loss, initial: y0, from: 0, observedAt: Self.times, stepTimes: g.stepTimes, using: solver.tableau!)
        }
        let indices = Self.parameterIndices(node.field.parameterCount)
        let fdTheta = try centralDifferences(node.field.flattenedParameters, indices: indices, step: 1e-5,
                                             lossOfParameters(node, discrete))
        let fdY0 = try centralDifferences(y0.scalars, indices: Array(0..<6), step: 1e-5) { x in
            try node.discreteLoss(loss, initial: Tensor(shape: [3, 2], scalars: x), from: 0, observedAt: Self.times,
                                  stepTimes: g.stepTimes, using: solver.tableau!)
        }
        let errTheta = relativeError(indices.map { g.flattenedParameters[$0] }, fdTheta)
        let errY0 = relativeError(g.initialState.scalars, fdY0)
        measured("backprop (Tsit5 adaptive, frozen steps) θ vs FD", errTheta)
        measured("backprop (Tsit5 adaptive, frozen steps) y0 vs FD", errY0)
        #expect(errTheta < 1e-8)
        #expect(errY0 < 1e-8)

        // Checkpointing changes memory, not the result.
        let g4 = try node.gradient(of: loss, initial: y0, from: 0, observedAt: Self.times, solver: solver,
                                   method: .backpropagation(checkpointEvery: 4))
        #expect(relativeError(g4.flattenedParameters, g.flattenedParameters) < 1e-12)
        #expect(relativeError(g4.initialState.scalars, g.initialState.scalars) < 1e-12)
        #expect(g4.statistics.checkpoints < g.statistics.checkpoints)
        let gAll = try node.gradient(of: loss, initial: y0, from: 0, observedAt: Self.times, solver: solver,
                                     method: .backpropagation(checkpointEvery: 1000))   // one block: only y0 kept
        #expect(gAll.statistics.checkpoints == 1)
        #expect(relativeError(gAll.flattenedParameters, g.flattenedParameters) < 1e-12)
    }

    /// The continuous adjoint agrees with finite differences of an accurate solve to the
    /// solver tolerance, with either way of reconstructing y(t).
    @Test(arguments: [AdjointOptions.StateReconstruction.backwardIntegration, .denseOutput])
    func adjointMatchesFiniteDifferencesOfAnAccurateSolve(reconstruction: AdjointOptions.StateReconstruction) throws {
        let (node, y0, loss) = try Self.setup()
        let solver = SolverConfiguration.adaptive(Tsit5(), tolerance: Tolerance(relative: 1e-10, absolute: 1e-12))
        let g = try node.gradient(of: loss, initial: y0, from: 0, observedAt: Self.times, solver: solver,
                                  method: .adjoint(AdjointOptions(stateReconstruction: reconstruction)))
        #expect(g.stepTimes.isEmpty && g.statistics.backwardSteps > 0)

        let accurate = SolverConfiguration.adaptive(Tsit5(), tolerance: Tolerance(relative: 1e-13, absolute: 1e-14))
        let solved: (NeuralODE<MLPVectorField>) throws -> Double = {
            try $0.loss(loss, initial: y0, from: 0, observedAt: Self.times, solver: accurate)
        }
        let indices = Self.parameterIndices(node.field.parameterCount)
        let fdTheta = try centralDifferences(node.field.flattenedParameters, indices: indices, step: 1e-4,
                                             lossOfParameters(node, solved))
        let fdY0 = try centralDifferences(y0.scalars, indices: Array(0..<6), step: 1e-4) { x in
            try node.loss(loss, initial: Tensor(shape: [3, 2], scalars: x), from: 0, observedAt: Self.times, solver: accurate)
        }
        let errTheta = relativeError(indices.map { g.flattenedParameters[$0] }, fdTheta)
        let errY0 = relativeError(g.initialState.scalars, fdY0)
        measured("adjoint (\(reconstruction), rtol 1e-10) θ vs FD", errTheta)
        measured("adjoint (\(reconstruction), rtol 1e-10) y0 vs FD", errY0)
        #expect(errTheta < 1e-6)
        #expect(errY0 < 1e-6)
    }

    /// Both methods converge to the same gradient as the tolerance tightens; at a loose
    /// tolerance they differ (they are different approximations of dL/dθ).
    @Test func backpropagationAndAdjointAgreeAtTightTolerance() throws {
        let (node, y0, loss) = try Self.setup()
        func both(_ rtol: Double) throws -> (NeuralODEGradients, NeuralODEGradients) {
            let solver = SolverConfiguration.adaptive(Tsit5(), tolerance: Tolerance(relative: rtol, absolute: rtol / 100))
            return (
                try node.gradient(of: loss, initial: y0, from: 0, observedAt: Self.times, solver: solver, method: .backpropagation()),
                try node.gradient(of: loss, initial: y0, from: 0, observedAt: Self.times, solver: solver, method: .adjoint()))
        }
        let (b3, a3) = try both(1e-3)
        let (b9, a9) = try both(1e-9)
        let loose = relativeError(a3.flattenedParameters, b3.flattenedParameters)
        let tight = relativeError(a9.flattenedParameters, b9.flattenedParameters)
        measured("adjoint vs backprop θ at rtol 1e-3", loose)
        measured("adjoint vs backprop θ at rtol 1e-9", tight)
        #expect(tight < 1e-6)
        #expect(tight < loose)
        #expect(abs(a9.loss - b9.loss) < 1e-8 * b9.loss)
    }

    @Test func observationAtTheStartAndRepeatedTimes() throws {
        let (node, y0, _) = try Self.setup()
        // L = |y(0)|² + 2|y(0.5)|² (0.5 observed twice): the y(0) term adds 2·y0 to ∂L/∂y0.
        let loss = TrajectoryLoss { s in try s[0].squared().sum() + s[1].squared().sum() + s[2].squared().sum() }
        let times = [0.0, 0.5, 0.5]
        let only = TrajectoryLoss { s in s[0].squared().sum() * 2 }
        let solver = SolverConfiguration.adaptive(Tsit5(), tolerance: Tolerance(relative: 1e-10, absolute: 1e-12))
        for method in [GradientMethod.backpropagation(), .adjoint()] {
            let full = try node.gradient(of: loss, initial: y0, from: 0, observedAt: times, solver: solver, method: method)
            let part = try node.gradient(of: only, initial: y0, from: 0, observedAt: [0.5], solver: solver, method: method)
            let expected = try part.initialState + y0 * 2
            #expect(relativeError(full.initialState.scalars, expected.scalars) < 1e-12)
            #expect(relativeError(full.flattenedParameters, part.flattenedParameters) < 1e-12)
        }
        // Everything observed at the start: no solve, ∂L/∂y0 = 2·y0, ∂L/∂θ = 0.
        let atStart = try node.gradient(of: only, initial: y0, from: 0, observedAt: [0], solver: solver, method: .adjoint())
        #expect(atStart.initialState == y0 * 4)
        #expect(atStart.flattenedParameters.allSatisfy { $0 == 0 })
        #expect(throws: NeuralODEError.self) {
            try node.gradient(of: only, initial: y0, from: 0, observedAt: [], solver: solver, method: .adjoint())
        }
        #expect(throws: NeuralODEError.self) {
            try node.gradient(of: only, initial: y0, from: 0, observedAt: [1], solver: solver,
                              method: .backpropagation(checkpointEvery: 0))
        }
        #expect(throws: NeuralODEError.self) {
            try node.discreteLoss(only, initial: y0, from: 0, observedAt: [0.5], stepTimes: [0, 0.4, 1], using: Tsit5().tableau)
        }
    }
}
