import Foundation
@testable import Integrators
import Testing

/// Large systems form stage states in vectorised blocks; the result must be the per-component
/// sparse dot's, to the bit (the same operations in the same order), including the ragged last
/// block and rows with one term or none.
@Suite struct BlockedCombinationTests {
    @Test(arguments: [SparseRows.blockedThreshold, SparseRows.blockedThreshold + 37, 5 * SparseRows.block + 1])
    func blockedStageStatesEqualPerComponentDots(n: Int) {
        let rows: [[Double]] = [[], [0.2], [3.0 / 40, 9.0 / 40], [44.0 / 45, -56.0 / 15, 32.0 / 9, 0, 0.1]]
        let sparse = SparseRows(rows, dimension: n)
        defer { sparse.deallocate() }
        let stageCount = 5
        let stages = UnsafeMutablePointer<Double>.allocate(capacity: stageCount * n)
        let y = UnsafeMutablePointer<Double>.allocate(capacity: n)
        let blocked = UnsafeMutablePointer<Double>.allocate(capacity: n)
        defer { stages.deallocate(); y.deallocate(); blocked.deallocate() }
        var state: UInt64 = 12345
        func next() -> Double {  // a small LCG: values of mixed sign and magnitude
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) / Double(1 << 53) - 0.5) * pow(10, Double(Int(state % 7)) - 3)
        }
        for i in 0..<(stageCount * n) { stages[i] = next() }
        for i in 0..<n { y[i] = next() }
        let h = 0.0123
        for r in rows.indices {
            sparse.stageState(row: r, base: y, h: h, stages: stages, count: n, into: blocked)
            var same = true
            for i in 0..<n where blocked[i].bitPattern != (y[i] + h * sparse.dot(row: r, stages: stages, component: i)).bitPattern {
                same = false
            }
            #expect(same, "stage state, row \(r), n = \(n)")
            sparse.combine(row: r, stages: stages, count: n, into: blocked)
            same = true
            for i in 0..<n where blocked[i].bitPattern != sparse.dot(row: r, stages: stages, component: i).bitPattern {
                same = false
            }
            #expect(same, "combination, row \(r), n = \(n)")
        }
    }
}
