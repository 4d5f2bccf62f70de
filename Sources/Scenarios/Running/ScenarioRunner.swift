import Foundation
import MPI
import HostMachine
import NetCDF

/// A run that did not complete: why, and where its `run.json` records it.
public struct RunFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var runDirectory: String
    /// True when the run stopped on SIGTERM/SIGINT after writing a checkpoint (resumable).
    public var interrupted: Bool = false
    public var description: String { message }
}

/// Runs validated scenarios: makes the run directory, calls the kind, and writes `run.json`.
///
/// Files appear atomically: `output.nc` is renamed into place when complete, then `run.json`
/// (status, inputs, seed, versions, wall time, statistics) is written. A run that fails or is
/// killed leaves the previous `output.nc` and `run.json` as they were, except that a failure
/// it can report writes a `run.json` with `"status": "failed"` and the error.
public struct ScenarioRunner {
    public var registry: ScenarioRegistry
    public var progress: ProgressReporter
    /// The command line recorded in `history` and `run.json`.
    public var commandLine: String

    public init(registry: ScenarioRegistry = .standard, progress: ProgressReporter, commandLine: String) {
        self.registry = registry
        self.progress = progress
        self.commandLine = commandLine
    }

    /// The `run.json` of a run of `scenario` that completed, if there is one whose output exists.
    /// Sweep members with such a record are never run again (their outputs are never rewritten).
    public static func completedRecord(of scenario: Scenario) -> JSONValue? {
        let directory = scenario.runDirectory
        let recordPath = (directory as NSString).appendingPathComponent("run.json")
        guard let data = FileManager.default.contents(atPath: recordPath), let text = String(data: data, encoding: .utf8),
              let record = try? JSONParser.parse(text), record["status"] == .string("completed"),
              FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("output.nc")) else { return nil }
        return record
    }

    /// Runs `scenario` and returns the record written to `run.json`.
    ///
    /// - Parameters:
    ///   - resume: continue from `checkpoint.nc` in the run directory when there is one.
    ///   - communicator: ranks sharing this one run (data-parallel training); only its root
    ///     writes files.
    @discardableResult
    public func run(_ scenario: Scenario, resume: Bool = false, communicator: Communicator = .single) throws(RunFailure) -> JSONValue {
        let directory = scenario.runDirectory
        guard let kind = registry.kind(named: scenario.kind) else {
            throw RunFailure(message: "unknown scenario kind '\(scenario.kind)'", runDirectory: directory)
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw RunFailure(message: "cannot create the run directory '\(directory)': \(error.localizedDescription)",
                             runDirectory: directory)
        }
        if communicator.isRoot { Self.removeAbandonedPartials(in: directory) }

        let started = Date()
        let checkpointPath = (directory as NSString).appendingPathComponent("checkpoint.nc")
        let isResuming = resume && FileManager.default.fileExists(atPath: checkpointPath)
        if resume && !isResuming && communicator.isRoot {
            progress.note("no checkpoint in \(directory); starting '\(scenario.name)' from the beginning")
        }
        let context = RunContext(scenario: scenario, directory: directory, progress: progress,
                                 commandLine: commandLine, started: started, communicator: communicator,
                                 isResuming: isResuming)
        let result: Result<RunSummary, any Error>
        do {
            result = .success(try kind.run(scenario, context: context))
        } catch {
            result = .failure(error)
        }
        progress.finish()
        guard communicator.isRoot else {
            if case .failure(let error) = result {
                throw RunFailure(message: "run '\(scenario.name)' failed on rank \(communicator.rank): \(error)",
                                 runDirectory: directory, interrupted: error is RunInterrupted)
            }
            return .object([("status", .string("completed")), ("rank", .integer(Int64(communicator.rank)))])
        }
        let record = Self.record(scenario: scenario, result: result, started: started, commandLine: commandLine,
                                 output: context.outputPath)
        let recordPath = (directory as NSString).appendingPathComponent("run.json")
        do {
            try Data((record.serialized() + "\n").utf8).write(to: URL(fileURLWithPath: recordPath), options: .atomic)
        } catch {
            throw RunFailure(message: "the run finished but '\(recordPath)' could not be written: \(error.localizedDescription)",
                             runDirectory: directory)
        }
        if case .failure(let error) = result {
            if let interruption = error as? RunInterrupted {
                throw RunFailure(message: "run '\(scenario.name)' \(interruption)", runDirectory: directory, interrupted: true)
            }
            throw RunFailure(message: "run '\(scenario.name)' failed: \(error)", runDirectory: directory)
        }
        return record
    }

    static func record(scenario: Scenario, result: Result<RunSummary, any Error>, started: Date,
                       commandLine: String, output: String) -> JSONValue {
        let finished = Date()
        var members: [(key: String, value: JSONValue)] = []
        switch result {
        case .success: members.append(("status", .string("completed")))
        case .failure(let error) where error is RunInterrupted: members.append(("status", .string("interrupted")))
        case .failure: members.append(("status", .string("failed")))
        }
        members += [
            ("name", .string(scenario.name)),
            ("kind", .string(scenario.kind)),
            ("seed", .integer(scenario.seed)),
            ("scenario_file", .string(scenario.file)),
            ("scenario", scenario.json),
            ("overrides", .array(scenario.overrides.map { .string($0.text) })),
            ("command", .string(commandLine)),
            ("working_directory", .string(FileManager.default.currentDirectoryPath)),
            ("host", .string(ProcessInfo.processInfo.hostName)),
            ("process", .object(processRecord())),
            ("started", .string(RunContext.timestamp(started))),
            ("finished", .string(RunContext.timestamp(finished))),
            ("wall_seconds", .number((finished.timeIntervalSince(started) * 1000).rounded() / 1000)),
            ("versions", .object([
                ("neuraldynamics", .string(NeuralDynamicsVersion.current)),
                ("netcdf", .string(netCDFLibraryVersion)),
                ("os", .string(ProcessInfo.processInfo.operatingSystemVersionString)),
            ])),
            ("machine", .object(machineRecord())),
        ]
        switch result {
        case .success(let summary):
            members.append(("output", .string(output)))
            members.append(("statistics", .object(summary.statistics)))
        case .failure(let error as RunInterrupted):
            members.append(("checkpoint", .string(error.checkpoint)))
            members.append(("interrupted_at", .string(error.progress)))
        case .failure(let error):
            members.append(("error", .string("\(error)")))
        }
        return .object(members)
    }

    /// The machine: CPU model and vector units, OpenBLAS core (and how it was chosen) and
    /// threads, FFTW version and threads, and what the build was compiled for.
    static func machineRecord() -> [(key: String, value: JSONValue)] {
        HostMachine.current().fields.map { field in
            (field.key, Int64(field.value).map(JSONValue.integer) ?? .string(field.value))
        }
    }

    /// Where the run ran: pid, MPI rank and size, and the Slurm job and array task if any.
    static func processRecord() -> [(key: String, value: JSONValue)] {
        var members: [(key: String, value: JSONValue)] = [("pid", .integer(Int64(getpid())))]
        let world = Communicator.world
        if world.size > 1 {
            members.append(("mpi_rank", .integer(Int64(world.rank))))
            members.append(("mpi_size", .integer(Int64(world.size))))
        }
        let environment = ProcessInfo.processInfo.environment
        for (key, name) in [("slurm_job_id", "SLURM_JOB_ID"), ("slurm_array_job_id", "SLURM_ARRAY_JOB_ID"),
                            ("slurm_array_task_id", "SLURM_ARRAY_TASK_ID"), ("slurm_restart_count", "SLURM_RESTART_COUNT")] {
            if let value = environment[name] { members.append((key, .string(value))) }
        }
        return members
    }

    /// Deletes `*.partial-<pid>-<n>` files left by processes that no longer exist (killed runs).
    static func removeAbandonedPartials(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            guard let marker = name.range(of: ".partial-", options: .backwards) else { continue }
            let rest = name[marker.upperBound...].split(separator: "-")
            guard let pidText = rest.first, let pid = Int32(pidText) else { continue }
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
            }
        }
    }
}
