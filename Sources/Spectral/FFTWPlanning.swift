import CFFTW
import Foundation

/// FFTW's planner is not thread-safe (only `fftw_execute` is): plan creation and destruction
/// go through this one lock.
public enum FFTWPlanning {
    static let lock = NSLock()
    nonisolated(unsafe) private static var initialisedThreads = false
    nonisolated(unsafe) private static var threads = 1

    /// The thread count of ``useThreads(_:)`` (1 by default); solvers split their own grid loops
    /// over as many workers.
    public static var threadCount: Int { locked { threads } }

    /// Plans made after this call split each transform over `count` threads (FFTW's own
    /// threads; 1 by default). Results may differ in the last bits from single-threaded plans.
    public static func useThreads(_ count: Int) {
        locked {
            if !initialisedThreads {
                _ = fftw_init_threads()
                initialisedThreads = true
            }
            fftw_plan_with_nthreads(Int32(max(1, count)))
            threads = max(1, count)
        }
    }

    static func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// Runs `body(range)` over `0 ..< count` split into `workers` contiguous ranges, in parallel.
/// Each index is handled by exactly one call, so results do not depend on `workers`.
public func forEachChunk(_ count: Int, workers: Int, _ body: (Range<Int>) -> Void) {
    let parts = max(1, min(workers, count))
    if parts == 1 { body(0..<count); return }
    withoutActuallyEscaping(body) { escapable in
        let work = ChunkWork(body: escapable)
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            work.body((count * p / parts)..<(count * (p + 1) / parts))
        }
    }
}

/// The chunk body crossing into the workers; each chunk touches only its own indices.
private struct ChunkWork: @unchecked Sendable {
    let body: (Range<Int>) -> Void
}

/// Wall time spent inside FFTW's execute calls of ``RealFFT2D``, for benchmarks: off by default
/// (then it costs one flag test per transform). Not thread-safe: enable it only when transforms
/// are called from one thread (FFTW's own threads are inside the measured call).
public enum FFTWTiming {
    nonisolated(unsafe) public static var isEnabled = false
    nonisolated(unsafe) public private(set) static var seconds = 0.0

    public static func reset() { seconds = 0 }

    @inline(__always)
    static func measure(_ body: () -> Void) {
        guard isEnabled else { body(); return }
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        seconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }
}
