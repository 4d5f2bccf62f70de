/// Hairer's initial step size selection (Hairer, Nørsett & Wanner, *Solving ODEs I*, II.4,
/// "Starting Step Size"; as in DOPRI5's `hinit`). With `sc_i = atol_i + rtol_i |y0_i|` and the
/// RMS norm `‖·‖` of `v_i / sc_i`, `p` the method's order:
///
///     d0 = ‖y0‖, d1 = ‖f(t0, y0)‖
///     h0 = (d0 < 1e-5 or d1 < 1e-5) ? 1e-6 : 0.01 d0 / d1
///     y1 = y0 + h0 f(t0, y0);  d2 = ‖f(t0 + h0, y1) - f(t0, y0)‖ / h0       (one RHS evaluation)
///     h1 = max(d1, d2) <= 1e-15 ? max(1e-6, 1e-3 h0) : (0.01 / max(d1, d2))^(1/(p+1))
///     h  = min(100 h0, h1, |t1 - t0|, maxStep)
///
/// Returns the magnitude `h > 0`; `h0` is signed with `direction` when stepping.
/// `f0` must hold `f(t0, y0)`; `scratchY` and `scratchF` are `n`-vectors that are overwritten.
@inlinable
func hairerInitialStep(
    count n: Int,
    t0: Double,
    y0: UnsafeMutablePointer<Double>,
    f0: UnsafeMutablePointer<Double>,
    direction: Double,
    order p: Int,
    absolute atol: UnsafeMutablePointer<Double>,
    relative rtol: UnsafeMutablePointer<Double>,
    spanLength: Double,
    maxStep: Double,
    scratchY: UnsafeMutablePointer<Double>,
    scratchF: UnsafeMutablePointer<Double>,
    evaluate: (Double, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void
) -> Double {
    let d0 = weightedRMSNorm(y0, y: y0, absolute: atol, relative: rtol, count: n)
    let d1 = weightedRMSNorm(f0, y: y0, absolute: atol, relative: rtol, count: n)
    var h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1
    h0 = Swift.min(h0, spanLength, maxStep)
    if !(h0 > 0) || !h0.isFinite { h0 = Swift.min(1e-6, spanLength) }

    for i in 0..<n { scratchY[i] = y0[i] + direction * h0 * f0[i] }
    evaluate(t0 + direction * h0, scratchY, scratchF)
    for i in 0..<n { scratchF[i] -= f0[i] }
    let d2 = weightedRMSNorm(scratchF, y: y0, absolute: atol, relative: rtol, count: n) / h0
    guard d2.isFinite else { return h0 }  // the trial state hit trouble: start small; control takes over

    let dmax = Swift.max(d1, d2)
    let h1 = dmax <= 1e-15 ? Swift.max(1e-6, h0 * 1e-3) : power(0.01 / dmax, 1.0 / Double(p + 1))
    return Swift.min(100 * h0, h1, spanLength, maxStep)
}
