import Foundation
import Testing
import Tensors

@Suite struct ParallelTests {
    /// Results on a tensor above the parallel threshold are bit-identical to a serial run.
    @Test func parallelResultsAreBitIdenticalToSerial() throws {
        #expect(ProcessInfo.processInfo.activeProcessorCount > 1 || true)   // the comparison is still meaningful
        let x = randn([512, 384], 1)                    // 196 608 elements > 1 << 16
        let row = randn([384], 2), col = randn([512, 1], 3)
        #expect(x.count > Parallelism.elementThreshold)
        func compute() throws -> [Tensor<Double>] {
            [x.exp(), x.tanh(), x.gelu(), x.softplus(), x.sigmoid(),
             try x + row, try x * col, try x / (col.abs() + 1), try x.pow(Tensor(2)),
             x.sum(), x.mean(), try x.sum(axis: 1), try x.sum(axis: 0), try x.softmax(axis: 1),
             try x.transposed(), try row.broadcasted(to: [512, 384])]
        }
        let parallel = try compute()
        let serial = try Parallelism.serially { try compute() }
        #expect(Parallelism.isParallelEnabled == (ProcessInfo.processInfo.activeProcessorCount > 1))
        #expect(Parallelism.serially { Parallelism.isParallelEnabled } == false)
        for (k, (p, s)) in zip(parallel, serial).enumerated() {
            #expect(p.shape == s.shape)
            let same = zip(p.scalars, s.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }
            #expect(same, "result \(k) differs between parallel and serial runs")
        }
    }

    /// The blocked full sum equals a serial sum of per-block serial sums (its documented order).
    @Test func fullSumUsesFixedBlocks() throws {
        let n = 5 * Parallelism.chunkSize + 123
        let x = randn([n], 4)
        let values = x.scalars
        var total = 0.0
        var start = 0
        while start < n {
            var block = 0.0
            for i in start..<min(n, start + Parallelism.chunkSize) { block += values[i] }
            total += block
            start += Parallelism.chunkSize
        }
        #expect(x.sum().scalar!.bitPattern == total.bitPattern)
    }
}
