import CBLAS
import CFFTW
import CLAPACKE
import Foundation
import Testing

/// The C libraries the package links are found, callable from Swift, and compute right.
@Suite struct SystemLibrariesTests {
    @Test func fftwTransformsACosineToTwoSpikes() {
        let n = 16
        let input = fftw_alloc_real(n)!
        let output = fftw_alloc_complex(n / 2 + 1)!
        defer { fftw_free(input); fftw_free(output) }
        let plan = fftw_plan_dft_r2c_1d(Int32(n), input, output, UInt32(FFTW_ESTIMATE))
        defer { fftw_destroy_plan(plan) }
        for j in 0..<n { input[j] = cos(2 * Double.pi * 3 * Double(j) / Double(n)) }
        fftw_execute(plan)
        for k in 0...(n / 2) {
            let magnitude = (output[k].0 * output[k].0 + output[k].1 * output[k].1).squareRoot()
            #expect(abs(magnitude - (k == 3 ? Double(n) / 2 : 0)) < 1e-12, "bin \(k): \(magnitude)")
        }
    }

    @Test func blasMultipliesMatrices() {
        // C = A·B with A 2×3, B 3×2, row-major.
        let a: [Double] = [1, 2, 3, 4, 5, 6]
        let b: [Double] = [7, 8, 9, 10, 11, 12]
        var c = [Double](repeating: 0, count: 4)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 3, 1, a, 3, b, 2, 0, &c, 2)
        #expect(c == [58, 64, 139, 154])
    }

    @Test func lapackeSolvesALinearSystem() {
        // [[4, 1], [2, 3]] x = [1, 2]  →  x = [0.1, 0.6]
        var matrix: [Double] = [4, 1, 2, 3]
        var rhs: [Double] = [1, 2]
        var pivots = [Int32](repeating: 0, count: 2)
        let info = LAPACKE_dgesv(LAPACK_ROW_MAJOR, 2, 1, &matrix, 2, &pivots, &rhs, 1)
        #expect(info == 0)
        #expect(abs(rhs[0] - 0.1) < 1e-15 && abs(rhs[1] - 0.6) < 1e-15)
    }
}
