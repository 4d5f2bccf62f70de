import Foundation
import Integrators
import NeuralODE
import Tensors
import Testing

/// Stored states: the adjoint's do not grow with the number of steps; backpropagation's grow
/// with it, or with the checkpoint count when checkpointing.
@Suite struct MemoryTests {
    static func run(steps: Int, method: GradientMethod) throws -> NeuralODEGradients {
        let node = NeuralODE(try MLPVectorField(widths: [2, 6, 2], seed: 4))
        let y0 = Tensor<Double>([0.4, -0.6])
        let loss = TrajectoryLoss { s in s[0].squared().sum() }
        // maxStep forces at least `steps` steps on [0, 1].
        let solver = SolverConfiguration.adaptive(
            Tsit5(), tolerance: Tolerance(relative: 1e-6, absolute: 1e-8), maxStep: 1 / Double(steps))
        let g = try node.gradient(of: loss, initial: y0, from: 0, observedAt: [1], solver: solver, method: method)
        let st = g.statistics
        print("NeuralODETests: \(method), ≥\(steps) steps: forward \(st.forwardSteps), backward \(st.backwardSteps) steps, "
              + "stored states \(st.storedStates), checkpoints \(st.checkpoints), taped evaluations \(st.tapedEvaluations)")
        return g
    }

    @Test func adjointStorageDoesNotGrowWithTheNumberOfSteps() throws {
        let short = try Self.run(steps: 50, method: .adjoint())
        let long = try Self.run(steps: 500, method: .adjoint())
        #expect(short.statistics.forwardSteps >= 50 && short.statistics.forwardSteps < 60)
        #expect(long.statistics.forwardSteps >= 500 && long.statistics.forwardSteps < 510)
        #expect(long.statistics.backwardSteps >= 500)
        #expect(short.statistics.storedStates == long.statistics.storedStates)
        #expect(long.statistics.storedStates == 3)   // y(t_1), and the augmented y, a
        #expect(long.statistics.checkpoints == 0)
        // Same gradient either way (both accurate).
        #expect(relativeError(long.flattenedParameters, short.flattenedParameters) < 1e-6)

        // Reading y(t) from the forward dense output trades that for memory that grows with the steps.
        let dense = AdjointOptions(stateReconstruction: .denseOutput)
        let denseShort = try Self.run(steps: 50, method: .adjoint(dense))
        let denseLong = try Self.run(steps: 500, method: .adjoint(dense))
        #expect(denseLong.statistics.storedStates > 9 * denseShort.statistics.storedStates)
        #expect(denseLong.statistics.storedStates >= 5 * denseLong.statistics.forwardSteps)   // Tsit5: degree-4 polynomials
    }

    @Test func backpropagationStorageGrowsWithStepsOrIsBoundedByCheckpoints() throws {
        let short = try Self.run(steps: 50, method: .backpropagation())
        let long = try Self.run(steps: 500, method: .backpropagation())
        // One state per step start (N + 1 checkpoints incl. the final one) plus the observation.
        #expect(short.statistics.checkpoints == short.statistics.forwardSteps + 1)
        #expect(long.statistics.checkpoints == long.statistics.forwardSteps + 1)
        #expect(long.statistics.storedStates >= 500 && long.statistics.storedStates >= 8 * short.statistics.storedStates)
        #expect(long.statistics.backwardSteps == long.statistics.forwardSteps)

        // Checkpoint every 25th step: ⌈N/25⌉ (+1) checkpoints and one recomputed block of ≤ 25.
        let every = 25
        let checkpointed = try Self.run(steps: 500, method: .backpropagation(checkpointEvery: every))
        let n = checkpointed.statistics.forwardSteps
        #expect(checkpointed.statistics.checkpoints <= n / every + 1)
        #expect(checkpointed.statistics.storedStates <= n / every + 1 + every + 1)
        #expect(checkpointed.statistics.storedStates < long.statistics.storedStates / 8)
        #expect(relativeError(checkpointed.flattenedParameters, long.flattenedParameters) < 1e-12)
        // The recomputation costs one more forward pass through the blocks' inner steps.
        #expect(checkpointed.statistics.inferenceEvaluations > long.statistics.inferenceEvaluations)
        #expect(checkpointed.statistics.tapedEvaluations == long.statistics.tapedEvaluations)
    }
}
