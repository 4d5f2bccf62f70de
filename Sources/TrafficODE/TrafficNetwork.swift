import Tensors

/// A learned forecaster of every sensor: from the z-scored history `[B, N, T_in]` (B windows, N
/// sensors, T_in observed steps) to the z-scored forecast `[B, N, H]` of the next H steps.
/// Float32 weights; the forward pass is written on ``Variable``s, so one code path trains
/// (parameters bound to a tape) and forecasts (constants).
public protocol TrafficNetwork: Sendable {
    /// What the network is, as `traffic-train`'s `"model"` names it (`"gru"`, `"graph-ode"`, `"gram-ode"`).
    var kind: String { get }
    var sensors: Int { get }
    var inputLength: Int { get }
    var horizon: Int { get }
    var parameters: Parameters<Float> { get set }

    /// The z-scored forecast `[B, N, H]` of the z-scored history `[B, N, T_in]`. `training`
    /// switches batch statistics (and dropout, where a network has it) on.
    func forecast(_ history: Variable<Float>, parameters: ParameterVariables<Float>, training: Bool) throws -> Variable<Float>
}
