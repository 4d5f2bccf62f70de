import Foundation
@testable import Integrators
import ReferenceProblems
import Testing

/// The stiff solvers' linear algebra at scale: sparse (KLU, coloured or analytic Jacobians) and
/// matrix-free Krylov (GMRES, with and without a preconditioner) against the dense path, on a
/// Brusselator small enough for dense LU.
@Suite struct LinearSolverTests {
    static let model = Brusselator2D(gridSize: 8)  // 128 unknowns
    static let tolerance = Tolerance(relative: 1e-6, absolute: 1e-6)

    /// A tight dense reference at t = 2 (past the forcing's start at 1.1).
    static let reference: [Double] = {
        try! solve(model.problem(to: 2), using: Rodas5P(), tolerance: Tolerance(relative: 1e-11, absolute: 1e-11),
                   saveAt: .final, denseOutput: false).final
    }()

    static func krylov(preconditioned: Bool, side: KrylovOptions.Side = .left) -> StiffLinearSolver {
        .krylov(KrylovOptions(preconditioner: preconditioned ? model.diffusionPreconditioner() : nil, side: side))
    }

    /// Every path reaches the reference to its tolerance, with both stiff methods.
    @Test(arguments: ["Rodas5P", "BDF"])
    func everyLinearSolverGivesTheSameSolution(_ method: String) throws {
        let cases: [(String, StiffLinearSolver, ODEProblem)] = [
            ("dense", .dense, Self.model.problem(to: 2)),
            ("sparse, detected pattern", .sparse, Self.model.problem(to: 2)),
            ("sparse, given pattern", .sparse, Self.model.problem(to: 2).withSparsity(Self.model.sparsity)),
            ("sparse, analytic values", .sparse, Self.model.sparseProblem(to: 2)),
            ("krylov", Self.krylov(preconditioned: false), Self.model.problem(to: 2)),
            ("krylov, left FFT preconditioner", Self.krylov(preconditioned: true), Self.model.problem(to: 2)),
            ("krylov, right FFT preconditioner", Self.krylov(preconditioned: true, side: .right), Self.model.problem(to: 2)),
        ]
        var dense: [Double] = []
        for (name, solver, problem) in cases {
            let s = method == "BDF"
                ? try solve(problem, using: BDF(linearSolver: solver), tolerance: Self.tolerance, saveAt: .final)
                : try solve(problem, using: Rodas5P(linearSolver: solver), tolerance: Self.tolerance, saveAt: .final)
            let error = errorInToleranceUnits(s.final, Self.reference, rtol: 1e-6, atol: 1e-6)
            print("LINEAR SOLVERS \(method) \(name): error \(error) tolerance units; \(s.statistics)")
            #expect(error < (method == "BDF" ? 30 : 10), "\(method) with \(name): \(error)")
            if name == "dense" { dense = s.final }
            // Same accuracy class as the dense path: within a few tolerance units of it.
            #expect(errorInToleranceUnits(s.final, dense, rtol: 1e-6, atol: 1e-6) < 30, "\(method) \(name) vs dense")
            if name.hasPrefix("krylov") { #expect(s.statistics.linearIterations > 0) }
        }
    }

    /// The colouring needs no more colours than the densest row (+ a small slack), and the
    /// coloured finite-difference Jacobian equals the dense one.
    @Test func colouredJacobianEqualsTheDenseOne() throws {
        let model = Self.model
        let pattern = model.sparsity
        #expect(pattern.nonzeroCount == 12 * 64)
        let (colours, count) = pattern.columnColouring()
        #expect(count <= pattern.maximumRowCount + 3, "\(count) colours, densest row \(pattern.maximumRowCount)")
        // No two columns of one colour share a row.
        for i in 0..<pattern.dimension {
            var seen = Set<Int>()
            for j in 0..<pattern.dimension where pattern.contains(row: i, column: j) {
                #expect(seen.insert(colours[j]).inserted, "row \(i): two columns of colour \(colours[j])")
            }
        }
        // The detected pattern is the true one.
        var y = model.initialState
        let detected = SparsityPattern.detect(model.rhs, at: y, time: 0)
        #expect(detected == pattern)
        // Coloured FD vs dense FD vs analytic.
        let n = model.unknowns
        let problem = model.problem().withSparsity(pattern)
        var f0 = [Double](repeating: 0, count: n)
        y.withUnsafeBufferPointer { s in f0.withUnsafeMutableBufferPointer { model.rhs(0, s, $0) } }
        let typical = [Double](repeating: 1, count: n)  // increments sqrt(ε)·max(|y|, 1): FD noise far below the check
        let ones = [Double](repeating: 1, count: n)
        let sparse = IterationMatrix(dimension: n, solver: .sparse, problem: problem, relative: ones, absolute: ones)
        let dense = IterationMatrix(dimension: n, solver: .dense, problem: problem, relative: ones, absolute: ones)
        var evaluations = 0
        y.withUnsafeMutableBufferPointer { yb in
            f0.withUnsafeMutableBufferPointer { fb in
                var t = typical
                t.withUnsafeMutableBufferPointer { tb in
                    let f: (Double, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void = { time, s, out in
                        evaluations += 1
                        model.rhs(time, UnsafeBufferPointer(start: s, count: n), UnsafeMutableBufferPointer(start: out, count: n))
                    }
                    try! sparse.evaluateJacobian(user: nil, t: 0, y: yb.baseAddress!, f0: fb.baseAddress!,
                                                 typical: tb.baseAddress!, step: 0, evaluate: f)
                    #expect(evaluations == count + 4, "one evaluation per colour plus the pattern check's four probes")
                    dense.evaluateFiniteDifference(t: 0, y: yb.baseAddress!, f0: fb.baseAddress!, typical: tb.baseAddress!,
                                                   evaluate: f)
                }
            }
        }
        var analytic = [Double](repeating: 0, count: pattern.nonzeroCount)
        y.withUnsafeBufferPointer { s in analytic.withUnsafeMutableBufferPointer { model.sparseJacobian(0, s, $0) } }
        let values = try #require(sparse.sparse).jacobian
        var worst = 0.0
        for j in 0..<n {
            for p in pattern.columnStarts[j]..<pattern.columnStarts[j + 1] {
                let i = pattern.rowIndices[p]
                #expect(values[p] == dense.jac[i + j * n], "coloured and dense FD differ at (\(i), \(j))")
                worst = max(worst, abs(values[p] - analytic[p]) / max(1, abs(analytic[p])))
            }
        }
        #expect(worst < 1e-5, "FD vs analytic: \(worst)")
    }

    /// Bad input: a clear error naming what was wrong, never a silent wrong solution.
    @Test func badSparseAndKrylovInputIsRefused() throws {
        let model = Self.model
        let problem = model.problem(to: 2)
        // A pattern of the wrong size.
        let small = Brusselator2D(gridSize: 4).sparsity
        #expect(throws: IntegrationError.self) {
            try solve(problem.withSparsity(small), using: Rodas5P(linearSolver: .sparse))
        }
        // A pattern with the diagonal only: it misses every coupling.
        let uOnly = try SparsityPattern(dimension: model.unknowns, entries: [])
        do {
            _ = try solve(problem.withSparsity(uOnly), using: BDF(linearSolver: .sparse))
            Issue.record("a pattern with only the diagonal was accepted")
        } catch let error {
            #expect("\(error)".contains("sparsity pattern has no entry"), "\(error)")
        }
        // Analytic values in the wrong order (here: negated) contradict the probes.
        let wrong = problem.withSparseJacobian(model.sparsity) { t, y, values in
            model.sparseJacobian(t, y, values)
            for k in values.indices { values[k] = -values[k] }
        }
        do {
            _ = try solve(wrong, using: Rodas5P(linearSolver: .sparse))
            Issue.record("a wrong sparse Jacobian was accepted")
        } catch let error {
            #expect("\(error)".contains("sparse Jacobian gives"), "\(error)")
        }
        // A preconditioner that returns NaN.
        final class Broken: Preconditioner {
            func setup(t: Double, y: UnsafeBufferPointer<Double>, fy: UnsafeBufferPointer<Double>, a: Double, b: Double) -> Bool { true }
            func solve(_ r: UnsafeBufferPointer<Double>, into z: UnsafeMutableBufferPointer<Double>) {
                for i in z.indices { z[i] = .nan }
            }
        }
        do {
            _ = try solve(problem, using: Rodas5P(linearSolver: .krylov(KrylovOptions(preconditioner: Broken()))))
            Issue.record("a NaN preconditioner was accepted")
        } catch let error {
            #expect("\(error)".contains("preconditioner returned NaN"), "\(error)")
        }
        // GMRES that cannot converge in its limit (a target no residual reaches): each failure retries
        // the step smaller; ten in a row stop the solve with a named error.
        let starved = KrylovOptions(restart: 2, maxIterations: 2, tolerance: 1e-300)
        do {
            _ = try solve(problem, using: BDF(linearSolver: .krylov(starved)))
            Issue.record("GMRES with one iteration solved the problem")
        } catch let error {
            guard case .linearSolverFailure(let reason, let failure) = error else {
                Issue.record("expected linearSolverFailure, got \(error)")
                return
            }
            #expect(reason.contains("GMRES did not converge in 2 iterations"), "\(reason)")
            #expect(failure.partialSolution.statistics.rejectedSteps > 0)
        }
        #expect(throws: IntegrationError.self) {
            try solve(problem, using: Rodas5P(linearSolver: .krylov(KrylovOptions(restart: 0))))
        }
    }

    /// The Brusselator at N = 32 (2048 unknowns) through the forcing's switch-on, by every stiff
    /// path at rtol 1e-6, against a tight dense-BDF reference (rtol = atol = 1e-10).
    @Test func brusselatorAtN32MatchesATightDenseBDFReference() throws {
        let model = Brusselator2D(gridSize: 32)
        let end = 1.5
        let reference = try solve(model.problem(to: end), using: BDF(), tolerance: Tolerance(relative: 1e-10, absolute: 1e-10),
                                  saveAt: .final, denseOutput: false).final
        let tolerance = Tolerance(relative: 1e-6, absolute: 1e-6)
        let split = ODEProblem(initial: model.initialState, timeSpan: 0...end, explicit: model.reactionTerm,
                               implicit: model.diffusionTerm, implicitIsLinear: true)
        let fft = KrylovOptions(preconditioner: model.diffusionPreconditioner())
        let runs: [(String, () throws -> ODESolution)] = [
            ("BDF sparse", { try solve(model.sparseProblem(to: end), using: BDF(linearSolver: .sparse), tolerance: tolerance) }),
            ("BDF GMRES + FFT", { try solve(model.problem(to: end), using: BDF(linearSolver: .krylov(fft)), tolerance: tolerance) }),
            ("Rodas5P sparse", { try solve(model.sparseProblem(to: end), using: Rodas5P(linearSolver: .sparse), tolerance: tolerance) }),
            ("ARK436L2SA GMRES + FFT", { try solve(split, using: ARK436L2SA(linearSolver: .krylov(fft)), tolerance: tolerance) }),
            ("ARK324L2SA sparse (detected)", { try solve(split, using: ARK324L2SA(linearSolver: .sparse), tolerance: tolerance) }),
            ("ARK324L2SA GMRES + FFT", { try solve(split, using: ARK324L2SA(linearSolver: .krylov(fft)), tolerance: tolerance) }),
            ("ARK436L2SA sparse (detected)", { try solve(split, using: ARK436L2SA(linearSolver: .sparse), tolerance: tolerance) }),
        ]
        for (name, run) in runs {
            let s = try run()
            let error = errorInToleranceUnits(s.final, reference, rtol: 1e-6, atol: 1e-6)
            print("BRUSSELATOR N=32 \(name): error \(error) tolerance units; \(s.statistics)")
            #expect(error < 20, "\(name): \(error) tolerance units")
        }
    }
}
