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

/// A raw pointer wrapper that may cross into `concurrentPerform` workers; each worker writes
/// a disjoint range.
struct SendablePointer<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { self.p = p }
}
