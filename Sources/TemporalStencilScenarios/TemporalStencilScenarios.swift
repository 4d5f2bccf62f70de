import Scenarios

/// The scenario kinds of Temporal Stencil Modeling: training and rollouts: what `ndyn` registers from this domain.
public enum TemporalStencilScenarios {
    public static let kinds: [any ScenarioKind] = [TSMTrainKind(), TSMRolloutKind()]
}
