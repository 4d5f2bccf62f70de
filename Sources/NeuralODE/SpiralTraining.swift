import Foundation
import Integrators
import NetCDF
import Randomness
import Tensors

/// The neural-ODE spiral benchmark (Chen et al. 2018; torchdiffeq's `examples/ode_demo.py`):
/// learn `dy/dt = (y³) A`, `A = [[-0.1, 2], [-2, -0.1]]` (row vector times `A`), from a sampled
/// trajectory with a network `Linear(2, h) → tanh → Linear(h, 2)` applied to `y³`. Each iteration
/// draws distinct windows of consecutive samples, predicts each from its first state, and takes
/// one Adam step on the gradient of the mean squared (or absolute) error, clipped to a global norm,
/// with a linear warm-up and cosine decay of the learning rate. Data-parallel over ranks, and
/// resumable bit-identically from a ``State``; the scenario kind `neural-ode` drives it.
public struct SpiralTraining {
    /// The spiral's matrix, row-major, used as `dy/dt = (y³) A` (row vector times `A`).
    public static let matrix = [-0.1, 2.0, -2.0, -0.1]

    public let seed: UInt64
    public let initial: [Double]
    public let times: [Double]
    /// True states, row-major `[samples, 2]`.
    public let trueStates: [Double]
    public let iterations, batchSize, batchTime, hiddenWidth, evalEvery, warmup: Int
    public let learningRate, finalLearningRate, beta1, beta2, rtol, atol, gradientClip: Double
    public let methodName, gradientMethodName, lossName: String
    public let solver: SolverConfiguration
    public let gradientMethod: GradientMethod

    public var schedule: LearningRateSchedule {
        learningRate == finalLearningRate && warmup == 0
            ? .constant(learningRate)
            : .cosine(peak: learningRate, totalSteps: iterations, warmupSteps: warmup, final: finalLearningRate)
    }
    public var optimizerDescription: String { "Adam(beta1: \(beta1), beta2: \(beta2), epsilon: 1e-8)" }
    public var networkDescription: String { "Linear(2, \(hiddenWidth)) -> tanh -> Linear(\(hiddenWidth), 2) applied to y^3" }

    /// The settings of one training, in the scenario's units and names.
    public struct Settings: Sendable {
        public var initial: [Double] = [2, 0]
        public var samples = 1000, iterations = 2000, batchSize = 20, batchTime = 10, hiddenWidth = 50
        public var evalEvery = 50, warmup = 100
        public var tEnd = 25.0, learningRate = 0.003, finalLearningRate = 1e-5, beta1 = 0.9, beta2 = 0.999
        public var rtol = 1e-7, atol = 1e-9, gradientClip = 1.0
        /// "DormandPrince5", "Tsit5", "Verner7" or "BogackiShampine3".
        public var method = "DormandPrince5"
        /// "backprop" or "adjoint".
        public var gradientMethod = "backprop"
        /// "l2" (mean squared error) or "l1" (the demo's mean absolute error).
        public var loss = "l2"
        public init() {}
    }

    /// The true trajectory and the training set up from `settings`, seeded by `seed`.
    public init(_ settings: Settings, seed: UInt64) throws {
        self.seed = seed
        initial = settings.initial
        let samples = settings.samples, tEnd = settings.tEnd
        times = (0..<samples).map { $0 == samples - 1 ? tEnd : tEnd * Double($0) / Double(samples - 1) }
        iterations = settings.iterations
        batchSize = settings.batchSize
        batchTime = settings.batchTime
        hiddenWidth = settings.hiddenWidth
        evalEvery = settings.evalEvery
        warmup = settings.warmup
        gradientClip = settings.gradientClip
        lossName = settings.loss
        learningRate = settings.learningRate
        finalLearningRate = min(settings.finalLearningRate, learningRate)
        beta1 = settings.beta1
        beta2 = settings.beta2
        rtol = settings.rtol
        atol = settings.atol
        methodName = settings.method
        let tolerance = Tolerance(relative: rtol, absolute: atol)
        solver = try SolverConfiguration.named(methodName, tolerance: tolerance)
        gradientMethodName = settings.gradientMethod
        gradientMethod = gradientMethodName == "adjoint" ? .adjoint() : .backpropagation()
        trueStates = try Self.trueTrajectory(initial: initial, times: times)
    }

    /// The true trajectory `dy/dt = (y³) A` at `times` (Verner7, rtol = atol = 1e-12), row-major `[samples, 2]`.
    public static func trueTrajectory(initial: [Double], times: [Double]) throws -> [Double] {
        let a = Self.matrix
        let problem = ODEProblem(initial: initial, timeSpan: 0...times.last!) { _, y, dy in
            let c0 = y[0] * y[0] * y[0], c1 = y[1] * y[1] * y[1]
            dy[0] = c0 * a[0] + c1 * a[2]
            dy[1] = c0 * a[1] + c1 * a[3]
        }
        let solution = try solve(problem, using: Verner7(), tolerance: Tolerance(relative: 1e-12, absolute: 1e-12),
                                 saveAt: .times(times), maxSteps: 10_000_000, denseOutput: false)
        guard solution.times.count == times.count else {
            throw NeuralODEError.invalidArgument("the true trajectory has \(solution.times.count) states for \(times.count) times")
        }
        return solution.stateStorage
    }

    /// The demo's initial network: weights N(0, 0.1²), biases 0, drawn from `rng`.
    public func initialField(using rng: inout Xoshiro256StarStar) throws -> CubedInputField {
        var network = try MLPVectorField(widths: [2, hiddenWidth, 2], seed: seed)
        network.parameters = try network.parameters.enumerated().map { index, tensor in
            guard index % 2 == 0 else { return Tensor(shape: tensor.shape, repeating: 0) }
            return try Tensor(shape: tensor.shape, scalars: (0..<tensor.count).map { _ in 0.1 * rng.nextNormal() })
        }
        return CubedInputField(network: network)
    }

    /// `count` distinct integers of `0 ..< population` in random order (partial Fisher–Yates;
    /// index draws by the multiply-high map of 64 random bits, identical on every platform).
    public static func distinctIndices(_ count: Int, of population: Int, using rng: inout Xoshiro256StarStar) -> [Int] {
        var pool = Array(0..<population)
        for i in 0..<count {
            let remaining = UInt64(population - i)
            let j = i + Int(remaining.multipliedFullWidth(by: rng.next()).high)
            pool.swapAt(i, j)
        }
        return Array(pool[0..<count])
    }

    /// The true states with indices `starts[b] + offset` as a `[B, 2]` batch.
    public func states(at starts: [Int], offset: Int) throws -> Tensor<Double> {
        var scalars: [Double] = []
        scalars.reserveCapacity(2 * starts.count)
        for start in starts {
            let index: Int = 2 * (start + offset)
            scalars.append(trueStates[index])
            scalars.append(trueStates[index + 1])
        }
        return try Tensor(shape: [starts.count, 2], scalars: scalars)
    }

    /// The mean absolute error of the trajectory predicted from `initial` over all `times`, and the prediction.
    public func evaluate(_ node: NeuralODE<CubedInputField>) throws -> (error: Double, states: [Double]) {
        let trajectory = try node.solve(initial: Tensor(initial), from: 0, saveAt: times, solver: solver)
        let predicted = trajectory.states.flatMap(\.scalars)
        var total = 0.0
        for (p, q) in zip(predicted, trueStates) { total += abs(p - q) }
        return (total / Double(trueStates.count), predicted)
    }

    /// Everything a training needs to continue exactly where it stopped.
    public struct State {
        public var parameters: Parameters<Double>
        public var optimizer: Adam<Double>
        public var generator: Xoshiro256StarStar
        public var history: SpiralHistory

        public init(parameters: Parameters<Double>, optimizer: Adam<Double>, generator: Xoshiro256StarStar, history: SpiralHistory) {
            (self.parameters, self.optimizer, self.generator, self.history) = (parameters, optimizer, generator, history)
        }

        /// Writes the state into a (checkpoint) dataset in define mode.
        public func write(to dataset: Dataset) throws {
            try Checkpoint.write(parameters, optimizerState: optimizer.state, schedule: optimizer.schedule, to: dataset)
            try history.write(to: dataset, rng: generator)
        }
    }

    /// How a training shares its work and reports: `rank` of `size` ranks take windows `rank`,
    /// `rank + size`, …; `sumOverRanks` adds a vector over the ranks in place (an MPI all-reduce);
    /// `afterIteration` sees every iteration's state (to checkpoint it, report progress or stop).
    public struct Hooks {
        public var rank = 0, size = 1
        public var sumOverRanks: (inout [Double]) throws -> Void = { _ in }
        public var afterIteration: (_ iteration: Int, _ state: State) throws -> Void = { _, _ in }
        public init() {}
    }

    /// The state stored by ``State/write(to:)`` in `dataset`, for this training's network.
    public func state(readFrom dataset: Dataset) throws -> State {
        var rng = Xoshiro256StarStar(seed: seed)
        let field = try initialField(using: &rng)
        let template = Parameters<Double>(Array(zip(field.parameterNames, field.parameters)))
        let parameters = try Checkpoint.readParameters(from: dataset, matching: template)
        guard let stored = try Checkpoint.readOptimizerState(from: dataset, matching: parameters) else {
            throw NeuralODEError.invalidArgument("the checkpoint \(dataset.path) holds no optimizer state")
        }
        var optimizer = Adam<Double>(schedule: schedule, beta1: beta1, beta2: beta2)
        try optimizer.restore(stored)
        let (generator, history) = try SpiralHistory.read(from: dataset)
        return State(parameters: parameters, optimizer: optimizer, generator: generator, history: history)
    }

    /// Trains from the seeded initial network, or from `resumed`.
    ///
    /// With several ranks the training is data-parallel: every rank draws the same windows, takes
    /// its share (window `i` on rank `i mod size`), and the gradients and losses are summed over
    /// the ranks before the (identical) Adam step, so every rank holds the same parameters and the
    /// result equals the one-rank run up to the order of floating-point sums. Rank 0 evaluates
    /// the model.
    public func train(resuming resumed: State? = nil, hooks: Hooks = Hooks()) throws -> SpiralTrainingResult {
        let clock = Date()
        let isRoot = hooks.rank == 0
        var rng = Xoshiro256StarStar(seed: seed)
        var node = NeuralODE(try initialField(using: &rng))
        let names = node.field.parameterNames
        var parameters = Parameters<Double>(Array(zip(names, node.field.parameters)))
        var optimizer = Adam<Double>(schedule: schedule, beta1: beta1, beta2: beta2)
        let observationTimes = Array(times[0..<batchTime])  // windows start at 0: the field is autonomous
        let windows = times.count - batchTime
        let scale = 1 / Double(batchTime * batchSize * 2)

        var history = SpiralHistory()
        var firstIteration = 1
        if let resumed {
            (parameters, optimizer, rng, history) = (resumed.parameters, resumed.optimizer, resumed.generator, resumed.history)
            node.field.parameters = names.map { parameters[$0]! }
            firstIteration = history.losses.count + 1
        } else if isRoot {
            history.evaluationIterations = [0]
            history.evaluationErrors = [try evaluate(node).error]
        }
        var lastPrediction: [Double] = []
        let lossName = self.lossName

        for iteration in firstIteration...max(iterations, firstIteration) where iteration <= iterations {
            let starts = Self.distinctIndices(batchSize, of: windows, using: &rng)
            let mine = stride(from: hooks.rank, to: starts.count, by: hooks.size).map { starts[$0] }
            var flat = [Double](repeating: 0, count: parameters.scalarCount + 3)  // gradient, loss, forward, backward
            if !mine.isEmpty {
                let initialStates = try states(at: mine, offset: 0)
                let targets = try (0..<batchTime).map { k in try states(at: mine, offset: k) }
                let loss = TrajectoryLoss { states in
                    func term(_ k: Int) throws -> Variable<Double> {
                        let residual = try states[k] - Variable(targets[k])
                        return lossName == "l2" ? try (residual * residual).sum() : residual.abs().sum()
                    }
                    var total = try term(0)
                    for k in 1..<states.count { total = try total + term(k) }
                    return total * scale
                }
                let gradient = try node.gradient(of: loss, initial: initialStates, from: 0, observedAt: observationTimes,
                                                 solver: solver, method: gradientMethod)
                let g = gradient.flattenedParameters
                flat.replaceSubrange(0..<g.count, with: g)
                flat[g.count] = gradient.loss
                flat[g.count + 1] = Double(gradient.statistics.forwardSteps)
                flat[g.count + 2] = Double(gradient.statistics.backwardSteps)
            }
            try hooks.sumOverRanks(&flat)
            let n = parameters.scalarCount
            var offset = 0
            var gradients = Parameters<Double>()
            for name in names {
                let shape = parameters[name]!.shape
                let count = parameters[name]!.count
                gradients[name] = try Tensor(shape: shape, scalars: Array(flat[offset..<(offset + count)]))
                offset += count
            }
            history.forwardSteps += Int(flat[n + 1])
            history.backwardSteps += Int(flat[n + 2])
            history.losses.append(flat[n])
            history.norms.append(gradientClip > 0 ? gradients.clipNorm(to: gradientClip) : gradients.norm)
            history.rates.append(optimizer.learningRate)
            try optimizer.update(&parameters, with: gradients)
            node.field.parameters = names.map { parameters[$0]! }

            if isRoot && (iteration % evalEvery == 0 || iteration == iterations) {
                let (error, states) = try evaluate(node)
                history.evaluationIterations.append(iteration)
                history.evaluationErrors.append(error)
                if iteration == iterations { lastPrediction = states }
            }
            try hooks.afterIteration(iteration, State(parameters: parameters, optimizer: optimizer, generator: rng, history: history))
        }
        if isRoot && lastPrediction.isEmpty {  // resumed from the final checkpoint
            lastPrediction = try evaluate(node).states
        }
        return SpiralTrainingResult(
            parameters: parameters, optimizer: optimizer, history: history, generator: rng,
            losses: history.losses, gradientNorms: history.norms,
            learningRates: history.rates, evaluationIterations: history.evaluationIterations,
            evaluationErrors: history.evaluationErrors, predictedStates: lastPrediction,
            forwardSteps: history.forwardSteps, backwardSteps: history.backwardSteps,
            trainingSeconds: Date().timeIntervalSince(clock))
    }
}

/// What a spiral training has recorded so far; checkpoints carry it with the random generator.
public struct SpiralHistory: Sendable {
    public init() {}
    public var losses: [Double] = [], norms: [Double] = [], rates: [Double] = []
    public var evaluationIterations: [Int] = []
    public var evaluationErrors: [Double] = []
    public var forwardSteps = 0, backwardSteps = 0

    public func write(to dataset: Dataset, rng: Xoshiro256StarStar) throws {
        try dataset.setAttribute("rng_state", .int64(rng.rawState.map { Int64(bitPattern: $0) }))
        try dataset.setAttribute("rng_cached_normal", .float64(rng.cachedNormal.map { [$0] } ?? []))
        try dataset.setAttribute("forward_steps", .int64([Int64(forwardSteps)]))
        try dataset.setAttribute("backward_steps", .int64([Int64(backwardSteps)]))
        try dataset.defineDimension("history_iteration", length: max(losses.count, 1))
        try dataset.defineDimension("history_evaluation", length: max(evaluationIterations.count, 1))
        for name in ["history_loss", "history_gradient_norm", "history_learning_rate"] {
            try dataset.defineVariable(name, type: .float64, dimensions: ["history_iteration"])
        }
        try dataset.defineVariable("history_eval_iteration", type: .int64, dimensions: ["history_evaluation"])
        try dataset.defineVariable("history_trajectory_error", type: .float64, dimensions: ["history_evaluation"])
        try dataset.setAttribute("history_iterations", .int64([Int64(losses.count)]))
        try dataset.setAttribute("history_evaluations", .int64([Int64(evaluationIterations.count)]))
        func padded(_ values: [Double]) -> [Double] { values.isEmpty ? [0] : values }
        try dataset.write(padded(losses), to: "history_loss")
        try dataset.write(padded(norms), to: "history_gradient_norm")
        try dataset.write(padded(rates), to: "history_learning_rate")
        try dataset.write(evaluationIterations.isEmpty ? [Int64(0)] : evaluationIterations.map(Int64.init), to: "history_eval_iteration")
        try dataset.write(padded(evaluationErrors), to: "history_trajectory_error")
    }

    public static func read(from dataset: Dataset) throws -> (Xoshiro256StarStar, SpiralHistory) {
        func fail(_ what: String) -> NeuralODEError {
            NeuralODEError.invalidArgument("the checkpoint \(dataset.path) is not a neural-ode spiral checkpoint: \(what)")
        }
        guard case .int64(let words)? = try dataset.attribute("rng_state"), words.count == 4 else { throw fail("no rng_state") }
        guard let iterations = try dataset.attribute("history_iterations")?.doubles?.first,
              let evaluations = try dataset.attribute("history_evaluations")?.doubles?.first,
              let forward = try dataset.attribute("forward_steps")?.doubles?.first,
              let backward = try dataset.attribute("backward_steps")?.doubles?.first else { throw fail("no training history") }
        let cached = try dataset.attribute("rng_cached_normal")?.doubles?.first
        let rng = Xoshiro256StarStar(rawState: words.map { UInt64(bitPattern: $0) }, cachedNormal: cached)
        var history = SpiralHistory()
        let n = Int(iterations), m = Int(evaluations)
        history.losses = Array(try dataset.read(Double.self, from: "history_loss").prefix(n))
        history.norms = Array(try dataset.read(Double.self, from: "history_gradient_norm").prefix(n))
        history.rates = Array(try dataset.read(Double.self, from: "history_learning_rate").prefix(n))
        history.evaluationIterations = Array(try dataset.read(Int64.self, from: "history_eval_iteration").prefix(m)).map { Int($0) }
        history.evaluationErrors = Array(try dataset.read(Double.self, from: "history_trajectory_error").prefix(m))
        history.forwardSteps = Int(forward)
        history.backwardSteps = Int(backward)
        return (rng, history)
    }
}

/// What a spiral training run produced.
public struct SpiralTrainingResult {
    public let parameters: Parameters<Double>
    public let optimizer: Adam<Double>
    public let history: SpiralHistory
    public let generator: Xoshiro256StarStar
    public let losses: [Double]
    public let gradientNorms: [Double]
    public let learningRates: [Double]
    public let evaluationIterations: [Int]
    public let evaluationErrors: [Double]
    /// The final model's trajectory from `y(0)`, row-major `[samples, 2]`.
    public let predictedStates: [Double]
    public let forwardSteps: Int
    public let backwardSteps: Int
    public let trainingSeconds: Double

    public var finalError: Double { evaluationErrors.last ?? .nan }
}
