import Foundation
import Testing
@testable import WaveletDiffusion

@Suite struct BurgersControlDataTests {
    @Test func samplesAreSeededAndFollowTheReferenceDistributions() {
        #expect(BurgersControlSample(seed: 7) == BurgersControlSample(seed: 7))
        #expect(BurgersControlSample(seed: 7) != BurgersControlSample(seed: 8))
        var switchedOn = 0, optional = 0
        for seed in 0..<400 {
            let s = BurgersControlSample(seed: UInt64(seed))
            let (b1, b2) = (s.initialBumps[0], s.initialBumps[1])
            #expect(b1.amplitude >= 0 && b1.amplitude <= 2 && b1.centre >= 0.2 && b1.centre <= 0.4 && b1.width >= 0.05 && b1.width <= 0.15)
            #expect(b2.amplitude >= -2 && b2.amplitude <= 0 && b2.centre >= 0.6 && b2.centre <= 0.8 && b2.width >= 0.05 && b2.width <= 0.15)
            #expect(s.forceTerms.count == 8 && s.forceTerms[0].space.amplitude != 0)
            for term in s.forceTerms {
                #expect(abs(term.space.amplitude) <= 1.5 && term.time.amplitude == 2)
                #expect(term.space.width >= 0.1 && term.space.width <= 0.4 && term.time.centre >= 0 && term.time.centre <= 1)
            }
            optional += 7
            switchedOn += s.forceTerms.dropFirst().filter { $0.space.amplitude != 0 }.count
        }
        let fraction = Double(switchedOn) / Double(optional)
        #expect(abs(fraction - 0.5) < 0.05, "fraction of optional force terms switched on: \(fraction)")
    }

    @Test func interpolationIsExactOnLinesAndZeroAtTheWalls() {
        let nodes = [0.2, 0.5, 0.7]
        let line = nodes.map { 3 * $0 - 0.4 }
        let values = interpolate(line, from: nodes, to: [0.25, 0.4, 0.6, 0.69])
        #expect(zip(values, [0.35, 0.8, 1.4, 1.67]).allSatisfy { abs($0 - $1) < 1e-14 })
        #expect(zip(interpolate(line, from: nodes, to: [0, 0.1, 1]), [0, 0.1, 0]).allSatisfy { abs($0 - $1) < 1e-15 })
    }

    /// Unforced, the energy ∫u² only decays (u u_x conserves it between walls, viscosity removes
    /// it); forced, the solution converges in the simulator's resolution.
    @Test func simulatorDissipatesAndConvergesInResolution() throws {
        let setup = BurgersControlSetup(duration: 1, intervals: 10)
        let sample = BurgersControlSample(seed: 3)
        let u0 = sample.initialState(at: setup.pointPositions)
        let free = try setup.simulate(initial: u0, control: [Double](repeating: 0, count: 10 * 120), with: setup.makeSimulator())
        let energies = (0...10).map { k in free[(k * 120)..<((k + 1) * 120)].reduce(0) { $0 + $1 * $1 } }
        #expect(zip(energies, energies.dropFirst()).allSatisfy { $1 < $0 }, "energies \(energies)")
        #expect(zip(free.prefix(120), u0).allSatisfy { abs($0 - $1) < 0.05 }, "initial row reproduces u0 up to the wall treatment")

        let control = sample.control(for: setup)
        let coarse = try setup.simulate(initial: u0, control: control, with: setup.makeSimulator())
        var fine = setup
        fine.solverModes = 511
        fine.solverStep /= 2
        let reference = try fine.simulate(initial: u0, control: control, with: fine.makeSimulator())
        let difference = zip(coarse, reference).map { abs($0 - $1) }.max()!
        let scale = reference.map(abs).max()!
        print("WDNO DATA: simulator 255 vs 511 modes, max difference \(difference) (max |u| \(scale))")
        #expect(difference < 1e-3 * scale)
    }

    @Test func interpolationTransposeIsAdjoint() {
        let nodes = [0.1, 0.3, 0.35, 0.8], targets = [0.05, 0.2, 0.31, 0.5, 0.79, 0.95]
        let v = [1.0, -2, 0.5, 3], w = [0.3, 1, -1, 2, 0.7, -0.4]
        let lhs = zip(interpolate(v, from: nodes, to: targets), w).reduce(0) { $0 + $1.0 * $1.1 }
        let rhs = zip(v, interpolateTransposed(w, from: nodes, to: targets)).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(lhs - rhs) < 1e-14)
    }

    /// The adjoint-based optimum reaches a target the uncontrolled flow misses (the target is the
    /// final state of a draw's own control), at less cost than no control.
    @Test func optimalControlReachesAReachableTarget() throws {
        let setup = BurgersControlSetup(duration: 0.8, intervals: 8, points: 24, solverModes: 63, solverStep: 0.004)
        let simulator = try setup.makeSimulator()
        let draw = BurgersControlSample(seed: 11)
        let u0 = draw.initialState(at: setup.pointPositions)
        let target = Array(try setup.simulate(initial: u0, control: draw.control(for: setup), with: simulator).suffix(24))
        let free = Array(try setup.simulate(initial: u0, control: [Double](repeating: 0, count: 8 * 24), with: simulator).suffix(24))
        let freeCost = zip(free, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 24
        let optimum = try setup.optimalControl(initial: u0, target: target, energyWeight: 2e-5, iterations: 40, learningRate: 0.05, with: simulator)
        let check = Array(try setup.simulate(initial: u0, control: optimum.control, with: simulator).suffix(24))
        let reached = zip(check, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / 24
        print("WDNO ADJOINT CONTROL: uncontrolled J_actual \(freeCost), optimised \(optimum.actualCost) (re-simulated \(reached)), energy \(optimum.energy)")
        #expect(abs(reached - optimum.actualCost) < 1e-10)
        #expect(optimum.actualCost < 0.1 * freeCost)
    }

    @Test func badShapesAreRefused() throws {
        let setup = BurgersControlSetup(duration: 1, intervals: 10)
        let simulator = try setup.makeSimulator()
        #expect(throws: WaveletDiffusionError.self) { try setup.simulate(initial: [0, 1], control: [Double](repeating: 0, count: 1200), with: simulator) }
        #expect(throws: WaveletDiffusionError.self) { try setup.simulate(initial: [Double](repeating: 0, count: 120), control: [1], with: simulator) }
    }
}
