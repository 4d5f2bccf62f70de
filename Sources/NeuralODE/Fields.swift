import Tensors

/// A multilayer perceptron `f(t, y) = W_L σ(… σ(W_1 y + b_1) …) + b_L` with `σ = tanh`: an
/// ``MLP`` in a ``LayerVectorField`` (``field``), with this type's parameter names and seeding.
///
/// `widths = [n, h_1, …, h_m, n]`: input and output width equal the state dimension `n`.
/// With `timeDependent: true` the time `t` is appended to the input as one more feature
/// (the first layer then has `n + 1` inputs).
///
/// Parameters, in order: `weight0, bias0, weight1, bias1, …` with `weight_l: [in_l, out_l]`
/// (used as `x·W`) and `bias_l: [out_l]` — the names checkpoints of the `neural-ode` scenarios
/// carry. Initialisation (seeded, reproducible): weights Glorot/Xavier uniform, biases
/// `U(−1/√in, 1/√in)` (PyTorch's `Linear` bias rule). For any other network, wrap it in a
/// ``LayerVectorField`` directly.
public struct MLPVectorField: NeuralVectorField {
    /// Layer widths `[n, h_1, …, n]`.
    public let widths: [Int]
    /// Whether `t` is an extra input feature.
    public let isTimeDependent: Bool
    /// The network as a layer vector field (parameter names `"0.weight"`, `"0.bias"`, …).
    public var field: LayerVectorField<MLP<Double>>

    public var stateDimension: Int { widths[0] }
    public var parameterNames: [String] {
        (0..<(widths.count - 1)).flatMap { ["weight\($0)", "bias\($0)"] }
    }
    public var parameters: [Tensor<Double>] {
        get { field.parameters }
        set { field.parameters = newValue }
    }

    /// A randomly initialised MLP.
    ///
    /// - Parameters:
    ///   - widths: `[n, h_1, …, h_m, n]`, at least two entries, all positive, first == last.
    ///   - timeDependent: append `t` to the input.
    ///   - outputScale: multiplies the initial last-layer weights and bias (a small value starts
    ///     training near a slow flow).
    ///   - seed: seed of the initialisation.
    /// - Throws: ``NeuralODEError/invalidArgument(_:)`` for unusable widths.
    public init(widths: [Int], timeDependent: Bool = false, outputScale: Double = 1, seed: UInt64) throws {
        guard widths.count >= 2, widths.allSatisfy({ $0 >= 1 }), widths.first == widths.last else {
            throw NeuralODEError.invalidArgument(
                "MLPVectorField: widths must have at least two positive entries with the first (state dimension) "
                    + "equal to the last, got \(widths)")
        }
        guard outputScale.isFinite else {
            throw NeuralODEError.invalidArgument("MLPVectorField: outputScale must be finite, got \(outputScale)")
        }
        self.widths = widths
        self.isTimeDependent = timeDependent
        var inputWidths = widths
        if timeDependent { inputWidths[0] += 1 }
        var network = MLP<Double>(widths: inputWidths, activation: .tanh, seed: seed)
        var params: [Tensor<Double>] = []
        let layers = widths.count - 1
        for l in 0..<layers {
            let fanIn = inputWidths[l], fanOut = widths[l + 1]
            let scale = l == layers - 1 ? outputScale : 1
            let layerSeed = seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(2 * l + 1)
            let w = Tensor<Double>.xavierUniform(shape: [fanIn, fanOut], fanIn: fanIn, fanOut: fanOut, seed: layerSeed)
            let bound = 1 / Double(fanIn).squareRoot()
            let b = Tensor<Double>.randomUniform(shape: [fanOut], lower: -bound, upper: bound, seed: layerSeed &+ 1)
            params.append(w * scale)
            params.append(b * scale)
        }
        network.parameters = Parameters(Array(zip(network.parameters.names, params)))
        field = try LayerVectorField(network, stateDimension: widths[0], timeDependent: timeDependent)
    }

    public func evaluate(time: Double, state: Variable<Double>, parameters: [Variable<Double>]) throws -> Variable<Double> {
        let layers = widths.count - 1
        guard parameters.count == 2 * layers else {
            throw NeuralODEError.invalidArgument(
                "MLPVectorField: expected \(2 * layers) parameter tensors, got \(parameters.count)")
        }
        return try field.evaluate(time: time, state: state, parameters: parameters)
    }
}

/// The linear field `f(t, y) = A y` with the matrix `A` (`[n, n]`) as its one parameter,
/// named `"A"`. Exact solutions and gradients are known (matrix exponential and its Fréchet
/// derivative), which makes it the reference case for the gradient methods.
public struct LinearVectorField: NeuralVectorField {
    public var parameters: [Tensor<Double>]
    public var stateDimension: Int { parameters[0].shape[0] }
    public var parameterNames: [String] { ["A"] }

    /// - Throws: ``NeuralODEError/invalidArgument(_:)`` unless `matrix` is square `[n, n]`, `n >= 1`.
    public init(matrix: Tensor<Double>) throws {
        guard matrix.rank == 2, matrix.shape[0] == matrix.shape[1], matrix.shape[0] >= 1 else {
            throw NeuralODEError.invalidArgument("LinearVectorField: A must be a square [n, n] matrix, got \(matrix.shape)")
        }
        parameters = [matrix]
    }

    public func evaluate(time: Double, state: Variable<Double>, parameters: [Variable<Double>]) throws -> Variable<Double> {
        guard parameters.count == 1 else {
            throw NeuralODEError.invalidArgument("LinearVectorField: expected 1 parameter tensor, got \(parameters.count)")
        }
        // Rows of the batch are states: (A y)ᵀ = yᵀ Aᵀ.
        return try state.matmul(parameters[0].transposed())
    }
}
