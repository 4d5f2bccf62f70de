import Foundation
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

    init(scenario: Scenario, directory: String, progress: ProgressReporter, commandLine: String, started: Date) {
        self.scenario = scenario
        self.directory = directory
        self.progress = progress
        self.commandLine = commandLine
        self.started = started
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

    /// ISO 8601 UTC, e.g. `2026-11-24T14:03:05Z`.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
