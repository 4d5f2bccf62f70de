import Foundation
import NetCDF
import Scenarios
import Tensors
import WaveletDiffusion

/// Control with a trained wavelet diffusion model: for held-out trajectories, given `u0` and the
/// target `u_T*` (the trajectory's own final state), the model proposes the control `f` (and a
/// trajectory) by guided sampling (``ControlObjective``); the proposed `f` is re-simulated by the
/// numerical solver from `u0`, and scored as the paper does: `J_actual = mean_x (u(T) − u_T*)²`,
/// energy `Σ f²`, `J = J_actual + w_f · energy`. Three baselines put it in context: no control, the
/// data's own control (which reaches the target exactly at its energy), and the classical optimum
/// on the first `adjoint_targets` targets: gradient descent on `J` with the solver's adjoint
/// gradient (``BurgersControlSetup/optimalControl(initial:target:energyWeight:iterations:learningRate:with:)``).
public struct DiffusionControlKind: ScenarioKind {
    public init() {}

    public let name = "wdno-control"
    public let domain = "wavelet-diffusion"
    public let summary = "proposes controls for held-out Burgers targets with a trained wavelet diffusion model (guided sampling) and scores them by re-simulation"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("model", .string(), default: .string("runs/wdno-train-control/output.nc"), summary: "a wdno-train output with task control"),
        ParameterSpec("data", .string(), default: .string("runs/wdno-data/output.nc"), summary: "the wdno-data file whose test trajectories give u0 and u_T*"),
        ParameterSpec("test_trajectories", .integer(1...1_000_000), default: .integer(50), summary: "test trajectories (the paper: 50)"),
        ParameterSpec("steps", .integer(1...10_000), default: .integer(50), summary: "DDIM steps (the paper: 50)"),
        ParameterSpec("batch", .integer(1...1024), default: .integer(8), summary: "trajectories generated together"),
        ParameterSpec("weights", .string(choices: ["ema", "raw"]), default: .string("raw"),
                      summary: "the last weights (as the reference code evaluates) or their moving average"),
        ParameterSpec("state_weight", .number(minimum: 0), default: .number(120_000), summary: "w_u of the guidance objective (the paper: 120,000)"),
        ParameterSpec("energy_weight", .number(minimum: 0), default: .number(2e-5), summary: "w_f, in the guidance and in the score (the paper: 2e-5)"),
        ParameterSpec("clamp", .number(positive: true), default: .number(1), summary: "bound of the scaled data prediction at every step (the reference: 1)"),
        ParameterSpec("viscosity", .number(positive: true), default: .number(0.01), summary: "viscosity of the re-simulation (the data's)"),
        ParameterSpec("solver_modes", .integer(8...65_536), default: .integer(255), summary: "sine modes of the re-simulation"),
        ParameterSpec("solver_step", .number(positive: true), default: .number(0.000625), summary: "largest ETDRK4 step of the re-simulation"),
        ParameterSpec("adjoint_targets", .integer(0...1_000_000), default: .integer(10), summary: "targets also solved by adjoint optimal control (0: none)"),
        ParameterSpec("adjoint_iterations", .integer(1...100_000), default: .integer(40), summary: "gradient steps of the adjoint optimal control"),
        ParameterSpec("adjoint_learning_rate", .number(positive: true), default: .number(0.05), summary: "Adam step on the control values"),
    ]

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let data = try BurgersControlData.read(p.string("data"))
        let modelPath = p.string("model")
        let (description, network, weights) = try loadTrainedModel(modelPath, task: .control, weights: p.string("weights"), data: data,
                                                                   dataPath: p.string("data"))
        let layout = try data.representation(description.representation, vorticityScales: description.vorticityScales)
        let sampler = ConditionalSampler(network: network, parameters: weights, layout: layout, task: .control,
                                         diffusionSteps: description.diffusionSteps)
        let (rows, points) = (data.rows, data.points)
        let setup = BurgersControlSetup(viscosity: p.double("viscosity"), duration: data.times.last!, intervals: rows - 1, points: points,
                                        solverModes: p.int("solver_modes"), solverStep: p.double("solver_step"))
        let simulator = try setup.makeSimulator()
        let objective = ControlObjective(stateWeight: p.double("state_weight"), energyWeight: p.double("energy_weight"))
        let tests = try data.testIndices(p.int("test_trajectories"), path: p.string("data"))

        context.progress.begin("wdno-control '\(scenario.name)' (\(tests.count) targets)")
        let started = Date()
        var proposed: [Double] = [], finals: [Double] = [], targets: [Double] = []
        var actual: [Double] = [], energy: [Double] = [], uncontrolled: [Double] = [], dataEnergy: [Double] = [], dataActual: [Double] = []
        for first in stride(from: 0, to: tests.count, by: p.int("batch")) {
            let members = Array(tests[first..<min(tests.count, first + p.int("batch"))])
            let given = try members.flatMap { i in
                try layout.encode(state: data.state(i), control: data.control(i), condition: DiffusionTask.control.condition).map(Float.init)
            }
            let initials = members.map { Array(data.state($0).prefix(points)) }, goals = members.map { Array(data.state($0).suffix(points)) }
            let guidance = ConditionalSampler.Guidance(objective: objective, initials: initials, targets: goals)
            let (samples, _) = try sampler.sample(given: given, method: .ddim, steps: p.int("steps"), clamp: p.double("clamp"), guidance: guidance,
                                                  seed: UInt64(scenario.seed) &+ UInt64(first))
            for (k, i) in members.enumerated() {
                let f = try layout.decode(samples[(k * layout.sampleSize)..<((k + 1) * layout.sampleSize)].map(Double.init)).control
                let u = try setup.simulate(initial: initials[k], control: f, with: simulator)
                let free = try setup.simulate(initial: initials[k], control: [Double](repeating: 0, count: f.count), with: simulator)
                let own = try setup.simulate(initial: initials[k], control: data.control(i), with: simulator)
                proposed += f
                finals += u.suffix(points)
                targets += goals[k]
                actual.append(ControlObjective.actualCost(finalState: Array(u.suffix(points)), target: goals[k]))
                energy.append(f.reduce(0) { $0 + $1 * $1 })
                uncontrolled.append(ControlObjective.actualCost(finalState: Array(free.suffix(points)), target: goals[k]))
                dataActual.append(ControlObjective.actualCost(finalState: Array(own.suffix(points)), target: goals[k]))
                dataEnergy.append(data.control(i).reduce(0) { $0 + $1 * $1 })
            }
            context.progress.update(fraction: Double(min(tests.count, first + p.int("batch"))) / Double(tests.count), steps: first)
        }
        let seconds = Date().timeIntervalSince(started)
        let wf = p.double("energy_weight")
        // The classical optimum on the first targets.
        let adjointMembers = Array(tests.prefix(p.int("adjoint_targets")))
        var adjointActual: [Double] = [], adjointEnergy: [Double] = []
        for (k, i) in adjointMembers.enumerated() {
            let optimum = try setup.optimalControl(initial: Array(data.state(i).prefix(points)), target: Array(data.state(i).suffix(points)),
                                                   energyWeight: wf, iterations: p.int("adjoint_iterations"),
                                                   learningRate: p.double("adjoint_learning_rate"), with: simulator)
            adjointActual.append(optimum.actualCost)
            adjointEnergy.append(optimum.energy)
            context.progress.note("adjoint control \(k + 1) of \(adjointMembers.count): J_actual \(optimum.actualCost)")
        }
        func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }

        let dataset = try context.createOutput(
            title: "Burgers controls proposed by the wavelet diffusion model \(modelPath)",
            references: "P. Hu et al. (2025), Wavelet Diffusion Neural Operator, ICLR",
            comment: "Guided DDIM (\(p.int("steps")) steps, w_u = \(p.double("state_weight")), w_f = \(wf)); each proposed f re-simulated from u0 by the "
                + "sine-spectral solver (\(setup.solverModes) modes). J_actual = mean_x (u(T) - u_T*)^2, energy = sum f^2, J = J_actual + w_f energy.")
        defer { dataset.discard() }
        try dataset.defineDimension("trajectory", length: tests.count)
        try dataset.defineDimension("control_time", length: rows - 1)
        try dataset.defineDimension("x", length: points)
        try dataset.defineVariable("x", type: .float64, dimensions: ["x"], attributes: ["long_name": "position", "units": "1", "axis": "X"])
        try dataset.defineVariable("trajectory_index", type: .int32, dimensions: ["trajectory"], attributes: ["long_name": "index in the data file"])
        try dataset.defineVariable("f_proposed", type: .float32, dimensions: ["trajectory", "control_time", "x"], attributes: [
            "long_name": "control proposed by the model", "units": "1",
        ], compression: Compression())
        for (name, long) in [("u_final", "u(T) re-simulated under the proposed control"), ("u_target", "the target u_T*")] {
            try dataset.defineVariable(name, type: .float64, dimensions: ["trajectory", "x"], attributes: ["long_name": .text(long), "units": "1"])
        }
        for (name, long) in [("j_actual", "mean_x (u(T) - u_T*)^2 under the proposed control"), ("energy", "sum of f^2 of the proposed control"),
                             ("j_actual_uncontrolled", "mean_x (u(T) - u_T*)^2 with f = 0"), ("energy_data", "sum of f^2 of the data's own control"),
                             ("j_actual_data", "mean_x (u(T) - u_T*)^2 under the data's own control, re-simulated")] {
            try dataset.defineVariable(name, type: .float64, dimensions: ["trajectory"], attributes: ["long_name": .text(long), "units": "1"])
        }
        if !adjointMembers.isEmpty {
            try dataset.defineDimension("adjoint_trajectory", length: adjointMembers.count)
            for (name, long) in [("j_actual_adjoint", "mean_x (u(T) - u_T*)^2 under the adjoint-optimised control (the first targets)"),
                                 ("energy_adjoint", "sum of f^2 of the adjoint-optimised control")] {
                try dataset.defineVariable(name, type: .float64, dimensions: ["adjoint_trajectory"], attributes: ["long_name": .text(long), "units": "1"])
            }
        }
        try dataset.write(data.x, to: "x")
        if !adjointMembers.isEmpty {
            try dataset.write(adjointActual, to: "j_actual_adjoint")
            try dataset.write(adjointEnergy, to: "energy_adjoint")
        }
        try dataset.write(tests.map(Int32.init), to: "trajectory_index")
        try dataset.write(proposed.map(Float.init), to: "f_proposed")
        try dataset.write(finals, to: "u_final")
        try dataset.write(targets, to: "u_target")
        for (name, values) in [("j_actual", actual), ("energy", energy), ("j_actual_uncontrolled", uncontrolled),
                               ("energy_data", dataEnergy), ("j_actual_data", dataActual)] {
            try dataset.write(values, to: name)
        }
        let statistics: [(key: String, value: JSONValue)] = [
            ("test_trajectories", .integer(Int64(tests.count))),
            ("j_actual", .number(mean(actual))), ("energy", .number(mean(energy))), ("j", .number(mean(actual) + wf * mean(energy))),
            ("j_uncontrolled", .number(mean(uncontrolled))),
            ("j_data_control", .number(mean(dataActual) + wf * mean(dataEnergy))),
            ("seconds", .number((seconds * 10).rounded() / 10)),
        ] + (adjointMembers.isEmpty ? [] : [
            ("adjoint_targets", .integer(Int64(adjointMembers.count))),
            ("j_adjoint", .number(mean(adjointActual) + wf * mean(adjointEnergy))),
            ("j_model_on_adjoint_targets", .number(mean(Array(actual.prefix(adjointMembers.count)))
                                               + wf * mean(Array(energy.prefix(adjointMembers.count))))),
        ])
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        return RunSummary(statistics: statistics)
    }
}
