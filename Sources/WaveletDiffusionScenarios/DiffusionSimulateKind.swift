import Foundation
import NetCDF
import Scenarios
import Tensors
import WaveletDiffusion

/// Simulation with a trained wavelet diffusion model (or the FNO baseline of `wdno-fno-train`, in
/// one evaluation): for held-out trajectories of a `wdno-data`
/// file, the model generates the whole trajectory `u` from `u0` and the control `f` (the known
/// channels), by integrating the probability-flow ODE with the integrator core (DDIM,
/// DPM-Solver++(2M) or adaptive Tsit5); the output holds the predicted and true `u` and the
/// paper's metric, the mean squared error over `t ≥ Δt` and all points, next to the persistence
/// baseline `u(t) = u0`.
public struct DiffusionSimulateKind: ScenarioKind {
    public init() {}

    public let name = "wdno-simulate"
    public let domain = "wavelet-diffusion"
    public let summary = "simulates held-out Burgers trajectories with a trained wavelet diffusion model (u from u0 and f) and scores them"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("model", .string(), default: .string("runs/wdno-train/output.nc"), summary: "a wdno-train output (task simulation) or a wdno-fno-train output"),
        ParameterSpec("data", .string(), default: .string("runs/wdno-data/output.nc"), summary: "the wdno-data file whose test trajectories are simulated"),
        ParameterSpec("test_trajectories", .integer(1...1_000_000), default: .integer(50), summary: "test trajectories simulated (the first ones)"),
        ParameterSpec("sampler", .string(choices: DiffusionSamplerMethod.allCases.map(\.rawValue)), default: .string("ddim"),
                      summary: "ddim, dpm-solver++2m or tsit5 (adaptive, on the probability-flow ODE)"),
        ParameterSpec("steps", .integer(1...10_000), default: .integer(50), summary: "network calls of the fixed-step samplers (the paper: 50)"),
        ParameterSpec("tolerance", .number(positive: true), default: .number(0.001), summary: "tolerance of the tsit5 sampler"),
        ParameterSpec("batch", .integer(1...1024), default: .integer(8), summary: "trajectories generated together"),
        ParameterSpec("weights", .string(choices: ["ema", "raw"]), default: .string("raw"),
                      summary: "the last weights (as the reference code evaluates) or their moving average"),
        ParameterSpec("other_grid", .boolean, default: .bool(false),
                      summary: "evaluate a model trained on another grid on this data's grid (super-resolution: the paper's 2x finer grid)"),
        ParameterSpec("clamp", .number(minimum: 0), default: .number(1), summary: "bound of the scaled data prediction at every step (the reference: 1; 0: none)"),
    ] + VorticityWindowing.parameters

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let data = try BurgersControlData.read(p.string("data"), windowing: VorticityWindowing(p))
        let modelPath = p.string("model")
        let tests = try data.testIndices(p.int("test_trajectories"), path: p.string("data"))
        let method = DiffusionSamplerMethod(rawValue: p.string("sampler"))!
        let (rows, points) = (data.rows, data.points)
        // The model: a diffusion model (wdno-train) or the FNO baseline (wdno-fno-train).
        let predictor = try Self.predictor(modelPath, data: data, dataPath: p.string("data"), parameters: p, method: method,
                                           seed: UInt64(scenario.seed))

        context.progress.begin("wdno-simulate '\(scenario.name)' (\(tests.count) trajectories, \(predictor.name))")
        let started = Date()
        var predicted: [Double] = [], errors: [Double] = [], persistence: [Double] = [], evaluations = 0
        for first in stride(from: 0, to: tests.count, by: p.int("batch")) {
            let members = Array(tests[first..<min(tests.count, first + p.int("batch"))])
            let (states, calls) = try predictor.predict(members, first)
            evaluations += calls
            for (k, i) in members.enumerated() {
                let u = states[k]
                let truth = data.state(i), initial = Array(truth.prefix(points))
                predicted += u
                let later = points..<(rows * points)
                errors.append(later.reduce(0) { $0 + (u[$1] - truth[$1]) * (u[$1] - truth[$1]) } / Double(later.count))
                persistence.append(later.reduce(0) { $0 + (initial[$1 % points] - truth[$1]) * (initial[$1 % points] - truth[$1]) } / Double(later.count))
            }
            context.progress.update(fraction: Double(min(tests.count, first + p.int("batch"))) / Double(tests.count), steps: first)
        }
        let seconds = Date().timeIntervalSince(started)

        let dataset = try context.createOutput(
            title: "Burgers trajectories simulated by the \(predictor.isDiffusion ? "wavelet diffusion model" : "Fourier Neural Operator") \(modelPath)",
            references: "P. Hu et al. (2025), Wavelet Diffusion Neural Operator, ICLR",
            comment: "u predicted from u0 and f by \(predictor.name); "
                + "mse = mean over t >= dt and all x of (u_predicted - u_true)^2, as in the paper.")
        defer { dataset.discard() }
        // Burgers: (trajectory, time, x); vorticity windows: (trajectory, time, y, x).
        let space = data.isVorticity ? ["y", "x"] : ["x"]
        try dataset.defineDimension("trajectory", length: tests.count)
        try dataset.defineDimension("time", length: rows)
        for (name, length) in zip(space, data.isVorticity ? data.spatialShape : [points]) { try dataset.defineDimension(name, length: length) }
        try dataset.defineVariable("time", type: .float64, dimensions: ["time"], attributes: ["standard_name": "time", "units": "1", "axis": "T"])
        try dataset.defineVariable("x", type: .float64, dimensions: ["x"], attributes: ["long_name": "position", "units": "1", "axis": "X"])
        if data.isVorticity {
            try dataset.defineVariable("y", type: .float64, dimensions: ["y"], attributes: ["long_name": "position", "units": "1", "axis": "Y"])
        }
        try dataset.defineVariable("trajectory_index", type: .int32, dimensions: ["trajectory"], attributes: ["long_name": "index in the data file"])
        for (name, long) in [("u_predicted", "u predicted by the model"), ("u_true", "u simulated by the numerical solver")] {
            try dataset.defineVariable(name, type: .float32, dimensions: ["trajectory", "time"] + space, attributes: ["long_name": .text(long), "units": "1"],
                                       compression: Compression())
        }
        try dataset.defineVariable("mse", type: .float64, dimensions: ["trajectory"], attributes: ["long_name": "mean squared error over t >= dt", "units": "1"])
        try dataset.defineVariable("mse_persistence", type: .float64, dimensions: ["trajectory"], attributes: [
            "long_name": "mean squared error of u(t) = u0 over t >= dt", "units": "1",
        ])
        try dataset.write(data.times, to: "time")
        try dataset.write(data.x, to: "x")
        if data.isVorticity { try dataset.write(data.y, to: "y") }
        try dataset.write(tests.map(Int32.init), to: "trajectory_index")
        try dataset.write(predicted.map(Float.init), to: "u_predicted")
        try dataset.write(tests.flatMap { data.state($0) }.map(Float.init), to: "u_true")
        try dataset.write(errors, to: "mse")
        try dataset.write(persistence, to: "mse_persistence")
        let mean = errors.reduce(0, +) / Double(errors.count)
        let statistics: [(key: String, value: JSONValue)] = [
            ("test_trajectories", .integer(Int64(tests.count))), ("model", .string(predictor.isDiffusion ? "diffusion" : "fno")),
            ("sampler", .string(predictor.isDiffusion ? method.rawValue : "none")),
            ("mse", .number(mean)), ("mse_persistence", .number(persistence.reduce(0, +) / Double(persistence.count))),
            ("network_evaluations", .integer(Int64(evaluations))), ("seconds", .number((seconds * 10).rounded() / 10)),
        ]
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        return RunSummary(statistics: statistics)
    }

    /// How a batch of test trajectories is predicted: their `u` and the network evaluations spent.
    struct Predictor {
        var name: String
        var isDiffusion: Bool
        var predict: (_ members: [Int], _ first: Int) throws -> (states: [[Double]], evaluations: Int)
    }

    static func predictor(_ path: String, data: BurgersControlData, dataPath: String, parameters p: ParameterValues,
                          method: DiffusionSamplerMethod, seed: UInt64) throws -> Predictor {
        guard FileManager.default.fileExists(atPath: path) else {
            throw WaveletDiffusionRunError(message: "\(path): no such file (run Scenarios/wavelet-diffusion/wdno-train.json or wdno-train-fno.json first)")
        }
        // An FNO file (wdno-fno-train) says so; anything else is read as a diffusion model.
        let surrogate: FourierOperatorSurrogate? = try {
            let file = try Dataset.open(path)
            defer { try? file.close() }
            guard try file.attribute("architecture")?.text == "fno" else { return nil }
            return try loadFourierOperator(file, path: path, data: data, dataPath: dataPath, otherGrid: p.bool("other_grid"))
        }()
        if let surrogate {
            return Predictor(name: "the FNO (one network evaluation per batch)", isDiffusion: false) { members, _ in
                let initial = members.map { Array(data.state($0).prefix(data.points)) }
                let inputs = try zip(members, initial).flatMap { try surrogate.encode(initial: $1, control: data.control($0)) }
                return (try surrogate.predict(inputs, initialStates: initial), 1)
            }
        }
        let (description, network, weights) = try loadTrainedModel(path, task: .simulation, weights: p.string("weights"), data: data, dataPath: dataPath,
                                                                   otherGrid: p.bool("other_grid"))
        let layout = try data.representation(description.representation, vorticityScales: description.vorticityScales)
        let sampler = ConditionalSampler(network: network, parameters: weights, layout: layout, task: .simulation,
                                         diffusionSteps: description.diffusionSteps)
        let (steps, tolerance, clamp) = (p.int("steps"), p.double("tolerance"), p.double("clamp") > 0 ? p.double("clamp") : nil)
        let grid = description.rows == data.rows && description.points == data.points ? ""
            : " (trained on \(description.rows) x \(description.points), run on \(data.rows) x \(data.points))"
        let name = "the \(method.rawValue) sampler (\(steps) steps) on the probability-flow ODE of the \(description.representation) diffusion model\(grid), "
            + "\(p.string("weights")) weights"
        return Predictor(name: name, isDiffusion: true) { members, first in
            let given = try members.flatMap { i in
                try layout.encode(state: data.state(i), control: data.control(i), condition: .initialState).map(Float.init)
            }
            let (samples, statistics) = try sampler.sample(given: given, method: method, steps: steps, tolerance: tolerance, clamp: clamp,
                                                            seed: seed &+ UInt64(first))
            let states = try (0..<members.count).map { k in
                try layout.decode(samples[(k * layout.sampleSize)..<((k + 1) * layout.sampleSize)].map(Double.init)).state
            }
            return (states, statistics.rhsEvaluations)
        }
    }
}
