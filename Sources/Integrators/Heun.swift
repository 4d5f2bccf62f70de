/// Heun's method (explicit trapezoidal rule), order 2, 2 stages, fixed step:
///
///     k1 = f(t, y), k2 = f(t + h, y + h k1), y_{n+1} = y + h (k1 + k2) / 2
///
/// Dense output: cubic Hermite (order 2, limited by the method).
public struct Heun: ExplicitRungeKuttaMethod {
    public init() {}
    public var name: String { "Heun" }
    public var tableau: ButcherTableau { Self.coefficients }

    @usableFromInline
    static let coefficients = ButcherTableau(
        a: [[], [1]],
        b: [0.5, 0.5],
        c: [0, 1],
        order: 2)
}
