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
    static let matrix = SpiralTraining.matrix

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
        let setup = try SpiralTraining(Self.settings(scenario.parameters), seed: UInt64(scenario.seed))
        context.progress.begin("neural-ode '\(scenario.name)'")
        var resumed: SpiralTraining.State?
        if context.isResuming {
            let checkpoint = try context.openCheckpoint()
            defer { try? checkpoint.close() }
            resumed = try setup.state(readFrom: checkpoint)
            context.progress.note("resuming '\(context.scenario.name)' after iteration \(resumed!.history.losses.count)")
        }
        var hooks = SpiralTraining.Hooks()
        let communicator = context.communicator
        (hooks.rank, hooks.size) = (communicator.rank, communicator.size)
        hooks.sumOverRanks = { try communicator.sumInPlace(&$0) }
        hooks.afterIteration = { iteration, state in
            context.progress.update(fraction: Double(iteration) / Double(setup.iterations), steps: iteration)
            if iteration < setup.iterations, context.checkpointDue(step: iteration) {
                try context.writeCheckpoint(step: iteration) { try state.write(to: $0) }
                try context.stopIfRequested(progress: "iteration \(iteration) of \(setup.iterations)")
            }
        }
        let result = try setup.train(resuming: resumed, hooks: hooks)
        // The final checkpoint holds the trained network and optimizer (and can be resumed from).
        let checkpointPath = context.checkpointPath
        try context.writeCheckpoint(step: setup.iterations) { dataset in
            try dataset.setAttribute("network", .text(setup.networkDescription))
            try SpiralTraining.State(parameters: result.parameters, optimizer: result.optimizer,
                                     generator: result.generator, history: result.history).write(to: dataset)
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

    /// The training settings named by the validated parameters.
    static func settings(_ p: ParameterValues) -> SpiralTraining.Settings {
        var s = SpiralTraining.Settings()
        s.initial = p.doubles("initial")
        (s.samples, s.tEnd, s.iterations) = (p.int("samples"), p.double("t_end"), p.int("iterations"))
        (s.batchSize, s.batchTime, s.hiddenWidth) = (p.int("batch_size"), p.int("batch_time"), p.int("hidden_width"))
        (s.evalEvery, s.warmup, s.gradientClip) = (p.int("eval_every"), p.int("warmup"), p.double("gradient_clip"))
        (s.learningRate, s.finalLearningRate) = (p.double("learning_rate"), p.double("lr_final"))
        (s.beta1, s.beta2, s.rtol, s.atol) = (p.double("beta1"), p.double("beta2"), p.double("rtol"), p.double("atol"))
        (s.method, s.gradientMethod, s.loss) = (p.string("method"), p.string("gradient_method"), p.string("loss"))
        return s
    }
}
