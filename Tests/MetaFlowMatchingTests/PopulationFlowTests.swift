import Foundation
import Integrators
@testable import MetaFlowMatching
import Randomness
import Tensors
import Testing

/// A toy where each population must move to the origin from wherever it starts: the field can only
/// do that if it knows where the population is, which MFM's encoder tells it and FM cannot know.
func recentringPopulations(count: Int, points: Int, seed: UInt64) throws -> PopulationDataset {
    var rng = Xoshiro256StarStar(seed: seed)
    let populations = (0..<count).map { p -> Population in
        let (cx, cy) = (4 * rng.nextUniform() - 2, 4 * rng.nextUniform() - 2)
        var source = [Double](), target = [Double]()
        for _ in 0..<points {
            let (a, b) = (0.3 * rng.nextNormal(), 0.3 * rng.nextNormal())
            source += [cx + a, cy + b]
            target += [a, b]
        }
        return Population(source: source, target: target, label: 0, split: p < count - 4 ? .training : .test)
    }
    return try PopulationDataset(dimension: 2, populations: populations, labelNames: ["cloud"], benchmark: "recentring")
}

@Suite struct PopulationFlowTests {
    static func configuration(_ conditioning: FlowConditioning, trainingPopulations: Int = 0) -> PopulationFlowConfiguration {
        PopulationFlowConfiguration(dimension: 2, conditioning: conditioning, neighbours: 5, encoderWidth: 16, encoderLayers: 2,
                                    conditionDimension: 8, trainingPopulations: trainingPopulations, timeDimension: 8, fieldWidth: 32, fieldDepth: 2)
    }

    @Test func populationEmbeddingBeatsUnconditionedFlowMatching() throws {
        let data = try recentringPopulations(count: 20, points: 24, seed: 1)
        var final: [FlowConditioning: Double] = [:]
        for conditioning in [FlowConditioning.none, .populationEmbedding] {
            let model = try PopulationFlowModel(Self.configuration(conditioning), seed: 2)
            var trainer = try PopulationFlowTrainer(model: model, dataset: data, populationsPerBatch: 4, pointsPerPopulation: 24,
                                                    schedule: .constant(3e-3), seed: 3)
            let before = try (0..<8).reduce(0.0) { $0 + (try trainer.loss(at: 10_000 + $1)) } / 8
            for _ in 0..<300 { try trainer.trainStep() }
            let after = try (0..<8).reduce(0.0) { $0 + (try trainer.loss(at: 10_000 + $1)) } / 8
            #expect(after < 0.5 * before, "\(conditioning): loss \(before) → \(after)")
            final[conditioning] = after
        }
        #expect(final[.populationEmbedding]! < 0.5 * final[.none]!, "MFM \(final[.populationEmbedding]!) vs FM \(final[.none]!)")
    }

    @Test func resumingContinuesBitForBit() throws {
        let data = try recentringPopulations(count: 10, points: 16, seed: 4)
        for conditioning in FlowConditioning.allCases {
            let model = try PopulationFlowModel(Self.configuration(conditioning, trainingPopulations: 6), seed: 5)
            func trainer() throws -> PopulationFlowTrainer {
                try PopulationFlowTrainer(model: model, dataset: data, populationsPerBatch: 3, pointsPerPopulation: 12, schedule: .constant(1e-3), seed: 6)
            }
            var straight = try trainer()
            for _ in 0..<4 { try straight.trainStep() }
            var first = try trainer()
            for _ in 0..<2 { try first.trainStep() }
            var resumed = try trainer()
            try resumed.restore(parameters: first.model.parameters, optimizer: first.optimizer.state)
            for _ in 0..<2 { try resumed.trainStep() }
            #expect(resumed.model.parameters == straight.model.parameters, "\(conditioning)")
        }
        // Parameters of another architecture are refused with their names.
        let other = try PopulationFlowModel(Self.configuration(.none), seed: 5)
        var mfm = try PopulationFlowTrainer(model: PopulationFlowModel(Self.configuration(.populationEmbedding), seed: 5), dataset: data,
                                            populationsPerBatch: 3, pointsPerPopulation: 12, schedule: .constant(1e-3), seed: 6)
        #expect(throws: (any Error).self) { try mfm.restore(parameters: other.parameters, optimizer: Adam<Float>(learningRate: 1e-3).state) }
    }

    /// Ranks that share a batch's populations (data parallelism under `mpirun`) sum to the one-rank
    /// loss and gradients, also when a rank's share is empty (3 ranks, 2 populations a batch).
    @Test func ranksShareTheBatchPopulations() throws {
        let data = try recentringPopulations(count: 10, points: 16, seed: 7)
        for conditioning in FlowConditioning.allCases {
            for (ranks, populations) in [(2, 3), (3, 2)] {
                let model = try PopulationFlowModel(Self.configuration(conditioning, trainingPopulations: 6), seed: 8)
                var trainer = try PopulationFlowTrainer(model: model, dataset: data, populationsPerBatch: populations, pointsPerPopulation: 12,
                                                        schedule: .constant(1e-3), seed: 9)
                let (whole, gradients) = try trainer.lossAndGradients(at: 5, gradients: true)
                let reference = [whole] + gradients!.flatMap { $0.tensor.scalars.map(Double.init) }
                var parts: [[Double]] = []
                for rank in 0..<ranks {
                    trainer.distribution = DataParallelGroup(rank: rank, size: ranks) { parts.append($0) }   // records the share (no MPI here)
                    _ = try trainer.lossAndGradients(at: 5, gradients: true)
                }
                let summed = parts.dropFirst().reduce(parts[0]) { zip($0, $1).map { $0 + $1 } }
                let scale = reference.map(abs).max()!
                #expect(parts.count == ranks && summed.count == reference.count, "\(conditioning), \(ranks) ranks")
                #expect(zip(summed, reference).allSatisfy { abs($0 - $1) <= 1e-5 * scale }, "\(conditioning), \(ranks) ranks")
                #expect(reference.dropFirst().contains { $0 != 0 })
            }
        }
    }

    @Test func pushForwardSolvesTheFlowODE() throws {
        let model = try PopulationFlowModel(Self.configuration(.populationEmbedding), seed: 7)
        var rng = Xoshiro256StarStar(seed: 8)
        let source = (0..<40).map { _ in rng.nextNormal() }
        let condition = try model.condition(source: source, trainingIndex: nil)
        #expect(condition?.count == 16)
        let pushed = try model.push(source: source, condition: condition, tolerance: Tolerance(relative: 1e-9, absolute: 1e-9))
        // Classical RK4 with 400 steps on the same field.
        var y = source
        let h = 1.0 / 400
        func f(_ t: Double, _ y: [Double]) throws -> [Double] {
            try model.velocity(points: y.map { Float($0) }, time: t, condition: condition).map { Double($0) }
        }
        for k in 0..<400 {
            let t = Double(k) * h
            let k1 = try f(t, y)
            let k2 = try f(t + h / 2, zip(y, k1).map { $0 + h / 2 * $1 })
            let k3 = try f(t + h / 2, zip(y, k2).map { $0 + h / 2 * $1 })
            let k4 = try f(t + h, zip(y, k3).map { $0 + h * $1 })
            for i in y.indices { y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) }
        }
        let difference = zip(pushed.points, y).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-4, "adaptive vs RK4: \(difference)")
        #expect(pushed.steps > 0)
        // Distances: a population has none to itself.
        let same = try PopulationDistances(predicted: source, truth: source, dimension: 2)
        #expect(same.w1 == 0 && same.w2 == 0 && abs(same.mmd) < 1e-15)
    }

    @Test func badConfigurationsAreRefused() throws {
        var c = Self.configuration(.populationIndex)
        #expect(throws: MetaFlowMatchingError.self) { try PopulationFlowModel(c, seed: 0) }
        c.trainingPopulations = 3
        c.timeDimension = 7
        #expect(throws: MetaFlowMatchingError.self) { try PopulationFlowModel(c, seed: 0) }
        let data = try recentringPopulations(count: 10, points: 16, seed: 4)
        let mfm = try PopulationFlowModel(Self.configuration(.populationEmbedding), seed: 1)
        #expect(throws: MetaFlowMatchingError.self) {
            try PopulationFlowTrainer(model: mfm, dataset: data, populationsPerBatch: 3, pointsPerPopulation: 5, schedule: .constant(1e-3), seed: 0)
        }
        #expect(throws: MetaFlowMatchingError.self) {
            try PopulationFlowTrainer(model: mfm, dataset: data, populationsPerBatch: 30, pointsPerPopulation: 12, schedule: .constant(1e-3), seed: 0)
        }
    }
}
