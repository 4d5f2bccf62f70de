import Foundation
import Integrators
import NeuralODE
import Tensors

/// Central difference `(F(x + δe_i) − F(x − δe_i)) / 2δ` for each index in `indices`.
func centralDifferences(_ x: [Double], indices: [Int], step delta: Double, _ F: ([Double]) throws -> Double) rethrows -> [Double] {
    try indices.map { i in
        var plus = x, minus = x
        plus[i] += delta
        minus[i] -= delta
        return (try F(plus) - F(minus)) / (2 * delta)
    }
}

/// `max_i |a_i − b_i| / max_i |b_i|` (the error of `a` relative to the reference `b`'s scale).
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    let scale = b.map { abs($0) }.max() ?? 0
    let diff = zip(a, b).map { abs($0 - $1) }.max() ?? 0
    return diff / max(scale, 1e-300)
}

/// The loss as a function of the flattened parameters (all other inputs fixed).
func lossOfParameters<Field: NeuralVectorField>(
    _ node: NeuralODE<Field>, _ body: @escaping (NeuralODE<Field>) throws -> Double
) -> ([Double]) throws -> Double {
    { flat in
        var perturbed = node
        try perturbed.field.setParameters(flattened: flat)
        return try body(perturbed)
    }
}

/// Records a measured error in the test log (for the report), e.g. `measured("adjoint θ", 3e-9)`.
func measured(_ what: String, _ error: Double) {
    print("NeuralODETests: \(what): relative error \(String(format: "%.2e", error))")
}

// MARK: dense matrices for the analytic references

typealias Matrix = [[Double]]

func identity(_ n: Int) -> Matrix {
    (0..<n).map { i in (0..<n).map { i == $0 ? 1 : 0 } }
}

func multiply(_ a: Matrix, _ b: Matrix) -> Matrix {
    let n = a.count, k = b.count, m = b[0].count
    return (0..<n).map { i in (0..<m).map { j in (0..<k).reduce(0) { $0 + a[i][$1] * b[$1][j] } } }
}

func multiply(_ a: Matrix, _ v: [Double]) -> [Double] {
    a.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } }
}

func transpose(_ a: Matrix) -> Matrix {
    (0..<a[0].count).map { j in a.map { $0[j] } }
}

/// `exp(M)` by scaling and squaring with a 24-term Taylor series (‖M/2^s‖₁ ≤ 1/4): accurate to a
/// few ulps for the small, mildly scaled matrices used here. Independent of any ODE solver.
func matrixExponential(_ m: Matrix) -> Matrix {
    let n = m.count
    let norm = (0..<n).map { j in m.reduce(0) { $0 + abs($1[j]) } }.max() ?? 0
    let s = norm > 0.25 ? Int(ceil(log2(norm / 0.25))) : 0
    let scaled = m.map { $0.map { $0 / pow(2, Double(s)) } }
    var result = identity(n), term = identity(n)
    for k in 1...24 {
        term = multiply(term, scaled).map { $0.map { $0 / Double(k) } }
        result = zip(result, term).map { zip($0, $1).map { $0 + $1 } }
    }
    for _ in 0..<s { result = multiply(result, result) }
    return result
}

/// The Fréchet derivative `L(X, E) = d/dε exp(X + εE)|₀`: the upper-right block of
/// `exp([[X, E], [0, X]])` (Mathias 1996 / Higham, Functions of Matrices, Thm. 3.6).
func exponentialFrechetDerivative(_ x: Matrix, direction e: Matrix) -> Matrix {
    let n = x.count
    var block = Matrix(repeating: [Double](repeating: 0, count: 2 * n), count: 2 * n)
    for i in 0..<n {
        for j in 0..<n {
            block[i][j] = x[i][j]
            block[n + i][n + j] = x[i][j]
            block[i][n + j] = e[i][j]
        }
    }
    let big = matrixExponential(block)
    return (0..<n).map { i in (0..<n).map { j in big[i][n + j] } }
}
