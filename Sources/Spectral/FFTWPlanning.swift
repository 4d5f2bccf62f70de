import CFFTW
import Foundation

/// FFTW's planner is not thread-safe (only `fftw_execute` is): plan creation and destruction
/// go through this one lock.
enum FFTWPlanning {
    static let lock = NSLock()

    static func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}
