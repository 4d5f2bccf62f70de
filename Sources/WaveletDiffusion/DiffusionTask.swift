/// What a model is trained to fill in, and so which values are given (clean) during training
/// and sampling (``TrajectoryRepresentation/knownMask(for:)``): for simulation the control `f`
/// and `u0`; for control `u0` and the target `u_T`, the model proposing both `u` and `f`.
public enum DiffusionTask: String, Sendable, Codable, CaseIterable {
    case simulation
    case control

    /// What the condition channel carries for this task.
    public var condition: TrajectoryCondition { self == .simulation ? .initialState : [.initialState, .finalState] }
}
