import Foundation
import Integrators
import Testing
import Randomness

func thrownSDEError(_ body: () throws(IntegrationError) -> ODESolution) -> IntegrationError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

@Suite("SDE solver behaviour")
struct SDEBehaviourTests {
    @Test func sameSeedDifferentStepsFollowTheSamePath() throws {
        let (mu, sigma) = (1.5, 0.5)
        let problem = gbmProblem(mu: mu, sigma: sigma)
        let tree = try BrownianTree(seed: 7, from: 0, to: 1, dimension: 1)
        let exact = gbmExact(mu: mu, sigma: sigma, w: tree.value(at: 1)[0])
        var finals: [Double] = []
        for n in [32, 64, 128, 256] {
            let s = try solve(problem, using: SRIW1(), step: 1 / Double(n), seed: 7, saveAt: .final)
            #expect(s.statistics.acceptedSteps == n)
            #expect(s.statistics.rhsEvaluations == 2 * n && s.statistics.diffusionEvaluations == 4 * n)
            finals.append(s.final[0])
        }
        let gaps = (0..<3).map { abs(finals[$0] - finals[$0 + 1]) }
        print("SDE same path: finals \(finals.map(sdeFormat)), exact \(sdeFormat(exact)), successive gaps \(gaps.map(sdeFormat))")
        #expect(gaps[0] > gaps[1] && gaps[1] > gaps[2])
        #expect(abs(finals.last! - exact) < 1e-3 * exact)
        // Intermediate saved states also lie on the same path.
        let coarse = try solve(problem, using: Milstein(), step: 1.0 / 64, seed: 7, saveAt: .every(0.25))
        let fine = try solve(problem, using: Milstein(), step: 1.0 / 1024, seed: 7, saveAt: .every(0.25))
        #expect(coarse.times == [0, 0.25, 0.5, 0.75, 1] && fine.times == coarse.times)
        for k in 1...4 {
            let t = coarse.times[k]
            let e = gbmExact(mu: mu, sigma: sigma, T: t, w: tree.value(at: t)[0])
            #expect(abs(fine.state(at: k)[0] - e) < abs(coarse.state(at: k)[0] - e) + 1e-12)
        }
    }

    @Test func saveTimesInsideGridStepsAreHitExactly() throws {
        let problem = gbmProblem(mu: 0.5, sigma: 0.3)
        let times = [0.0, 0.01, 0.3, 0.31, 0.7, 1.0]
        let s = try solve(problem, using: EulerMaruyama(), step: 0.125, seed: 1, saveAt: .times(times), denseOutput: true)
        #expect(s.times == times)
        #expect(s.statistics.acceptedSteps == 8 + 4)  // 8 grid steps, 4 split by interior save times
        #expect(s.denseOutputOrder == 1 && s.hasDenseOutput)
        // Linear dense output reproduces the saved values at step points.
        #expect(abs(s(0.3)[0] - s.state(at: 2)[0]) < 1e-15)
        let grid = try solve(problem, using: EulerMaruyama(), step: 0.125, seed: 1, saveAt: .steps)
        #expect(grid.times.count == 9)
        #expect(!grid.hasDenseOutput)
    }

    /// Events on SDE paths go through the one driver: a terminal event's root is the straight-line
    /// root between the same grid points the unevented solve takes; an event with an `affect`
    /// (reset to 1 on reaching the level) keeps every saved state at or below the level.
    @Test func eventsOnStochasticPaths() throws {
        let problem = gbmProblem(mu: 1.5, sigma: 0.5)
        let level = 2.0
        let plain = try solve(problem, using: Milstein(), step: 1.0 / 64, seed: 7, saveAt: .steps)
        guard let k = (1..<plain.times.count).first(where: { plain.state(at: $0)[0] >= level }) else {
            Issue.record("the path never reaches \(level): choose another seed")
            return
        }
        let (t0, t1) = (plain.times[k - 1], plain.times[k])
        let (y0, y1) = (plain.state(at: k - 1)[0], plain.state(at: k)[0])
        let expected = t0 + (level - y0) / (y1 - y0) * (t1 - t0)
        let stop = Event(condition: { _, y in y[0] - level }, direction: .rising, terminal: true)
        let evented = try solve(problem, using: Milstein(), step: 1.0 / 64, seed: 7, saveAt: .steps, events: [stop])
        print("SDE terminal event: t = \(evented.finalTime), straight-line root of the unevented solve \(expected)")
        #expect(evented.stoppingEvent == 0 && evented.events.count == 1)
        #expect(abs(evented.finalTime - expected) < 1e-12)
        #expect(abs(evented.final[0] - level) < 1e-12)
        #expect(Array(evented.times.dropLast()) == Array(plain.times.prefix(k)))
        #expect(evented.stateStorage.dropLast().map(\.bitPattern) == plain.stateStorage.prefix(k).map(\.bitPattern))

        let reset = Event(condition: { _, y in y[0] - level }, direction: .rising, affect: { _, y in y[0] = 1 })
        let tolerance = Tolerance(relative: 1e-4, absolute: 1e-6)
        let bounced = try solve(problem, using: SRIW1(), tolerance: tolerance, seed: 7, events: [reset])
        #expect(bounced.completed && bounced.finalTime == 1)
        #expect(!bounced.events.isEmpty)
        for occurrence in bounced.events { #expect(abs(occurrence.state[0] - level) < 1e-9) }
        #expect(bounced.stateStorage.allSatisfy { $0 <= level + 1e-9 })
        // Without the event the adaptive solve goes above the level.
        let free = try solve(problem, using: SRIW1(), tolerance: tolerance, seed: 7)
        #expect(free.stateStorage.contains { $0 > level })
    }

    @Test func milsteinFiniteDifferenceMatchesAnalyticDerivative() throws {
        let a = try solve(gbmProblem(mu: 1, sigma: 0.8, analyticDerivative: true), using: Milstein(), step: 1.0 / 128, seed: 11, saveAt: .final)
        let b = try solve(gbmProblem(mu: 1, sigma: 0.8), using: Milstein(), step: 1.0 / 128, seed: 11, saveAt: .final)
        #expect(abs(a.final[0] - b.final[0]) < 1e-6 * abs(a.final[0]))
        #expect(a.final[0] != b.final[0])
        #expect(a.statistics.diffusionEvaluations == 2 * 128 && b.statistics.diffusionEvaluations == 2 * 128)
    }

    @Test func ensembleIsThreadIndependent() throws {
        let results = solveEnsemble(count: 16, using: SRIW1(), step: 1.0 / 64, baseSeed: 99) { _ in
            gbmProblem(mu: 1.5, sigma: 0.5)
        }
        for (i, r) in results.enumerated() {
            let member = try r.get()
            let serial = try solve(
                gbmProblem(mu: 1.5, sigma: 0.5), using: SRIW1(), step: 1.0 / 64,
                seed: SplitMix64.derivedSeed(base: 99, index: i), saveAt: .final)
            #expect(member.final == serial.final)
        }
        let adaptive = solveEnsemble(count: 8, using: SRA1(), baseSeed: 5) { i in
            i == 3 ? gbmProblem(mu: 1, sigma: 1) : ouProblem(OUParameters())  // member 3 is not additive
        }
        for (i, r) in adaptive.enumerated() {
            switch r {
            case .success(let s): #expect(i != 3 && s.completed)
            case .failure(let e):
                #expect(i == 3)
                guard case .invalidArgument = e else { Issue.record("\(e)"); continue }
            }
        }
        let again = solveEnsemble(count: 8, using: SRA1(), baseSeed: 5) { _ in ouProblem(OUParameters()) }
        #expect(try again[5].get().final == adaptive[5].get().final)
    }

    @Test func invalidInput() throws {
        let good = gbmProblem(mu: 1, sigma: 1)
        func bad(_ initial: [Double], _ a: Double, _ b: Double) -> SDEProblem {
            SDEProblem(initial: initial, from: a, to: b, drift: { _, y, dy in dy[0] = y[0] }, diffusion: { _, y, g in g[0] = y[0] })
        }
        guard case .invalidInitialState(0, _)? = thrownSDEError({ () throws(IntegrationError) in
            try solve(bad([.nan], 0, 1), using: EulerMaruyama(), step: 0.1, seed: 1)
        }) else { Issue.record("NaN initial"); return }
        guard case .emptyInitialState? = thrownSDEError({ () throws(IntegrationError) in
            try solve(bad([], 0, 1), using: SRIW1(), seed: 1)
        }) else { Issue.record("empty"); return }
        for (a, b) in [(1.0, 1.0), (0, Double.infinity), (Double.nan, 1)] {
            guard case .invalidTimeSpan? = thrownSDEError({ () throws(IntegrationError) in
                try solve(bad([1], a, b), using: Milstein(), step: 0.1, seed: 1)
            }) else { Issue.record("span \(a) \(b)"); continue }
        }
        guard case .invalidArgument? = thrownSDEError({ () throws(IntegrationError) in
            try solve(bad([1], 1, 0), using: SRIW1(), seed: 1)
        }) else { Issue.record("backward"); return }
        for h in [0.0, -1, .nan] {
            guard case .invalidStepSize? = thrownSDEError({ () throws(IntegrationError) in
                try solve(good, using: EulerMaruyama(), step: h, seed: 1)
            }) else { Issue.record("step \(h)"); continue }
        }
        for tol in [Tolerance(relative: 0, absolute: 1e-3), Tolerance(relative: 1e-3, absolute: -1), Tolerance(relative: [1e-3, 1e-3], absolute: [1e-3])] {
            let e = thrownSDEError { () throws(IntegrationError) in try solve(good, using: SRIW1(), tolerance: tol, seed: 1) }
            switch e {
            case .invalidTolerance?, .toleranceCountMismatch?: break
            default: Issue.record("tolerance \(tol): \(String(describing: e))")
            }
        }
        guard case .invalidArgument(let reason)? = thrownSDEError({ () throws(IntegrationError) in
            try solve(good, using: SRA1(), seed: 1)
        }), reason.contains("additive") else { Issue.record("SRA1 on multiplicative noise"); return }
        let wrongDimension = try BrownianTree(seed: 1, from: 0, to: 1, dimension: 2)
        guard case .invalidArgument? = thrownSDEError({ () throws(IntegrationError) in
            try solve(good, using: EulerMaruyama(), step: 0.1, brownian: wrongDimension)
        }) else { Issue.record("tree dimension"); return }
        let short = try BrownianTree(seed: 1, from: 0, to: 0.5, dimension: 1)
        guard case .invalidArgument? = thrownSDEError({ () throws(IntegrationError) in
            try solve(good, using: SRIW1(), brownian: short)
        }) else { Issue.record("tree span"); return }
        guard case .invalidSaveAt? = thrownSDEError({ () throws(IntegrationError) in
            try solve(good, using: EulerMaruyama(), step: 0.1, seed: 1, saveAt: .times([0.5, 0.2]))
        }) else { Issue.record("saveAt"); return }
        guard case .invalidArgument? = thrownSDEError({ () throws(IntegrationError) in
            try solve(good, using: SRIW1(), seed: 1, controller: PIController(safety: 2))
        }) else { Issue.record("controller"); return }
    }

    @Test func runTimeFailuresCarryPartialSolutions() throws {
        // dX = X² dt + X dW from X0 = 5 blows up before t = 1.
        let blowUp = SDEProblem(
            initial: [5], timeSpan: 0...1, drift: { _, y, dy in dy[0] = y[0] * y[0] }, diffusion: { _, y, g in g[0] = y[0] })
        let e = thrownSDEError { () throws(IntegrationError) in try solve(blowUp, using: EulerMaruyama(), step: 0.05, seed: 3) }
        guard case .nonFiniteState(let f)? = e else { Issue.record("\(String(describing: e))"); return }
        #expect(f.t > 0 && f.t < 1 && f.lastGoodState[0].isFinite && !f.partialSolution.completed)
        #expect(f.partialSolution.times.count == f.partialSolution.statistics.acceptedSteps + 1)
        let adaptive = thrownSDEError { () throws(IntegrationError) in try solve(blowUp, using: SRIW1(), seed: 3) }
        switch adaptive {
        case .stepSizeUnderflow(let f)?, .nonFiniteState(let f)?, .maxStepsReached(_, let f)?:
            #expect(f.t < 1 && !f.partialSolution.completed)
        default: Issue.record("adaptive blow-up: \(String(describing: adaptive))")
        }
        let limited = thrownSDEError { () throws(IntegrationError) in
            try solve(gbmProblem(mu: 1, sigma: 1), using: SRIW1(), tolerance: Tolerance(relative: 1e-6, absolute: 1e-6), seed: 3, maxSteps: 20)
        }
        guard case .maxStepsReached(20, let g)? = limited else { Issue.record("\(String(describing: limited))"); return }
        #expect(g.partialSolution.statistics.acceptedSteps + g.partialSolution.statistics.rejectedSteps == 20)
        let fixedLimited = thrownSDEError { () throws(IntegrationError) in
            try solve(gbmProblem(mu: 1, sigma: 1), using: Milstein(), step: 0.01, seed: 3, maxSteps: 10)
        }
        guard case .maxStepsReached(10, let h)? = fixedLimited else { Issue.record("\(String(describing: fixedLimited))"); return }
        #expect(abs(h.t - 0.1) < 1e-12)
    }
}
