import Integrators
import NeuralODE
import Tensors

/// How the ODE blocks of a traffic network are solved and differentiated: the configured core
/// method, fixed steps per unit time (the reference code: one Euler step over [0, 1]) or, with
/// `stepsPerUnitTime` 0, an adaptive solve whose steps are chosen on the values and replayed on
/// the tape (``NeuralODE/TapedIntegration``).
struct ODEBlockSolver: Sendable {
    let integration: TapedIntegration
    let stepsPerUnitTime: Int

    init(_ c: TrafficModelConfiguration) throws {
        do {
            let solver = c.stepsPerUnitTime > 0
                ? try SolverConfiguration.named(c.solver, step: 1 / Double(c.stepsPerUnitTime))
                : try SolverConfiguration.named(c.solver, tolerance: Tolerance(relative: c.tolerance, absolute: c.tolerance))
            integration = try TapedIntegration(solver: solver)
        } catch {
            throw TrafficODEError("", "ODE solver '\(c.solver)': \(error)")
        }
        stepsPerUnitTime = c.stepsPerUnitTime
    }

    /// The state at `end` from `initial` at `start`; `field` on the tape, `valueField` the same
    /// field with constant weights (used only to choose adaptive steps).
    func integrate(_ initial: Variable<Float>, from start: Double, to end: Double,
                   field: (Variable<Float>) throws -> Variable<Float>,
                   valueField: @escaping (Variable<Float>) throws -> Variable<Float>) throws -> Variable<Float> {
        let boundaries: [Double]
        if stepsPerUnitTime > 0 {
            boundaries = TapedIntegration.uniformBoundaries(from: start, to: end, steps: Int((Double(stepsPerUnitTime) * (end - start)).rounded(.up)))
        } else {
            let shape = initial.value.shape
            boundaries = try integration.stepBoundaries(initial: initial.value.scalars.map(Double.init), from: start, to: end) { _, y in
                guard let x = try? Tensor<Float>(shape: shape, scalars: y.map { Float($0) }), let f = try? valueField(Variable(x)) else {
                    return [Double](repeating: .nan, count: y.count)
                }
                return f.value.scalars.map(Double.init)
            }
        }
        return try integration.integrate(initial, boundaries: boundaries) { _, y in try field(y) }
    }
}
