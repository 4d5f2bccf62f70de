import Foundation
import Integrators
import NeuralODE
import Tensors
import Testing

/// A neural ODE solved by the stiff methods of the core (any `ODEMethod` goes into
/// `SolverConfiguration`): its adjoint gradient matches finite differences of an accurate
/// explicit solve; backpropagation, which differentiates explicit stages, refuses clearly.
@Suite struct StiffSolverTests {
    @Test(arguments: ["Rodas5P", "BDF"])
    func adjointGradientWithAStiffMethod(_ name: String) throws {
        let (node, y0, loss) = try GradientTests.setup()
        let stiff = try SolverConfiguration.named(name, tolerance: Tolerance(relative: 1e-10, absolute: 1e-12))
        #expect(stiff.tableau == nil && stiff.methodName == name)
        let g = try node.gradient(of: loss, initial: y0, from: 0, observedAt: GradientTests.times, solver: stiff,
                                  method: .adjoint())
        #expect(g.statistics.backwardSteps > 0)
        let accurate = SolverConfiguration.adaptive(Tsit5(), tolerance: Tolerance(relative: 1e-13, absolute: 1e-14))
        let solved: (NeuralODE<MLPVectorField>) throws -> Double = {
            try $0.loss(loss, initial: y0, from: 0, observedAt: GradientTests.times, solver: accurate)
        }
        let indices = GradientTests.parameterIndices(node.field.parameterCount)
        let fdTheta = try centralDifferences(node.field.flattenedParameters, indices: indices, step: 1e-4,
                                             lossOfParameters(node, solved))
        let errTheta = relativeError(indices.map { g.flattenedParameters[$0] }, fdTheta)
        measured("adjoint with \(name) (rtol 1e-10) θ vs FD", errTheta)
        #expect(errTheta < 1e-7)

        #expect(throws: NeuralODEError.self) {
            try node.gradient(of: loss, initial: y0, from: 0, observedAt: GradientTests.times, solver: stiff,
                              method: .backpropagation())
        }
    }
}
