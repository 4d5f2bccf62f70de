import Foundation
import Integrators
import Tensors
import Testing
@testable import WaveletDiffusion

@Suite struct ControlObjectiveTests {
    static let layout = try! WaveletChannels(rows: 17, points: 24, paddedHeight: 16, paddedWidth: 16)

    /// The gradient through the inverse wavelet transform against central differences.
    @Test func gradientMatchesFiniteDifferences() throws {
        let objective = ControlObjective(stateWeight: 3, energyWeight: 0.5)
        let layout = Self.layout
        let valid = layout.validMask
        var data = [Double](repeating: 0, count: layout.sampleSize)
        var state: UInt64 = 9
        for i in data.indices where valid[i] == 1 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            data[i] = Double(state >> 11) / Double(1 << 53) - 0.5
        }
        let initial = (0..<24).map { sin(Double($0) / 4) }, target = (0..<24).map { 0.3 * cos(Double($0) / 3) }
        let (_, gradient) = try objective.valueAndGradient(data, initial: initial, target: target, layout: layout)
        var worst = 0.0, scale = 0.0
        for i in stride(from: 0, to: data.count, by: 37) where valid[i] == 1 && i < 8 * 256 {
            var plus = data, minus = data
            plus[i] += 1e-6
            minus[i] -= 1e-6
            let numeric = (try objective.valueAndGradient(plus, initial: initial, target: target, layout: layout).0
                - objective.valueAndGradient(minus, initial: initial, target: target, layout: layout).0) / 2e-6
            worst = max(worst, abs(numeric - gradient[i]))
            scale = max(scale, abs(numeric))
        }
        #expect(scale > 0.1 && worst < 1e-6 * scale, "worst \(worst), scale \(scale)")
        #expect(ControlObjective.actualCost(finalState: [1, 2], target: [1, 4]) == 2)
    }

    /// Guidance steers the samples: with the exact noise predictor of data N(0, 0.3² I)
    /// (ε̂ = σ_t x / (α_t² 0.09 + σ_t²)), the guided samples' objective is far below the unguided ones'.
    @Test func guidanceLowersTheObjective() throws {
        let layout = Self.layout
        let schedule = DiffusionSchedule.cosine
        let sampler = ConditionalSampler(layout: layout, task: .control) { x, steps in
            let t = (Double(steps[flat: 0]) + 1) / 1000
            let (a, sigma) = (schedule.alpha(t), schedule.sigma(t))
            return try x * Tensor<Float>(shape: [], scalars: [Float(sigma / (a * a * 0.09 + sigma * sigma))])
        }
        let initial = (0..<24).map { 0.5 * sin(Double($0) / 4) }, target = (0..<24).map { 0.2 * cos(Double($0) / 3) }
        let u = (0..<17).flatMap { _ in initial }
        let given = try layout.encode(state: u, control: [Double](repeating: 0, count: 16 * 24), condition: [.initialState, .finalState])
        let objective = ControlObjective(stateWeight: 10_000, energyWeight: 1e-3)
        func score(_ sample: [Float]) throws -> Double {
            try objective.valueAndGradient(sample.map(Double.init), initial: initial, target: target, layout: layout).0
        }
        let free = try sampler.sample(given: given.map(Float.init), steps: 50, seed: 3).samples
        let guided = try sampler.sample(given: given.map(Float.init), steps: 50,
                                        guidance: .init(objective: objective, initials: [initial], targets: [target]), seed: 3).samples
        print("WDNO GUIDANCE: objective unguided \(try score(free)), guided \(try score(guided))")
        #expect(try score(guided) < 0.5 * score(free))
    }
}
