import Tensors

/// A scalar loss `L(y(t_1), …, y(t_K))` of the states observed at the observation times,
/// written with ``Tensors`` ``Variable`` operations; its gradients `∂L/∂y(t_k)` (the jumps of the
/// adjoint) come from one backward pass.
///
/// The closure receives one variable per observation time, each with the shape of the initial
/// state (`[n]` or `[B, n]`), and returns a one-element variable.
///
/// ```swift
/// let loss = TrajectoryLoss { states in try (states[0] - Variable(target)).squared().sum() }
/// ```
public struct TrajectoryLoss {
    let body: ([Variable<Double>]) throws -> Variable<Double>

    public init(_ body: @escaping ([Variable<Double>]) throws -> Variable<Double>) {
        self.body = body
    }

    /// `L` at the given observed states.
    public func callAsFunction(_ states: [Tensor<Double>]) throws -> Double {
        try valueAndGradients(at: states).value
    }

    /// `L` and `∂L/∂y(t_k)` for every observed state.
    /// - Throws: ``NeuralODEError`` when the closure does not return one element; errors of the closure.
    public func valueAndGradients(at states: [Tensor<Double>]) throws -> (value: Double, gradients: [Tensor<Double>]) {
        let tape = Tape<Double>()
        let leaves = states.map { tape.variable($0) }
        let out = try body(leaves)
        guard let value = out.value.scalar else {
            throw NeuralODEError.invalidArgument("TrajectoryLoss: the loss must be one element, got shape \(out.shape)")
        }
        guard out.isTracked else {
            return (value, states.map { Tensor(shape: $0.shape, repeating: 0) })
        }
        let grads = try out.backward()
        return (value, leaves.map { grads[$0] })
    }

    /// The mean squared error over all observations and components:
    /// `L = (1 / (K·m)) Σ_k ‖y(t_k) − target_k‖²`, `m` = elements per state.
    public static func meanSquaredError(targets: [Tensor<Double>]) -> TrajectoryLoss {
        TrajectoryLoss { states in
            guard states.count == targets.count, let first = states.first else {
                throw NeuralODEError.invalidArgument(
                    "meanSquaredError: \(targets.count) targets for \(states.count) observed states")
            }
            var total = try (states[0] - Variable(targets[0])).squared().sum()
            for k in 1..<states.count {
                total = try total + (states[k] - Variable(targets[k])).squared().sum()
            }
            return total * (1 / Double(states.count * first.value.count))
        }
    }
}
