import Foundation
import Integrators
import Randomness
import Tensors

/// How the probability-flow ODE of a trained model is integrated.
public enum DiffusionSamplerMethod: String, Sendable, Codable, CaseIterable {
    /// DDIM (η = 0): first-order exponential steps, one network call each.
    case ddim
    /// DPM-Solver++(2M): second-order multistep exponential steps, one network call each.
    case dpmSolver2M = "dpm-solver++2m"
    /// The core's adaptive Tsit5 on the probability-flow ODE (`steps` is then unused).
    case tsit5
}

/// Generates the unknown values of samples from a trained noise predictor by integrating the
/// probability-flow ODE of the generated values with the integrator core, the task's known
/// values held clean and the padding at zero — the network sees exactly what it saw in training.
/// (This is the replacement conditioning of the reference code, written as one ODE: the known
/// values are a prescribed input, not a state.) The batch is one state vector, so each right-hand
/// side is one network call on the whole batch; a final denoising step returns `x̂₀`.
public struct ConditionalSampler {
    /// ε̂ for noisy samples `[N, C, H, W]` at diffusion steps `[N]` (a trained network, or an exact
    /// predictor in tests).
    public typealias NoisePredictor = (_ samples: Tensor<Float>, _ steps: Tensor<Float>) throws -> Tensor<Float>

    public let predictor: NoisePredictor
    public let layout: any TrajectoryRepresentation
    public let task: DiffusionTask
    public let schedule = DiffusionSchedule.cosine
    public let diffusionSteps: Int
    /// The span of the diffusion time integrated, `[end, start]` (the step indices 0 and steps − 2).
    public var start: Double { Double(diffusionSteps - 1) / Double(diffusionSteps) }
    public var end: Double { 1 / Double(diffusionSteps) }
    let generated: [Int]
    let validKnown: [Float]

    /// A sampler of the trained `network` with `parameters` (for example the moving average).
    public init(network: DiffusionUNet<Float>, parameters: Parameters<Float>, layout: any TrajectoryRepresentation, task: DiffusionTask,
                diffusionSteps: Int = 1000) {
        var network = network
        network.parameters = parameters
        let weights = network.parameters.constants
        self.init(layout: layout, task: task, diffusionSteps: diffusionSteps) { [network] x, steps in
            try network(Variable(x), step: Variable(steps), parameters: weights).value
        }
    }

    public init(layout: any TrajectoryRepresentation, task: DiffusionTask, diffusionSteps: Int = 1000, predictor: @escaping NoisePredictor) {
        self.predictor = predictor
        self.layout = layout
        self.task = task
        self.diffusionSteps = diffusionSteps
        let known = layout.knownMask(for: task), valid = layout.validMask
        generated = (0..<layout.sampleSize).filter { valid[$0] == 1 && known[$0] == 0 }
        validKnown = (0..<layout.sampleSize).map { Float(valid[$0] * known[$0]) }
    }

    /// Values the model generates per sample.
    public var generatedCount: Int { generated.count }

    /// ε̂ at diffusion time `t` for the generated values `y` (`batch × generatedCount`), the
    /// known values taken from `given`.
    func noisePrediction(_ t: Double, _ y: UnsafeBufferPointer<Double>, given: [Float], batch: Int, clamp: Double?,
                         guidance: Guidance? = nil, into out: UnsafeMutableBufferPointer<Double>) throws {
        let size = layout.sampleSize, m = generated.count
        var x = [Float](repeating: 0, count: batch * size)
        for s in 0..<batch {
            for j in 0..<size where validKnown[j] != 0 { x[s * size + j] = given[s * size + j] }
            for (k, j) in generated.enumerated() { x[s * size + j] = Float(y[s * m + k]) }
        }
        let input = try Tensor<Float>(shape: [batch, layout.channelCount, layout.paddedHeight, layout.paddedWidth], scalars: x)
        let step = Tensor<Float>(shape: [batch], repeating: Float(t * Double(diffusionSteps) - 1))
        let epsilon = try predictor(input, step)
        epsilon.withUnsafeBufferPointer { e in
            for s in 0..<batch { for (k, j) in generated.enumerated() { out[s * m + k] = Double(e[s * size + j]) } }
        }
        let (alpha, sigma) = (schedule.alpha(t), schedule.sigma(t))
        // The data prediction x̂₀ = (x − σ ε̂)/α is clamped to [−clamp, clamp] and ε re-derived from it
        // (as the reference code does at every step): early, where α is tiny, an imperfect ε̂ would
        // otherwise be amplified by 1/α. The scaled channels of real data stay within ±0.7.
        let bound = clamp ?? .infinity
        if clamp != nil {
            for i in 0..<(batch * m) {
                let data = (y[i] - sigma * out[i]) / alpha
                if abs(data) > bound { out[i] = (y[i] - alpha * min(max(data, -bound), bound)) / sigma }
            }
        }
        guard let guidance else { return }
        // Guidance (as the reference code): ε' = ε̂ + β(t) ∇J(x̂₀), x̂₀ the data prediction with the
        // known values clean, β the discrete schedule's step at t; the guided prediction clamped again.
        let previous = max(t - 1 / Double(diffusionSteps), 0)
        let beta = min(1 - pow(alpha / schedule.alpha(previous), 2), 0.999)
        for s in 0..<batch {
            var data = (0..<size).map { j in validKnown[j] != 0 ? Double(given[s * size + j]) : 0 }
            for (k, j) in generated.enumerated() { data[j] = min(max((y[s * m + k] - sigma * out[s * m + k]) / alpha, -bound), bound) }
            let (_, gradient) = try guidance.objective.valueAndGradient(data, initial: guidance.initials[s], target: guidance.targets[s], layout: layout)
            for (k, j) in generated.enumerated() {
                let guided = out[s * m + k] + beta * gradient[j]
                let clamped = min(max((y[s * m + k] - sigma * guided) / alpha, -bound), bound)
                out[s * m + k] = (y[s * m + k] - alpha * clamped) / sigma
            }
        }
    }

    /// A control objective steering the samples (``ControlObjective``), with each sample's
    /// initial state and target.
    public struct Guidance {
        public var objective: ControlObjective
        public var initials: [[Double]]
        public var targets: [[Double]]
        public init(objective: ControlObjective, initials: [[Double]], targets: [[Double]]) {
            self.objective = objective
            self.initials = initials
            self.targets = targets
        }
    }

    /// Samples for `given` (`batch × layout.sampleSize`, known values filled in; the rest is
    /// ignored): the same array with the generated values filled in.
    ///
    /// - Parameters:
    ///   - steps: network calls of the fixed-step samplers (the paper: 50 DDIM steps).
    ///   - seed: seed of the starting noise.
    /// - Throws: ``WaveletDiffusionError`` for a wrong size, ``IntegrationError`` if the solve fails.
    ///   - clamp: bound of the scaled data prediction at every step (the reference: 1); `nil` for none.
    public func sample(given: [Float], method: DiffusionSamplerMethod = .ddim, steps: Int = 50, tolerance: Double = 1e-3,
                       clamp: Double? = 1, guidance: Guidance? = nil, seed: UInt64) throws -> (samples: [Float], statistics: SolverStatistics) {
        let size = layout.sampleSize
        guard !given.isEmpty, given.count % size == 0 else {
            throw WaveletDiffusionError.invalidShape("sampling: \(given.count) values is not a whole number of \(size)-value samples")
        }
        guard steps >= 1 else { throw WaveletDiffusionError.invalidArgument("sampling: steps must be >= 1, got \(steps)") }
        let batch = given.count / size, m = generated.count
        if let guidance, guidance.initials.count != batch || guidance.targets.count != batch {
            throw WaveletDiffusionError.invalidShape("guidance: \(guidance.initials.count) initial states and \(guidance.targets.count) targets for \(batch) samples")
        }
        var rng = Xoshiro256StarStar(seed: seed)
        let initial = (0..<(batch * m)).map { _ in rng.nextNormal() }
        var failure: Error?
        let epsilon: NoisePrediction = { t, y, out in
            do { try self.noisePrediction(t, y, given: given, batch: batch, clamp: clamp, guidance: guidance, into: out) } catch {
                failure = error
                for i in 0..<out.count { out[i] = .nan }
            }
        }
        let problem = schedule.probabilityFlow(initial: initial, from: start, to: end, noisePrediction: epsilon)
        let h = (start - end) / Double(steps)
        let solution: ODESolution
        do {
            switch method {
            case .ddim: solution = try solve(problem, using: DDIM(schedule: schedule), saveAt: .final, controller: FixedStep(h))
            case .dpmSolver2M: solution = try solve(problem, using: DPMSolverPlusPlus2M(schedule: schedule), saveAt: .final, controller: FixedStep(h))
            case .tsit5: solution = try solve(problem, using: Tsit5(), tolerance: Tolerance(relative: tolerance, absolute: tolerance), saveAt: .final)
            }
        } catch {
            throw failure ?? error
        }
        // Denoise the last state: x̂₀ = (x − σ ε̂)/α at the end time.
        var last = solution.final, noise = [Double](repeating: 0, count: batch * m)
        try last.withUnsafeBufferPointer { y in try noise.withUnsafeMutableBufferPointer { try noisePrediction(end, y, given: given, batch: batch, clamp: clamp, into: $0) } }
        let (alpha, sigma) = (schedule.alpha(end), schedule.sigma(end))
        for i in last.indices { last[i] = (last[i] - sigma * noise[i]) / alpha }
        var samples = given
        for s in 0..<batch {
            for j in 0..<size where validKnown[j] == 0 { samples[s * size + j] = 0 }
            for (k, j) in generated.enumerated() { samples[s * size + j] = Float(last[s * m + k]) }
        }
        var statistics = solution.statistics
        statistics.rhsEvaluations += 1
        return (samples, statistics)
    }
}
