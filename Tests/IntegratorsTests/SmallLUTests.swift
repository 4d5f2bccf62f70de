import CLAPACKE
import Foundation
@testable import Integrators
import Testing

/// Dense iteration matrices up to `IterationMatrix.smallDenseLimit` are factorised by our own LU
/// (machine-independent bits): it must solve what LAPACK solves, pivot as LAPACK pivots, and
/// report a zero pivot as LAPACK's `info` does.
@Suite struct SmallLUTests {
    /// `M = a·I − b·J` factorised and solved by IterationMatrix, and by LAPACK on the same M.
    static func compare(jacobian: [Double], n: Int, a: Double, b: Double, rhs: [Double]) -> (ours: [Double], lapack: [Double], oursPivots: [Int32], lapackPivots: [Int32], ok: Bool) {
        let matrix = IterationMatrix(dimension: n, solver: .dense, userJacobian: true)
        for k in 0..<(n * n) { matrix.jac[k] = jacobian[k] }
        let ok = matrix.factor(diagonal: a, jacobianScale: b)
        var x = rhs
        x.withUnsafeMutableBufferPointer { matrix.solve($0.baseAddress!) }
        var m = jacobian.map { -b * $0 }
        for i in 0..<n { m[i * (n + 1)] += a }
        var pivots = [Int32](repeating: 0, count: n)
        var y = rhs
        _ = LAPACKE_dgetrf(LAPACK_COL_MAJOR, Int32(n), Int32(n), &m, Int32(n), &pivots)
        _ = LAPACKE_dgetrs(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), Int32(n), 1, m, Int32(n), pivots, &y, Int32(n))
        return (x, y, Array(UnsafeBufferPointer(start: matrix.pivots, count: n)), pivots, ok)
    }

    @Test(arguments: [1, 3, 8, 20, IterationMatrix.smallDenseLimit])
    func solvesAsLAPACKDoes(n: Int) {
        var state: UInt64 = UInt64(n) * 7919
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        // A stiff-looking Jacobian: entries over six orders of magnitude, so pivoting matters.
        let jacobian = (0..<(n * n)).map { k in next() * pow(10, Double(k % 7) - 2) }
        let rhs = (0..<n).map { _ in next() }
        let r = Self.compare(jacobian: jacobian, n: n, a: 1, b: 0.37, rhs: rhs)
        #expect(r.ok)
        #expect(r.oursPivots == r.lapackPivots)
        let scale = r.lapack.map(abs).max() ?? 1
        let difference = zip(r.ours, r.lapack).map { abs($0 - $1) }.max() ?? 0
        #expect(difference <= 1e-10 * scale, "n = \(n): \(difference)")
    }

    @Test func zeroPivotIsReportedNotDividedBy() {
        // M = I − J with J = I + e₀e₁ᵀ: column 0 of M is zero.
        let n = 3
        var jacobian = [Double](repeating: 0, count: n * n)
        for i in 0..<n { jacobian[i * (n + 1)] = 1 }
        jacobian[0 + 1 * n] = 1
        let matrix = IterationMatrix(dimension: n, solver: .dense, userJacobian: true)
        for k in 0..<(n * n) { matrix.jac[k] = jacobian[k] }
        #expect(!matrix.factor(diagonal: 1, jacobianScale: 1))
        #expect(matrix.smallLUFactor() == 1)
    }
}
