import Foundation
import MPI
import NetCDF

/// What a scenario kind needs while it runs: where to write, how to report progress, and the
/// CF global attributes every output file carries.
public final class RunContext {
    /// The scenario being run.
    public let scenario: Scenario
    /// The run directory (`output/name`), which exists.
    public let directory: String
    /// Progress on stderr.
    public let progress: ProgressReporter
    /// The command line that started the run, for the `history` attribute.
    public let commandLine: String
    /// When the run started.
    public let started: Date

    /// The ranks this run is shared with: data-parallel kinds split their batches over it and
    /// only its root writes files. A single rank unless the run is data-parallel under MPI.
    public let communicator: Communicator
    /// True when the run should continue from `checkpointPath` (`ndyn run --resume` and the
    /// checkpoint exists and belongs to this scenario).
    public let isResuming: Bool
    /// Says when to write the next checkpoint.
    public var checkpointClock: CheckpointClock

    init(scenario: Scenario, directory: String, progress: ProgressReporter, commandLine: String, started: Date,
         communicator: Communicator = .single, isResuming: Bool = false) {
        self.scenario = scenario
        self.directory = directory
        self.progress = progress
        self.commandLine = commandLine
        self.started = started
        self.communicator = communicator
        self.isResuming = isResuming
        checkpointClock = CheckpointClock(policy: scenario.checkpoint)
    }

    /// The checkpoint file, `<run directory>/checkpoint.nc`.
    public var checkpointPath: String { (directory as NSString).appendingPathComponent("checkpoint.nc") }

    /// True when a checkpoint is due at `step` (policy, or a stop request).
    public func checkpointDue(step: Int) -> Bool { checkpointClock.isDue(step: step) }

    /// Writes `checkpoint.nc` atomically: the CF attributes, the scenario (checked on resume),
    /// and what `body` adds. Only the communicator's root writes; all ranks reset their clocks.
    public func writeCheckpoint(step: Int, _ body: (Dataset) throws -> Void) throws {
        if communicator.isRoot {
            let dataset = try Dataset.create(checkpointPath)
            defer { dataset.discard() }
            for attribute in globalAttributes(title: "NeuralDynamics checkpoint of run '\(scenario.name)' (continue with ndyn run --resume)") {
                try dataset.setAttribute(attribute.name, attribute.value)
            }
            try dataset.setAttribute("checkpoint_step", .int64([Int64(step)]))
            try body(dataset)
            try dataset.close()
        }
        checkpointClock.written(at: step)
    }

    /// Opens the checkpoint to resume from, after checking that it was written by this same
    /// scenario (kind, parameters, seed, member).
    public func openCheckpoint() throws -> Dataset {
        let dataset = try Dataset.open(checkpointPath)
        let recorded = try dataset.attribute("scenario_json")?.text
        let current = scenario.json.serialized(pretty: false)
        guard recorded == current else {
            try? dataset.close()
            throw ResumeMismatch(checkpoint: checkpointPath, recorded: recorded ?? "(none)", current: current)
        }
        return dataset
    }

    /// Stops the run after a checkpoint if a stop was requested (throws ``RunInterrupted``).
    public func stopIfRequested(progress description: @autoclosure () -> String) throws {
        if StopRequest.isRequested { throw RunInterrupted(checkpoint: checkpointPath, progress: description()) }
    }

    /// The main output file, `<run directory>/output.nc`.
    public var outputPath: String { (directory as NSString).appendingPathComponent("output.nc") }

    /// Creates the output dataset (atomically replaced on close) with the CF global attributes set.
    public func createOutput(title: String, references: String? = nil, comment: String? = nil) throws -> Dataset {
        let dataset = try Dataset.create(outputPath)
        for attribute in globalAttributes(title: title, references: references, comment: comment) {
            try dataset.setAttribute(attribute.name, attribute.value)
        }
        return dataset
    }

    /// Writes solver statistics as global attributes `solver_<name>` (numbers and text).
    public func recordSolverStatistics(_ statistics: [(key: String, value: JSONValue)], in dataset: Dataset) throws {
        for (key, value) in statistics {
            switch value {
            case .integer(let i): try dataset.setAttribute("solver_\(key)", .int64([i]))
            case .number(let d): try dataset.setAttribute("solver_\(key)", .float64([d]))
            case .string(let s): try dataset.setAttribute("solver_\(key)", .text(s))
            case .array(let items): try dataset.setAttribute("solver_\(key)", .float64(items.compactMap(\.doubleValue)))
            default: break
            }
        }
    }

    /// `Conventions`, `title`, `history`, `source`, `references`, `comment` and the scenario itself.
    public func globalAttributes(title: String, references: String? = nil, comment: String? = nil) -> [Attribute] {
        var attributes = [
            Attribute(name: "Conventions", value: "CF-1.10"),
            Attribute(name: "title", value: .text(title)),
            Attribute(name: "institution", value: "NeuralDynamics"),
            Attribute(name: "source", value: .text("NeuralDynamics \(NeuralDynamicsVersion.current), scenario kind '\(scenario.kind)'")),
            Attribute(name: "history", value: .text("\(Self.timestamp(started)): \(commandLine)")),
        ]
        if let references { attributes.append(Attribute(name: "references", value: .text(references))) }
        if let comment { attributes.append(Attribute(name: "comment", value: .text(comment))) }
        attributes.append(Attribute(name: "scenario_name", value: .text(scenario.name)))
        attributes.append(Attribute(name: "scenario_seed", value: .int64([scenario.seed])))
        attributes.append(Attribute(name: "scenario_json", value: .text(scenario.json.serialized(pretty: false))))
        return attributes
    }

    /// Removes the checkpoint once a run that needs it no more has completed.
    public func removeCheckpoint() {
        if communicator.isRoot { try? FileManager.default.removeItem(atPath: checkpointPath) }
    }

    /// ISO 8601 UTC, e.g. `2026-11-24T14:03:05Z`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

/// A checkpoint that belongs to another scenario (different kind, parameters, seed or member).
public struct ResumeMismatch: Error, CustomStringConvertible, Sendable {
    public var checkpoint: String
    public var recorded: String
    public var current: String
    public var description: String {
        "the checkpoint \(checkpoint) was written by a different scenario; resuming would mix two runs. "
            + "Delete it to start afresh, or resume with the scenario that wrote it.\n  checkpoint: \(recorded)\n  this run:   \(current)"
    }
}
