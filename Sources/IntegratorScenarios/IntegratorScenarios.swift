import Scenarios

/// The scenario kinds of integrators: Lorenz and the 2-D Brusselator (a stiff method-of-lines
/// system) through the integrator core: what `ndyn` registers from this domain.
public enum IntegratorScenarios {
    public static let kinds: [any ScenarioKind] = [LorenzKind(), BrusselatorKind()]
}
