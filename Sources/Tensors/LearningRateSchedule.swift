import Foundation

/// A learning rate as a function of the update index `s` — the number of updates already
/// applied, so the first update uses `rate(at: 0)`. Pure functions of `s`: an optimizer restored
/// from a checkpoint with its step count continues the schedule exactly where it stopped.
public enum LearningRateSchedule: Sendable, Equatable, CustomStringConvertible {
    /// The same rate at every step.
    case constant(Double)
    /// Linear warm-up then cosine decay (Loshchilov & Hutter 2017, without restarts):
    ///
    ///     s < W:         peak · (s + 1) / W
    ///     W ≤ s < T:     final + (peak − final) · (1 + cos(π (s − W) / (T − W))) / 2
    ///     s ≥ T:         final
    ///
    /// with `W = warmupSteps` (0 for none) and `T = totalSteps`; the rate reaches `peak` at the
    /// last warm-up step and again at `s = W`.
    case cosine(peak: Double, totalSteps: Int, warmupSteps: Int = 0, final: Double = 0)
    /// Step decay: `initial · factor^⌊s / every⌋` (PyTorch's `StepLR`).
    case step(initial: Double, every: Int, factor: Double)
    /// Decay at milestones: `initial · factor^k`, k the number of milestones ≤ s (PyTorch's
    /// `MultiStepLR`, with milestones counted in updates: epochs × updates per epoch).
    case multiStep(initial: Double, milestones: [Int], factor: Double)

    /// The learning rate for update index `step` (≥ 0).
    public func rate(at step: Int) -> Double {
        let s = Swift.max(step, 0)
        switch self {
        case .constant(let rate):
            return rate
        case let .cosine(peak, total, warmup, final):
            if s < warmup { return peak * Double(s + 1) / Double(warmup) }
            if s >= total { return final }
            let progress = Double(s - warmup) / Double(Swift.max(total - warmup, 1))
            return final + (peak - final) * (1 + Foundation.cos(Double.pi * progress)) / 2
        case let .step(initial, every, factor):
            return initial * Foundation.pow(factor, Double(s / Swift.max(every, 1)))
        case let .multiStep(initial, milestones, factor):
            return initial * Foundation.pow(factor, Double(milestones.reduce(0) { $1 <= s ? $0 + 1 : $0 }))
        }
    }

    public var description: String {
        switch self {
        case .constant(let rate): return "constant(\(rate))"
        case let .cosine(peak, total, warmup, final):
            return "cosine(peak: \(peak), totalSteps: \(total), warmupSteps: \(warmup), final: \(final))"
        case let .step(initial, every, factor): return "step(initial: \(initial), every: \(every), factor: \(factor))"
        case let .multiStep(initial, milestones, factor): return "multiStep(initial: \(initial), milestones: \(milestones), factor: \(factor))"
        }
    }
}
