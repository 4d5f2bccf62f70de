import CellFlowScenarios
import FluidsScenarios
import IntegratorScenarios
import MetaFlowMatchingScenarios
import NeuralODEScenarios
import Scenarios
import TemporalStencilScenarios
import TrafficODEScenarios
import WaveletDiffusionScenarios

extension ScenarioRegistry {
    /// Every domain's kinds, in the order `ndyn list` shows the domains.
    static let suite = ScenarioRegistry(kinds: IntegratorScenarios.kinds + NeuralODEScenarios.kinds + CellFlowScenarios.kinds
                                        + FluidsScenarios.kinds + TemporalStencilScenarios.kinds
                                        + WaveletDiffusionScenarios.kinds + MetaFlowMatchingScenarios.kinds + TrafficODEScenarios.kinds)
}
