import Scenarios

/// The scenario kinds of cells through vessel networks and organs (CeFloPS): what `ndyn` registers from this domain.
public enum CellFlowScenarios {
    public static let kinds: [any ScenarioKind] = [VesselNetworkKind(), CellFlowKind()]
}
