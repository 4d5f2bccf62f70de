import Foundation
import Integrators
import Testing
import Tensors
@testable import NeuralODE

/// ODE blocks inside a network: y' = −a·y solved on the tape by a core method, the value and
/// dy(1)/da against the closed forms (fixed Euler: (1 − a h)ⁿ; adaptive Tsit5: e^(−a)).
@Suite struct TapedIntegrationTests {
    @Test func fixedEulerReplaysTheDiscreteSolutionAndItsDerivative() throws {
        let solve = try TapedIntegration(solver: .named("Euler", step: 0.25))
        let boundaries = TapedIntegration.uniformBoundaries(from: 0, to: 1, steps: 4)
        #expect(boundaries == [0, 0.25, 0.5, 0.75, 1])
        let tape = Tape<Double>()
        let a = tape.variable(Tensor<Double>(0.8))
        let y1 = try solve.integrate(Variable(Tensor<Double>([2.0])), boundaries: boundaries) { _, y in try y * (-a) }
        #expect(abs(y1.value.scalars[0] - 2 * pow(1 - 0.2, 4)) < 1e-15)
        let g = try y1.sum().backward()
        // d/da 2(1 − a/4)⁴ = −2(1 − a/4)³
        #expect(abs(g[a].scalar! - (-2 * pow(1 - 0.2, 3))) < 1e-14)
    }

    @Test func adaptiveTsit5ChoosesStepsOnValuesAndDifferentiatesThem() throws {
        let solve = try TapedIntegration(solver: .adaptive(Tsit5(), tolerance: Tolerance(relative: 1e-10, absolute: 1e-12)))
        let boundaries = try solve.stepBoundaries(initial: [2], from: 0, to: 1) { _, y in y.map { -0.8 * $0 } }
        #expect(boundaries.first == 0 && boundaries.last == 1 && boundaries.count > 5)
        let tape = Tape<Double>()
        let a = tape.variable(Tensor<Double>(0.8))
        let y1 = try solve.integrate(Variable(Tensor<Double>([2.0])), boundaries: boundaries) { _, y in try y * (-a) }
        #expect(abs(y1.value.scalars[0] - 2 * exp(-0.8)) < 1e-9)
        let g = try y1.sum().backward()
        #expect(abs(g[a].scalar! - (-2 * exp(-0.8))) < 1e-8)
        #expect(throws: NeuralODEError.self) { try TapedIntegration(solver: .adaptive(Rodas5P())) }
    }
}
