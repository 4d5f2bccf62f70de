/// Explicit (forward) Euler method: `y_{n+1} = y_n + h f(t_n, y_n)`. Order 1, 1 stage, fixed step.
/// Dense output: cubic Hermite (order 1, limited by the method).
public struct Euler: ExplicitRungeKuttaMethod {
    public init() {}
    public var name: String { "Euler" }
    public var tableau: ButcherTableau { Self.coefficients }

    @usableFromInline
    static let coefficients = ButcherTableau(a: [[]], b: [1], c: [0], order: 1)
}
