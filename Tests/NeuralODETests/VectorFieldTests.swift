import Foundation
import Integrators
import NeuralODE
import Tensors
import Testing

@Suite struct VectorFieldTests {
    @Test func mlpShapesNamesAndFlatParameters() throws {
        var field = try MLPVectorField(widths: [3, 5, 4, 3], timeDependent: true, seed: 7)
        #expect(field.stateDimension == 3)
        #expect(field.parameterNames == ["weight0", "bias0", "weight1", "bias1", "weight2", "bias2"])
        #expect(field.parameters.map(\.shape) == [[4, 5], [5], [5, 4], [4], [4, 3], [3]])
        #expect(field.parameterCount == 4 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3)
        let flat = field.flattenedParameters.map { $0 * 2 }
        try field.setParameters(flattened: flat)
        #expect(field.flattenedParameters == flat)
        #expect(throws: NeuralODEError.self) { try field.setParameters(flattened: [1, 2]) }
        // Same seed, same bits; another seed, other values.
        #expect(try MLPVectorField(widths: [2, 4, 2], seed: 1).flattenedParameters
                    == MLPVectorField(widths: [2, 4, 2], seed: 1).flattenedParameters)
        #expect(try MLPVectorField(widths: [2, 4, 2], seed: 1).flattenedParameters
                    != MLPVectorField(widths: [2, 4, 2], seed: 2).flattenedParameters)
        // A state of shape [n] gives [n], a batch [B, n] gives [B, n].
        #expect(try field(0.5, Tensor([1, 2, 3])).shape == [3])
        #expect(try field(0.5, Tensor(shape: [4, 3], repeating: 0.1)).shape == [4, 3])
        #expect(throws: NeuralODEError.self) { try field(0, Tensor([1, 2])) }
    }

    /// Any `Layer` is a vector field: a Chain of Linear and SiLU layers (time-dependent), with the
    /// layer's own parameter names; its gradients by backpropagation through a fixed-step solve
    /// match central differences, and the adjoint agrees with backpropagation.
    @Test func anyLayerIsAVectorField() throws {
        let network = Chain<Double>([
            Linear(inputSize: 3, outputSize: 6, initialization: .xavierUniform, seed: 3), ActivationLayer(.silu),
            Linear(inputSize: 6, outputSize: 2, initialization: .xavierUniform, seed: 4),
        ])
        let field = try LayerVectorField(network, stateDimension: 2, timeDependent: true)
        #expect(field.parameterNames == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(field.parameters.map(\.shape) == [[3, 6], [6], [6, 2], [2]])
        // The field is the network applied to [y, t].
        let y = try Tensor<Double>(shape: [2, 2], scalars: [0.3, -0.2, 1.1, 0.4])
        let direct = try network(Tensor(shape: [2, 3], scalars: [0.3, -0.2, 0.7, 1.1, 0.4, 0.7]))
        #expect(try field(0.7, y).scalars == direct.scalars)

        let node = NeuralODE(field)
        let y0 = try Tensor<Double>(shape: [2, 2], scalars: [0.5, -0.3, -1.0, 0.8])
        let loss = TrajectoryLoss.meanSquaredError(targets: [Tensor(shape: [2, 2], repeating: 0.2), Tensor(shape: [2, 2], repeating: -0.1)])
        let times = [0.5, 1.0]
        let fixed = SolverConfiguration.fixed(RK4(), step: 0.05)
        let g = try node.gradient(of: loss, initial: y0, from: 0, observedAt: times, solver: fixed, method: .backpropagation())
        let discrete: (NeuralODE<LayerVectorField<Chain<Double>>>) throws -> Double = {
            try $0.discreteLoss(loss, initial: y0, from: 0, observedAt: times, stepTimes: g.stepTimes, using: fixed.tableau!)
        }
        let indices = Array(0..<field.parameterCount)
        let fd = try centralDifferences(field.flattenedParameters, indices: indices, step: 1e-5, lossOfParameters(node, discrete))
        let error = relativeError(g.flattenedParameters, fd)
        measured("LayerVectorField (Chain) backprop θ vs FD", error)
        #expect(error < 1e-8)
        let tight = SolverConfiguration.adaptive(Tsit5(), tolerance: Tolerance(relative: 1e-11, absolute: 1e-12))
        let adjoint = try node.gradient(of: loss, initial: y0, from: 0, observedAt: times, solver: tight, method: .adjoint())
        let backprop = try node.gradient(of: loss, initial: y0, from: 0, observedAt: times, solver: tight, method: .backpropagation())
        #expect(relativeError(adjoint.flattenedParameters, backprop.flattenedParameters) < 1e-6)

        // Setting parameters reaches the network; refusals name the shapes.
        var changed = field
        try changed.setParameters(flattened: field.flattenedParameters.map { $0 * 0 })
        #expect(try changed(0, y).scalars.allSatisfy { $0 == 0 })
        #expect(changed.network.parameters.scalarCount == field.parameterCount)
        #expect(throws: NeuralODEError.self) { try LayerVectorField(network, stateDimension: 2) }  // expects 3 inputs
        #expect(throws: NeuralODEError.self) { try LayerVectorField(network, stateDimension: 3, timeDependent: false) }  // 2 outputs
        #expect(throws: NeuralODEError.self) { try LayerVectorField(network, stateDimension: 0) }
        // MLPVectorField is an MLP in a LayerVectorField under its own names.
        let mlp = try MLPVectorField(widths: [2, 5, 2], timeDependent: true, seed: 9)
        #expect(mlp.field.parameterNames == ["0.weight", "0.bias", "1.weight", "1.bias"])
        #expect(try mlp(0.3, y).scalars == mlp.field(0.3, y).scalars)
    }

    /// A field returning the wrong shape is reported when the problem is made, not mid-solve.
    struct WrongShapeField: NeuralVectorField {
        var parameters: [Tensor<Double>] = [Tensor([1.0])]
        var stateDimension: Int { 2 }
        var parameterNames: [String] { ["c"] }
        func evaluate(time: Double, state: Variable<Double>, parameters: [Variable<Double>]) throws -> Variable<Double> {
            try Variable.concatenate([state, state], axis: 1) * parameters[0]
        }
    }

    @Test func badFieldsAreRejectedWithMessages() throws {
        let wrong = NeuralODE(WrongShapeField())
        #expect(throws: NeuralODEError.self) { try wrong.problem(initial: Tensor([1, 2]), from: 0, to: 1) }
        #expect(throws: NeuralODEError.self) {
            try WrongShapeField().vectorJacobianProduct(time: 0, state: Tensor([1, 2]), cotangent: Tensor([1, 1]))
        }
        #expect(throws: NeuralODEError.self) {
            try wrong.gradient(of: TrajectoryLoss { $0[0].sum() }, initial: Tensor([1, 2]), from: 0, observedAt: [1],
                               solver: .fixed(RK4(), step: 0.1), method: .adjoint())
        }
        #expect(throws: NeuralODEError.self) {
            try wrong.gradient(of: TrajectoryLoss { $0[0].sum() }, initial: Tensor([1, 2]), from: 0, observedAt: [1],
                               solver: .fixed(RK4(), step: 0.1), method: .backpropagation())
        }
        // Losses: one element, and one target per observed state.
        #expect(throws: NeuralODEError.self) { try TrajectoryLoss { $0[0] }.valueAndGradients(at: [Tensor([1, 2])]) }
        #expect(throws: NeuralODEError.self) {
            try TrajectoryLoss.meanSquaredError(targets: [Tensor([0, 0])]).valueAndGradients(at: [Tensor([1, 2]), Tensor([3, 4])])
        }
        let mse = try TrajectoryLoss.meanSquaredError(targets: [Tensor([0, 1]), Tensor([1, 1])])
            .valueAndGradients(at: [Tensor([1, 2]), Tensor([3, 4])])
        #expect(mse.value == (1 + 1 + 4 + 9) / 4.0)
        #expect(mse.gradients == [Tensor([0.5, 0.5]), Tensor([1, 1.5])])
        #expect(throws: NeuralODEError.self) { try MLPVectorField(widths: [2, 8, 3], seed: 1) }
        #expect(throws: NeuralODEError.self) { try MLPVectorField(widths: [2], seed: 1) }
        #expect(throws: NeuralODEError.self) { try LinearVectorField(matrix: Tensor(shape: [2, 3], repeating: 0)) }
    }

    /// The MLP computes what its formula says: compare with a direct loop implementation.
    @Test func mlpForwardMatchesTheFormula() throws {
        let field = try MLPVectorField(widths: [2, 3, 2], timeDependent: true, seed: 3)
        let (w0, b0, w1, b1) = (field.parameters[0], field.parameters[1], field.parameters[2], field.parameters[3])
        let y = [0.3, -0.7], t = 0.25
        let input = y + [t]
        var hidden = [Double](repeating: 0, count: 3)
        for j in 0..<3 {
            var s = b0[j]
            for i in 0..<3 { s += input[i] * w0[i, j] }
            hidden[j] = tanh(s)
        }
        let got = try field(t, Tensor(y))
        for j in 0..<2 {
            var s = b1[j]
            for i in 0..<3 { s += hidden[i] * w1[i, j] }
            #expect(abs(got[j] - s) < 1e-14)
        }
    }

    /// aᵀ∂f/∂y and aᵀ∂f/∂θ from one tape against central differences of aᵀf.
    @Test func vectorJacobianProductsMatchFiniteDifferences() throws {
        let field = try MLPVectorField(widths: [2, 6, 2], timeDependent: true, seed: 11)
        let state = try Tensor<Double>(shape: [3, 2], scalars: [0.4, -0.2, 1.1, 0.3, -0.8, 0.9])
        let cotangent = try Tensor<Double>(shape: [3, 2], scalars: [1, -2, 0.5, 0.25, -1, 3])
        let vjp = try field.vectorJacobianProduct(time: 0.7, state: state, cotangent: cotangent)
        #expect(vjp.value == (try field(0.7, state)))

        func pairing(_ f: Tensor<Double>) throws -> Double { try f.dot(cotangent) }
        let fdState = try centralDifferences(state.scalars, indices: Array(0..<6), step: 1e-6) { x in
            try pairing(field(0.7, Tensor(shape: [3, 2], scalars: x)))
        }
        let errState = relativeError(vjp.state.scalars, fdState)
        let indices = [0, 5, 13, 20, 25, field.parameterCount - 1]
        let fdTheta = try centralDifferences(field.flattenedParameters, indices: indices, step: 1e-6) { flat in
            var g = field
            try g.setParameters(flattened: flat)
            return try pairing(g(0.7, state))
        }
        let flatVJP = vjp.parameters.flatMap(\.scalars)
        let errTheta = relativeError(indices.map { flatVJP[$0] }, fdTheta)
        measured("VJP aᵀ∂f/∂y vs FD", errState)
        measured("VJP aᵀ∂f/∂θ vs FD", errTheta)
        #expect(errState < 1e-8)
        #expect(errTheta < 1e-8)
    }

    @Test func problemSolvesWithTheCoreAndReportsBadInput() throws {
        let node = NeuralODE(try MLPVectorField(widths: [2, 4, 2], seed: 5))
        let y0 = Tensor<Double>([0.5, -0.5])
        let problem = try node.problem(initial: y0, from: 0, to: 1)
        let direct = try solve(problem, using: Tsit5(), tolerance: Tolerance(relative: 1e-9, absolute: 1e-12))
        let trajectory = try node.solve(
            initial: y0, from: 0, saveAt: [0.5, 1], solver: .adaptive(Tsit5(), tolerance: Tolerance(relative: 1e-9, absolute: 1e-12)))
        #expect(trajectory.states.count == 2 && trajectory.states[1].shape == [2])
        #expect(try trajectory.states[1].maxAbsDifference(Tensor(direct.final)) < 1e-12)
        #expect(throws: NeuralODEError.self) { try node.problem(initial: Tensor([1, 2, 3]), from: 0, to: 1) }
        #expect(throws: NeuralODEError.self) {
            try node.solve(initial: y0, from: 0, saveAt: [0.5, 0.2], solver: .fixed(RK4(), step: 0.1))
        }
        #expect(throws: NeuralODEError.self) {
            try node.solve(initial: y0, from: 0, saveAt: [-1], solver: .fixed(RK4(), step: 0.1))
        }
    }
}
