import Foundation
import Integrators
import NetCDF
import NeuralODE
import Randomness
import Scenarios
import Tensors

/// The classic neural-ODE benchmark (Chen et al. 2018; torchdiffeq's `examples/ode_demo.py`):
/// learn the cubic spiral
///
///     dy/dt = (y³) A,   A = [[-0.1, 2], [-2, -0.1]],   y(0) = [2, 0],   t ∈ [0, 25]
///
/// (`y³` elementwise; `y` a row vector times `A`, as the demo's `torch.mm(y**3, true_A)`, i.e.
/// `dy₁/dt = −0.1 y₁³ − 2 y₂³`, `dy₂/dt = 2 y₁³ − 0.1 y₂³` — in column form the matrix is `Aᵀ`)
/// from `samples` states on a uniform time grid, with a network `Linear(2, h) → tanh → Linear(h, 2)`
/// that sees `y³`. Each iteration draws `batch_size` distinct windows of `batch_time` consecutive
/// samples from the run's seeded generator, predicts each window from its first state, takes the
/// mean squared error (or the demo's mean absolute error, `loss: "l1"`) and one Adam step on its
/// gradient (backpropagation through the solver, or the continuous adjoint), clipped to a global
/// norm, with a linear warm-up and cosine decay of the learning rate.
///
/// Output: loss and gradient norm per iteration, the error of the full trajectory predicted from
/// `y(0)` every `eval_every` iterations, the true and predicted trajectories of the final model,
/// and the trained parameters with the optimizer state in `checkpoint.nc`.
public struct NeuralODESpiralKind: ScenarioKind {
    public init() {}

    public let name = "neural-ode"

    public let domain = "neural-ode"
    public let summary = "Neural ODE learns the cubic spiral dy/dt = y³A (torchdiffeq's ode_demo); writes loss and trajectories"

    /// Under `mpirun`, the ranks share each batch and sum their gradients.
    public var isDataParallel: Bool { true }

    static let trainingMethods = ["DormandPrince5", "Tsit5", "Verner7", "BogackiShampine3"]
    static let gradientMethods = ["backprop", "adjoint"]
    static let lossNames = ["l1", "l2"]
    /// The spiral's matrix, row-major, used as `dy/dt = (y³) A` (row vector times `A`).
    static let matrix = [-0.1, 2.0, -2.0, -0.1]

    public let parameters: [ParameterSpec] = [
        ParameterSpec("t_end", .number(maximum: 1e6, positive: true), default: .number(25),
                      summary: "end of the observed time span 0 ... t_end (model time units)"),
        ParameterSpec("samples", .integer(2...1_000_000), default: .integer(1000),
                      summary: "number of observed states, uniformly spaced over 0 ... t_end (both ends included)"),
        ParameterSpec("initial", .numbers(count: 2), default: .array([.number(2), .number(0)]),
                      summary: "initial state [y1, y2] of the true trajectory"),
        ParameterSpec("iterations", .integer(1...10_000_000), default: .integer(2000),
                      summary: "training iterations (one optimizer step on one batch each)"),
        ParameterSpec("batch_size", .integer(1...1_000_000), default: .integer(20),
                      summary: "windows per batch, drawn without replacement from the samples - batch_time window starts"),
        ParameterSpec("batch_time", .integer(2...1_000_000), default: .integer(10),
                      summary: "consecutive samples per window (the first is the window's initial state)"),
        ParameterSpec("learning_rate", .number(maximum: 1, positive: true), default: .number(0.003),
                      summary: "peak Adam learning rate (the rate decays by a cosine to lr_final over the iterations)"),
        ParameterSpec("lr_final", .number(minimum: 0, maximum: 1), default: .number(1e-5),
                      summary: "Adam learning rate at the last iteration (equal to learning_rate: constant rate)"),
        ParameterSpec("beta1", .number(minimum: 0, maximum: 0.999999), default: .number(0.9),
                      summary: "Adam's first-moment decay β1 (0: no momentum; with beta2 = 0.99 that is RMSprop with bias correction)"),
        ParameterSpec("beta2", .number(minimum: 0, maximum: 0.999999), default: .number(0.999),
                      summary: "Adam's second-moment decay β2"),
        ParameterSpec("hidden_width", .integer(1...4096), default: .integer(50),
                      summary: "width of the hidden tanh layer of the network Linear(2, h) -> tanh -> Linear(h, 2) applied to y³"),
        ParameterSpec("method", .string(choices: trainingMethods), default: .string("DormandPrince5"),
                      summary: "adaptive explicit Runge-Kutta method of the neural ODE solves (training and evaluation)"),
        ParameterSpec("rtol", .number(maximum: 1, positive: true), default: .number(1e-7),
                      summary: "relative tolerance of the neural ODE solves"),
        ParameterSpec("atol", .number(minimum: 0), default: .number(1e-9),
                      summary: "absolute tolerance of the neural ODE solves (state units)"),
        ParameterSpec("gradient_method", .string(choices: gradientMethods), default: .string("backprop"),
                      summary: "\"backprop\": differentiate the discrete solve; \"adjoint\": the continuous adjoint ODE solved backwards"),
        ParameterSpec("loss", .string(choices: lossNames), default: .string("l2"),
                      summary: "training loss over the windows: \"l1\" mean absolute error (the demo's), \"l2\" mean squared error"),
        ParameterSpec("gradient_clip", .number(minimum: 0), default: .number(1),
                      summary: "global L2 norm the loss gradient is clipped to before each Adam step (0: no clipping)"),
        ParameterSpec("warmup", .integer(0...10_000_000), default: .integer(100),
                      summary: "iterations over which the learning rate rises linearly to learning_rate before the cosine decay"),
        ParameterSpec("eval_every", .integer(1...10_000_000), default: .integer(20),
                      summary: "iterations between evaluations of the full trajectory predicted from y(0) (the final model is always evaluated)"),
    ]

    public func check(_ p: ParameterValues, issues: inout [ValidationIssue]) {
        let samples = p.int("samples"), batchTime = p.int("batch_time"), batchSize = p.int("batch_size")
        if batchTime >= samples {
            issues.append(ValidationIssue(path: "$.parameters.batch_time", value: p["batch_time"],
                                          expected: "fewer samples per window than the \(samples) samples (at most \(samples - 1))"))
        } else if batchSize > samples - batchTime {
            issues.append(ValidationIssue(path: "$.parameters.batch_size", value: p["batch_size"],
                                          expected: "at most \(samples - batchTime) windows: samples - batch_time = \(samples) - \(batchTime) window starts are drawn without replacement"))
        }
        if p.double("lr_final") > p.double("learning_rate") {
            issues.append(ValidationIssue(path: "$.parameters.lr_final", value: p["lr_final"],
                                          expected: "a final learning rate ≤ learning_rate (\(JSONValue.format(p.double("learning_rate"))))"))
        }
        if p.double("rtol") < 1e-14 && p.double("atol") < 1e-14 {
            issues.append(ValidationIssue(path: "$.parameters.rtol", value: p["rtol"],
                                          expected: "rtol ≥ 1e-14 or atol ≥ 1e-14 (tighter cannot be met in double precision)"))
        }
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let setup = try SpiralTraining(scenario.parameters, seed: UInt64(scenario.seed))
        context.progress.begin("neural-ode '\(scenario.name)'")
        let result = try setup.train(context: context) { iteration in
            context.progress.update(fraction: Double(iteration) / Double(setup.iterations), steps: iteration)
        }
        // The final checkpoint holds the trained network and optimizer (and can be resumed from).
        let checkpointPath = context.checkpointPath
        try context.writeCheckpoint(step: setup.iterations) { dataset in
            try dataset.setAttribute("network", .text(setup.networkDescription))
            try Checkpoint.write(result.parameters, optimizerState: result.optimizer.state,
                                 schedule: result.optimizer.schedule, to: dataset)
            try result.history.write(to: dataset, rng: result.generator)
        }
        if context.communicator.isRoot {
            try write(result, setup: setup, scenario: scenario, context: context)
        }

        let statistics: [(key: String, value: JSONValue)] = [
            ("final_mean_absolute_error", .number(result.finalError)),
            ("initial_mean_absolute_error", .number(result.evaluationErrors.first ?? .nan)),
            ("final_loss", .number(result.losses.last ?? .nan)),
            ("iterations", .integer(Int64(setup.iterations))),
            ("optimizer", .string(setup.optimizerDescription)),
            ("parameter_count", .integer(Int64(result.parameters.scalarCount))),
            ("method", .string(setup.methodName)),
            ("gradient_method", .string(setup.gradientMethodName)),
            ("forward_steps", .integer(Int64(result.forwardSteps))),
            ("backward_steps", .integer(Int64(result.backwardSteps))),
            ("training_seconds", .number((result.trainingSeconds * 1000).rounded() / 1000)),
            ("checkpoint", .string(checkpointPath)),
        ]
        return RunSummary(statistics: statistics)
    }

    private func write(_ result: SpiralTrainingResult, setup: SpiralTraining, scenario: Scenario, context: RunContext) throws {
        let dataset = try context.createOutput(
            title: "Neural ODE learning the cubic spiral dy/dt = y^3 A (A = [[-0.1, 2], [-2, -0.1]])",
            references: "R. T. Q. Chen, Y. Rubanova, J. Bettencourt, D. Duvenaud (2018), Neural ordinary differential equations, NeurIPS 31, arXiv:1806.07366; the spiral benchmark of torchdiffeq's examples/ode_demo.py",
            comment: "True trajectory: Verner7 at rtol=atol=1e-12. Model: \(setup.networkDescription), trained with \(setup.optimizerDescription), "
                + "learning rate \(setup.schedule), gradient clipping \(setup.gradientClip > 0 ? "to norm \(setup.gradientClip)" : "off"), on the mean \(setup.lossName == "l2" ? "squared" : "absolute") error of "
                + "\(setup.batchSize) random windows of \(setup.batchTime) samples per iteration; solver \(setup.methodName) "
                + "rtol=\(setup.rtol), atol=\(setup.atol); gradients by \(setup.gradientMethodName).")
        defer { dataset.discard() }
        let n = setup.times.count
        try dataset.defineDimension("iteration", length: nil)
        try dataset.defineDimension("eval_iteration", length: result.evaluationIterations.count)
        try dataset.defineDimension("time", length: n)
        try dataset.defineDimension("component", length: 2)
        let recordChunk = [min(4096, max(1, setup.iterations))]
        try dataset.defineVariable("iteration", type: .int64, dimensions: ["iteration"], attributes: [
            "long_name": "training iteration (optimizer steps taken)", "units": "1",
        ], chunkSizes: recordChunk)
        try dataset.defineVariable("loss", type: .float64, dimensions: ["iteration"], attributes: [
            "long_name": .text("training loss: mean \(setup.lossName == "l2" ? "squared" : "absolute") error of the batch of predicted windows"), "units": "1",
        ], compression: Compression(), chunkSizes: recordChunk)
        try dataset.defineVariable("gradient_norm", type: .float64, dimensions: ["iteration"], attributes: [
            "long_name": "global L2 norm of the loss gradient with respect to the network parameters", "units": "1",
        ], compression: Compression(), chunkSizes: recordChunk)
        try dataset.defineVariable("learning_rate", type: .float64, dimensions: ["iteration"], attributes: [
            "long_name": "Adam learning rate of the iteration's update", "units": "1",
        ], compression: Compression(), chunkSizes: recordChunk)
        try dataset.defineVariable("eval_iteration", type: .int64, dimensions: ["eval_iteration"], attributes: [
            "long_name": "training iteration after which the model was evaluated (0: the initial model)", "units": "1",
        ])
        try dataset.defineVariable("trajectory_error", type: .float64, dimensions: ["eval_iteration"], attributes: [
            "long_name": "mean absolute error of the trajectory predicted from y(0) over the full time grid", "units": "1",
        ])
        try dataset.defineVariable("time", type: .float64, dimensions: ["time"], attributes: [
            "standard_name": "time", "long_name": "model time", "units": "1", "axis": "T",
        ])
        try dataset.defineVariable("component", type: .int32, dimensions: ["component"], attributes: [
            "long_name": "state component: 1 is y1, 2 is y2", "units": "1",
        ])
        try dataset.defineVariable("true_y", type: .float64, dimensions: ["time", "component"], attributes: [
            "long_name": "true state y of dy/dt = y^3 A", "units": "1",
        ], compression: Compression())
        try dataset.defineVariable("pred_y", type: .float64, dimensions: ["time", "component"], attributes: [
            "long_name": "state predicted from y(0) by the trained neural ODE", "units": "1",
        ], compression: Compression())
        let attributes: [(String, AttributeValue)] = [
            ("final_mean_absolute_error", .float64([result.finalError])),
            ("final_loss", .float64([result.losses.last ?? .nan])),
            ("spiral_matrix", .float64(Self.matrix)),
            ("initial_state", .float64(setup.initial)),
            ("optimizer", .text(setup.optimizerDescription)),
            ("learning_rate_schedule", .text(setup.schedule.description)),
            ("network", .text(setup.networkDescription)),
            ("gradient_method", .text(setup.gradientMethodName)),
            ("solver_method", .text(setup.methodName)),
            ("solver_rtol", .float64([setup.rtol])),
            ("solver_atol", .float64([setup.atol])),
            ("batch_size", .int64([Int64(setup.batchSize)])),
            ("batch_time", .int64([Int64(setup.batchTime)])),
            ("training_forward_steps", .int64([Int64(result.forwardSteps)])),
            ("training_backward_steps", .int64([Int64(result.backwardSteps)])),
        ]
        for (name, value) in attributes { try dataset.setAttribute(name, value) }

        let iterations = result.losses.count
        try dataset.appendRecords([
            "iteration": .int64((1...iterations).map { Int64($0) }),
            "loss": .float64(result.losses),
            "gradient_norm": .float64(result.gradientNorms),
            "learning_rate": .float64(result.learningRates),
        ], records: iterations)
        try dataset.write(result.evaluationIterations.map { Int64($0) }, to: "eval_iteration")
        try dataset.write(result.evaluationErrors, to: "trajectory_error")
        try dataset.write(setup.times, to: "time")
        try dataset.write([Int32(1), 2], to: "component")
        try dataset.write(setup.trueStates, to: "true_y")
        try dataset.write(result.predictedStates, to: "pred_y")
        try dataset.close()
    }
}

/// A vector field that applies an MLP to the elementwise cube of the state, `f(y) = MLP(y³)`,
/// as the spiral demo's `ODEFunc` (`self.net(y**3)`).
struct CubedInputField: NeuralVectorField {
    var network: MLPVectorField

    var stateDimension: Int { network.stateDimension }
    var parameterNames: [String] { network.parameterNames }
    var parameters: [Tensor<Double>] {
        get { network.parameters }
        set { network.parameters = newValue }
    }

    func evaluate(time: Double, state: Variable<Double>, parameters: [Variable<Double>]) throws -> Variable<Double> {
        let cubed = try (state * state) * state
        return try network.evaluate(time: time, state: cubed, parameters: parameters)
    }
}

/// The spiral benchmark's data and settings, made from validated parameters.
struct SpiralTraining {
    let seed: UInt64
    let initial: [Double]
    let times: [Double]
    /// True states, row-major `[samples, 2]`.
    let trueStates: [Double]
    let iterations, batchSize, batchTime, hiddenWidth, evalEvery, warmup: Int
    let learningRate, finalLearningRate, beta1, beta2, rtol, atol, gradientClip: Double
    let methodName, gradientMethodName, lossName: String
    let solver: SolverConfiguration
    let gradientMethod: GradientMethod

    var schedule: LearningRateSchedule {
        learningRate == finalLearningRate && warmup == 0
            ? .constant(learningRate)
            : .cosine(peak: learningRate, totalSteps: iterations, warmupSteps: warmup, final: finalLearningRate)
    }
    var optimizerDescription: String { "Adam(beta1: \(beta1), beta2: \(beta2), epsilon: 1e-8)" }
    var networkDescription: String { "Linear(2, \(hiddenWidth)) -> tanh -> Linear(\(hiddenWidth), 2) applied to y^3" }

    init(_ p: ParameterValues, seed: UInt64) throws {
        self.seed = seed
        initial = p.doubles("initial")
        let samples = p.int("samples"), tEnd = p.double("t_end")
        times = (0..<samples).map { $0 == samples - 1 ? tEnd : tEnd * Double($0) / Double(samples - 1) }
        iterations = p.int("iterations")
        batchSize = p.int("batch_size")
        batchTime = p.int("batch_time")
        hiddenWidth = p.int("hidden_width")
        evalEvery = p.int("eval_every")
        warmup = p.int("warmup")
        gradientClip = p.double("gradient_clip")
        lossName = p.string("loss")
        learningRate = p.double("learning_rate")
        finalLearningRate = min(p.double("lr_final"), learningRate)
        beta1 = p.double("beta1")
        beta2 = p.double("beta2")
        rtol = p.double("rtol")
        atol = p.double("atol")
        methodName = p.string("method")
        let tolerance = Tolerance(relative: rtol, absolute: atol)
        switch methodName {
        case "Tsit5": solver = .adaptive(Tsit5(), tolerance: tolerance)
        case "Verner7": solver = .adaptive(Verner7(), tolerance: tolerance)
        case "BogackiShampine3": solver = .adaptive(BogackiShampine3(), tolerance: tolerance)
        default: solver = .adaptive(DormandPrince5(), tolerance: tolerance)
        }
        gradientMethodName = p.string("gradient_method")
        gradientMethod = gradientMethodName == "adjoint" ? .adjoint() : .backpropagation()
        trueStates = try Self.trueTrajectory(initial: initial, times: times)
    }

    /// The true trajectory `dy/dt = (y³) A` at `times` (Verner7, rtol = atol = 1e-12), row-major `[samples, 2]`.
    static func trueTrajectory(initial: [Double], times: [Double]) throws -> [Double] {
        let a = NeuralODESpiralKind.matrix
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
    func initialField(using rng: inout Xoshiro256StarStar) throws -> CubedInputField {
        var network = try MLPVectorField(widths: [2, hiddenWidth, 2], seed: seed)
        network.parameters = try network.parameters.enumerated().map { index, tensor in
            guard index % 2 == 0 else { return Tensor(shape: tensor.shape, repeating: 0) }
            return try Tensor(shape: tensor.shape, scalars: (0..<tensor.count).map { _ in 0.1 * rng.nextNormal() })
        }
        return CubedInputField(network: network)
    }

    /// `count` distinct integers of `0 ..< population` in random order (partial Fisher–Yates;
    /// index draws by the multiply-high map of 64 random bits, identical on every platform).
    static func distinctIndices(_ count: Int, of population: Int, using rng: inout Xoshiro256StarStar) -> [Int] {
        var pool = Array(0..<population)
        for i in 0..<count {
            let remaining = UInt64(population - i)
            let j = i + Int(remaining.multipliedFullWidth(by: rng.next()).high)
            pool.swapAt(i, j)
        }
        return Array(pool[0..<count])
    }

    /// The true states with indices `starts[b] + offset` as a `[B, 2]` batch.
    func states(at starts: [Int], offset: Int) throws -> Tensor<Double> {
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
    func evaluate(_ node: NeuralODE<CubedInputField>) throws -> (error: Double, states: [Double]) {
        let trajectory = try node.solve(initial: Tensor(initial), from: 0, saveAt: times, solver: solver)
        let predicted = trajectory.states.flatMap(\.scalars)
        var total = 0.0
        for (p, q) in zip(predicted, trueStates) { total += abs(p - q) }
        return (total / Double(trueStates.count), predicted)
    }

    /// Trains from the seeded initial network (or from `context`'s checkpoint when resuming);
    /// `progress` is called after every iteration.
    ///
    /// With a `context` whose communicator has several ranks, the training is data-parallel:
    /// every rank draws the same windows, takes its share (window `i` on rank `i mod size`), and
    /// the gradients and losses are summed over the ranks before the (identical) Adam step, so
    /// every rank holds the same parameters and the result equals the one-rank run up to the
    /// order of floating-point sums.
    func train(context: RunContext? = nil, progress: (Int) -> Void = { _ in }) throws -> SpiralTrainingResult {
        let clock = Date()
        let communicator = context?.communicator ?? .single
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
        if let context, context.isResuming {
            let checkpoint = try context.openCheckpoint()
            defer { try? checkpoint.close() }
            parameters = try Checkpoint.readParameters(from: checkpoint, matching: parameters)
            guard let state = try Checkpoint.readOptimizerState(from: checkpoint, matching: parameters) else {
                throw NeuralODEError.invalidArgument("the checkpoint \(checkpoint.path) holds no optimizer state")
            }
            try optimizer.restore(state)
            node.field.parameters = names.map { parameters[$0]! }
            (rng, history) = try SpiralHistory.read(from: checkpoint)
            firstIteration = history.losses.count + 1
            context.progress.note("resuming '\(context.scenario.name)' after iteration \(history.losses.count)")
        } else if communicator.isRoot {
            history.evaluationIterations = [0]
            history.evaluationErrors = [try evaluate(node).error]
        }
        var lastPrediction: [Double] = []
        let lossName = self.lossName

        for iteration in firstIteration...max(iterations, firstIteration) where iteration <= iterations {
            let starts = Self.distinctIndices(batchSize, of: windows, using: &rng)
            let mine = stride(from: communicator.rank, to: starts.count, by: communicator.size).map { starts[$0] }
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
            try communicator.sumInPlace(&flat)
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

            if communicator.isRoot && (iteration % evalEvery == 0 || iteration == iterations) {
                let (error, states) = try evaluate(node)
                history.evaluationIterations.append(iteration)
                history.evaluationErrors.append(error)
                if iteration == iterations { lastPrediction = states }
            }
            progress(iteration)
            if let context, iteration < iterations, context.checkpointDue(step: iteration) {
                let (snapshotRNG, snapshotHistory, snapshotParameters, snapshotOptimizer) = (rng, history, parameters, optimizer)
                try context.writeCheckpoint(step: iteration) { dataset in
                    try Checkpoint.write(snapshotParameters, optimizerState: snapshotOptimizer.state,
                                         schedule: snapshotOptimizer.schedule, to: dataset)
                    try snapshotHistory.write(to: dataset, rng: snapshotRNG)
                }
                try context.stopIfRequested(progress: "iteration \(iteration) of \(iterations)")
            }
        }
        if communicator.isRoot && lastPrediction.isEmpty {  // resumed from the final checkpoint
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
struct SpiralHistory {
    var losses: [Double] = [], norms: [Double] = [], rates: [Double] = []
    var evaluationIterations: [Int] = []
    var evaluationErrors: [Double] = []
    var forwardSteps = 0, backwardSteps = 0

    func write(to dataset: Dataset, rng: Xoshiro256StarStar) throws {
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

    static func read(from dataset: Dataset) throws -> (Xoshiro256StarStar, SpiralHistory) {
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
struct SpiralTrainingResult {
    let parameters: Parameters<Double>
    let optimizer: Adam<Double>
    let history: SpiralHistory
    let generator: Xoshiro256StarStar
    let losses: [Double]
    let gradientNorms: [Double]
    let learningRates: [Double]
    let evaluationIterations: [Int]
    let evaluationErrors: [Double]
    /// The final model's trajectory from `y(0)`, row-major `[samples, 2]`.
    let predictedStates: [Double]
    let forwardSteps: Int
    let backwardSteps: Int
    let trainingSeconds: Double

    var finalError: Double { evaluationErrors.last ?? .nan }
}
