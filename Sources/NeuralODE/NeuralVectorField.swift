import Integrators
import Tensors

/// A vector field `f(t, y; θ)` given by a network with named parameters `θ`.
///
/// The forward pass is written once with ``Tensors`` ``Variable`` operations on a batch of
/// states (`[B, n]` → `[B, n]`); the same code serves
///
/// - inference (the right-hand side of the forward ODE): untracked variables, nothing recorded;
/// - vector–Jacobian products `aᵀ ∂f/∂y`, `aᵀ ∂f/∂θ`: the state and the parameters are leaves
///   on a fresh ``Tape`` and one `backward(seed: a)` gives both (see
///   ``vectorJacobianProduct(time:state:cotangent:)``).
///
/// Conformers must compute `f` only from `time`, `state` and the `parameters` argument (not from
/// their stored ``parameters``): that is what lets the callers track them on a tape.
/// Rows of the batch must be independent (row `b` of the output depends only on row `b` of the
/// state), as for any network applied row by row.
public protocol NeuralVectorField {
    /// Components `n` of one state.
    var stateDimension: Int { get }
    /// One name per parameter tensor, in the order of ``parameters``.
    var parameterNames: [String] { get }
    /// The parameter values `θ`.
    var parameters: [Tensor<Double>] { get set }
    /// `f(t, y; θ)` for a batch `state` of shape `[B, n]`; returns `[B, n]`.
    ///
    /// - Parameters:
    ///   - time: `t`.
    ///   - state: `y`, shape `[B, n]`.
    ///   - parameters: the variables to use for `θ`, same order and shapes as ``parameters``
    ///     (tracked leaves when gradients are wanted, constants for inference).
    /// - Throws: ``TensorError`` from a shape mismatch, or ``NeuralODEError``.
    func evaluate(time: Double, state: Variable<Double>, parameters: [Variable<Double>]) throws -> Variable<Double>
}

/// `f(t, y)` together with the vector–Jacobian products for a cotangent `a`.
public struct VectorJacobianProduct: Sendable {
    /// `f(t, y)`, shape of the state.
    public let value: Tensor<Double>
    /// `aᵀ ∂f/∂y`, shape of the state.
    public let state: Tensor<Double>
    /// `aᵀ ∂f/∂θ_i`, one tensor per parameter (shapes of ``NeuralVectorField/parameters``).
    public let parameters: [Tensor<Double>]
}

extension NeuralVectorField {
    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// All parameters concatenated in order (row-major within each tensor).
    public var flattenedParameters: [Double] { parameters.flatMap(\.scalars) }

    /// Sets all parameters from one flat vector laid out as ``flattenedParameters``.
    /// - Throws: ``NeuralODEError/invalidArgument(_:)`` when the length differs from ``parameterCount``.
    public mutating func setParameters(flattened values: [Double]) throws {
        guard values.count == parameterCount else {
            throw NeuralODEError.invalidArgument(
                "setParameters(flattened:): got \(values.count) values, the field has \(parameterCount) parameters")
        }
        var offset = 0
        parameters = try parameters.map { p in
            defer { offset += p.count }
            return try Tensor(shape: p.shape, scalars: Array(values[offset..<(offset + p.count)]))
        }
    }

    /// Inference: `f(t, y)` for a state of shape `[n]` or `[B, n]` (the result has the same shape).
    public func callAsFunction(_ time: Double, _ state: Tensor<Double>) throws -> Tensor<Double> {
        let batch = try batchSize(of: state, operation: "evaluate")
        let x = try state.reshaped([batch, stateDimension])
        let y = try evaluate(time: time, state: Variable(x), parameters: parameters.map { Variable($0) })
        try checkOutput(y.value, batch: batch)
        return try y.value.reshaped(state.shape)
    }

    /// `f(t, y)`, `aᵀ ∂f/∂y` and `aᵀ ∂f/∂θ` from one evaluation of the network on a fresh tape.
    ///
    /// `state` and `cotangent` have shape `[n]` or `[B, n]` (equal); the results have the same
    /// shape. Cost: one recorded forward pass plus one backward pass.
    public func vectorJacobianProduct(
        time: Double, state: Tensor<Double>, cotangent: Tensor<Double>
    ) throws -> VectorJacobianProduct {
        guard cotangent.shape == state.shape else {
            throw NeuralODEError.invalidArgument(
                "vectorJacobianProduct: cotangent shape \(cotangent.shape) differs from state shape \(state.shape)")
        }
        let batch = try batchSize(of: state, operation: "vectorJacobianProduct")
        let shape = [batch, stateDimension]
        let r = try taped(time: time, state: state.reshaped(shape), parameters: parameters,
                          cotangent: cotangent.reshaped(shape))
        return VectorJacobianProduct(
            value: try r.value.reshaped(state.shape), state: try r.state.reshaped(state.shape), parameters: r.parameters)
    }

    // MARK: internals shared by the solvers

    /// The batch size `B` of a state of shape `[n]` (B = 1) or `[B, n]`.
    func batchSize(of state: Tensor<Double>, operation: String) throws -> Int {
        let n = stateDimension
        switch state.rank {
        case 1 where state.shape[0] == n: return 1
        case 2 where state.shape[1] == n && state.shape[0] >= 1: return state.shape[0]
        default:
            throw NeuralODEError.invalidArgument(
                "\(operation): the state must have shape [\(n)] or [B, \(n)] for a field of dimension \(n), got \(state.shape)")
        }
    }

    func checkOutput(_ value: Tensor<Double>, batch: Int) throws {
        guard value.shape == [batch, stateDimension] else {
            throw NeuralODEError.invalidArgument(
                "the vector field returned shape \(value.shape) for a state of shape [\(batch), \(stateDimension)]")
        }
    }

    /// One taped evaluation: `f`, `aᵀ∂f/∂y`, `aᵀ∂f/∂θ` with everything in `[B, n]` shape.
    func taped(
        time: Double, state: Tensor<Double>, parameters theta: [Tensor<Double>], cotangent: Tensor<Double>
    ) throws -> VectorJacobianProduct {
        let tape = Tape<Double>()
        let y = tape.variable(state)
        let p = theta.map { tape.variable($0) }
        let f = try evaluate(time: time, state: y, parameters: p)
        try checkOutput(f.value, batch: state.shape[0])
        guard f.isTracked else {
            // f depends neither on y nor on θ: all products vanish.
            return VectorJacobianProduct(
                value: f.value, state: Tensor(shape: state.shape, repeating: 0),
                parameters: theta.map { Tensor(shape: $0.shape, repeating: 0) })
        }
        let grads = try f.backward(seed: cotangent)
        return VectorJacobianProduct(value: f.value, state: grads[y], parameters: p.map { grads[$0] })
    }
}

// MARK: flat-buffer helpers

extension Tensor where Scalar == Double {
    /// A tensor of `shape` holding a copy of `buffer` (whose count must match).
    init(shape: [Int], copying buffer: UnsafeBufferPointer<Double>) {
        var t = Tensor(shape: shape, repeating: 0)
        t.withUnsafeMutableBufferPointer { dst in
            for i in 0..<dst.count { dst[i] = buffer[i] }
        }
        self = t
    }

    /// Copies the elements into `out[offset ..< offset + count]`, scaled by `factor`.
    func copy(into out: UnsafeMutableBufferPointer<Double>, at offset: Int, scaledBy factor: Double = 1) {
        withUnsafeBufferPointer { src in
            for i in 0..<src.count { out[offset + i] = factor * src[i] }
        }
    }
}
