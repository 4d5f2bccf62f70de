import Scenarios

/// The scenario kinds of integrators: Lorenz and the reference ODE problems through the integrator core: what `ndyn` registers from this domain.
public enum IntegratorScenarios {
    public static let kinds: [any ScenarioKind] = [LorenzKind()]
}
