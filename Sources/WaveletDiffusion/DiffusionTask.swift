/// What a model is trained to fill in, and so which channels are given (clean) during training
/// and sampling: for simulation the control `f` (its four band channels) and `u0` (the first half
/// of the condition channel); for control `u0` and the target `u_T` (the whole condition
/// channel), the model proposing both `u` and `f`.
public enum DiffusionTask: String, Sendable, Codable, CaseIterable {
    case simulation
    case control

    /// What the condition channel carries for this task.
    public var condition: TrajectoryCondition { self == .simulation ? .initialState : [.initialState, .finalState] }

    /// 1 where a sample's value is given (clean) for this task, 0 where the model generates it.
    public func knownMask(_ layout: WaveletChannels) -> [Double] {
        var mask = [Double](repeating: 0, count: layout.sampleSize)
        let plane = layout.paddedHeight * layout.paddedWidth, quarter = layout.paddedHeight / 4
        if self == .simulation {
            for c in WaveletChannels.controlChannels { for i in 0..<plane { mask[c * plane + i] = 1 } }
        }
        let conditionRows = self == .simulation ? 2 * quarter : layout.paddedHeight
        for i in 0..<(conditionRows * layout.paddedWidth) { mask[WaveletChannels.conditionChannel * plane + i] = 1 }
        return mask
    }
}
