/// Bogacki–Shampine 3(2) pair (P. Bogacki, L. F. Shampine, "A 3(2) pair of Runge–Kutta formulas",
/// Appl. Math. Lett. 2 (1989) 321–325); MATLAB's `ode23`. 4 stages, FSAL (3 new RHS calls per step).
///
///     c = (0, 1/2, 3/4, 1)
///     a21 = 1/2;  a32 = 3/4;  a4 = b = (2/9, 1/3, 4/9, 0)          (order 3)
///     b̂ = (7/24, 1/4, 1/3, 1/8)                                     (order 2, error estimator)
///
/// Dense output: cubic Hermite on `y_n, y_{n+1}, f_n, f_{n+1}` (order 3).
public struct BogackiShampine3: AdaptiveRungeKuttaMethod {
    public init() {}
    public var name: String { "BogackiShampine3" }
    public var tableau: ButcherTableau { Self.coefficients }

    @usableFromInline
    static let coefficients: ButcherTableau = {
        let b = [2.0 / 9, 1.0 / 3, 4.0 / 9, 0]
        let bHat = [7.0 / 24, 1.0 / 4, 1.0 / 3, 1.0 / 8]
        return ButcherTableau(
            a: [[], [0.5], [0, 0.75], [2.0 / 9, 1.0 / 3, 4.0 / 9]],
            b: b,
            c: [0, 0.5, 0.75, 1],
            errorWeights: zip(b, bHat).map { $0 - $1 },
            order: 3,
            embeddedOrder: 2)
    }()
}
