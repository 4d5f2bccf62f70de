import Foundation
import NetCDF
import Testing
import TestSupport
import ScenarioTestSupport
@testable import Scenarios
@testable import WaveletDiffusionScenarios
import WaveletDiffusion

/// The `wdno-data` kind: a small run's CF output equals a direct simulation of the same draws, does
/// not depend on the thread count, resumes from a checkpoint, and refuses bad parameters.
@Suite struct BurgersControlDataKindTests {
    init() { AllKinds.register() }

    static let json = #"{"kind": "wdno-data", "name": "d", "seed": 5, "parameters": {"train_trajectories": 3, "test_trajectories": 2, "duration": 0.5, "intervals": 5, "points": 24, "solver_modes": 63, "solver_step": 0.002, "threads": THREADS}}"#

    func run(threads: Int, in dir: TemporaryDirectory) throws -> (u: [Float], f: [Float], split: [Int32]) {
        var scenario = try Scenario.parse(Self.json.replacingOccurrences(of: "THREADS", with: "\(threads)"), file: "d.json")
        scenario.output = dir.path
        _ = try ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test").run(scenario)
        let dataset = try Dataset.open(dir.file("d/output.nc"))
        defer { try? dataset.close() }
        #expect(try dataset.variable("u").dimensions.map(\.name) == ["trajectory", "time", "x"])
        #expect(try dataset.variable("f").dimensions.map(\.name) == ["trajectory", "control_time", "x"])
        #expect(zip(try dataset.read(Double.self, from: "time"), [0, 0.1, 0.2, 0.3, 0.4, 0.5]).allSatisfy { abs($0 - $1) < 1e-15 })
        return (try dataset.read(Float.self, from: "u"), try dataset.read(Float.self, from: "f"), try dataset.read(Int32.self, from: "is_test"))
    }

    @Test func writesTheDrawsSimulatedIndependentlyOfThreads() throws {
        let one = try run(threads: 1, in: TemporaryDirectory()), two = try run(threads: 2, in: TemporaryDirectory())
        #expect(one.u == two.u && one.f == two.f)
        #expect(one.split == [0, 0, 0, 1, 1])
        #expect(one.u.count == 5 * 6 * 24 && one.f.count == 5 * 5 * 24)
        // Trajectory 3 regenerated alone from its derived seed.
        let setup = BurgersControlSetup(duration: 0.5, intervals: 5, points: 24, solverModes: 63, solverStep: 0.002)
        let sample = BurgersControlSample(seed: SplitMix64Seed.derived(base: 5, index: 3))
        let u = try setup.simulate(initial: sample.initialState(at: setup.pointPositions), control: sample.control(for: setup),
                                   with: setup.makeSimulator())
        #expect(zip(u.map(Float.init), one.u[(3 * 144)..<(4 * 144)]).allSatisfy { $0 == $1 })
        #expect(zip(sample.control(for: setup).map(Float.init), one.f[(3 * 120)..<(4 * 120)]).allSatisfy { $0 == $1 })
    }

    @Test func badParametersAreRefused() {
        for (parameters, path) in [
            (#"{"train_trajectories": 0, "test_trajectories": 0}"#, "$.parameters.train_trajectories"),
            (#"{"points": 120, "solver_modes": 63}"#, "$.parameters.solver_modes"),
        ] {
            do {
                _ = try Scenario.parse(#"{"kind": "wdno-data", "name": "d", "seed": 1, "parameters": \#(parameters)}"#, file: "d.json")
                Issue.record("accepted \(parameters)")
            } catch {
                #expect(error.issues.map(\.path) == [path])
            }
        }
    }
}

import Randomness
enum SplitMix64Seed {
    static func derived(base: UInt64, index: Int) -> UInt64 { SplitMix64.derivedSeed(base: base, index: index) }
}
