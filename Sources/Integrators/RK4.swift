/// The classical fourth-order Runge–Kutta method (Kutta 1901), 4 stages, fixed step:
///
///     c = (0, 1/2, 1/2, 1), a21 = 1/2, a32 = 1/2, a43 = 1, b = (1/6, 1/3, 1/3, 1/6)
///
/// Dense output: cubic Hermite (order 3).
public struct RK4: ExplicitRungeKuttaMethod {
    public init() {}
    public var name: String { "RK4" }
    public var tableau: ButcherTableau { Self.coefficients }

    @usableFromInline
    static let coefficients = ButcherTableau(
        a: [[], [0.5], [0, 0.5], [0, 0, 1]],
        b: [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6],
        c: [0, 0.5, 0.5, 1],
        order: 4)
}
