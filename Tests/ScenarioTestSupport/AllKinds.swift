import CellFlowScenarios
import FluidsScenarios
import IntegratorScenarios
import MetaFlowMatchingScenarios
import NeuralODEScenarios
import Scenarios
import TemporalStencilScenarios
import TrafficODEScenarios
import WaveletDiffusionScenarios

/// Every domain's kinds, registered as ndyn registers them. All test targets run in one process
/// and share ``ScenarioRegistry/standard``, so every suite that looks kinds up registers the
/// same full list (in its `init`, which runs before each of its tests).
public enum AllKinds {
    public static let registry = ScenarioRegistry(kinds: IntegratorScenarios.kinds + NeuralODEScenarios.kinds + CellFlowScenarios.kinds
                                                  + FluidsScenarios.kinds + TemporalStencilScenarios.kinds
                                                  + WaveletDiffusionScenarios.kinds + MetaFlowMatchingScenarios.kinds + TrafficODEScenarios.kinds)

    public static func register() { ScenarioRegistry.standard = registry }
}

/// Runs the scenario `json` quietly with its output under `directory` and returns its run
/// record's statistics (empty when it records none).
public func runScenarioStatistics(_ json: String, in directory: String) throws -> [String: JSONValue] {
    var scenario = try Scenario.parse(json, file: "s.json")
    scenario.output = directory
    let record = try ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test").run(scenario)
    guard case .object(let statistics)? = record["statistics"] else { return [:] }
    return Dictionary(statistics.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
}
