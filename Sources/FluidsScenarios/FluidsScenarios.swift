import Scenarios

/// The scenario kinds of the Navier–Stokes reference solvers (pseudo-spectral DNS): what `ndyn` registers from this domain.
public enum FluidsScenarios {
    public static let kinds: [any ScenarioKind] = [KolmogorovDNSKind()]
}
