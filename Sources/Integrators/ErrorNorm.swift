/// RMS (Hairer) norm of a scaled error vector, with a finiteness check of `yNew`:
///
///     sc_i = atol_i + rtol_i * max(|y_i|, |yNew_i|)
///     ‖e‖  = sqrt( (1/n) Σ_i (h · e_i / sc_i)^2 )
///
/// `error(i)` returns component `i` of the error combination `Σ_j (b_j - b̂_j) k_j` (without the
/// factor `h`); it is inlined, so no error vector is materialised.
/// Returns NaN/Inf if any `yNew_i` or `e_i` is not finite (the caller rejects the step).
@inlinable @inline(__always)
func scaledErrorNorm(
    h: Double,
    y: UnsafeMutablePointer<Double>,
    yNew: UnsafeMutablePointer<Double>,
    absolute atol: UnsafeMutablePointer<Double>,
    relative rtol: UnsafeMutablePointer<Double>,
    count n: Int,
    error: (Int) -> Double
) -> Double {
    var sum = 0.0
    var poison = 0.0  // stays 0 unless some yNew_i is NaN/Inf (x * 0 is NaN for those)
    for i in 0..<n {
        let yi = yNew[i]
        poison += yi * 0
        let sc = atol[i] + rtol[i] * Swift.max(abs(y[i]), abs(yi))
        let r = h * error(i) / sc
        sum += r * r
    }
    return (sum / Double(n)).squareRoot() + poison
}

/// Plain RMS norm of `v_i / (atol_i + rtol_i |y_i|)`, used by the initial step selection.
@inlinable
func weightedRMSNorm(
    _ v: UnsafeMutablePointer<Double>,
    y: UnsafeMutablePointer<Double>,
    absolute atol: UnsafeMutablePointer<Double>,
    relative rtol: UnsafeMutablePointer<Double>,
    count n: Int
) -> Double {
    var sum = 0.0
    for i in 0..<n {
        let r = v[i] / (atol[i] + rtol[i] * abs(y[i]))
        sum += r * r
    }
    return (sum / Double(n)).squareRoot()
}

/// `true` iff all `n` entries are finite.
@inlinable
func allFinite(_ v: UnsafeMutablePointer<Double>, count n: Int) -> Bool {
    var poison = 0.0
    for i in 0..<n { poison += v[i] * 0 }
    return poison == 0
}
