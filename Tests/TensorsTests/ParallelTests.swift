import Foundation
import Testing
import Tensors

@Suite struct ParallelTests {
    /// Results on a tensor above the parallel threshold are bit-identical to a serial run.
    @Test func parallelResultsAreBitIdenticalToSerial() throws {
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

    /// Shards come back in index order, each computing what a serial call computes (GEMMs
    /// included), and the lowest-index error is the one rethrown.
    @Test func shardsKeepOrderAndRethrowTheFirstError() throws {
        let a = randn([64, 96], 5), b = randn([96, 80], 6)
        let inputs = (0..<6).map { a * Double($0 + 1) }
        let sharded = try Parallelism.shards(inputs.count) { i in try inputs[i].matmul(b) }
        for (i, product) in sharded.enumerated() {
            let serial = try Parallelism.serially { try inputs[i].matmul(b) }
            #expect(zip(product.scalars, serial.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }, "shard \(i)")
        }
        struct ShardFailure: Error, Equatable { let index: Int }
        #expect(throws: ShardFailure(index: 2)) {
            _ = try Parallelism.shards(6) { i -> Int in
                if i == 2 || i == 4 { throw ShardFailure(index: i) }
                return i
            }
        }
        #expect(try Parallelism.shards(0) { $0 }.isEmpty)
    }

    /// Nested and concurrent `shards` hold OpenBLAS at one thread together: an inner call that
    /// finishes does not release the outer one. (Restoring the count afterwards is not asserted:
    /// other suites running at the same time may hold it.)
    @Test func nestedShardsKeepBLASAtOneThread() throws {
        let inner = try Parallelism.shards(4) { i in
            try Parallelism.shards(3) { k in (i * 3 + k, Parallelism.blasThreadCount) }
        }
        #expect(inner.flatMap { $0 }.map(\.0) == Array(0..<12))
        #expect(inner.flatMap { $0 }.allSatisfy { $0.1 == 1 })
        let afterInner = try Parallelism.shards(2) { i -> Int in
            _ = try Parallelism.shards(2) { $0 }
            return Parallelism.blasThreadCount
        }
        #expect(afterInner == [1, 1])
    }

    /// Filling and copying move scalars as bytes; signed zero and non-zero fills keep their value.
    @Test func fillsAndCopiesKeepEveryScalar() throws {
        for count in [0, 1, 2, 7, 1000] {
            for value in [0.0, -0.0, 2.5, -.infinity] {
                let t = Tensor<Double>(shape: [count], repeating: value)
                #expect(t.scalars.allSatisfy { $0.bitPattern == value.bitPattern }, "\(count) × \(value)")
            }
            let f = Tensor<Float>(shape: [count], repeating: 1.5)
            #expect(f.scalars == [Float](repeating: 1.5, count: count))
            let values = (0..<count).map { Double($0) * 0.5 - 3 }
            #expect(try Tensor(shape: [count], scalars: values).scalars == values)
        }
    }
}
