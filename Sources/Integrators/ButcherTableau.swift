/// Coefficients of an explicit Runge–Kutta method with `s` stages:
///
///     k_1 = f(t, y)
///     k_i = f(t + c_i h, y + h Σ_{j<i} a_ij k_j),      i = 2...s
///     y_{n+1} = y + h Σ_i b_i k_i                        (order `order`)
///     err     = h Σ_i e_i k_i,  e_i = b_i - b̂_i          (b̂: embedded order `embeddedOrder`)
///
/// Stage numbering in code is 0-based. The method is FSAL ("first same as last") when its last
/// stage is evaluated at `y_{n+1}` (`c_s = 1`, `a_s = b`, `b_s = 0`); this is detected
/// automatically. For non-FSAL methods the integrator evaluates `f(t_{n+1}, y_{n+1})` after each
/// accepted step as an extra stage numbered `s` (reused as the next step's `k_1`). Dense output
/// extra stages (if any) follow that "end derivative" stage.
public struct ButcherTableau: Sendable {
    /// Strictly lower triangular `A`: row `i` (0-based) has `i` entries.
    public let a: [[Double]]
    /// Weights `b` of the propagated solution (`s` entries).
    public let b: [Double]
    /// Nodes `c` (`s` entries, `c[0] == 0`).
    public let c: [Double]
    /// `e = b - b̂` (`s` entries) for the embedded error estimate; `nil` for fixed-step-only methods.
    public let errorWeights: [Double]?
    /// Classical order `p` of `y_{n+1}`.
    public let order: Int
    /// Order of the embedded solution `b̂` (the error estimator's order `q`), if any.
    public let embeddedOrder: Int?
    /// Continuous extension used for dense output.
    public let denseOutput: DenseOutputTableau
    /// Whether the last stage is `f(t_{n+1}, y_{n+1})`.
    public let isFSAL: Bool

    /// Number of main stages `s`.
    @inlinable public var stageCount: Int { b.count }
    /// Index of the stage holding `f(t_{n+1}, y_{n+1})`: `s - 1` (FSAL) or `s`.
    @inlinable public var endDerivativeStage: Int { isFSAL ? b.count - 1 : b.count }
    /// Main stages + end derivative (if not FSAL) + dense-output extra stages.
    @inlinable public var totalStageCount: Int { endDerivativeStage + 1 + denseOutput.extraStages.count }

    /// Creates a tableau. `denseOutput: nil` selects the cubic Hermite interpolant built from
    /// `y_n, y_{n+1}, f(t_n, y_n), f(t_{n+1}, y_{n+1})` (order 3).
    /// Inconsistent shapes are programmer errors (precondition failures).
    public init(
        a: [[Double]], b: [Double], c: [Double], errorWeights: [Double]? = nil,
        order: Int, embeddedOrder: Int? = nil, denseOutput: DenseOutputTableau? = nil
    ) {
        let s = b.count
        precondition(s >= 1 && a.count == s && c.count == s, "tableau: a, b, c must have s rows")
        for i in 0..<s { precondition(a[i].count == i, "tableau: row \(i) of A must have \(i) entries") }
        precondition(c[0] == 0, "tableau: explicit methods need c[0] == 0")
        if let e = errorWeights {
            precondition(e.count == s, "tableau: errorWeights must have s entries")
            precondition(embeddedOrder != nil, "tableau: errorWeights need embeddedOrder")
        }
        self.a = a
        self.b = b
        self.c = c
        self.errorWeights = errorWeights
        self.order = order
        self.embeddedOrder = embeddedOrder
        let fsal = s >= 2 && c[s - 1] == 1 && b[s - 1] == 0 && Array(b[0..<(s - 1)]) == a[s - 1]
        self.isFSAL = fsal
        let end = fsal ? s - 1 : s
        let dense = denseOutput ?? DenseOutputTableau.cubicHermite(b: b, endDerivativeStage: end)
        for (j, stage) in dense.extraStages.enumerated() {
            precondition(stage.a.count <= end + 1 + j, "tableau: extra stage \(j) references a later stage")
        }
        precondition(dense.weights.count <= end + 1 + dense.extraStages.count, "tableau: too many dense weights")
        self.denseOutput = dense
    }
}

/// A continuous extension ("interpolant") of a Runge–Kutta step:
///
///     u(t_n + θh) = y_n + h Σ_i b_i(θ) k_i,     b_i(θ) = Σ_{p=1}^{degree} weights[i][p-1] θ^p,  θ ∈ [0, 1]
///
/// where `i` runs over all stages in the integrator's numbering: main stages, the end derivative
/// `f(t_{n+1}, y_{n+1})` for non-FSAL methods, then `extraStages` (each
/// `k = f(t_n + c h, y_n + h Σ_j a_j k_j)`).
public struct DenseOutputTableau: Sendable {
    /// An additional stage evaluated only for dense output.
    public struct ExtraStage: Sendable {
        /// Node `c`.
        public let c: Double
        /// Coefficients on all earlier stages (shorter rows are zero-padded).
        public let a: [Double]
        public init(c: Double, a: [Double]) {
            self.c = c
            self.a = a
        }
    }

    /// Extra stages (empty for most methods).
    public let extraStages: [ExtraStage]
    /// `weights[i][p-1]`: coefficient of `θ^p` in `b_i(θ)`. Rows may be shorter/fewer (zero-padded).
    public let weights: [[Double]]
    /// Order of the interpolant (local error `O(h^(order+1))` for `θ ∈ (0, 1)`).
    public let order: Int
    /// Human-readable name.
    public let name: String

    /// Polynomial degree in `θ`.
    public var degree: Int { weights.map(\.count).max() ?? 1 }

    public init(weights: [[Double]], extraStages: [ExtraStage] = [], order: Int, name: String) {
        self.weights = weights
        self.extraStages = extraStages
        self.order = order
        self.name = name
    }

    /// Cubic Hermite interpolation between `(y_n, f_n)` and `(y_{n+1}, f_{n+1})` written in stage form:
    ///
    ///     b_i(θ) = b_i (3θ² - 2θ³) + δ_{i,0} (θ - 2θ² + θ³) + δ_{i,end} (θ³ - θ²)
    ///
    /// Order `min(3, p)` for a method of order `p` (third order for `p >= 3`).
    public static func cubicHermite(b: [Double], endDerivativeStage end: Int) -> DenseOutputTableau {
        var w = [[Double]](repeating: [0, 0, 0], count: Swift.max(b.count, end + 1))
        for i in 0..<b.count {
            w[i][1] += 3 * b[i]
            w[i][2] += -2 * b[i]
        }
        w[0][0] += 1
        w[0][1] += -2
        w[0][2] += 1
        w[end][1] += -1
        w[end][2] += 1
        return DenseOutputTableau(weights: w, order: 3, name: "cubic Hermite")
    }
}

/// An explicit Runge–Kutta method: a small value wrapping a ``ButcherTableau``; an ``ODEMethod``
/// whose stepper is ``ExplicitRungeKuttaStepper``. Without an embedded estimator it takes fixed
/// steps (`solve(_:using:step:...)` or `controller: FixedStep(h)`).
public protocol ExplicitRungeKuttaMethod: ODEMethod, Sendable where Stepper == ExplicitRungeKuttaStepper {
    /// The method's coefficients (should be a stored static constant: it is read once per solve).
    var tableau: ButcherTableau { get }
    /// Short name, e.g. `"Tsit5"`.
    var name: String { get }
}

/// An explicit Runge–Kutta method with an embedded error estimator (`tableau.errorWeights != nil`),
/// usable with error control (the default ``PIController``).
public protocol AdaptiveRungeKuttaMethod: ExplicitRungeKuttaMethod {}
