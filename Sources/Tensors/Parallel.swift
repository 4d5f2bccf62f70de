import CBLAS
import Dispatch
import Foundation

/// How large elementwise operations are spread over the cores.
///
/// An operation over more than ``elementThreshold`` elements is cut into fixed chunks of
/// ``chunkSize`` elements (independent of the number of cores) that run under
/// `DispatchQueue.concurrentPerform`. Each element is computed by the same code whichever
/// chunk or thread it lands in, and reductions combine per-chunk partial results in chunk
/// order, so results are bit-identical to a serial run on any machine.
///
/// Work is spread with `concurrentPerform`, which blocks the calling thread until all chunks
/// are done; from Swift concurrency, run large tensor work off the cooperative pool if that
/// matters. BLAS calls (matmul, convolution) use OpenBLAS's own threads.
public enum Parallelism {
    /// Operations over more elements than this run in parallel.
    public static let elementThreshold = 1 << 16
    /// Elements per parallel chunk (fixed; never derived from the core count).
    public static let chunkSize = 1 << 14

    @TaskLocal static var forceSerial = false
    static let processorCount = ProcessInfo.processInfo.activeProcessorCount

    /// Runs `body` with every tensor operation started from it on the calling thread only.
    /// (A task-local setting: it does not affect other threads or tasks.)
    public static func serially<R>(_ body: () throws -> R) rethrows -> R {
        try $forceSerial.withValue(true, operation: body)
    }

    /// Whether operations started here may use several threads.
    public static var isParallelEnabled: Bool {
        !forceSerial && processorCount > 1
    }

    /// The number of threads OpenBLAS uses for one call now (1 inside ``shards(_:_:)``).
    public static var blasThreadCount: Int { Int(openblas_get_num_threads()) }
}

/// Calls `body(start, end)` over `0..<count` in fixed chunks of `chunk` items — concurrently
/// when `count * costPerItem` exceeds the threshold and parallelism is enabled, otherwise
/// serially, in order. The chunk boundaries are the same either way.
@inline(__always)
func forEachChunk(count: Int, chunk: Int = Parallelism.chunkSize, costPerItem: Int = 1,
                  _ body: @Sendable (Int, Int) -> Void) {
    guard count > 0 else { return }
    let chunks = (count + chunk - 1) / chunk
    if chunks > 1, count * costPerItem > Parallelism.elementThreshold, Parallelism.isParallelEnabled {
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            body(c * chunk, Swift.min(count, (c + 1) * chunk))
        }
    } else {
        for c in 0..<chunks { body(c * chunk, Swift.min(count, (c + 1) * chunk)) }
    }
}

/// A value handed to `concurrentPerform` workers that only read it (a shard's closure).
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A raw pointer wrapper that may cross into `concurrentPerform` workers; each worker writes
/// a disjoint range.
struct SendablePointer<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { self.p = p }
}

extension Parallelism {
    /// `body(0) … body(count − 1)` as independent shards (for example one training window per
    /// shard, each on its own tape), run concurrently when parallelism is enabled; the results
    /// come back in index order.
    ///
    /// While the shards run, OpenBLAS is held to one thread, so each shard computes exactly what a
    /// serial run computes and the cores are shared between shards rather than inside every small
    /// GEMM. Combining the results in index order keeps the whole bit-identical on any number of
    /// cores. The first error (lowest index) is rethrown after every shard has finished.
    public static func shards<T>(_ count: Int, _ body: (Int) throws -> T) throws -> [T] {
        guard count > 0 else { return [] }
        BLASThreads.enterSingleThreaded()
        defer { BLASThreads.leaveSingleThreaded() }
        var results = [Result<T, any Error>?](repeating: nil, count: count)
        if count > 1, isParallelEnabled {
            results.withUnsafeMutableBufferPointer { slots in
                let base = SendablePointer(slots.baseAddress!)
                withoutActuallyEscaping(body) { body in
                    // The shards are independent by contract and each writes only its own slot.
                    let shard = UncheckedSendable(body)
                    DispatchQueue.concurrentPerform(iterations: count) { i in
                        base.p[i] = Result { try shard.value(i) }
                    }
                }
            }
        } else {
            for i in 0..<count { results[i] = Result { try body(i) } }
        }
        return try results.map { try $0!.get() }
    }

    /// Runs `body` with OpenBLAS held to one thread, as inside ``shards(_:_:)``.
    ///
    /// OpenBLAS's thread count is process-wide, and a BLAS result can depend on it in the last
    /// bits (seen on AMD EPYC, OpenBLAS core `Zen`: the same U-Net sampling differed in the last
    /// bit of a few values when concurrently running tests changed the count). Code that must
    /// reproduce a BLAS-bound result bit for bit while other threads may run ``shards(_:_:)``
    /// (tests run concurrently, for one) holds the count here for the whole computation.
    public static func withSingleThreadedBLAS<R>(_ body: () throws -> R) rethrows -> R {
        BLASThreads.enterSingleThreaded()
        defer { BLASThreads.leaveSingleThreaded() }
        return try body()
    }
}

/// OpenBLAS's thread count is process-wide. Concurrent or nested `shards` calls hold it at one
/// thread together: the first to enter saves the count, the last to leave restores it.
private enum BLASThreads {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var holders = 0
    nonisolated(unsafe) private static var saved: Int32 = 1

    static func enterSingleThreaded() {
        lock.lock(); defer { lock.unlock() }
        if holders == 0 {
            saved = openblas_get_num_threads()
            openblas_set_num_threads(1)
        }
        holders += 1
    }

    static func leaveSingleThreaded() {
        lock.lock(); defer { lock.unlock() }
        holders -= 1
        if holders == 0 { openblas_set_num_threads(saved) }
    }
}
