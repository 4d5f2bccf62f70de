import Dispatch
import Fluids
import Foundation
import NetCDF
import Randomness
import Scenarios
import WaveletDiffusion

/// Training and test trajectories of the Wavelet Diffusion Neural Operator's Burgers control
/// benchmark: random initial states and controls (the reference generator's distributions),
/// simulated by the sine-spectral Burgers solver, written as `u(trajectory, time, x)` and
/// `f(trajectory, control_time, x)` with the split recorded. Trajectory `i` is drawn from
/// `SplitMix64.derivedSeed(base: seed, index: i)`: the file does not depend on the thread count,
/// and any trajectory can be regenerated alone.
public struct BurgersControlDataKind: ScenarioKind {
    public init() {}

    public let name = "wdno-data"
    public let domain = "wavelet-diffusion"
    public let summary = "Burgers control trajectories (u over time x space, the piecewise-constant control f) for the Wavelet Diffusion Neural Operator"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("train_trajectories", .integer(0...1_000_000), default: .integer(1000), summary: "training trajectories (the paper: 40,000)"),
        ParameterSpec("test_trajectories", .integer(0...1_000_000), default: .integer(200), summary: "test trajectories, after the training ones (the paper: 8,000)"),
        ParameterSpec("viscosity", .number(positive: true), default: .number(0.01), summary: "kinematic viscosity ν"),
        ParameterSpec("duration", .number(positive: true), default: .number(8), summary: "time span T"),
        ParameterSpec("intervals", .integer(1...100_000), default: .integer(80), summary: "control intervals (rows of f; u has one row more)"),
        ParameterSpec("points", .integer(4...100_000), default: .integer(120), summary: "interior data points x_m = (m+1)/(points+1)"),
        ParameterSpec("solver_modes", .integer(8...65_536), default: .integer(255), summary: "sine modes of the spectral simulator"),
        ParameterSpec("solver_step", .number(positive: true), default: .number(0.000625), summary: "largest ETDRK4 step of the simulator"),
        ParameterSpec("threads", .integer(0...1024), default: .integer(0), summary: "trajectories simulated at once (0: all cores); the output does not depend on it"),
    ]

    public func check(_ p: ParameterValues, issues: inout [ValidationIssue]) {
        if p.int("train_trajectories") + p.int("test_trajectories") < 1 {
            issues.append(ValidationIssue(path: "$.parameters.train_trajectories", value: p["train_trajectories"],
                                          expected: "at least one trajectory in train_trajectories + test_trajectories"))
        }
        if p.int("solver_modes") < p.int("points") {
            issues.append(ValidationIssue(path: "$.parameters.solver_modes", value: p["solver_modes"],
                                          expected: "at least as many modes as data points (\(p.int("points")))"))
        }
    }

    static func setup(_ p: ParameterValues) -> BurgersControlSetup {
        BurgersControlSetup(viscosity: p.double("viscosity"), duration: p.double("duration"), intervals: p.int("intervals"),
                            points: p.int("points"), solverModes: p.int("solver_modes"), solverStep: p.double("solver_step"))
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        let setup = Self.setup(p)
        let (train, test) = (p.int("train_trajectories"), p.int("test_trajectories"))
        let total = train + test
        let threads = p.int("threads") == 0 ? ProcessInfo.processInfo.activeProcessorCount : p.int("threads")
        let (rows, points, intervals) = (setup.intervals + 1, setup.points, setup.intervals)
        let seed = UInt64(scenario.seed)

        let dataset = try context.createOutput(
            title: "Burgers control trajectories for the Wavelet Diffusion Neural Operator (\(train) train, \(test) test)",
            references: "P. Hu et al. (2025), Wavelet Diffusion Neural Operator, ICLR; R. Hwang et al. (2022), Solving PDE-constrained control problems using operator learning, AAAI",
            comment: "u_t + u u_x = nu u_xx + f on [0, 1], u = 0 at the walls, nu = \(setup.viscosity), T = \(setup.duration). "
                + "Simulated by a sine-spectral solver (\(setup.solverModes) modes, 2/3 rule, ETDRK4 steps <= \(setup.solverStep)) "
                + "under f exactly as stored: constant on each control interval, linear between the points, zero at the walls. "
                + "Trajectory i is drawn from SplitMix64.derivedSeed(seed, i).")
        defer { dataset.discard() }
        try dataset.defineDimension("trajectory", length: nil)
        try dataset.defineDimension("time", length: rows)
        try dataset.defineDimension("control_time", length: intervals)
        try dataset.defineDimension("nv", length: 2)
        try dataset.defineDimension("x", length: points)
        try dataset.defineVariable("time", type: .float64, dimensions: ["time"], attributes: [
            "standard_name": "time", "long_name": "time of the recorded state", "units": "1", "axis": "T",
        ])
        try dataset.defineVariable("control_time", type: .float64, dimensions: ["control_time"], attributes: [
            "long_name": "start of the control interval", "units": "1", "bounds": "control_time_bounds",
        ])
        try dataset.defineVariable("control_time_bounds", type: .float64, dimensions: ["control_time", "nv"], attributes: [
            "long_name": "control interval [start, end)", "units": "1",
        ])
        try dataset.defineVariable("x", type: .float64, dimensions: ["x"], attributes: [
            "long_name": "position between the walls at x = 0 and x = 1", "units": "1", "axis": "X",
        ])
        try dataset.defineVariable("u", type: .float32, dimensions: ["trajectory", "time", "x"], attributes: [
            "long_name": "velocity u(t, x)", "units": "1",
        ], compression: Compression(), chunkSizes: [1, rows, points])
        try dataset.defineVariable("f", type: .float32, dimensions: ["trajectory", "control_time", "x"], attributes: [
            "long_name": "control force f, constant on each control interval", "units": "1",
        ], compression: Compression(), chunkSizes: [1, intervals, points])
        try dataset.defineVariable("is_test", type: .int32, dimensions: ["trajectory"], attributes: [
            "long_name": "split of the trajectory", "flag_values": .int32([0, 1]), "flag_meanings": "train test",
        ])
        try dataset.write(setup.times, to: "time")
        try dataset.write((0..<intervals).map { Double($0) * setup.interval }, to: "control_time")
        try dataset.write((0..<intervals).flatMap { [Double($0) * setup.interval, Double($0 + 1) * setup.interval] }, to: "control_time_bounds")
        try dataset.write(setup.pointPositions, to: "x")

        // Resume: the trajectories written before the checkpoint.
        var done = 0
        var savedU: [Float] = [], savedF: [Float] = []
        if context.isResuming {
            let checkpoint = try context.openCheckpoint()
            defer { try? checkpoint.close() }
            guard let count = try checkpoint.attribute("trajectories_done")?.doubles?.first.map(Int.init), count >= 0, count <= total else {
                throw WaveletDiffusionRunError(message: "\(context.checkpointPath) is not a wdno-data checkpoint")
            }
            done = count
            if done > 0 {
                savedU = try checkpoint.read(Float.self, from: "saved_u")
                savedF = try checkpoint.read(Float.self, from: "saved_f")
                guard savedU.count == done * rows * points, savedF.count == done * intervals * points else {
                    throw WaveletDiffusionRunError(message: "\(context.checkpointPath) holds arrays of the wrong size for this setup")
                }
                try append(savedU, savedF, first: 0, count: done, train: train, to: dataset, rows: rows, intervals: intervals, points: points)
            }
            context.progress.note("resuming '\(scenario.name)' after \(done) of \(total) trajectories")
        }
        context.progress.begin("wdno-data '\(scenario.name)'")
        let block = max(1, threads) * 4
        var rhsEvaluations = 0
        while done < total {
            let count = min(block, total - done)
            let results = try simulateBlock(first: done, count: count, setup: setup, seed: seed, threads: threads)
            let u = results.flatMap(\.u).map(Float.init), f = results.flatMap(\.f).map(Float.init)
            rhsEvaluations += results.reduce(0) { $0 + $1.evaluations }
            try append(u, f, first: done, count: count, train: train, to: dataset, rows: rows, intervals: intervals, points: points)
            savedU += u
            savedF += f
            done += count
            context.progress.update(fraction: Double(done) / Double(total), steps: done)
            if context.checkpointDue(step: done) && done < total {
                let (snapshotU, snapshotF, counter) = (savedU, savedF, done)
                try context.writeCheckpoint(step: done) { checkpoint in
                    try checkpoint.setAttribute("trajectories_done", .float64([Double(counter)]))
                    try checkpoint.defineDimension("saved_u_length", length: snapshotU.count)
                    try checkpoint.defineDimension("saved_f_length", length: snapshotF.count)
                    try checkpoint.defineVariable("saved_u", type: .float32, dimensions: ["saved_u_length"], compression: Compression())
                    try checkpoint.defineVariable("saved_f", type: .float32, dimensions: ["saved_f_length"], compression: Compression())
                    try checkpoint.write(snapshotU, to: "saved_u")
                    try checkpoint.write(snapshotF, to: "saved_f")
                }
                try context.stopIfRequested(progress: "\(done) of \(total) trajectories")
            }
        }
        let peak = savedU.map { abs(Double($0)) }.max() ?? 0
        let statistics: [(key: String, value: JSONValue)] = [
            ("train_trajectories", .integer(Int64(train))), ("test_trajectories", .integer(Int64(test))),
            ("threads", .integer(Int64(threads))), ("solver_modes", .integer(Int64(setup.solverModes))),
            ("rhs_evaluations_this_run", .integer(Int64(rhsEvaluations))), ("max_abs_u", .number(peak)),
        ]
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        context.removeCheckpoint()
        return RunSummary(statistics: statistics)
    }

    /// Trajectories `first ..< first + count`, simulated `threads` at a time (each with its own simulator).
    func simulateBlock(first: Int, count: Int, setup: BurgersControlSetup, seed: UInt64, threads: Int) throws
        -> [(u: [Double], f: [Double], evaluations: Int)] {
        let results = BlockResults(count: count)
        DispatchQueue.concurrentPerform(iterations: min(max(1, threads), count)) { worker in
            var member = worker
            while member < count {
                let index = first + member
                results.store(member, Result {
                    let sample = BurgersControlSample(seed: SplitMix64.derivedSeed(base: seed, index: index))
                    let control = sample.control(for: setup)
                    let simulator = try setup.makeSimulator()
                    let u = try setup.simulate(initial: sample.initialState(at: setup.pointPositions), control: control, with: simulator)
                    let steps = Int((setup.interval / setup.solverStep).rounded(.up)) * setup.intervals
                    return (u, control, 4 * steps)
                })
                member += max(1, threads)
            }
        }
        return try results.values.enumerated().map { member, result in
            do { return try result!.get() } catch {
                throw WaveletDiffusionRunError(message: "trajectory \(first + member) failed: \(error)")
            }
        }
    }

    func append(_ u: [Float], _ f: [Float], first: Int, count: Int, train: Int, to dataset: Dataset,
                rows: Int, intervals: Int, points: Int) throws {
        try dataset.appendRecords([
            ("u", .float32(u)), ("f", .float32(f)),
            ("is_test", .int32((first..<(first + count)).map { $0 < train ? 0 : 1 })),
        ], records: count)
    }
}

/// Per-member results written by the workers (each member by exactly one worker).
private final class BlockResults: @unchecked Sendable {
    var values: [Result<(u: [Double], f: [Double], evaluations: Int), any Error>?]
    let lock = NSLock()
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func store(_ member: Int, _ result: Result<(u: [Double], f: [Double], evaluations: Int), any Error>) {
        lock.lock()
        values[member] = result
        lock.unlock()
    }
}
