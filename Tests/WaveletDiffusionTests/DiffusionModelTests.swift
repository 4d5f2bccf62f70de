import Foundation
import Integrators
import Tensors
import Testing
@testable import WaveletDiffusion

/// The diffusion model at a miniature size (17 × 24 trajectories, 12 × 12 channels): the U-Net's
/// shapes and gradients, a training run whose loss falls, bit-identical resumption, and
/// conditional sampling through the integrator core.
@Suite struct DiffusionModelTests {
    static let layout = try! WaveletChannels(rows: 17, points: 24, paddedHeight: 12, paddedWidth: 12)
    static let configuration = DiffusionUNetConfiguration(width: 8, multipliers: [1, 2], blocksPerLevel: 1, groups: 2)
    static let weights = [10.0, 3, 3, 1, 21, 5, 5, 1, 10]

    /// Eight simulated miniature trajectories, encoded for simulation.
    static let samples: [Float] = {
        let setup = BurgersControlSetup(duration: 1.6, intervals: 16, points: 24, solverModes: 63, solverStep: 0.004)
        let simulator = try! setup.makeSimulator()
        return (0..<8).flatMap { i -> [Float] in
            let draw = BurgersControlSample(seed: UInt64(100 + i))
            let control = draw.control(for: setup)
            let u = try! setup.simulate(initial: draw.initialState(at: setup.pointPositions), control: control, with: simulator)
            return try! layout.encode(state: u, control: control, condition: .initialState).map(Float.init)
        }
    }()

    @Test func networkShapesAndInputGradients() throws {
        let net = DiffusionUNet<Float>(Self.configuration, seed: 1)
        let x = Tensor<Float>(shape: [2, 9, 12, 12], repeating: 0.5)
        let y = try net(Variable(x), step: Variable(Tensor<Float>(shape: [2], scalars: [3, 700])), parameters: net.parameters.constants)
        #expect(y.shape == [2, 9, 12, 12] && y.value.scalars.allSatisfy { $0 == 0 })   // the output convolution starts at zero
        #expect(throws: WaveletDiffusionError.self) { try DiffusionUNetConfiguration(width: 6, groups: 4).validate(height: 12, width: 12) }
        #expect(throws: WaveletDiffusionError.self) { try Self.configuration.validate(height: 13, width: 12) }
        // Float64 copy with every parameter perturbed: gradients with respect to the input against central differences.
        var net64 = DiffusionUNet<Double>(DiffusionUNetConfiguration(width: 4, multipliers: [1, 2], groups: 2), seed: 2)
        let names = net64.parameters.names
        net64.parameters = try net64.parameters.mapTensors { name, t in try t + randn(t.shape, UInt64(names.firstIndex(of: name)!)) * 0.2 }
        let step = Variable(try Tensor<Double>(shape: [1], scalars: [250]))
        let r = try checkInputGradients(randn([1, 9, 4, 4], 3)) { v in
            try net64(v, step: step, parameters: net64.parameters.constants)
        }
        #expect(r < 1e-6, "relative gradient error \(r)")
    }

    @Test func trainingLowersTheLossAndResumesBitIdentically() throws {
        let options = DiffusionTrainingOptions(batchSize: 4, learningRate: 2e-3, seed: 7)
        var trainer = try DiffusionTrainer(network: DiffusionUNet(Self.configuration, seed: 3), layout: Self.layout, task: .simulation,
                                           samples: Self.samples, channelWeights: Self.weights, options: options)
        func evaluation(_ p: Parameters<Float>) throws -> Double {
            try (0..<6).map { try trainer.loss(at: 1_000_000 + $0, parameters: p) }.reduce(0, +) / 6
        }
        let before = try evaluation(trainer.network.parameters)
        var resumed: DiffusionTrainer?
        for step in 0..<60 {
            if step == 40 {
                var copy = try DiffusionTrainer(network: DiffusionUNet(Self.configuration, seed: 99), layout: Self.layout, task: .simulation,
                                                samples: Self.samples, channelWeights: Self.weights, options: options)
                try copy.restore(parameters: trainer.network.parameters, averaged: trainer.averaged, optimizer: trainer.optimizer.state,
                                 step: trainer.step)
                resumed = copy
            }
            try trainer.trainStep()
        }
        for _ in 40..<60 { try resumed!.trainStep() }
        let after = try evaluation(trainer.network.parameters)
        print("WDNO TRAINING (miniature): evaluation loss \(before) -> \(after) after 60 steps")
        #expect(after < 0.7 * before)
        #expect(resumed!.network.parameters == trainer.network.parameters && resumed!.averaged == trainer.averaged)
        #expect(throws: WaveletDiffusionError.self) {
            try DiffusionTrainer(network: DiffusionUNet(Self.configuration, seed: 3), layout: Self.layout, task: .simulation,
                                 samples: [1, 2, 3], channelWeights: Self.weights, options: options)
        }
    }

    /// Two ranks' halves of a batch (their shards), summed, give the one-rank loss and gradients.
    @Test func ranksShareTheBatchShards() throws {
        let options = DiffusionTrainingOptions(batchSize: 8, seed: 3)
        let trainer = try DiffusionTrainer(network: DiffusionUNet(Self.configuration, seed: 5), layout: Self.layout, task: .simulation,
                                           samples: Self.samples, channelWeights: Self.weights, options: options)
        let batch = trainer.batch(at: 2)
        let (whole, gradients) = try DiffusionTrainer.lossAndGradients(trainer.network, batch: batch, weights: trainer.lossWeights,
                                                                       layout: Self.layout, batchSize: 8, gradients: true)
        var parts: [[Double]] = []
        for rank in 0..<2 {
            var distribution = DataParallelGroup()
            (distribution.rank, distribution.size) = (rank, 2)
            distribution.sumOverRanks = { parts.append($0) }   // records this rank's share (no MPI here)
            _ = try DiffusionTrainer.lossAndGradients(trainer.network, batch: batch, weights: trainer.lossWeights, layout: Self.layout,
                                                      batchSize: 8, gradients: true, distribution: distribution)
        }
        let summed = zip(parts[0], parts[1]).map { $0 + $1 }
        let reference = [whole] + gradients!.flatMap { $0.tensor.scalars.map(Double.init) }
        let scale = reference.map(abs).max()!
        #expect(summed.count == reference.count)
        #expect(zip(summed, reference).allSatisfy { abs($0 - $1) <= 1e-5 * scale })
    }

    @Test func samplingKeepsTheKnownValuesAndCountsItsCalls() throws {
        var net = DiffusionUNet<Float>(Self.configuration, seed: 4)
        net.parameters = net.parameters.mapTensors { name, t in
            name == "output.conv.weight" ? Tensor(shape: t.shape, repeating: 0.01) : t
        }
        let given = Array(Self.samples.prefix(2 * Self.layout.sampleSize))
        let sampler = ConditionalSampler(network: net, parameters: net.parameters, layout: Self.layout, task: .simulation)
        let known = Self.layout.knownMask(for: .simulation), valid = Self.layout.validMask
        for method in [DiffusionSamplerMethod.ddim, .dpmSolver2M] {
            // Both samplings on one BLAS thread: concurrently running tests' shards change
            // OpenBLAS's process-wide thread count, and on AMD Zen the result
            // depended on it in the last bit.
            let (samples, statistics) = try Parallelism.withSingleThreadedBLAS {
                try sampler.sample(given: given, method: method, steps: 10, seed: 5)
            }
            #expect(statistics.rhsEvaluations == 12)
            for j in samples.indices {
                let k = j % Self.layout.sampleSize
                if valid[k] * known[k] == 1 { #expect(samples[j] == given[j]) }
                if valid[k] == 0 { #expect(samples[j] == 0) }
            }
            #expect(samples.allSatisfy { $0.isFinite })
            let again = try Parallelism.withSingleThreadedBLAS {
                try sampler.sample(given: given, method: method, steps: 10, seed: 5).samples
            }
            #expect(again == samples)
        }
        #expect(throws: WaveletDiffusionError.self) { try sampler.sample(given: [1], seed: 1) }
    }
}

/// Relative error of ∂⟨f(x), w⟩/∂x by reverse mode against central differences.
func checkInputGradients(_ x: Tensor<Double>, _ f: (Variable<Double>) throws -> Variable<Double>) throws -> Double {
    let tape = Tape<Double>()
    let v = tape.variable(x)
    let y = try f(v)
    let w = Tensor<Double>.randomNormal(shape: y.shape, seed: 77)
    let gradient = try (y * Variable(w)).sum().backward()[v]
    var (difference, scale) = (0.0, 0.0)
    for i in stride(from: 0, to: x.count, by: 7) {
        var plus = x, minus = x
        plus[flat: i] += 1e-5
        minus[flat: i] -= 1e-5
        let fp = try (f(Variable(plus)).value * w).sum().scalar!, fm = try (f(Variable(minus)).value * w).sum().scalar!
        let numeric = (fp - fm) / 2e-5
        difference = max(difference, abs(numeric - gradient[flat: i]))
        scale = max(scale, abs(numeric))
    }
    return difference / max(scale, 1e-12)
}

func randn(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { Tensor.randomNormal(shape: shape, seed: seed) }
