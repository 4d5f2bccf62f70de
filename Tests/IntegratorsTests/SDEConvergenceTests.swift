import Foundation
import Integrators
import Testing

@Suite("SDE convergence")
struct SDEConvergenceTests {
    // Strong orders from refinement sequences on GBM, each path's error against the exact solution
    // on the same Brownian path (W_T from the tree). Common random numbers across step sizes keep
    // the fitted slope's Monte-Carlo spread small; the standard error of each mean error is printed.

    @Test func eulerMaruyamaStrongOrderHalf() throws {
        let (mu, sigma) = (0.5, 0.5)
        let counts = [16, 32, 64, 128, 256]
        let (errors, se) = try strongErrors(
            EulerMaruyama(), problem: gbmProblem(mu: mu, sigma: sigma), stepCounts: counts, paths: 800
        ) { tree in [gbmExact(mu: mu, sigma: sigma, w: tree.value(at: 1)[0])] }
        let order = fittedOrder(steps: counts.map { 1 / Double($0) }, errors: errors)
        print("SDE ORDER EulerMaruyama: \(sdeFormat(order)) errors \(errors.map(sdeFormat)) s.e. \(se.map(sdeFormat))")
        #expect(abs(order - 0.5) <= 0.15, "EM strong order \(order)")
        for (e, s) in zip(errors, se) { #expect(s < 0.25 * e) }
    }

    @Test(arguments: [false, true])
    func milsteinStrongOrderOne(analyticDerivative: Bool) throws {
        let (mu, sigma) = (1.5, 0.5)
        let counts = [16, 32, 64, 128, 256]
        let (errors, se) = try strongErrors(
            Milstein(), problem: gbmProblem(mu: mu, sigma: sigma, analyticDerivative: analyticDerivative),
            stepCounts: counts, paths: 300
        ) { tree in [gbmExact(mu: mu, sigma: sigma, w: tree.value(at: 1)[0])] }
        let order = fittedOrder(steps: counts.map { 1 / Double($0) }, errors: errors)
        print("SDE ORDER Milstein (analytic derivative: \(analyticDerivative)): \(sdeFormat(order)) errors \(errors.map(sdeFormat)) s.e. \(se.map(sdeFormat))")
        #expect(abs(order - 1.0) <= 0.15, "Milstein strong order \(order)")
    }

    @Test func sriw1StrongOrderThreeHalves() throws {
        let (mu, sigma) = (1.5, 0.5)
        let counts = [8, 16, 32, 64, 128]
        let (errors, se) = try strongErrors(
            SRIW1(), problem: gbmProblem(mu: mu, sigma: sigma), stepCounts: counts, paths: 300
        ) { tree in [gbmExact(mu: mu, sigma: sigma, w: tree.value(at: 1)[0])] }
        let order = fittedOrder(steps: counts.map { 1 / Double($0) }, errors: errors)
        print("SDE ORDER SRIW1: \(sdeFormat(order)) errors \(errors.map(sdeFormat)) s.e. \(se.map(sdeFormat))")
        #expect(abs(order - 1.5) <= 0.2, "SRIW1 strong order \(order)")
    }

    @Test func sra1StrongOrderThreeHalvesOnOrnsteinUhlenbeck() throws {
        let p = OUParameters()
        let counts = [4, 8, 16, 32, 64]
        let (errors, se) = try strongErrors(
            SRA1(), problem: ouProblem(p), stepCounts: counts, paths: 200
        ) { tree in ouReference(p, tree: tree) }
        let order = fittedOrder(steps: counts.map { 1 / Double($0) }, errors: errors)
        print("SDE ORDER SRA1 (OU, additive): \(sdeFormat(order)) errors \(errors.map(sdeFormat)) s.e. \(se.map(sdeFormat))")
        // SRA1's strong order is 1.5; on additive noise with a smooth σ(t) its h^1.5 error terms are
        // small and the measured slope is 2 (2.06 here; 1.95 with the nonlinear drift below): the band admits that
        // and refuses anything near 1.5 or below, which would mean a broken stochastic term.
        #expect(abs(order - 2) <= 0.15, "SRA1 strong order \(order)")
        // The reference's own error (~1e-6) must be far below the finest error.
        #expect(errors.last! > 1e-4)
        // SRIW1 on the same additive problem is also order 1.5 (it does not need additivity).
        let (sriErrors, _) = try strongErrors(
            SRIW1(), problem: ouProblem(p), stepCounts: [8, 16, 32, 64], paths: 100
        ) { tree in ouReference(p, tree: tree) }
        let sriOrder = fittedOrder(steps: [8, 16, 32, 64].map { 1 / Double($0) }, errors: sriErrors)
        print("SDE ORDER SRIW1 (OU, additive): \(sdeFormat(sriOrder)) errors \(sriErrors.map(sdeFormat))")
        #expect(sriOrder >= 1.3)
    }

    @Test func sra1StrongOrderNonlinearDrift() throws {
        // dX = (X - X³ + sin 2t) dt + σ(t) dW, σ(t) = 0.6(1 + t): additive noise with a nonlinear drift.
        // Reference: SRA1 with h = 2^-10 on the same path (~30x below the finest measured error).
        // SRA1 is guaranteed order 1.5; on additive problems like this one it is observed near 2.
        let problem = SDEProblem(
            initial: [0.5], timeSpan: 0...1, isAdditive: true,
            drift: { t, y, dy in dy[0] = y[0] - y[0] * y[0] * y[0] + sin(2 * t) },
            diffusion: { t, _, g in g[0] = 0.6 * (1 + t) })
        let counts = [4, 8, 16, 32]
        let (errors, se) = try strongErrors(SRA1(), problem: problem, stepCounts: counts, paths: 60, seedOffset: 900) { tree in
            try! solve(problem, using: SRA1(), step: 1.0 / 1024, brownian: tree, saveAt: .final).final
        }
        let order = fittedOrder(steps: counts.map { 1 / Double($0) }, errors: errors)
        print("SDE ORDER SRA1 (nonlinear drift, additive): \(sdeFormat(order)) errors \(errors.map(sdeFormat)) s.e. \(se.map(sdeFormat))")
        #expect(abs(order - 2) <= 0.15, "SRA1 strong order \(order)")
    }

    @Test func eulerMaruyamaWeakOrderOne() throws {
        // E[X_EM(T)] = (1 + μh)^N exactly for GBM, and E[X(T)] = e^{μT}. The Monte-Carlo estimate
        // sampleMean(X_EM - X_exact) over the same paths (control variate: X_exact has known mean) has a
        // small standard error; it must match the exact weak error within 4 s.e. and give order 1.
        let (mu, sigma) = (1.5, 0.5)
        let counts = [8, 16, 32, 64]
        let paths = 1000
        var diffs = [[Double]](repeating: [], count: counts.count)
        for p in 0..<paths {
            let tree = try BrownianTree(seed: 10_000 + UInt64(p), from: 0, to: 1, dimension: 1)
            let exact = gbmExact(mu: mu, sigma: sigma, w: tree.value(at: 1)[0])
            for (level, n) in counts.enumerated() {
                let s = try solve(gbmProblem(mu: mu, sigma: sigma), using: EulerMaruyama(), step: 1 / Double(n), brownian: tree, saveAt: .final)
                diffs[level].append(s.final[0] - exact)
            }
        }
        var estimates: [Double] = []
        for (level, n) in counts.enumerated() {
            let estimate = sampleMean(diffs[level])
            let se = sampleStandardDeviation(diffs[level]) / Double(paths).squareRoot()
            let exactWeak = pow(1 + mu / Double(n), Double(n)) - exp(mu)
            print("SDE WEAK EM h = 1/\(n): estimate \(sdeFormat(estimate)) ± \(sdeFormat(se)) (exact \(sdeFormat(exactWeak)))")
            #expect(abs(estimate - exactWeak) <= 4 * se, "h = 1/\(n): \(estimate) vs \(exactWeak) (s.e. \(se))")
            #expect(se < 0.1 * abs(exactWeak))
            estimates.append(abs(estimate))
        }
        let order = fittedOrder(steps: counts.map { 1 / Double($0) }, errors: estimates)
        print("SDE WEAK ORDER EulerMaruyama: \(sdeFormat(order))")
        #expect(abs(order - 1) <= 0.15)
    }

    @Test func scalarNoiseSystem() throws {
        // Two GBMs driven by ONE Wiener process: X_i(T) = exp((μ_i - σ_i²/2)T + σ_i W_T).
        let mu = [0.5, -0.3], sigma = [0.4, 0.9]
        let problem = SDEProblem(
            initial: [1, 1], timeSpan: 0...1, noise: .scalar,
            drift: { _, y, dy in for i in 0..<2 { dy[i] = mu[i] * y[i] } },
            diffusion: { _, y, g in for i in 0..<2 { g[i] = sigma[i] * y[i] } })
        let methods: [any SDEMethod] = [Milstein(), SRIW1(), EulerMaruyama()]
        var results: [String: [Double]] = [:]
        let counts = [16, 32, 64, 128]
        for method in methods {
            let (errors, _) = try strongErrors(method, problem: problem, stepCounts: counts, paths: 100, seedOffset: 500) { tree in
                let w = tree.value(at: 1)[0]
                return (0..<2).map { exp((mu[$0] - 0.5 * sigma[$0] * sigma[$0]) + sigma[$0] * w) }
            }
            let order = fittedOrder(steps: counts.map { 1 / Double($0) }, errors: errors)
            print("SDE ORDER scalar noise \(method.name): \(sdeFormat(order)) errors \(errors.map(sdeFormat))")
            results[method.name] = [order]
        }
        #expect(abs(results["EulerMaruyama"]![0] - 0.5) <= 0.2)
        #expect(abs(results["Milstein"]![0] - 1.0) <= 0.2)
        #expect(abs(results["SRIW1"]![0] - 1.5) <= 0.25)
    }
}

@Suite("Adaptive SDE")
struct AdaptiveSDETests {
    @Test func sriw1ErrorDecreasesWithTolerance() throws {
        let (mu, sigma) = (1.5, 0.5)
        let tolerances = [1e-2, 1e-3, 1e-4]
        let paths = 100
        var meanErrors: [Double] = [], meanSteps: [Double] = []
        for tol in tolerances {
            var errors: [Double] = [], steps: [Double] = []
            for p in 0..<paths {
                let seed = 2000 + UInt64(p)
                let s = try solve(
                    gbmProblem(mu: mu, sigma: sigma), using: SRIW1(), tolerance: Tolerance(relative: tol, absolute: tol),
                    seed: seed, saveAt: .final)
                let tree = try BrownianTree(seed: seed, from: 0, to: 1, dimension: 1)
                errors.append(abs(s.final[0] - gbmExact(mu: mu, sigma: sigma, w: tree.value(at: 1)[0])))
                steps.append(Double(s.statistics.acceptedSteps))
                #expect(s.statistics.rhsEvaluations == 2 * (s.statistics.acceptedSteps + s.statistics.rejectedSteps))
                #expect(s.statistics.diffusionEvaluations == 4 * (s.statistics.acceptedSteps + s.statistics.rejectedSteps))
            }
            meanErrors.append(sampleMean(errors))
            meanSteps.append(sampleMean(steps))
            print("SDE ADAPTIVE SRIW1 tol \(tol): mean error \(sdeFormat(sampleMean(errors))) ± \(sdeFormat(sampleStandardDeviation(errors) / 10)), mean accepted steps \(sdeFormat(sampleMean(steps)))")
        }
        #expect(meanErrors[1] < 0.5 * meanErrors[0] && meanErrors[2] < 0.5 * meanErrors[1], "\(meanErrors)")
        #expect(meanSteps[0] < meanSteps[1] && meanSteps[1] < meanSteps[2])
        #expect(meanErrors[2] < 1e-2)
    }

    @Test func sra1ErrorDecreasesWithTolerance() throws {
        let p = OUParameters()
        var meanErrors: [Double] = []
        for tol in [1e-2, 1e-3, 1e-4] {
            var errors: [Double] = []
            for path in 0..<60 {
                let tree = try BrownianTree(seed: 3000 + UInt64(path), from: 0, to: 1, dimension: 2)
                let s = try solve(ouProblem(p), using: SRA1(), tolerance: Tolerance(relative: tol, absolute: tol), brownian: tree, saveAt: .final)
                errors.append(maxAbsDifference(s.final, ouReference(p, tree: tree)))
            }
            meanErrors.append(sampleMean(errors))
            print("SDE ADAPTIVE SRA1 tol \(tol): mean error \(sdeFormat(sampleMean(errors)))")
        }
        #expect(meanErrors[1] < 0.5 * meanErrors[0] && meanErrors[2] < 0.5 * meanErrors[1], "\(meanErrors)")
    }

    @Test func adaptiveIsReproducibleAndHitsSaveTimes() throws {
        let problem = gbmProblem(mu: 1.5, sigma: 0.5)
        let times = [0.0, 0.1, 0.25, 0.3333, 0.9, 1.0]
        let a = try solve(problem, using: SRIW1(), tolerance: Tolerance(relative: 1e-4, absolute: 1e-4), seed: 99, saveAt: .times(times))
        let b = try solve(problem, using: SRIW1(), tolerance: Tolerance(relative: 1e-4, absolute: 1e-4), seed: 99, saveAt: .times(times))
        #expect(a.times == times)
        #expect(a.stateStorage == b.stateStorage)
        #expect(a.statistics == b.statistics)
        // Saved states are solver values at exactly those times: compare with the exact solution.
        let tree = try BrownianTree(seed: 99, from: 0, to: 1, dimension: 1)
        for (k, t) in times.enumerated() {
            let exact = gbmExact(mu: 1.5, sigma: 0.5, T: t, w: tree.value(at: t)[0])
            #expect(abs(a.state(at: k)[0] - exact) < 2e-2 * exact, "t = \(t)")
        }
    }

    /// Interrupted after k steps, snapshotted to NetCDF, reloaded and continued: bit-identical to
    /// the uninterrupted solve (adaptive SRIW1 and fixed-step Milstein).
    @Test(arguments: [1, 17, 60])
    func restartIsBitIdentical(k: Int) throws {
        let problem = gbmProblem(mu: 1.5, sigma: 0.5)
        let tree = try BrownianTree(seed: 4242, from: 0, to: 1, dimension: 1)
        let otherTree = try BrownianTree(seed: 4243, from: 0, to: 1, dimension: 1)
        let tol = Tolerance(relative: 1e-4, absolute: 1e-4)
        func adaptive(_ path: BrownianTree) throws -> SDEIntegrator<SRIW1> {
            try SDEIntegrator(problem, using: SRIW1(), tolerance: tol, brownian: path, saveAt: .every(0.05))
        }
        func fixed(_ path: BrownianTree) throws -> SDEIntegrator<Milstein> {
            try SDEIntegrator(problem, using: Milstein(), step: 1.0 / 128, brownian: path, saveAt: .every(0.1))
        }
        try checkRestart({ try adaptive(tree) }, onAnotherPath: { try adaptive(otherTree) }, after: k)
        try checkRestart({ try fixed(tree) }, onAnotherPath: { try fixed(otherTree) }, after: k)
    }

    func checkRestart<M>(_ make: () throws -> SDEIntegrator<M>, onAnotherPath makeOther: () throws -> SDEIntegrator<M>,
                         after k: Int) throws {
        var whole = try make()
        try whole.finish()
        let expected = whole.takeSavedPoints()
        var first = try make()
        for _ in 0..<k { try first.step() }
        let before = first.takeSavedPoints()
        let path = NSTemporaryDirectory() + "/sde-snapshot-\(UUID().uuidString).nc"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try first.snapshot().write(toFile: path)
        var resumed = try make()
        try resumed.restore(IntegratorSnapshot(contentsOfFile: path))
        try resumed.finish()
        let after = resumed.takeSavedPoints()
        #expect(before.times + after.times == expected.times)
        #expect((before.states + after.states).map(\.bitPattern) == expected.states.map(\.bitPattern))
        #expect(resumed.state.map(\.bitPattern) == whole.state.map(\.bitPattern))
        #expect(resumed.statistics == whole.statistics)
        // The same solve on another Brownian path cannot resume it: the path guard (not the method,
        // span or tolerance checks, which all pass here) refuses.
        var other = try makeOther()
        do {
            try other.restore(first.snapshot())
            Issue.record("a snapshot was restored onto another Brownian path")
        } catch {
            #expect("\(error)".contains("another Brownian path"), "refused for another reason: \(error)")
        }
    }
}
