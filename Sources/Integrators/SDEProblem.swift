/// How the diffusion `g(t, X)` of an ``SDEProblem`` couples to the Wiener process.
public enum NoiseKind: Sendable, Equatable {
    /// `n` independent Wiener processes: component `i` gets `g_i(t, X) dW_i`.
    ///
    /// Milstein and SRIW1 reach strong order 1 / 1.5 when `g_i` depends on `X` only through
    /// `X_i` (the usual "diagonal noise" assumption; otherwise the mixed terms would need the
    /// Lévy areas between different components, which are not simulated).
    case diagonal
    /// One Wiener process for all components: component `i` gets `g_i(t, X) dW`.
    case scalar
}

/// An Itô stochastic differential equation
///
///     dX = f(t, X) dt + g(t, X) dW   (Itô),   X(start) = initial,
///
/// on a flat `Double` state of `n = initial.count` components, integrated forward from `start` to
/// `end` (`end > start`). Both `drift` (`f`) and `diffusion` (`g`) have the ``ODEFunction`` shape
/// and write `n` components; how `g` meets the noise is ``noise`` (``NoiseKind``).
///
/// - `isAdditive`: declare that `g` depends on `t` only (not on `X`). Required by ``SRA1``; lets
///   ``Milstein`` skip its correction term. With it, `g` is still called with a valid state (the
///   state at the start of the step) that it must ignore.
/// - `diffusionDerivative`: optional `L¹g = (∂g/∂X)·g`, i.e. component `i` is
///   `Σ_k g_k ∂g_i/∂X_k` (for diagonal noise that is `g_i ∂g_i/∂X_i`). Only ``Milstein`` uses it;
///   when `nil`, Milstein uses the forward difference `(g(t, X + δg) - g(t, X))/δ` with
///   `δ = √ε · max(1, ‖X‖∞) / ‖g‖∞` (one extra `g` call, error `O(√ε)` relative).
///
/// Inputs are validated by `solve` (``IntegrationError``: empty or non-finite initial state,
/// non-finite or empty span, `end < start`).
public struct SDEProblem {
    /// Initial state `X(start)`, `n` components.
    public var initial: [Double]
    /// Initial time.
    public var start: Double
    /// Final time (`> start`).
    public var end: Double
    /// Drift `f(t, X)`.
    public var drift: ODEFunction
    /// Diffusion `g(t, X)` (`n` components).
    public var diffusion: ODEFunction
    /// Noise structure.
    public var noise: NoiseKind
    /// Whether `g` is independent of `X`.
    public var isAdditive: Bool
    /// Optional `(∂g/∂X)·g` for Milstein (see the type documentation).
    public var diffusionDerivative: ODEFunction?

    public init(
        initial: [Double],
        timeSpan: ClosedRange<Double>,
        noise: NoiseKind = .diagonal,
        isAdditive: Bool = false,
        drift: @escaping ODEFunction,
        diffusion: @escaping ODEFunction,
        diffusionDerivative: ODEFunction? = nil
    ) {
        self.init(
            initial: initial, from: timeSpan.lowerBound, to: timeSpan.upperBound, noise: noise, isAdditive: isAdditive,
            drift: drift, diffusion: diffusion, diffusionDerivative: diffusionDerivative)
    }

    public init(
        initial: [Double],
        from start: Double,
        to end: Double,
        noise: NoiseKind = .diagonal,
        isAdditive: Bool = false,
        drift: @escaping ODEFunction,
        diffusion: @escaping ODEFunction,
        diffusionDerivative: ODEFunction? = nil
    ) {
        self.initial = initial
        self.start = start
        self.end = end
        self.drift = drift
        self.diffusion = diffusion
        self.noise = noise
        self.isAdditive = isAdditive
        self.diffusionDerivative = diffusionDerivative
    }

    /// Number of state components `n`.
    @inlinable public var dimension: Int { initial.count }

    /// Number of independent Wiener processes: `n` for diagonal noise, `1` for scalar noise.
    @inlinable public var noiseDimension: Int { noise == .scalar ? 1 : initial.count }
}

/// Validates the problem's state and span (SDEs are integrated forward only).
@usableFromInline
func validate(_ problem: SDEProblem) throws(IntegrationError) {
    guard !problem.initial.isEmpty else { throw .emptyInitialState }
    for (i, v) in problem.initial.enumerated() where !v.isFinite {
        throw .invalidInitialState(index: i, value: v)
    }
    guard problem.start.isFinite, problem.end.isFinite, problem.start != problem.end else {
        throw .invalidTimeSpan(start: problem.start, end: problem.end)
    }
    guard problem.end > problem.start else {
        throw .invalidArgument(
            "SDE problems are integrated forward in time: end = \(problem.end) must exceed start = \(problem.start)")
    }
}
