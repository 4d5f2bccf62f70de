import Scenarios

/// The scenario kinds of Meta Flow Matching: what `ndyn` registers from this domain.
public enum MetaFlowMatchingScenarios {
    public static let kinds: [any ScenarioKind] = [PopulationDataKind(), PopulationTrainKind(), PopulationEvaluateKind()]
}

/// A Meta Flow Matching run that cannot go on: a file of the wrong kind, a bad checkpoint.
public struct MetaFlowMatchingRunError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
