import CFFTW
import Foundation

/// FFTW's planner is not thread-safe (only `fftw_execute` is): plan creation and destruction
/// go through this one lock.
public enum FFTWPlanning {
    static let lock = NSLock()
    nonisolated(unsafe) private static var initialisedThreads = false

    /// Plans made after this call split each transform over `count` threads (FFTW's own
    /// threads; 1 by default). Results may differ in the last bits from single-threaded plans.
    public static func useThreads(_ count: Int) {
        locked {
            if !initialisedThreads {
                _ = fftw_init_threads()
                initialisedThreads = true
            }
            fftw_plan_with_nthreads(Int32(max(1, count)))
        }
    }

    static func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
