// Coefficients of Kennedy & Carpenter's additive Runge–Kutta pairs (Appl. Numer. Math. 44, 2003),
// the rational values as tabulated in ARKODE's Butcher-table documentation (tables
// ARK324L2SA_ERK_4_2_3 / ARK324L2SA_DIRK_4_2_3 and ARK436L2SA_ERK_6_3_4 / ARK436L2SA_DIRK_6_3_4).
// Checked with exact rational arithmetic: rows of both A sum to c (to 1e-26), b satisfies the
// order conditions up to the method's order (including the coupling conditions to order 4 for
// ARK4(3)6L), b̂ those of the embedded order; TableauTests repeats the checks in Double.

/// `p/q`.
private func r(_ p: Double, _ q: Double) -> Double { p / q }

enum KennedyCarpenter {
    /// ARK3(2)4L[2]SA.
    static let ark324: AdditiveTableau = {
        let gamma = r(1767732205903, 4055673282236)
        let b = [r(1471266399579, 7840856788654), r(-4482444167858, 7529755066697),
                 r(11266239266428, 11593286722821), gamma]
        return AdditiveTableau(
            explicitA: [
                [],
                [r(1767732205903, 2027836641118)],
                [r(5535828885825, 10492691773637), r(788022342437, 10882634858940)],
                [r(6485989280629, 16251701735622), r(-4246266847089, 9704473918619), r(10755448449292, 10357097424841)],
            ],
            implicitA: [
                [],
                [gamma, gamma],
                [r(2746238789719, 10658868560708), r(-640167445237, 6845629431997), gamma],
                b,
            ],
            c: [0, r(1767732205903, 2027836641118), r(3, 5), 1],
            b: b,
            bHat: [r(2756255671327, 12835298489170), r(-10771552573575, 22201958757719),
                   r(9247589265047, 10645013368117), r(2193209047091, 5459859503100)],
            order: 3, embeddedOrder: 2)
    }()

    /// ARK4(3)6L[2]SA.
    static let ark436: AdditiveTableau = {
        let b = [r(82889, 524892), 0, r(15625, 83664), r(69875, 102672), r(-2260, 8211), r(1, 4)]
        return AdditiveTableau(
            explicitA: [
                [],
                [r(1, 2)],
                [r(13861, 62500), r(6889, 62500)],
                [r(-116923316275, 2393684061468), r(-2731218467317, 15368042101831), r(9408046702089, 11113171139209)],
                [r(-451086348788, 2902428689909), r(-2682348792572, 7519795681897), r(12662868775082, 11960479115383),
                 r(3355817975965, 11060851509271)],
                [r(647845179188, 3216320057751), r(73281519250, 8382639484533), r(552539513391, 3454668386233),
                 r(3354512671639, 8306763924573), r(4040, 17871)],
            ],
            implicitA: [
                [],
                [r(1, 4), r(1, 4)],
                [r(8611, 62500), r(-1743, 31250), r(1, 4)],
                [r(5012029, 34652500), r(-654441, 2922500), r(174375, 388108), r(1, 4)],
                [r(15267082809, 155376265600), r(-71443401, 120774400), r(730878875, 902184768), r(2285395, 8070912),
                 r(1, 4)],
                b,
            ],
            c: [0, r(1, 2), r(83, 250), r(31, 50), r(17, 20), 1],
            b: b,
            bHat: [r(4586570599, 29645900160), 0, r(178811875, 945068544), r(814220225, 1159782912),
                   r(-3700637, 11593932), r(61727, 225920)],
            order: 4, embeddedOrder: 3)
    }()
}
