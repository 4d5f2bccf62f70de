#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// SIGTERM and SIGINT as a request to stop at the next checkpoint, not as sudden death.
///
/// Slurm sends SIGTERM before a time limit or a preemption (and `--signal` can ask for it
/// earlier); a user types Ctrl-C. After ``install()`` either signal only sets a flag; long
/// loops look at ``isRequested`` between steps, write a checkpoint, and the run ends with
/// ``RunInterrupted``, which `ndyn` turns into exit status 75 so a batch script can requeue.
/// A second signal while the first is being handled ends the process at once (status 128+sig).
public enum StopRequest {
    private static let signalNumber = Atomic<Int32>(0)

    /// Routes SIGTERM and SIGINT to the flag (idempotent). Also unblocks both: a blocked mask
    /// is inherited from whatever started the process and would hold the signal back forever.
    public static func install() {
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTERM)
        sigaddset(&unblock, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for sig in [SIGTERM, SIGINT] {
            _ = installHandler(sig) { received in
                // Async-signal-safe: one atomic exchange, and _exit on a repeated signal.
                if StopRequest.signalNumber.exchange(received, ordering: .sequentiallyConsistent) != 0 {
                    _exit(128 + received)
                }
            }
        }
    }

    private static func installHandler(_ sig: Int32, _ handler: @convention(c) (Int32) -> Void) -> Bool {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = handler
        sigemptyset(&action.sa_mask)
        action.sa_flags = Int32(SA_RESTART)
        return sigaction(sig, &action, nil) == 0
    }

    /// True once SIGTERM or SIGINT arrived (or ``request(signal:)`` was called).
    public static var isRequested: Bool { signalNumber.load(ordering: .sequentiallyConsistent) != 0 }

    /// The signal that asked to stop, or nil.
    public static var receivedSignal: Int32? {
        let value = signalNumber.load(ordering: .sequentiallyConsistent)
        return value == 0 ? nil : value
    }

    /// Asks the running loop to stop as if `signal` had arrived (tests, embedding programs).
    public static func request(signal: Int32 = SIGTERM) {
        signalNumber.store(signal, ordering: .sequentiallyConsistent)
    }

    /// Forgets a request (before the next run in the same process).
    public static func reset() {
        signalNumber.store(0, ordering: .sequentiallyConsistent)
    }
}

/// A run that stopped on request after writing its checkpoint; `ndyn run --resume` continues it.
public struct RunInterrupted: Error, CustomStringConvertible, Sendable {
    /// The checkpoint written before stopping.
    public var checkpoint: String
    /// How far the run got, in the kind's words (e.g. "t = 12.5 of 40", "iteration 800 of 2000").
    public var progress: String
    public var description: String {
        "stopped on request at \(progress); checkpoint written to \(checkpoint) (continue with --resume)"
    }
}
