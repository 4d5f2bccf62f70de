import Foundation
import Integrators
import Testing

private func fmt(_ x: Double) -> String { String(format: "%.3e", x) }

/// Fitted global order of a fixed-step solve of `problem` against `exact` at the end point.
private func fixedStepOrder(
    stepCounts: [Int], span: Double, exact: [Double], _ run: (Double) throws(IntegrationError) -> ODESolution
) throws -> (order: Double, errors: [Double]) {
    var steps: [Double] = []
    var errors: [Double] = []
    for count in stepCounts {
        let h = span / Double(count)
        let solution = try run(h)
        steps.append(h)
        errors.append(maxAbsDifference(solution.final, exact))
    }
    return (fittedOrder(steps: steps, errors: errors), errors)
}

@Suite("Stiff solvers: convergence orders")
struct StiffConvergenceTests {
    @Test("Rodas5P fixed-step order 5 (Kepler e = 0.2, nonlinear)")
    func rodasKepler() throws {
        let (order, errors) = try fixedStepOrder(
            stepCounts: [80, 160, 320], span: 2, exact: keplerExact(eccentricity: 0.2, t: 2)
        ) { (h: Double) throws(IntegrationError) in
            try solve(keplerProblem(eccentricity: 0.2, to: 2), using: Rodas5P(), step: h, saveAt: .final, denseOutput: false)
        }
        print("ORDER Rodas5P Kepler: \(String(format: "%.3f", order)); errors \(errors)")
        #expect(abs(order - 5) <= 0.2, "order \(order), errors \(errors)")
        #expect(errors.last! > 1e-13)
    }

    @Test("Rodas5P fixed-step order 5 (mildly stiff, non-autonomous, λ = -50)")
    func rodasMildlyStiff() throws {
        let (order, errors) = try fixedStepOrder(stepCounts: [20, 40, 80], span: 1, exact: mildlyStiffExact(1)) {
            (h: Double) throws(IntegrationError) in
            try solve(mildlyStiffProblem(), using: Rodas5P(), step: h, saveAt: .final, denseOutput: false)
        }
        print("ORDER Rodas5P mildly stiff: \(String(format: "%.3f", order)); errors \(errors)")
        #expect(abs(order - 5) <= 0.2, "order \(order), errors \(errors)")
    }

    @Test("BDF fixed order k and fixed step: measured order k", arguments: [
        (1, [200, 400, 800]), (2, [100, 200, 400]), (3, [50, 100, 200]), (4, [40, 80, 160]), (5, [40, 80, 160]),
    ])
    func bdfFixedOrder(_ k: Int, _ counts: [Int]) throws {
        let (order, errors) = try fixedStepOrder(stepCounts: counts, span: 1, exact: mildlyStiffExact(1)) {
            (h: Double) throws(IntegrationError) in
            try solve(mildlyStiffProblem(), using: BDF(maxOrder: k), step: h, saveAt: .final, denseOutput: false)
        }
        print("ORDER BDF k=\(k): \(String(format: "%.3f", order)); errors \(errors)")
        #expect(abs(order - Double(k)) <= 0.2, "k = \(k): order \(order), errors \(errors)")
        #expect(errors.last! > 1e-12)
    }

    @Test("Adaptive errors shrink with the tolerance (both methods)")
    func errorFollowsTolerance() throws {
        for rtol in [1e-4, 1e-6, 1e-8] {
            let tol = Tolerance(relative: rtol, absolute: rtol)
            let r = try solve(mildlyStiffProblem(to: 5), using: Rodas5P(), tolerance: tol, saveAt: .final)
            let b = try solve(mildlyStiffProblem(to: 5), using: BDF(), tolerance: tol, saveAt: .final)
            let er = maxAbsDifference(r.final, mildlyStiffExact(5)), eb = maxAbsDifference(b.final, mildlyStiffExact(5))
            print("TOL rtol=\(rtol): Rodas5P err \(fmt(er)) steps \(r.statistics.acceptedSteps); BDF err \(fmt(eb)) steps \(b.statistics.acceptedSteps)")
            #expect(er <= 10 * rtol)
            #expect(eb <= 10 * rtol)
        }
    }

    @Test("Dense output of both methods matches the exact solution between steps")
    func denseOutput() throws {
        let tol = Tolerance(relative: 1e-8, absolute: 1e-10)
        let problem = mildlyStiffProblem(to: 3)
        for solution in [try solve(problem, using: Rodas5P(), tolerance: tol), try solve(problem, using: BDF(), tolerance: tol)] {
            #expect(solution.hasDenseOutput)
            var worst = 0.0
            for t in stride(from: 0.0, through: 3.0, by: 0.0137) {
                worst = max(worst, maxAbsDifference(solution(t), mildlyStiffExact(t)))
            }
            print("DENSE \(solution.methodName): max error \(fmt(worst)) over \(solution.statistics.acceptedSteps) steps")
            #expect(worst < 1e-6)
            // Interpolant reproduces the step ends.
            for (k, t) in solution.times.enumerated() {
                #expect(maxAbsDifference(solution(t), solution.state(at: k)) <= 1e-12)
            }
        }
    }

    @Test("Backward integration (y' = -y², from t = 1 to 0)")
    func backward() throws {
        let p = ODEProblem(initial: [0.5], from: 1, to: 0) { _, y, f in f[0] = -y[0] * y[0] }
        let tol = Tolerance(relative: 1e-9, absolute: 1e-12)
        let r = try solve(p, using: Rodas5P(), tolerance: tol)
        let b = try solve(p, using: BDF(), tolerance: tol)
        #expect(abs(r.final[0] - 1) < 1e-7)
        #expect(abs(b.final[0] - 1) < 1e-7)
        #expect(abs(r(0.5)[0] - 1 / 1.5) < 1e-7)
        #expect(abs(b(0.5)[0] - 1 / 1.5) < 1e-7)
    }

    @Test("saveAt times are honoured")
    func saveAtTimes() throws {
        let times = [0.0, 0.25, 1.0, 2.5, 3.0]
        for method in ["Rodas5P", "BDF"] {
            let p = mildlyStiffProblem(to: 3)
            let tol = Tolerance(relative: 1e-8, absolute: 1e-10)
            let s = method == "BDF"
                ? try solve(p, using: BDF(), tolerance: tol, saveAt: .times(times), denseOutput: false)
                : try solve(p, using: Rodas5P(), tolerance: tol, saveAt: .times(times), denseOutput: false)
            #expect(s.times == times)
            for (k, t) in times.enumerated() {
                #expect(maxAbsDifference(s.state(at: k), mildlyStiffExact(t)) < 1e-6, "\(method) at \(t)")
            }
            #expect(!s.hasDenseOutput)
        }
    }
}

@Suite("Stiff solvers: reference problems")
struct StiffReferenceTests {
    static let tol = Tolerance(relative: 1e-8, absolute: 1e-10)

    @Test("HIRES at t = 321.8122 (Bari test set reference)")
    func hires() throws {
        let r = try solve(hiresProblem(), using: Rodas5P(), tolerance: Self.tol, saveAt: .final)
        let b = try solve(hiresProblem(), using: BDF(), tolerance: Self.tol, saveAt: .final)
        let er = maxRelativeError(r.final, hiresReference), eb = maxRelativeError(b.final, hiresReference)
        print("HIRES Rodas5P: rel err \(fmt(er)); \(r.statistics)")
        print("HIRES BDF:     rel err \(fmt(eb)); \(b.statistics)")
        // Rodas5P: within 10·rtol componentwise (measured 4.3e-9); BDF: within 2000·rtol
        // (measured 5.0e-6; CVODE at the same tolerances: 4.6e-6).
        #expect(er <= 1e-7)
        #expect(eb <= 2e-5)
    }

    @Test("Robertson at t = 1e11 (Bari test set reference)")
    func robertson() throws {
        let r = try solve(robertsonProblem(), using: Rodas5P(), tolerance: Self.tol, saveAt: .final)
        let b = try solve(robertsonProblem(), using: BDF(), tolerance: Self.tol, saveAt: .final)
        let ur = errorInToleranceUnits(r.final, robertsonReference, rtol: 1e-8, atol: 1e-10)
        let ub = errorInToleranceUnits(b.final, robertsonReference, rtol: 1e-8, atol: 1e-10)
        let y1r = abs(r.final[0] / robertsonReference[0] - 1), y1b = abs(b.final[0] / robertsonReference[0] - 1)
        print("ROBER Rodas5P: err \(fmt(ur)) tol units, y1 rel \(fmt(y1r)); \(r.statistics)")
        print("ROBER BDF:     err \(fmt(ub)) tol units, y1 rel \(fmt(y1b)); \(b.statistics)")
        #expect(ur <= 1)
        #expect(ub <= 2)
        #expect(y1r <= 1e-4)  // measured 5.6e-6
        #expect(y1b <= 1e-2)  // measured 2.3e-3 (CVODE at the same tolerances: 2.3e-3)
        #expect(abs(r.final.reduce(0, +) - 1) < 1e-12)
        #expect(abs(b.final.reduce(0, +) - 1) < 1e-12)
    }

    @Test("Van der Pol μ = 1000 at t = 2000 (scipy Radau rtol 1e-13 reference)")
    func vanDerPol() throws {
        let r = try solve(vanDerPolProblem(), using: Rodas5P(), tolerance: Self.tol, saveAt: .final)
        let b = try solve(vanDerPolProblem(), using: BDF(), tolerance: Self.tol, saveAt: .final)
        let er = maxRelativeError(r.final, vanDerPolReference), eb = maxRelativeError(b.final, vanDerPolReference)
        print("VDP Rodas5P: rel err \(fmt(er)); \(r.statistics)")
        print("VDP BDF:     rel err \(fmt(eb)); \(b.statistics)")
        #expect(er <= 1e-6)  // measured ~1e-8..1e-9
        #expect(eb <= 1e-5)  // measured ~2e-6
    }

    @Test("Van der Pol tight-tolerance agreement of Rodas5P, BDF and the reference")
    func vanDerPolTight() throws {
        let tight = Tolerance(relative: 1e-11, absolute: 1e-13)
        let r = try solve(vanDerPolProblem(), using: Rodas5P(), tolerance: tight, saveAt: .final, maxSteps: 200_000)
        let b = try solve(vanDerPolProblem(), using: BDF(), tolerance: tight, saveAt: .final, maxSteps: 200_000)
        let er = maxRelativeError(r.final, vanDerPolReference), eb = maxRelativeError(b.final, vanDerPolReference)
        print("VDP tight: Rodas5P \(r.final) (rel \(fmt(er)), \(r.statistics.acceptedSteps) steps); "
            + "BDF \(b.final) (rel \(fmt(eb)), \(b.statistics.acceptedSteps) steps)")
        #expect(er <= 1e-9)
        #expect(eb <= 1e-8)
    }

    @Test("scipy's Robertson budget (y0 = (1e4, 0, 0), t1 = 1e8, rtol = atol = 1e-6)")
    func scipyBudget() throws {
        let tol = Tolerance(relative: 1e-6, absolute: 1e-6)
        let p = robertsonProblem(to: 1e8, initial: [1e4, 0, 0])
        let b = try solve(p, using: BDF(), tolerance: tol, saveAt: .final)
        let r = try solve(p, using: Rodas5P(), tolerance: tol, saveAt: .final)
        print("BUDGET BDF: \(b.statistics)")
        print("BUDGET Rodas5P: \(r.statistics)")
        #expect(b.statistics.rhsEvaluations < 5000)
        #expect(b.statistics.jacobianEvaluations < 200)
        // Rodas5P evaluates a Jacobian every step by design; its work stays bounded too.
        #expect(r.statistics.rhsEvaluations < 5000)
    }

    @Test("Analytic Jacobian: same answer, no RHS calls spent on Jacobians")
    func analyticJacobian() throws {
        let p = robertsonProblem().withJacobian(robertsonJacobian).autonomous()
        let r = try solve(p, using: Rodas5P(), tolerance: Self.tol, saveAt: .final)
        let b = try solve(p, using: BDF(), tolerance: Self.tol, saveAt: .final)
        print("ANALYTIC Rodas5P: \(r.statistics); BDF: \(b.statistics)")
        // Rodas5P with J and ∂f/∂t = 0 from the user: 7 stage calls per attempted step, f(t_n, y_n)
        // once per accepted step but the last, f(t0) and the initial-step probe: 8A + 7R + 1.
        let s = r.statistics
        #expect(s.rhsEvaluations == 8 * s.acceptedSteps + 7 * s.rejectedSteps + 1)
        #expect(s.jacobianEvaluations == s.acceptedSteps)
        #expect(errorInToleranceUnits(r.final, robertsonReference, rtol: 1e-8, atol: 1e-10) <= 1)
        #expect(errorInToleranceUnits(b.final, robertsonReference, rtol: 1e-8, atol: 1e-10) <= 2)
    }
}

@Suite("Stiff solvers: banded Jacobians")
struct StiffBandedTests {
    @Test("Banded and dense LU give the same result (method of lines, n = 60)")
    func bandedMatchesDense() throws {
        let p = diffusionReactionProblem()
        let tol = Tolerance(relative: 1e-7, absolute: 1e-9)
        let dense = try solve(p, using: BDF(), tolerance: tol, saveAt: .final)
        let banded = try solve(p, using: BDF(linearSolver: .banded(lower: 1, upper: 1)), tolerance: tol, saveAt: .final)
        let diff = maxAbsDifference(dense.final, banded.final)
        print("BANDED BDF: dense \(dense.statistics) | banded \(banded.statistics) | max diff \(fmt(diff))")
        #expect(diff <= 1e-9)
        // Column grouping: 3 RHS calls per banded FD Jacobian instead of 60.
        #expect(banded.statistics.rhsEvaluations < dense.statistics.rhsEvaluations)
        let rd = try solve(p, using: Rodas5P(), tolerance: tol, saveAt: .final)
        let rb = try solve(p, using: Rodas5P(linearSolver: .banded(lower: 1, upper: 1)), tolerance: tol, saveAt: .final)
        let diffR = maxAbsDifference(rd.final, rb.final)
        print("BANDED Rodas5P: dense \(rd.statistics) | banded \(rb.statistics) | max diff \(fmt(diffR))")
        #expect(diffR <= 1e-9)
        #expect(maxAbsDifference(rd.final, dense.final) <= 1e-5)
    }

    @Test("Banded solver with a user (dense-layout) Jacobian")
    func bandedUserJacobian() throws {
        let n = 60
        let dx = 1.0 / Double(n + 1), d = 0.05 / (dx * dx)
        let p = diffusionReactionProblem(points: n).withJacobian { _, u, J in
            for i in 0..<n {
                J[i + i * n] = -2 * d + 2 * u[i] - 3 * u[i] * u[i]
                if i > 0 { J[i + (i - 1) * n] = d }
                if i < n - 1 { J[i + (i + 1) * n] = d }
            }
        }
        let tol = Tolerance(relative: 1e-7, absolute: 1e-9)
        let fd = try solve(diffusionReactionProblem(points: n), using: BDF(), tolerance: tol, saveAt: .final)
        let user = try solve(p, using: BDF(linearSolver: .banded(lower: 1, upper: 1)), tolerance: tol, saveAt: .final)
        #expect(maxAbsDifference(fd.final, user.final) <= 1e-6)
        #expect(user.statistics.jacobianEvaluations >= 1)
    }
}

@Suite("Stiff solvers: failures")
struct StiffFailureTests {
    @Test("Singular iteration matrix at the first step: step reduced, solve completes")
    func singularOnce() throws {
        // y' = λ y with W = I/(γ h0) - λ singular for Rodas5P's first step (γ = 0.21193756319429014).
        let gamma = 0.21193756319429014
        let h0 = 0.01
        let lambda = 1 / (gamma * h0)
        let p = ODEProblem(initial: [1], timeSpan: 0...0.03) { _, y, f in f[0] = lambda * y[0] }
            .withJacobian { _, _, J in J[0] = lambda }.autonomous()
        let r = try solve(p, using: Rodas5P(), tolerance: Tolerance(relative: 1e-6, absolute: 1e-9), initialStep: h0)
        #expect(r.statistics.rejectedSteps >= 1)
        #expect(abs(r.final[0] / exp(lambda * 0.03) - 1) <= 1e-4)
        // BDF's first step (order 1): M = I - h λ, singular at h = 1/λ.
        let q = ODEProblem(initial: [1], timeSpan: 0...0.01) { _, y, f in f[0] = 200 * y[0] }
            .withJacobian { _, _, J in J[0] = 200 }
        let b = try solve(q, using: BDF(), tolerance: Tolerance(relative: 1e-6, absolute: 1e-9), initialStep: 0.005)
        #expect(b.completed)
        #expect(b.statistics.rejectedSteps >= 1)
        #expect(abs(b.final[0] / exp(2.0) - 1) <= 1e-3)
    }

    @Test("Always-singular (NaN) Jacobian: singularMatrix error naming t and h")
    func alwaysSingular() {
        let p = exponentialProblem(rate: -1, to: 1).withJacobian { _, _, J in J[0] = .nan }
        for method in ["Rodas5P", "BDF"] {
            let e = thrownError { () throws(IntegrationError) in
                method == "BDF" ? try solve(p, using: BDF()) : try solve(p, using: Rodas5P())
            }
            guard case .singularMatrix(let f)? = e else {
                Issue.record("\(method): expected singularMatrix, got \(String(describing: e))")
                continue
            }
            #expect(f.t == 0)
            #expect(e!.description.contains("singular"))
            #expect(e!.description.contains("t = 0.0"))
            #expect(e!.description.contains("h = "))
        }
    }

    @Test("NaN from the right-hand side: an error, never a crash")
    func nanFromRHS() {
        let p = ODEProblem(initial: [1], timeSpan: 0...2) { t, y, f in f[0] = t > 0.5 ? .nan : -y[0] }
        for method in ["Rodas5P", "BDF"] {
            let e = thrownError { () throws(IntegrationError) in
                method == "BDF" ? try solve(p, using: BDF()) : try solve(p, using: Rodas5P())
            }
            guard let failure = e?.failure else {
                Issue.record("\(method): expected a run-time failure, got \(String(describing: e))")
                continue
            }
            switch e! {
            case .nonFiniteState, .nonFiniteDerivative, .newtonFailure: break
            default: Issue.record("\(method): unexpected \(e!)")
            }
            #expect(failure.t <= 0.5 + 1e-12)
            #expect(failure.lastGoodState.allSatisfy { $0.isFinite })
        }
        let atStart = ODEProblem(initial: [1], timeSpan: 0...1) { _, _, f in f[0] = .nan }
        for method in ["Rodas5P", "BDF"] {
            let e = thrownError { () throws(IntegrationError) in
                method == "BDF" ? try solve(atStart, using: BDF()) : try solve(atStart, using: Rodas5P())
            }
            guard case .nonFiniteDerivative? = e else {
                Issue.record("\(method): expected nonFiniteDerivative, got \(String(describing: e))")
                continue
            }
        }
    }

    @Test("maxSteps and invalid arguments")
    func limits() {
        let p = vanDerPolProblem()
        for method in ["Rodas5P", "BDF"] {
            let e = thrownError { () throws(IntegrationError) in
                method == "BDF" ? try solve(p, using: BDF(), maxSteps: 50) : try solve(p, using: Rodas5P(), maxSteps: 50)
            }
            guard case .maxStepsReached(50, let f)? = e else {
                Issue.record("\(method): expected maxStepsReached, got \(String(describing: e))")
                continue
            }
            #expect(f.partialSolution.statistics.acceptedSteps + f.partialSolution.statistics.rejectedSteps == 50)
        }
        let bad = thrownError { () throws(IntegrationError) in try solve(p, using: BDF(maxOrder: 6)) }
        guard case .invalidArgument? = bad else { Issue.record("maxOrder 6: \(String(describing: bad))"); return }
        let band = thrownError { () throws(IntegrationError) in
            try solve(p, using: Rodas5P(linearSolver: .banded(lower: -1, upper: 0)))
        }
        guard case .invalidArgument? = band else { Issue.record("band: \(String(describing: band))"); return }
    }
}

/// Rodas5P's dense output converges at its documented order: one step of size h from the exact
/// state, interpolated at interior points, has error O(h^(denseOrder + 1)).
@Suite struct Rodas5PDenseOutputTests {
    @Test func interpolantOrder() throws {
        // y1' = -y1² (y1 = 1/(1+t)), y2' = -sin t (y2 = cos t): smooth, non-autonomous.
        let steps = [0.1, 0.05, 0.025, 0.0125]  // hλ from -5 down: the asymptotic range
        var errors: [Double] = []
        for h in steps {
            let problem = mildlyStiffProblem(to: h)
            let solution = try solve(problem, using: Rodas5P(), step: h, denseOutput: true)
            var worst = 0.0
            for theta in [0.3, 0.5, 0.8] {
                let t = theta * h
                worst = max(worst, zip(solution(t), mildlyStiffExact(t)).map { abs($0 - $1) }.max()!)
            }
            errors.append(worst)
        }
        let orders = (0..<3).map { log2(errors[$0] / errors[$0 + 1]) }
        let expected = Double(Rodas5P.denseOrder + 1)
        for order in orders { #expect(abs(order - expected) < 0.3, "local interpolation orders \(orders), errors \(errors)") }
    }
}
