import CLAPACKE
import Foundation
import Testing
import TemporalStencil

/// The HiPPO memory recurrence of TSM.
@Suite struct HiPPOMemoryTests {
    /// The bilinear update as dense matrices: (I − Δt/2 A)⁻¹ by LAPACK, then multiplied out.
    static func denseUpdate(_ memory: HiPPOMemory, _ c: [Double], _ v: Double) -> [Double] {
        let n = memory.size, a = memory.transition, h = memory.step / 2
        var lhs = [Double](repeating: 0, count: n * n), rhs = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var sum = 0.0
            for j in 0..<n {
                lhs[j * n + i] = (i == j ? 1 : 0) - h * a[i * n + j]   // column-major for LAPACK
                sum += ((i == j ? 1 : 0) + h * a[i * n + j]) * c[j]
            }
            rhs[i] = sum + memory.step * memory.b * v
        }
        var pivots = [Int32](repeating: 0, count: n)
        _ = LAPACKE_dgesv(LAPACK_COL_MAJOR, Int32(n), 1, &lhs, Int32(n), &pivots, &rhs, Int32(n))
        return rhs
    }

    @Test func forwardSubstitutionEqualsTheDenseBilinearUpdate() {
        for size in [1, 4, 32] {
            let memory = HiPPOMemory(size: size)
            var c = (0..<size).map { sin(Double($0) + 1) }
            var dense = c
            for k in 0..<20 {
                let v = cos(0.3 * Double(k))
                memory.update(&c, input: v)
                dense = Self.denseUpdate(memory, dense, v)
            }
            let scale = dense.map(abs).max()!
            #expect(zip(c, dense).map { abs($0 - $1) }.max()! <= 1e-12 * max(scale, 1), "size \(size)")
        }
    }

    @Test func constantInputSettlesAtTheContinuousFixedPoint() {
        // A c* + B = 0 → c* = −b A⁻¹ 1; the bilinear rule keeps the continuous fixed point.
        let memory = HiPPOMemory(size: 16)
        let c = memory.encode([Double](repeating: 1, count: 4000))
        // Solve A c* = −b·1 by forward substitution: −Σ_{j≤i} c_j − a c_i = −b.
        var fixed = [Double](repeating: 0, count: 16), prefix = 0.0
        for i in 0..<16 {
            fixed[i] = (memory.b - prefix) / (1 + memory.a)
            prefix += fixed[i]
        }
        #expect(zip(c, fixed).map { abs($0 - $1) }.max()! < 1e-10, "\(c.prefix(4)) vs \(fixed.prefix(4))")
    }

    @Test func memoriesAreLinearAndPerCell() {
        let memory = HiPPOMemory(size: 8)
        let x = (0..<32).map { sin(0.2 * Double($0)) }, y = (0..<32).map { Double($0 % 5) - 2 }
        let combined = memory.encode(zip(x, y).map { 2 * $0 - 0.5 * $1 })
        let separate = zip(memory.encode(x), memory.encode(y)).map { 2 * $0 - 0.5 * $1 }
        #expect(zip(combined, separate).map { abs($0 - $1) }.max()! < 1e-12)
        // Frames of two cells: each cell's memory is its own history's.
        let frames = zip(x, y).map { [$0, $1] }
        let both = memory.encode(frames: frames)
        #expect(Array(both[0..<8]) == memory.encode(x) && Array(both[8..<16]) == memory.encode(y))
    }
}
