import Tensors

/// The outcome of comparing reverse-mode gradients with central finite differences.
struct GradientCheckResult {
    /// ‖analytic − numeric‖₂ / max(‖analytic‖₂, ‖numeric‖₂, 1e-12), over all inputs.
    var relativeError: Double
    /// The largest elementwise |analytic − numeric|.
    var maxAbsoluteError: Double
    /// ‖numeric‖₂, to show the gradient was not trivially zero.
    var numericNorm: Double
}

/// Checks the gradients of any scalar function of tensors: the analytic gradients come from
/// one taped evaluation and `backward()`; the numeric ones from central differences
/// (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h evaluated **without** a tape (untracked variables), so the
/// check also covers the inference path.
func checkGradients(_ inputs: [Tensor<Double>], step h: Double = 1e-5,
                    _ f: ([Variable<Double>]) throws -> Variable<Double>) throws -> GradientCheckResult {
    let tape = Tape<Double>()
    let variables = inputs.map { tape.variable($0) }
    let output = try f(variables)
    precondition(output.value.count == 1, "gradient check needs a scalar function, got shape \(output.shape)")
    let gradients = try output.backward()

    func evaluate(_ xs: [Tensor<Double>]) throws -> Double {
        try f(xs.map { Variable($0) }).value.scalar!
    }
    var diff2 = 0.0, analytic2 = 0.0, numeric2 = 0.0, maxAbs = 0.0
    for (k, x) in inputs.enumerated() {
        let analytic = gradients[variables[k]]
        precondition(analytic.shape == x.shape)
        for i in 0..<x.count {
            var plus = inputs, minus = inputs
            plus[k][flat: i] += h
            minus[k][flat: i] -= h
            let numeric = (try evaluate(plus) - evaluate(minus)) / (2 * h)
            let a = analytic[flat: i]
            diff2 += (a - numeric) * (a - numeric)
            analytic2 += a * a
            numeric2 += numeric * numeric
            maxAbs = max(maxAbs, abs(a - numeric))
        }
    }
    let scale = max(analytic2.squareRoot(), numeric2.squareRoot(), 1e-12)
    return GradientCheckResult(relativeError: diff2.squareRoot() / scale, maxAbsoluteError: maxAbs,
                               numericNorm: numeric2.squareRoot())
}

/// ⟨y, w⟩ for a fixed pseudo-random w of y's shape: turns any tensor output into a scalar
/// whose gradient exercises every output element with a different weight.
func project(_ y: Variable<Double>, seed: UInt64 = 777) throws -> Variable<Double> {
    try (y * Variable(Tensor<Double>.randomNormal(shape: y.shape, seed: seed))).sum()
}

/// Standard-normal test input.
func randn(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> {
    Tensor.randomNormal(shape: shape, seed: seed)
}

/// Test input uniform in [0.5, 2) (for log, sqrt, pow, division).
func positive(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> {
    Tensor.randomUniform(shape: shape, lower: 0.5, upper: 2, seed: seed)
}
