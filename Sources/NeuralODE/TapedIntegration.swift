import Integrators
import Tensors

/// An ODE solved inside a larger network and differentiated through (discretise-then-optimise):
/// dy/dt = f(t, y) from `start` to `end`, where f and y are ``Variable``s on the caller's tape
/// (e.g. the ODE blocks of a graph network, whose parameters and initial state come from layers
/// before them). Any explicit Runge–Kutta method of the core:
///
/// - fixed steps (`.fixed(Euler(), step: 1 / 6)` or `.named("Euler", step: …)`): the steps are
///   replayed on the tape directly;
/// - adaptive (`.adaptive(Tsit5(), tolerance: …)`): the core's integrator first chooses and
///   accepts the steps on the values (``stepBoundaries(initial:from:to:rhs:)``), then the same
///   steps are replayed on the tape with the method's propagating weights, so the gradient is the
///   exact derivative of the computed solution.
public struct TapedIntegration: Sendable {
    public let solver: SolverConfiguration
    let step: RungeKuttaStep

    /// - Throws: ``NeuralODEError/invalidArgument(_:)`` for a method without Runge–Kutta coefficients.
    public init(solver: SolverConfiguration) throws {
        guard let tableau = solver.tableau else {
            throw NeuralODEError.invalidArgument("\(solver.methodName) has no explicit Runge–Kutta tableau; an ODE block needs one (e.g. Euler, RK4, Tsit5)")
        }
        self.solver = solver
        step = RungeKuttaStep(tableau)
    }

    /// Network evaluations per step.
    public var evaluationsPerStep: Int { step.stageCount }

    /// The step boundaries `[start, …, end]` the solver takes for the problem whose right-hand
    /// side on plain values is `rhs(t, y)` (for a fixed-step solver they do not depend on it).
    public func stepBoundaries(initial: [Double], from start: Double, to end: Double,
                               rhs: @escaping (Double, [Double]) -> [Double]) throws -> [Double] {
        var integrator = try solver.makeIntegrator(ODEProblem(initial: initial, from: start, to: end) { t, y, dy in
            let f = rhs(t, Array(y))
            for i in 0..<dy.count { dy[i] = i < f.count ? f[i] : .nan }
        })
        var boundaries = [start]
        while !integrator.isFinished {
            let before = integrator.time
            try integrator.step()
            if integrator.time != before { boundaries.append(integrator.time) }
        }
        return boundaries
    }

    /// Fixed-step boundaries without a right-hand side: `count` equal steps over the span.
    public static func uniformBoundaries(from start: Double, to end: Double, steps count: Int) -> [Double] {
        (0...max(count, 1)).map { start + (end - start) * Double($0) / Double(max(count, 1)) }
    }

    /// y at the last boundary, recorded on the tape: one Runge–Kutta step of the method between
    /// consecutive `boundaries`, the field evaluated as `field(t, y)`.
    public func integrate<Scalar: TensorScalar>(
        _ initial: Variable<Scalar>, boundaries: [Double], field: (Double, Variable<Scalar>) throws -> Variable<Scalar>
    ) throws -> Variable<Scalar> {
        var y = initial
        for (t0, t1) in zip(boundaries, boundaries.dropFirst()) {
            y = try step.step(time: t0, size: t1 - t0, state: y, field: field)
        }
        return y
    }
}
