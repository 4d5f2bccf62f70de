import Foundation
import Testing
import Tensors

/// Optimizer steps on f(θ) = ½‖θ‖² (so the gradient is θ itself) from θ₀ = [1, −2], against
/// values computed by hand from the published update rules.
@Suite struct OptimizerTests {
    let theta0 = Parameters<Double>(["theta": Tensor([1, -2])])

    func run<O: Optimizer>(_ optimizer: inout O, steps: Int) throws -> [[Double]] where O.Scalar == Double {
        var p = theta0
        var trajectory: [[Double]] = []
        for _ in 0..<steps {
            let gradient = p   // ∇½‖θ‖² = θ
            try optimizer.update(&p, with: gradient)
            trajectory.append(p["theta"]!.scalars)
        }
        return trajectory
    }

    func expectClose(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-14,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) },
                "\(a) vs \(b)", sourceLocation: sourceLocation)
    }

    /// lr 0.1, β = (0.9, 0.999), ε = 1e-8.
    /// Step 1: m = 0.1g, v = 0.001g², m̂ = g, v̂ = g², θ₁ = θ₀ − 0.1·g/(|g| + 1e-8) = [0.900000001, −1.9000000005].
    /// Step 2 (coordinate 0): g = 0.900000001, m = 0.09 + 0.09 = 0.18, v = 0.000999 + 0.00081 = 0.001809,
    /// m̂ = 0.18/0.19, v̂ = 0.001809/0.001999, θ₂ = 0.9 − 0.1·0.947368/0.951290 = 0.80041223…
    @Test func adamOneAndTwoSteps() throws {
        var adam = Adam<Double>(learningRate: 0.1)
        let t = try run(&adam, steps: 2)
        expectClose(t[0], [0.900000001, -1.9000000005])
        expectClose(t[1], [0.8004122297123382, -1.800166486621093])
        #expect(adam.step == 2)
        // Adam with (coupled) L2 decay 0.1: g ← g + 0.1θ.
        var l2 = Adam<Double>(learningRate: 0.1, weightDecay: 0.1)
        let u = try run(&l2, steps: 2)
        expectClose(u[0], [0.9000000009090909, -1.9000000004545454])
        expectClose(u[1], [0.8004122295267845, -1.8001664865292035])
    }

    /// AdamW, lr 0.1, λ = 0.1: θ ← θ(1 − 0.01) before each Adam step on the undecayed gradient.
    /// Step 1: 0.99 − 0.1/(1 + 1e-8) = 0.890000001.
    @Test func adamWOneAndTwoSteps() throws {
        var adamW = AdamW<Double>(learningRate: 0.1, weightDecay: 0.1)
        let t = try run(&adamW, steps: 2)
        expectClose(t[0], [0.890000001, -1.8800000005])
        expectClose(t[1], [0.7815718569541611, -1.7614089510885826])
        #expect(adamW.kind == "adamw" && adamW.state.slots.keys.sorted() == ["m", "v"])
    }

    /// Adam in Float32 follows the Float64 trajectory to single precision.
    @Test func adamInFloat32() throws {
        var adam = Adam<Float>(learningRate: 0.1)
        var p = Parameters<Float>(["theta": Tensor([1, -2])])
        for _ in 0..<2 {
            let gradient = p
            try adam.update(&p, with: gradient)
        }
        #expect(abs(p["theta"]![0] - 0.80041223) < 1e-6 && abs(p["theta"]![1] + 1.80016649) < 1e-6)
    }

    /// SGD, lr 0.1, μ 0.9: v₁ = g = [1, −2], θ₁ = [0.9, −1.8]; v₂ = 0.9v₁ + θ₁ = [1.8, −3.6], θ₂ = [0.72, −1.44].
    /// Nesterov: θ₁ = θ₀ − 0.1(g + 0.9v₁) = [0.81, −1.62]; v₂ = [1.71, −3.42], θ₂ = 0.81 − 0.1(0.81 + 1.539) = 0.5751.
    @Test func sgdWithMomentum() throws {
        var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9)
        let t = try run(&sgd, steps: 2)
        expectClose(t[0], [0.9, -1.8])
        expectClose(t[1], [0.72, -1.44])
        var nesterov = SGD<Double>(learningRate: 0.1, momentum: 0.9, nesterov: true)
        let n = try run(&nesterov, steps: 2)
        expectClose(n[0], [0.81, -1.62])
        expectClose(n[1], [0.5751, -1.1502])
        var plain = SGD<Double>(learningRate: 0.1, weightDecay: 1)   // θ ← θ − 0.1(θ + θ) = 0.8θ
        expectClose(try run(&plain, steps: 1)[0], [0.8, -1.6])
    }

    /// The optimizer evaluates its schedule at its own step count.
    @Test func optimizerFollowsItsSchedule() throws {
        var sgd = SGD<Double>(schedule: .step(initial: 0.5, every: 1, factor: 0.5))   // 0.5, 0.25
        // θ₁ = θ₀(1 − 0.5) = [0.5, −1]; θ₂ = θ₁(1 − 0.25) = [0.375, −0.75].
        let t = try run(&sgd, steps: 2)
        expectClose(t[1], [0.375, -0.75])
        #expect(sgd.learningRate == 0.125)
    }

    @Test func clippingScalesToTheGivenNorm() throws {
        var g = Parameters<Double>(["a": Tensor([3, 4]), "b": Tensor([12])])   // global norm 13
        let before = g.clipNorm(to: 6.5)
        #expect(before == 13)
        #expect(abs(g.norm - 6.5) < 1e-14)
        #expect(g["a"]! == Tensor([1.5, 2]) && g["b"]! == Tensor([6]))
        var small = Parameters<Float>(["a": Tensor([0.3, 0.4])])
        #expect(abs(small.clipNorm(to: 1) - 0.5) < 1e-7)
        #expect(small["a"]! == Tensor([0.3, 0.4]))   // under the limit: untouched
        var bad = Parameters<Double>(["a": Tensor([.nan, 1])])
        #expect(bad.clipNorm(to: 1).isNaN && bad["a"]![1] == 1)
    }

    @Test func scheduleValues() {
        let cosine = LearningRateSchedule.cosine(peak: 1, totalSteps: 110, warmupSteps: 10, final: 0.1)
        let close = { (a: Double, b: Double) in abs(a - b) < 1e-15 }
        #expect(close(cosine.rate(at: 0), 0.1))          // warm-up: (s + 1)/10
        #expect(close(cosine.rate(at: 4), 0.5))
        #expect(close(cosine.rate(at: 9), 1))
        #expect(close(cosine.rate(at: 10), 1))           // decay starts at the peak
        #expect(close(cosine.rate(at: 35), 0.1 + 0.45 * (1 + cos(Double.pi / 4))))   // a quarter of the way
        #expect(close(cosine.rate(at: 60), 0.55))        // halfway: (peak + final)/2
        #expect(close(cosine.rate(at: 110), 0.1) && close(cosine.rate(at: 1000), 0.1))
        let noWarmup = LearningRateSchedule.cosine(peak: 2, totalSteps: 4)
        #expect([0, 1, 2, 3, 4].map { noWarmup.rate(at: $0) }.enumerated().allSatisfy {
            close($0.element, [2, 1 + cos(Double.pi / 4), 1, 1 - cos(Double.pi / 4), 0][$0.offset])
        })
        let step = LearningRateSchedule.step(initial: 0.1, every: 30, factor: 0.5)
        #expect(step.rate(at: 0) == 0.1 && step.rate(at: 29) == 0.1 && step.rate(at: 30) == 0.05 && step.rate(at: 95) == 0.0125)
        #expect(LearningRateSchedule.constant(3e-4).rate(at: 12345) == 3e-4)
        // GRAM-ODE's MultiStepLR: ×0.13 at epochs 15, 50, 105, 145 (here one update an epoch).
        let multi = LearningRateSchedule.multiStep(initial: 2e-4, milestones: [15, 50, 105, 145], factor: 0.13)
        #expect(multi.rate(at: 14) == 2e-4 && close(multi.rate(at: 15), 2.6e-5) && close(multi.rate(at: 104), 2e-4 * 0.13 * 0.13))
        #expect(close(multi.rate(at: 145), 2e-4 * pow(0.13, 4)) && close(multi.rate(at: 10_000), 2e-4 * pow(0.13, 4)))
    }

    @Test func mismatchedGradientsNameTheParameter() throws {
        var adam = Adam<Double>()
        var p = Parameters<Double>(["w": Tensor.zeros([2, 2]), "b": Tensor.zeros([2])])
        let wrongShape = Parameters<Double>(["w": Tensor.zeros([2, 2]), "b": Tensor.zeros([3])])
        let missing = Parameters<Double>(["w": Tensor.zeros([2, 2])])
        for gradients in [wrongShape, missing] {
            do {
                try adam.update(&p, with: gradients)
                Issue.record("no error")
            } catch {
                #expect("\(error)".contains("'b'"), "\(error)")
            }
        }
        #expect(adam.step == 0)
    }

    @Test func restoringAnotherKindFails() throws {
        var adam = Adam<Double>()
        var p = theta0
        try adam.update(&p, with: theta0)
        var sgd = SGD<Double>(learningRate: 0.1, momentum: 0.9)
        #expect(throws: TensorError.self) { try sgd.restore(adam.state) }
        var adamW = AdamW<Double>()
        #expect(throws: TensorError.self) { try adamW.restore(adam.state) }
        var other = Adam<Double>()
        try other.restore(adam.state)
        #expect(other.state == adam.state)
    }
}
