/// Exit statuses, as DESIGN.md fixes them.
enum ExitCode: Int32 {
    /// Success.
    case success = 0
    /// The run (or other work) failed.
    case failure = 1
    /// Bad usage or bad input (scenario, file, options).
    case badInput = 2
    /// Stopped by SIGTERM/SIGINT after writing a checkpoint; `ndyn run --resume` continues
    /// (75 is sysexits' EX_TEMPFAIL; the Slurm script `ndyn sweep sbatch` writes requeues on it).
    case interrupted = 75
}

/// A command line that cannot be obeyed: wrong options, missing arguments.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    /// The command whose usage to show, e.g. `"run"`, or nil for the top level.
    var command: String?
    var description: String { message }
}
