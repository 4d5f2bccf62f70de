// Times the learning core: MLP training steps (Tensors: forward + backward + Adam, Float32)
// and the torchdiffeq spiral demo trained as a neural ODE (NeuralODE, DormandPrince5, by
// backpropagation through the solver and by the adjoint). Prints one JSON line per result in
// the style of integrator-bench; Benchmarks/peers/torch_peers.py prints the PyTorch and
// torchdiffeq lines. Build in release mode:
//
//     swift build -c release --product learning-bench
//     .build/release/learning-bench [--only mlp|spiral] [--widths 64,256,1024] [--iterations 100] [--quick]
//     .build/release/learning-bench --only dgemm     # dgemm 1024³ GFLOP/s with the OpenBLAS core running
import CBLAS
import Foundation
import HostMachine
import Integrators
import NeuralODE
import Tensors

var only: String?
var widths = [64, 256, 1024]
var iterations = 100
var quick = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--only": only = arguments.next()
    case "--widths": widths = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--iterations": iterations = Int(arguments.next() ?? "") ?? iterations
    case "--quick": quick = true
    default:
        FileHandle.standardError.write(Data(
            "usage: learning-bench [--only mlp|spiral|dgemm] [--widths 64,256,1024] [--iterations N] [--quick]\n".utf8))
        exit(2)
    }
}

// MARK: MLP training steps

/// `in → W → W → out` with ReLU, batch 256, Float32, MSE, Adam(lr 1e-3): median time of one
/// complete step (forward, backward, optimizer update) after 3 untimed warm-up steps; the
/// optimizer update alone is also timed (inside the step) and reported as `median_update_seconds`.
@MainActor
func mlpTrainingStep(width: Int, batch: Int = 256, inputs: Int = 64, outputs: Int = 64) throws -> String {
    var model = MLP<Float>(widths: [inputs, width, width, outputs], activation: .relu, seed: 1)
    var adam = Adam<Float>(learningRate: 1e-3)
    let x = Variable(Tensor<Float>.randomNormal(shape: [batch, inputs], seed: 2))
    let y = Variable(Tensor<Float>.randomNormal(shape: [batch, outputs], seed: 3))
    var loss: Float = 0
    var updateSeconds: [Double] = []
    func step() throws {
        let result = try model.valueWithGradients { model, p in
            try (model(x, parameters: p) - y).squared().mean()
        }
        updateSeconds.append(try secondsElapsed { try adam.update(&model.parameters, with: result.gradients) })
        loss = result.value
    }
    for _ in 0..<3 { try step() }
    updateSeconds = []
    let timing = try medianTime(minimumSeconds: quick ? 0 : 1.0, minimumRepetitions: quick ? 3 : 10) { try step() }
    let weights = inputs * width + width * width + width * outputs
    // 2 flops per multiply-add; forward gemm + two backward gemms (the first layer's input
    // gradient is not needed, but counted as PyTorch's autograd does not compute it either).
    let flops = 6.0 * Double(batch * weights)
    return jsonLine([
        ("peer", .string("neuraldynamics")), ("problem", .string("mlp-train-step")),
        ("method", .string("MLP-relu-Adam")), ("dtype", .string("float32")),
        ("width", .integer(width)), ("layers", .string("\(inputs)-\(width)-\(width)-\(outputs)")),
        ("batch", .integer(batch)), ("parameters", .integer(model.parameters.scalarCount)),
        ("median_seconds", .number(timing.seconds)), ("steps_per_second", .number(1 / timing.seconds)),
        ("median_update_seconds", .number(median(updateSeconds))),
        ("gflops", .number(flops / timing.seconds / 1e9)), ("final_loss", .number(Double(loss))),
        ("repetitions", .integer(timing.repetitions)), ("version", .string("release build")),
    ])
}

// MARK: spiral (torchdiffeq's ode_demo.py)

/// f(y) = Linear(50→2)(tanh(Linear(2→50)(y³))): the demo's ODEFunc. Parameters w1 [2, 50],
/// b1 [50], w2 [50, 2], b2 [2] (our [in, out] layout: PyTorch's weights transposed).
struct SpiralField: NeuralVectorField {
    var parameters: [Tensor<Double>]
    var stateDimension: Int { 2 }
    var parameterNames: [String] { ["w1", "b1", "w2", "b2"] }

    func evaluate(time: Double, state: Variable<Double>, parameters p: [Variable<Double>]) throws -> Variable<Double> {
        let cubed = try state * state * state
        return try (try cubed.matmul(p[0]) + p[1]).tanh().matmul(p[2]) + p[3]
    }
}

enum Spiral {
    static let samples = 1000, batchTime = 10, batchSize = 20, hidden = 50
    static let tolerance = Tolerance(relative: 1e-7, absolute: 1e-9)   // torchdiffeq odeint's defaults
    static let times = (0..<samples).map { 25.0 * Double($0) / Double(samples - 1) }

    /// The true trajectory of the demo's Lambda, `torch.mm(y**3, true_A)` with
    /// A = [[-0.1, 2], [-2, -0.1]] (the row vector y³ times A, i.e. dy/dt = Aᵀ y³), from y0 = (2, 0)
    /// at the 1000 sample times, by DormandPrince5 at the same tolerances.
    static func trueTrajectory() throws -> [[Double]] {
        let problem = ODEProblem(initial: [2, 0], from: 0, to: 25) { _, y, dy in
            let a = y[0] * y[0] * y[0], b = y[1] * y[1] * y[1]
            dy[0] = -0.1 * a - 2.0 * b
            dy[1] = 2.0 * a - 0.1 * b
        }
        let solution = try solve(problem, using: DormandPrince5(), tolerance: tolerance, saveAt: .times(times),
                                 denseOutput: false)
        return (0..<samples).map { solution.state(at: $0) }
    }

    /// Initial weights shared with torch_peers.py: U(−√3·0.1, √3·0.1) (std 0.1, as the demo's
    /// normal(std=0.1)) from the shared LCG, drawn in PyTorch's [out, in] row-major order; biases 0.
    static func initialField() -> SpiralField {
        var rng = SharedLCG(seed: 20_240_601)
        let bound = 0.1 * 3.0.squareRoot()
        func draw(out: Int, in inputs: Int) -> Tensor<Double> {
            var w = Tensor<Double>(shape: [inputs, out], repeating: 0)
            for o in 0..<out { for i in 0..<inputs { w[i, o] = (2 * rng.uniform() - 1) * bound } }
            return w
        }
        let w1 = draw(out: hidden, in: 2)
        let w2 = draw(out: 2, in: hidden)
        return SpiralField(parameters: [w1, Tensor(shape: [hidden], repeating: 0), w2, Tensor(shape: [2], repeating: 0)])
    }
}

/// RMSprop as torch.optim.RMSprop(lr=1e-3) with its defaults (alpha 0.99, eps 1e-8): the demo's optimizer.
struct RMSprop {
    var squareAverages: [[Double]] = []
    let learningRate = 1e-3, alpha = 0.99, epsilon = 1e-8
    mutating func update(_ parameters: inout [Tensor<Double>], with gradients: [Tensor<Double>]) throws {
        if squareAverages.isEmpty { squareAverages = parameters.map { [Double](repeating: 0, count: $0.count) } }
        for k in parameters.indices {
            var p = parameters[k].scalars
            let g = gradients[k].scalars
            for i in p.indices {
                squareAverages[k][i] = alpha * squareAverages[k][i] + (1 - alpha) * g[i] * g[i]
                p[i] -= learningRate * g[i] / (squareAverages[k][i].squareRoot() + epsilon)
            }
            parameters[k] = try Tensor(shape: parameters[k].shape, scalars: p)
        }
    }
}

/// `iterations` training iterations of the demo: each draws 20 windows of 10 samples (shared
/// LCG, the same windows as the peer), solves the batch from t_0 = 0 over the first 10 sample
/// times, takes the demo's loss mean|pred − true|, its gradient, and an RMSprop step.
@MainActor
func spiralTraining(method: GradientMethod, name: String, truth: [[Double]]) throws -> String {
    var node = NeuralODE(Spiral.initialField())
    var optimizer = RMSprop()
    var rng = SharedLCG(seed: 7)
    let solver = SolverConfiguration.adaptive(DormandPrince5(), tolerance: Spiral.tolerance)
    let observed = Array(Spiral.times[0..<Spiral.batchTime])
    var seconds: [Double] = [], losses: [Double] = []
    var evaluations = 0, forwardSteps = 0
    for _ in 0..<iterations {
        let starts = (0..<Spiral.batchSize).map { _ in rng.index(below: Spiral.samples - Spiral.batchTime) }
        func batch(at offset: Int) throws -> Tensor<Double> {
            try Tensor(shape: [Spiral.batchSize, 2], scalars: starts.flatMap { truth[$0 + offset] })
        }
        let initial = try batch(at: 0)
        let targets = try (0..<Spiral.batchTime).map { try batch(at: $0) }
        let loss = TrajectoryLoss { states in
            var total = try (states[0] - Variable(targets[0])).abs().sum()
            for k in 1..<states.count { total = try total + (states[k] - Variable(targets[k])).abs().sum() }
            return total * (1 / Double(states.count * Spiral.batchSize * 2))
        }
        var gradients: NeuralODEGradients?
        seconds.append(try secondsElapsed {
            let g = try node.gradient(of: loss, initial: initial, from: 0, observedAt: observed, solver: solver, method: method)
            try optimizer.update(&node.field.parameters, with: g.parameters)
            gradients = g
        })
        losses.append(gradients!.loss)
        evaluations += gradients!.statistics.inferenceEvaluations + gradients!.statistics.tapedEvaluations
        forwardSteps += gradients!.statistics.forwardSteps
    }
    let lastTen = losses.suffix(10)
    return jsonLine([
        ("peer", .string("neuraldynamics")), ("problem", .string("spiral-train")), ("method", .string(name)),
        ("solver", .string("DormandPrince5")), ("dtype", .string("float64")),
        ("rtol", .number(Spiral.tolerance.relative[0])), ("atol", .number(Spiral.tolerance.absolute[0])),
        ("batch", .integer(Spiral.batchSize)), ("batch_time", .integer(Spiral.batchTime)),
        ("iterations", .integer(iterations)),
        ("median_seconds", .number(median(seconds))), ("total_seconds", .number(seconds.reduce(0, +))),
        ("first_loss", .number(losses.first ?? .nan)),
        ("final_loss", .number(lastTen.reduce(0, +) / Double(max(lastTen.count, 1)))),
        ("evaluations_per_iteration", .number(Double(evaluations) / Double(iterations))),
        ("forward_steps_per_iteration", .number(Double(forwardSteps) / Double(iterations))),
        ("repetitions", .integer(iterations)), ("version", .string("release build")),
    ])
}

// MARK: dgemm with the kernels running

/// `C = A·B` for `n × n` Float64 matrices through `cblas_dgemm`: the median of repeated calls
/// after one warm-up, in GFLOP/s (2n³ flops), with the OpenBLAS core that ran and how it was
/// chosen. `make bench` runs it once as started and once per `OPENBLAS_CORETYPE` this CPU can run,
/// to compare the start-up choice with the best core.
@MainActor
func dgemmRate(n: Int = 1024) throws -> String {
    let a = (0..<(n * n)).map { Double($0 % 7) * 0.1 }, b = (0..<(n * n)).map { Double($0 % 5) * 0.2 }
    var c = [Double](repeating: 0, count: n * n)
    func multiply() {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, &c, Int32(n))
    }
    multiply()
    let timing = medianTime(minimumSeconds: quick ? 0 : 1.0, minimumRepetitions: quick ? 2 : 5) { multiply() }
    let blas = BLASKernels.current
    return jsonLine([
        ("peer", .string("neuraldynamics")), ("problem", .string("dgemm")), ("n", .integer(n)),
        ("openblas_core", .string(blas.core)), ("openblas_core_selection", .string(blas.selection.rawValue)),
        ("threads", .integer(blas.threads)), ("median_seconds", .number(timing.seconds)),
        ("gflops", .number(2 * Double(n * n * n) / timing.seconds / 1e9)),
    ])
}

/// Writes one line to standard output at once (unbuffered, so partial runs keep their lines).
func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

do {
    if only == nil || only == "mlp" {
        for width in widths { emit(try mlpTrainingStep(width: width)) }
    }
    if only == "dgemm" { emit(try dgemmRate()) }
    if only == nil || only == "spiral" {
        if quick { iterations = min(iterations, 5) }
        let truth = try Spiral.trueTrajectory()
        emit(try spiralTraining(method: .backpropagation(), name: "backprop", truth: truth))
        emit(try spiralTraining(method: .adjoint(), name: "adjoint", truth: truth))
    }
} catch {
    FileHandle.standardError.write(Data("learning-bench: \(error)\n".utf8))
    exit(1)
}
