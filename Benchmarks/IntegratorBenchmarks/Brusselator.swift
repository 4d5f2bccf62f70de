// The 2-D Brusselator (method of lines, SciMLBenchmarks setup; Sources/ReferenceProblems/Brusselator2D)
// at N = 32, 64, 128, rtol = atol = 1e-6, against the tight reference the SUNDIALS peer
// (Benchmarks/peers/brusselator_peer.c) caches: CVODE at rtol = atol = 1e-10. Our stiff paths:
// sparse LU (KLU) with the analytic or a coloured finite-difference Jacobian, matrix-free GMRES
// with and without the FFT diffusion preconditioner, and IMEX (diffusion implicit).
import Foundation
import Integrators
import ReferenceProblems

/// The peer's cached reference for grid `n` (header of 96 bytes: magic "NDBRUS01", N, neq, ...,
/// then neq doubles), or nil.
func peerReference(directory: String, grid n: Int) -> [Double]? {
    let path = "\(directory)/brusselator2d-N\(n)-tol1e-10.ref"
    guard let data = FileManager.default.contents(atPath: path), data.count >= 96 else { return nil }
    let neq = 2 * n * n
    guard data.prefix(8) == Data("NDBRUS01".utf8), data.count == 96 + 8 * neq else { return nil }
    return data.withUnsafeBytes { raw in
        let header = raw.bindMemory(to: Int64.self)
        guard header[1] == Int64(n), header[2] == Int64(neq) else { return nil }
        return (0..<neq).map { raw.load(fromByteOffset: 96 + 8 * $0, as: Double.self) }
    }
}

/// Weighted RMS error `(y - ref)/(1e-6 + 1e-6 |ref|)` and the largest absolute error (the peer's).
func brusselatorErrors(_ y: [Double], _ reference: [Double]) -> (wrms: Double, maxAbs: Double) {
    var sum = 0.0, largest = 0.0
    for (a, r) in zip(y, reference) {
        let d = a - r
        let q = d / (1e-6 + 1e-6 * abs(r))
        sum += q * q
        largest = max(largest, abs(d))
    }
    return ((sum / Double(y.count)).squareRoot(), largest)
}

@MainActor
func brusselatorBenchmarks(grids: [Int], referenceDirectory: String, quick: Bool) throws {
    let tolerance = Tolerance(relative: 1e-6, absolute: 1e-6)
    for n in grids {
        let model = Brusselator2D(gridSize: n)
        let reference: [Double]
        var referenceNote = "the SUNDIALS peer's cached CVODE solution at rtol = atol = 1e-10"
        if let cached = peerReference(directory: referenceDirectory, grid: n) {
            reference = cached
        } else {
            referenceNote = "ours: BDF, sparse LU, analytic Jacobian, rtol = atol = 1e-10 (no peer reference found)"
            reference = try solve(model.sparseProblem(), using: BDF(linearSolver: .sparse),
                                   tolerance: Tolerance(relative: 1e-10, absolute: 1e-10), saveAt: .final,
                                   maxSteps: 10_000_000, denseOutput: false).final
        }
        let fft = { KrylovOptions(preconditioner: model.diffusionPreconditioner()) }
        let split = ODEProblem(initial: model.initialState, timeSpan: 0...model.end, explicit: model.reactionTerm,
                               implicit: model.diffusionTerm, implicitIsLinear: true)
        let cases: [(String, String, () throws -> ODESolution)] = [
            ("Rodas5P-sparse-KLU", "Rodas5P, sparse LU (KLU), analytic sparse Jacobian", {
                try solve(model.sparseProblem(), using: Rodas5P(linearSolver: .sparse), tolerance: tolerance,
                          saveAt: .final, maxSteps: 10_000_000, denseOutput: false)
            }),
            ("BDF-sparse-KLU", "BDF, sparse LU (KLU), analytic sparse Jacobian", {
                try solve(model.sparseProblem(), using: BDF(linearSolver: .sparse), tolerance: tolerance,
                          saveAt: .final, maxSteps: 10_000_000, denseOutput: false)
            }),
            ("BDF-sparse-KLU-colouredFD", "BDF, sparse LU (KLU), coloured finite-difference Jacobian on the given pattern", {
                try solve(model.problem().withSparsity(model.sparsity), using: BDF(linearSolver: .sparse),
                          tolerance: tolerance, saveAt: .final, maxSteps: 10_000_000, denseOutput: false)
            }),
            ("BDF-GMRES", "BDF, matrix-free GMRES, no preconditioner", {
                try solve(model.problem(), using: BDF(linearSolver: .krylov()), tolerance: tolerance,
                          saveAt: .final, maxSteps: 10_000_000, denseOutput: false)
            }),
            ("BDF-GMRES-FFT", "BDF, matrix-free GMRES, FFT diffusion preconditioner (left)", {
                try solve(model.problem(), using: BDF(linearSolver: .krylov(fft())), tolerance: tolerance,
                          saveAt: .final, maxSteps: 10_000_000, denseOutput: false)
            }),
            ("Rodas5P-GMRES-FFT", "Rodas5P, matrix-free GMRES, FFT diffusion preconditioner (left)", {
                try solve(model.problem(), using: Rodas5P(linearSolver: .krylov(fft())), tolerance: tolerance,
                          saveAt: .final, maxSteps: 10_000_000, denseOutput: false)
            }),
        ] + imexCases(split: split, fft: fft, tolerance: tolerance)
        // Paths that are far from the best and take minutes at the largest grid run up to N = 64.
        let smallOnly: Set<String> = ["BDF-GMRES", "ARK436L2SA-IMEX-GMRES", "Rodas5P-sparse-KLU", "BDF-sparse-KLU-colouredFD"]
        for (name, description, run) in cases where methods?.contains(name) ?? true {
            if n > 64 && smallOnly.contains(name) {
                print("{\"peer\": \"neuraldynamics\", \"problem\": \"brusselator2d\", \"method\": \"\(name)\", \"grid\": \(n), "
                    + "\"n\": \(model.unknowns), \"skipped\": \"run up to N = 64 only (minutes here; see the smaller grids)\"}")
                continue
            }
            var solution = try run()
            let timing = try medianTime(minimumSeconds: quick ? 0 : 0.3, minimumRepetitions: quick ? 1 : 3,
                                        maximumSeconds: quick ? 0 : 20) {
                solution = try run()
            }
            let (wrms, maxAbs) = brusselatorErrors(solution.final, reference)
            let s = solution.statistics
            print("{\"peer\": \"neuraldynamics\", \"problem\": \"brusselator2d\", \"method\": \"\(name)\", "
                + "\"description\": \"\(description)\", \"grid\": \(n), \"n\": \(model.unknowns), \"rtol\": 1e-06, "
                + "\"atol\": 1e-06, \"t_end\": \(model.end), \"completed\": true, \"error\": \(wrms), "
                + "\"error_max_abs\": \(maxAbs), \"reference\": \"\(referenceNote)\", \"steps\": \(s.acceptedSteps), "
                + "\"rejected\": \(s.rejectedSteps), \"rhs_evaluations\": \(s.rhsEvaluations), "
                + "\"jacobian_evaluations\": \(s.jacobianEvaluations), \"factorizations\": \(s.factorizations), "
                + "\"linear_iterations\": \(s.linearIterations), \"median_seconds\": \(timing.seconds), "
                + "\"repetitions\": \(timing.repetitions), \"version\": \"release build\"}")
            fflush(nil)
        }
    }
}

/// The IMEX cases (diffusion implicit and linear, reaction and forcing explicit), as ARKODE's
/// ARKStep runs the peer.
func imexCases(split: ODEProblem, fft: @escaping () -> KrylovOptions, tolerance: Tolerance)
    -> [(String, String, () throws -> ODESolution)] {
    [
        ("ARK436L2SA-IMEX-GMRES-FFT", "ARK4(3)6L[2]SA IMEX (diffusion implicit), GMRES with the FFT diffusion preconditioner", {
            try solve(split, using: ARK436L2SA(linearSolver: .krylov(fft())), tolerance: tolerance, saveAt: .final,
                      maxSteps: 10_000_000, denseOutput: false)
        }),
        ("ARK436L2SA-IMEX-GMRES", "ARK4(3)6L[2]SA IMEX (diffusion implicit), GMRES without a preconditioner", {
            try solve(split, using: ARK436L2SA(linearSolver: .krylov()), tolerance: tolerance, saveAt: .final,
                      maxSteps: 10_000_000, denseOutput: false)
        }),
    ]
}
