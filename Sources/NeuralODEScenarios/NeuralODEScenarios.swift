import Scenarios

/// The scenario kinds of neural ODEs trained through the integrator: what `ndyn` registers from this domain.
public enum NeuralODEScenarios {
    public static let kinds: [any ScenarioKind] = [NeuralODESpiralKind()]
}
