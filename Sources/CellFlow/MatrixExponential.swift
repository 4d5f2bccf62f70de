import CLAPACKE
import Foundation

/// The matrix exponential `exp(A)` of a square matrix (row-major `n×n`), by scaling and
/// squaring with the degree-13 Padé approximant (Higham 2005, "The scaling and squaring method
/// for the matrix exponential revisited"); the Padé denominator is solved with LAPACK `dgesv`.
///
/// Used for a Markov chain's transition matrix over a step, `P = exp(Q Δt)`.
public func matrixExponential(_ a: [Double], dimension n: Int) throws(NetworkError) -> [Double] {
    guard n > 0, a.count == n * n else { throw .invalid("matrix exponential of \(a.count) values as a \(n)×\(n) matrix") }
    guard a.allSatisfy(\.isFinite) else { throw .invalid("matrix exponential of a matrix with non-finite entries") }
    // Padé(13) coefficients b_0 ... b_13 and the 1-norm bound θ₁₃ (Higham 2005, Table 2.3).
    let b: [Double] = [64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000,
                       10559470521600, 670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1]
    let theta13 = 5.371920351148152
    var norm1 = 0.0
    for j in 0..<n {
        var column = 0.0
        for i in 0..<n { column += abs(a[i * n + j]) }
        norm1 = max(norm1, column)
    }
    let squarings = norm1 > theta13 ? Int(ceil(log2(norm1 / theta13))) : 0
    let scale = pow(2.0, -Double(squarings))
    let x = a.map { $0 * scale }

    func multiply(_ p: [Double], _ q: [Double]) -> [Double] {
        var r = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for k in 0..<n {
                let pik = p[i * n + k]
                if pik == 0 { continue }
                for j in 0..<n { r[i * n + j] += pik * q[k * n + j] }
            }
        }
        return r
    }
    func combine(_ terms: [(Double, [Double])], identity: Double) -> [Double] {
        var r = [Double](repeating: 0, count: n * n)
        for (c, m) in terms { for i in 0..<(n * n) { r[i] += c * m[i] } }
        for i in 0..<n { r[i * n + i] += identity }
        return r
    }
    let x2 = multiply(x, x), x4 = multiply(x2, x2), x6 = multiply(x4, x2)
    let u = multiply(x, { () -> [Double] in
        let inner = multiply(x6, combine([(b[13], x6), (b[11], x4), (b[9], x2)], identity: 0))
        return combine([(1, inner), (b[7], x6), (b[5], x4), (b[3], x2)], identity: b[1])
    }())
    let vInner = multiply(x6, combine([(b[12], x6), (b[10], x4), (b[8], x2)], identity: 0))
    let v = combine([(1, vInner), (b[6], x6), (b[4], x4), (b[2], x2)], identity: b[0])
    // Solve (V − U) R = (V + U); LAPACK in column-major: transpose in and out.
    var lhs = [Double](repeating: 0, count: n * n), rhs = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0..<n {
            lhs[j * n + i] = v[i * n + j] - u[i * n + j]
            rhs[j * n + i] = v[i * n + j] + u[i * n + j]
        }
    }
    var pivots = [Int32](repeating: 0, count: n)
    let n32 = Int32(n)
    let info = LAPACKE_dgesv(LAPACK_COL_MAJOR, n32, n32, &lhs, n32, &pivots, &rhs, n32)
    guard info == 0 else { throw .solverFailed("matrix exponential: LAPACK dgesv returned \(info)") }
    var result = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { result[i * n + j] = rhs[j * n + i] } }
    for _ in 0..<squarings { result = multiply(result, result) }
    return result
}
