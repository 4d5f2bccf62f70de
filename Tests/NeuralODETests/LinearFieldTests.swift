import Foundation
import Integrators
import NeuralODE
import Tensors
import Testing

/// f = A y: the exact solution is exp(At) y0 and the exact gradients follow from the matrix
/// exponential and its Fréchet derivative — references that share nothing with the solvers.
@Suite struct LinearFieldTests {
    static let accurate = SolverConfiguration.adaptive(Tsit5(), tolerance: Tolerance(relative: 1e-11, absolute: 1e-13))

    /// y' = a y, L = y(T)²:  dL/da = 2 y(T)² T,  dL/dy0 = 2 y(T) e^{aT}.
    @Test(arguments: [GradientMethod.backpropagation(), .adjoint()])
    func scalarGrowthHasTheTextbookGradient(method: GradientMethod) throws {
        let a = -0.7, y0 = 1.3, T = 2.0
        let node = NeuralODE(try LinearVectorField(matrix: Tensor(shape: [1, 1], repeating: a)))
        let loss = TrajectoryLoss { s in s[0].squared().sum() }
        let g = try node.gradient(of: loss, initial: Tensor([y0]), from: 0, observedAt: [T], solver: Self.accurate,
                                  method: method)
        let yT = y0 * exp(a * T)
        let errLoss = abs(g.loss - yT * yT) / (yT * yT)
        let errA = abs(g.parameters[0][0, 0] - 2 * yT * yT * T) / (2 * yT * yT * T)
        let errY0 = abs(g.initialState[0] - 2 * yT * exp(a * T)) / (2 * yT * exp(a * T))
        measured("y' = a y, \(method) dL/da vs 2y(T)²T", errA)
        measured("y' = a y, \(method) dL/dy0 vs 2y(T)e^{aT}", errY0)
        #expect(errLoss < 1e-9)
        #expect(errA < 1e-8)
        #expect(errY0 < 1e-8)
    }

    /// A damped rotation in 2-D observed twice, L = ‖y(t_1)‖² + ‖y(t_2)‖²:
    /// dL/dA_ij = Σ_k 2 y(t_k)ᵀ L(A t_k, t_k E_ij) y0 and dL/dy0 = Σ_k 2 exp(A t_k)ᵀ y(t_k).
    @Test(arguments: [
        GradientMethod.backpropagation(), .backpropagation(checkpointEvery: 3), .adjoint(),
        .adjoint(AdjointOptions(stateReconstruction: .denseOutput)),
        .adjoint(AdjointOptions(solver: .adaptive(DormandPrince5(), tolerance: Tolerance(relative: 1e-11, absolute: 1e-13)))),
    ])
    func matrixFieldMatchesTheFrechetDerivative(method: GradientMethod) throws {
        let A: Matrix = [[-0.5, 1.2], [-0.9, -0.3]]
        let y0 = [1.0, 0.5]
        let times = [0.6, 1.5]
        let node = NeuralODE(try LinearVectorField(matrix: Tensor(shape: [2, 2], scalars: A.flatMap { $0 })))
        let loss = TrajectoryLoss { s in try s[0].squared().sum() + s[1].squared().sum() }

        // Analytic references.
        var gradA = [Double](repeating: 0, count: 4)
        var gradY0 = [0.0, 0.0]
        var exactStates: [[Double]] = []
        for t in times {
            let At = A.map { $0.map { $0 * t } }
            let E = matrixExponential(At)
            let y = multiply(E, y0)
            exactStates.append(y)
            for i in 0..<2 {
                for j in 0..<2 {
                    var direction = Matrix(repeating: [0, 0], count: 2)
                    direction[i][j] = t
                    let L = exponentialFrechetDerivative(At, direction: direction)
                    let dy = multiply(L, y0)
                    gradA[2 * i + j] += 2 * (y[0] * dy[0] + y[1] * dy[1])
                }
            }
            let back = multiply(transpose(E), y)
            gradY0[0] += 2 * back[0]
            gradY0[1] += 2 * back[1]
        }

        let g = try node.gradient(of: loss, initial: Tensor(y0), from: 0, observedAt: times, solver: Self.accurate,
                                  method: method)
        let errStates = relativeError(g.observedStates.flatMap(\.scalars), exactStates.flatMap { $0 })
        let errA = relativeError(g.parameters[0].scalars, gradA)
        let errY0 = relativeError(g.initialState.scalars, gradY0)
        measured("f = A y, \(method) y(t_k) vs exp(At)y0", errStates)
        measured("f = A y, \(method) dL/dA vs Fréchet derivative", errA)
        measured("f = A y, \(method) dL/dy0 vs exp(At)ᵀ", errY0)
        #expect(errStates < 1e-9)
        #expect(errA < 1e-8)
        #expect(errY0 < 1e-8)
        #expect(g.parameter(named: "A") == g.parameters[0])
    }

    /// The references themselves: exp of a nilpotent/diagonal matrix, and L(X, E) against a
    /// central difference of exp.
    @Test func matrixExponentialReferencesAreRight() {
        let e = matrixExponential([[0, 2], [0, 0]])      // I + N
        #expect(abs(e[0][1] - 2) < 1e-15 && abs(e[0][0] - 1) < 1e-15 && e[1][0] == 0)
        let d = matrixExponential([[1.5, 0], [0, -3]])
        #expect(abs(d[0][0] - exp(1.5)) < 1e-14 * exp(1.5) && abs(d[1][1] - exp(-3.0)) < 1e-15)
        let X: Matrix = [[-0.3, 0.72], [-0.54, -0.18]], E: Matrix = [[0, 0.6], [0, 0]]
        let L = exponentialFrechetDerivative(X, direction: E)
        let h = 1e-6
        let plus = matrixExponential(zip(X, E).map { zip($0, $1).map { $0 + h * $1 } })
        let minus = matrixExponential(zip(X, E).map { zip($0, $1).map { $0 - h * $1 } })
        for i in 0..<2 {
            for j in 0..<2 { #expect(abs((plus[i][j] - minus[i][j]) / (2 * h) - L[i][j]) < 1e-9) }
        }
    }
}
