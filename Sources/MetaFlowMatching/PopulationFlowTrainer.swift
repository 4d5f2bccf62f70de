import Randomness
import Tensors

/// Flow matching on many populations at once, the field and the population encoder trained
/// jointly end to end (Meta Flow Matching), or the field alone (FM) or with a learned
/// per-population vector (CGFM), in one code path.
///
/// Each step draws (from the stream `(seed, step)`) `populationsPerBatch` distinct training
/// populations and in each `pointsPerPopulation` distinct paired points (x₀ⁱ, x₁ⁱ) and times
/// tⁱ ~ U(0, 1); the loss is the mean over points of ‖v(xₜⁱ, tⁱ; c) − (x₁ⁱ − x₀ⁱ)‖² with
/// xₜ = (1 − t)x₀ + t x₁ (linear interpolants). MFM's condition c is the encoder's embedding of
/// the step's source subsample on its own kNN graph (as the reference code does). Adam; a run
/// resumed from (parameters, optimizer state) continues bit for bit.
public struct PopulationFlowTrainer {
    public var model: PopulationFlowModel
    public var optimizer: Adam<Float>
    public private(set) var step = 0
    public let dataset: PopulationDataset
    /// Data-set indices of the training populations (CGFM's table rows, in order).
    public let training: [Int]
    public let populationsPerBatch: Int
    public let pointsPerPopulation: Int
    public let seed: UInt64
    /// Data parallelism (under `mpirun`): every rank draws the same batch, computes the
    /// populations at positions `k mod size == rank` of it, and the loss and gradients are summed
    /// over the ranks, so every rank applies the same update.
    public var distribution = DataParallelGroup()

    public init(model: PopulationFlowModel, dataset: PopulationDataset, populationsPerBatch: Int, pointsPerPopulation: Int,
                schedule: LearningRateSchedule, seed: UInt64) throws {
        let training = dataset.indices(in: .training)
        guard !training.isEmpty else { throw MetaFlowMatchingError.invalidData("the data set has no training population") }
        guard dataset.dimension == model.configuration.dimension else {
            throw MetaFlowMatchingError.invalidData("the data's points have dimension \(dataset.dimension) but the model's \(model.configuration.dimension)")
        }
        guard (1...training.count).contains(populationsPerBatch) else {
            throw MetaFlowMatchingError.invalidArgument("populations_per_batch is \(populationsPerBatch); it must lie in 1...\(training.count) (the training populations)")
        }
        guard (2...dataset.pointsPerPopulation).contains(pointsPerPopulation) else {
            throw MetaFlowMatchingError.invalidArgument(
                "points_per_batch is \(pointsPerPopulation); it must lie in 2...\(dataset.pointsPerPopulation) (the points of a population)")
        }
        if model.configuration.conditioning == .populationEmbedding, model.configuration.neighbours >= pointsPerPopulation {
            throw MetaFlowMatchingError.invalidArgument(
                "neighbours (k) is \(model.configuration.neighbours) but a batch holds \(pointsPerPopulation) points of each population; k must be smaller")
        }
        if model.configuration.conditioning == .populationIndex, model.configuration.trainingPopulations != training.count {
            throw MetaFlowMatchingError.invalidArgument(
                "CGFM's table has \(model.configuration.trainingPopulations) rows but the data has \(training.count) training populations")
        }
        self.model = model
        self.dataset = dataset
        self.training = training
        self.populationsPerBatch = populationsPerBatch
        self.pointsPerPopulation = pointsPerPopulation
        self.seed = seed
        optimizer = Adam(schedule: schedule)
    }

    /// `count` distinct values of 0..<range (a partial Fisher–Yates shuffle).
    static func distinct(_ count: Int, of range: Int, _ rng: inout Xoshiro256StarStar) -> [Int] {
        var pool = Array(0..<range)
        for i in 0..<count { pool.swapAt(i, i + Int(rng.next() % UInt64(range - i))) }
        return Array(pool.prefix(count))
    }

    /// The loss of the batch of `step` and, when asked, its gradients.
    func lossAndGradients(at step: Int, gradients: Bool) throws -> (Double, Parameters<Float>?) {
        var rng = Xoshiro256StarStar(seed: SplitMix64.derivedSeed(base: seed, index: step))
        let d = dataset.dimension, m = pointsPerPopulation
        let chosen = Self.distinct(populationsPerBatch, of: training.count, &rng)
        let mine = Set(distribution.share(of: chosen.count))
        var x0 = [Float](), xt = [Float](), u = [Float](), times = [Float]()
        var graphs: [WeightedGraph] = [], owners: [Int] = []
        for (position, member) in chosen.enumerated() {
            let population = dataset.populations[training[member]]
            // Every rank draws every population's points and times, so the streams stay aligned.
            let points = Self.distinct(m, of: dataset.pointsPerPopulation, &rng)
            let draws = points.map { ($0, rng.nextUniform()) }
            guard mine.contains(position) else { continue }
            owners.append(member)
            var subsample = [Double]()
            subsample.reserveCapacity(m * d)
            for (i, t) in draws {
                times.append(Float(t))
                for c in 0..<d {
                    let a = population.source[i * d + c], b = population.target[i * d + c]
                    subsample.append(a)
                    x0.append(Float(a))
                    xt.append(Float((1 - t) * a + t * b))
                    u.append(Float(b - a))
                }
            }
            if model.configuration.conditioning == .populationEmbedding {
                graphs.append(try NearestNeighbourGraph.build(points: subsample, dimension: d, neighbours: model.configuration.neighbours))
            }
        }
        // The loss is normalised by the whole batch's points, so the ranks' parts sum to it.
        let normaliser = Float(chosen.count * m)
        guard !owners.isEmpty else {
            return try distribution.sum(loss: 0, gradients: gradients ? model.parameters.zeros() : nil)
        }
        let b = owners.count * m
        let tape = gradients ? Tape<Float>() : nil
        let p = tape.map { model.parameters.bind(to: $0) } ?? model.parameters.constants
        var conditions: Variable<Float>? = nil
        switch model.configuration.conditioning {
        case .none: break
        case .populationIndex:
            conditions = try model.lookUp(owners.flatMap { [Int?](repeating: $0, count: m) }, parameters: p)
        case .populationEmbedding:
            let sources = Variable(try Tensor<Float>(shape: [b, d], scalars: x0))
            let embedding = try model.encode(sources, graph: NearestNeighbourGraph.union(graphs), populations: owners.count, parameters: p)
            conditions = try embedding.gathered(indices: owners.indices.flatMap { [Int](repeating: $0, count: m) }, axis: 0)
        }
        let v = try model.velocity(Variable(try Tensor<Float>(shape: [b, d], scalars: xt)), times: Variable(try Tensor<Float>(shape: [b], scalars: times)),
                                   conditions: conditions, parameters: p)
        let loss = try (v - Variable(try Tensor<Float>(shape: [b, d], scalars: u))).squared().sum() * (1 / normaliser)
        let value = Double(loss.value.scalar!)
        return try distribution.sum(loss: value, gradients: gradients ? p.gradients(from: try loss.backward()) : nil)
    }

    /// One Adam step; returns the batch loss before the update.
    @discardableResult
    public mutating func trainStep() throws -> Double {
        let (value, gradients) = try lossAndGradients(at: step, gradients: true)
        guard value.isFinite, let gradients else {
            throw MetaFlowMatchingError.invalidData("flow matching step \(step): the loss is \(value)")
        }
        var parameters = model.parameters
        try optimizer.update(&parameters, with: gradients)
        model.parameters = parameters
        step += 1
        return value
    }

    /// The loss of the batch of `step` with the current weights (no update).
    public func loss(at step: Int) throws -> Double { try lossAndGradients(at: step, gradients: false).0 }

    /// The CGFM table row of a data-set population (nil when it did not train).
    public func trainingIndex(ofPopulation index: Int) -> Int? { training.firstIndex(of: index) }

    /// Continues from a checkpoint's state.
    public mutating func restore(parameters: Parameters<Float>, optimizer state: OptimizerState<Float>) throws {
        try parameters.checkMatches(model.parameters, role: "checkpoint", operation: "PopulationFlowTrainer.restore")
        model.parameters = parameters
        try optimizer.restore(state)
        step = state.step
    }
}
