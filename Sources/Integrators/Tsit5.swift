/// Tsitouras 5(4) pair (Ch. Tsitouras, "Runge–Kutta pairs of order 5(4) satisfying only the first
/// column simplifying assumption", Comput. Math. Appl. 62 (2011) 770–775).
/// 7 stages, FSAL (6 new RHS calls per step); solution order 5, error estimator order 4.
///
/// Dense output: Tsitouras' own interpolant (same paper), order 4, degree 4 in θ:
/// `u(θ) = y_n + h Σ_i b_i(θ) k_i`, with b_i(θ) given in the paper in factored form, e.g.
/// `b_7(θ) = 2.5 θ²(θ - 1)(θ - 0.6)`; expanded here into monomial coefficients.
///
/// Coefficient values: the paper's tableau as also tabulated in OrdinaryDiffEq.jl and diffrax.
public struct Tsit5: AdaptiveRungeKuttaMethod {
    public init() {}
    public var name: String { "Tsit5" }
    public var tableau: ButcherTableau { Self.coefficients }

    @usableFromInline
    static let coefficients: ButcherTableau = {
        let b: [Double] = [
            0.09646076681806522951816731316512876333712,
            0.01,
            0.4798896504144995747752495322905965199130,
            1.379008574103741893192274821856872770756,
            -3.290069515436080679901047585711363850116,
            2.324710524099773982415355918398765796109,
        ]
        let bHat: [Double] = [
            0.09468075576583945807478876255758922856118,
            0.009183565540343253096776363936645313759814,
            0.4877705284247615707855642599631228241517,
            1.234297566930478985655109673884237654036,
            -2.707712349983525454881109975059321670690,
            1.866628418170587035753719399566211498666,
            1.0 / 66,
        ]
        let a: [[Double]] = [
            [],
            [0.161],
            [-0.008480655492356988544426874250230774675121, 0.3354806554923569885444268742502307746751],
            [
                2.897153057105493432130432594192938764925, -6.359448489975074843148159912383825625953,
                4.362295432869581411017727318190886861028,
            ],
            [
                5.325864828439256604428877920840511317836, -11.74888356406282787774717033978577296189,
                7.495539342889836208304604784564358155659, -0.09249506636175524925650207933207191611350,
            ],
            [
                5.861455442946420028659251486982647890394, -12.92096931784710929170611868178335939542,
                8.159367898576158643180400794539253485182, -0.07158497328140099722453054252582973869127,
                -0.02826905039406838290900305721271224146718,
            ],
            b,
        ]
        let bFull = b + [0]
        // b_i(θ) = w[i][0] θ + w[i][1] θ² + w[i][2] θ³ + w[i][3] θ⁴ (expanded from the paper's factored form).
        let weights: [[Double]] = [
            [1, -2.7637061972748258, 2.9132554618219126, -1.0530884977290216],
            [0, 0.1317, -0.2234, 0.1017],
            [0, 3.9302962368947512, -5.9410338721315048, 2.4906272856512528],
            [0, -12.411077166933676, 30.338188630282318, -16.548102889244902],
            [0, 37.509313416511041, -88.178904894766404, 47.379521962819283],
            [0, -27.896526289197286, 65.091894674793679, -34.870657861496611],
            [0, 1.5, -4, 2.5],
        ]
        return ButcherTableau(
            a: a,
            b: bFull,
            c: [0, 0.161, 0.327, 0.9, 0.9800255409045096857298102862870245954942, 1, 1],
            errorWeights: zip(bFull, bHat).map { $0 - $1 },
            order: 5,
            embeddedOrder: 4,
            denseOutput: DenseOutputTableau(weights: weights, order: 4, name: "Tsitouras 4th-order interpolant"))
    }()
}
