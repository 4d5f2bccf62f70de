/// Dormand–Prince 5(4) pair (J. R. Dormand, P. J. Prince, "A family of embedded Runge–Kutta
/// formulae", J. Comput. Appl. Math. 6 (1980) 19–26), as in Hairer's DOPRI5 / MATLAB `ode45`.
/// 7 stages, FSAL (6 new RHS calls per step); solution order 5, error estimator order 4.
///
/// Dense output: the standard 4th-order continuous extension (Shampine 1986, "Some practical
/// Runge–Kutta formulas", Math. Comp. 46; coefficients `d_i` as in Hairer–Nørsett–Wanner I, II.6,
/// DOPRI5's `CONTD5`):
///
///     u(θ) = y_n + θ(Δ + (1-θ)(B + θ(C + (1-θ)D))),   Δ = y_{n+1} - y_n,  B = h k1 - Δ,
///     C = Δ - h k7 - B,   D = h Σ d_i k_i
///
/// expanded here into stage weights `b_i(θ)` (degree 4).
public struct DormandPrince5: AdaptiveRungeKuttaMethod {
    public init() {}
    public var name: String { "DormandPrince5" }
    public var tableau: ButcherTableau { Self.coefficients }

    @usableFromInline
    static let coefficients: ButcherTableau = {
        let b = [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0]
        let e = [71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40]
        let d = [
            -12715105075.0 / 11282082432, 0, 87487479700.0 / 32700410799, -10690763975.0 / 1880347072,
            701980252875.0 / 199316789632, -1453857185.0 / 822651844, 69997945.0 / 29380423,
        ]
        // θ-polynomial weights from expanding Hairer's form: with δ0 = [i == 0], δ6 = [i == 6],
        // θ: δ0;  θ²: 3b - 2δ0 - δ6 + d;  θ³: -2b + δ0 + δ6 - 2d;  θ⁴: d.
        var weights = [[Double]]()
        for i in 0..<7 {
            let d0: Double = i == 0 ? 1 : 0
            let d6: Double = i == 6 ? 1 : 0
            weights.append([d0, 3 * b[i] - 2 * d0 - d6 + d[i], -2 * b[i] + d0 + d6 - 2 * d[i], d[i]])
        }
        return ButcherTableau(
            a: [
                [],
                [1.0 / 5],
                [3.0 / 40, 9.0 / 40],
                [44.0 / 45, -56.0 / 15, 32.0 / 9],
                [19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729],
                [9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656],
                [35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84],
            ],
            b: b,
            c: [0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1],
            errorWeights: e,
            order: 5,
            embeddedOrder: 4,
            denseOutput: DenseOutputTableau(
                weights: weights, order: 4, name: "Dormand–Prince/Shampine 4th-order continuous extension"))
    }()
}
