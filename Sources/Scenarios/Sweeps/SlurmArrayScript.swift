import Foundation

/// A Slurm batch script that runs every member of a sweep as one task of a job array.
///
/// Task `i` runs `ndyn run <scenario> --member i --resume`; its log goes to
/// `<sweep dir>/slurm-<job>_<i>.out` (appended across requeues). Before the time limit
/// (`signalSeconds`) Slurm sends SIGTERM; the script forwards it to `ndyn`, which writes a
/// checkpoint and exits with ``interruptedExitStatus``; the script then requeues the task,
/// and the requeued task resumes from the checkpoint. Finished members are skipped by
/// `ndyn run`, so a retried array never rewrites them.
public struct SlurmArrayScript: Sendable {
    /// The exit status of a run stopped by SIGTERM/SIGINT after writing its checkpoint
    /// (`EX_TEMPFAIL` of sysexits.h: "try again later").
    public static let interruptedExitStatus: Int32 = 75

    public var scenario: Scenario
    /// Absolute path of the scenario file the tasks run.
    public var scenarioPath: String
    /// Absolute path of the `ndyn` executable.
    public var executable: String
    /// Directory the tasks start in (the scenario's relative `output` resolves from here).
    public var workingDirectory: String
    public var partition: String?
    /// Time limit per task in a form `sbatch --time` takes (`HH:MM:SS`, `D-HH:MM`, minutes).
    public var timeLimit: String?
    public var cpusPerTask: Int
    /// At most this many tasks at once (`--array=0-N%K`), or nil for no limit.
    public var maxConcurrent: Int?
    /// Seconds before the time limit at which Slurm sends SIGTERM.
    public var signalSeconds: Int

    /// The `--output` directory given to `ndyn sweep sbatch`, passed on to every member's run.
    public var outputDirectory: String?

    public init(scenario: Scenario, scenarioPath: String, executable: String, workingDirectory: String,
                partition: String? = nil, timeLimit: String? = nil, cpusPerTask: Int = 1, maxConcurrent: Int? = nil,
                signalSeconds: Int = 120, outputDirectory: String? = nil) {
        self.outputDirectory = outputDirectory
        self.scenario = scenario
        self.scenarioPath = scenarioPath
        self.executable = executable
        self.workingDirectory = workingDirectory
        self.partition = partition
        self.timeLimit = timeLimit
        self.cpusPerTask = cpusPerTask
        self.maxConcurrent = maxConcurrent
        self.signalSeconds = signalSeconds
    }

    /// Where the script is written: `<sweep dir>/sweep.sbatch`.
    public var path: String {
        (absolute(scenario.sweepDirectory) as NSString).appendingPathComponent("sweep.sbatch")
    }

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (workingDirectory as NSString).appendingPathComponent(path)
    }

    /// The script's text.
    public var text: String {
        let count = scenario.memberCount
        let sweepDirectory = absolute(scenario.sweepDirectory)
        var array = "0-\(count - 1)"
        if let maxConcurrent { array += "%\(maxConcurrent)" }
        var directives = [
            "--job-name=\(scenario.name)",
            "--array=\(array)",
            "--output=\(sweepDirectory)/slurm-%A_%a.out",
            "--open-mode=append",
            "--requeue",
            "--signal=B:TERM@\(signalSeconds)",
            "--cpus-per-task=\(cpusPerTask)",
            "--ntasks=1",
            "--chdir=\(workingDirectory)",
        ]
        if let partition { directives.append("--partition=\(partition)") }
        if let timeLimit { directives.append("--time=\(timeLimit)") }
        return """
            #!/bin/bash
            # Sweep '\(scenario.name)' (\(scenario.kind), \(count) members) as a Slurm job array.
            # Written by `ndyn sweep sbatch \(scenarioPath)`; submit with: sbatch \(path)
            # Member i writes \(sweepDirectory)/<i, zero-padded>/output.nc and run.json;
            # combine them afterwards with: ndyn sweep gather \(sweepDirectory)
            \(directives.map { "#SBATCH \($0)" }.joined(separator: "\n"))

            export OPENBLAS_NUM_THREADS="${SLURM_CPUS_PER_TASK:-1}"
            NDYN=\(shellQuoted(executable))
            SCENARIO=\(shellQuoted(scenarioPath))

            # Slurm sends SIGTERM to this shell before the time limit (or on preemption); pass it
            # on to ndyn, which writes its checkpoint and exits with status \(Self.interruptedExitStatus).
            "$NDYN" run "$SCENARIO"\(runOptions) --member "$SLURM_ARRAY_TASK_ID" --resume --progress &
            child=$!
            trap 'kill -TERM "$child" 2>/dev/null' TERM INT
            wait "$child"
            status=$?
            while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done

            if [ "$status" -eq \(Self.interruptedExitStatus) ]; then
              echo "member $SLURM_ARRAY_TASK_ID stopped at a checkpoint; requeueing it to resume"
              scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
            fi
            exit "$status"

            """
    }

    /// Writes the script (atomically, executable) and returns its path.
    @discardableResult
    public func write() throws -> String {
        try FileManager.default.createDirectory(atPath: absolute(scenario.sweepDirectory), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    /// The scenario's `--set` overrides and the `--output` directory, as `ndyn run` options.
    var runOptions: String {
        var options = scenario.overrides.map { " --set " + shellQuoted($0.text) }
        if let outputDirectory { options.append(" --output " + shellQuoted(absolute(outputDirectory))) }
        return options.joined()
    }

    func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
