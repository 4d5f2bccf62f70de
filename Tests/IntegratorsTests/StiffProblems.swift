import Foundation
import Integrators
import ReferenceProblems

// HIRES, Robertson and Van der Pol come from the shared catalogue (Sources/ReferenceProblems),
// which the benchmarks use too; these names keep the stiff tests readable.

/// HIRES on [0, 321.8122] (see ``ReferenceProblem/hires``).
func hiresProblem() -> ODEProblem { ReferenceProblem.hires.problem }

/// Reference y(321.8122) of HIRES from the Bari IVP test set.
let hiresReference = ReferenceProblem.hires.reference

/// Robertson's chemical kinetics on [0, t1] from `initial` (see ``ReferenceProblem/robertson``).
func robertsonProblem(to t1: Double = 1e11, initial: [Double] = [1, 0, 0]) -> ODEProblem {
    var problem = ReferenceProblem.robertson.problem
    problem.end = t1
    problem.initial = initial
    return problem
}

/// Analytic Jacobian of Robertson's problem (column-major).
func robertsonJacobian(_ t: Double, _ y: UnsafeBufferPointer<Double>, _ J: UnsafeMutableBufferPointer<Double>) {
    ReferenceProblem.robertson.jacobian!(t, y, J)
}

/// Reference y(1e11) of Robertson from the Bari IVP test set.
let robertsonReference = ReferenceProblem.robertson.reference

/// Van der Pol μ = 1000 on [0, 2000] (see ``ReferenceProblem/vanDerPol``).
func vanDerPolProblem() -> ODEProblem { ReferenceProblem.vanDerPol.problem }

/// Reference y(2000) for Van der Pol μ = 1000 (deTestSet vdpol). scipy 1.17.1 Radau at
/// rtol 1e-13 (analytic Jacobian) gives (1.706167732170454, -0.0008928097010248281): agreement
/// to 1.5e-14; Rodas5P at rtol 1e-11 agrees to 6e-12 and BDF to 2e-9 (test `vanDerPolTight`).
let vanDerPolReference = ReferenceProblem.vanDerPol.reference

/// Mildly stiff test problem with a known solution: y1' = -y1² (y1 = 1/(1+t)),
/// y2' = -50 (y2 - cos t) - sin t (y2 = cos t).
func mildlyStiffProblem(to t1: Double = 1) -> ODEProblem {
    ODEProblem(initial: [1, 1], timeSpan: 0...t1) { t, y, f in
        f[0] = -y[0] * y[0]
        f[1] = -50 * (y[1] - cos(t)) - sin(t)
    }
}

func mildlyStiffExact(_ t: Double) -> [Double] { [1 / (1 + t), cos(t)] }

/// 1-D diffusion–reaction u_t = d u_xx + u²(1 - u) by the method of lines on n interior points,
/// u = 0 at x = 0 and u = 1 at x = 1 (tridiagonal Jacobian: lower = upper = 1).
func diffusionReactionProblem(points n: Int = 60, to t1: Double = 2) -> ODEProblem {
    let dx = 1.0 / Double(n + 1)
    let d = 0.05 / (dx * dx)
    let initial = (0..<n).map { i -> Double in
        let x = Double(i + 1) * dx
        return x * x * x
    }
    return ODEProblem(initial: initial, timeSpan: 0...t1) { _, u, f in
        for i in 0..<n {
            let left = i > 0 ? u[i - 1] : 0
            let right = i < n - 1 ? u[i + 1] : 1
            f[i] = d * (left - 2 * u[i] + right) + u[i] * u[i] * (1 - u[i])
        }
    }
}

/// max_i |a_i - b_i| / |b_i|.
func maxRelativeError(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { abs($0 - $1) / abs($1) }.max() ?? .nan
}

/// max_i |a_i - b_i| / (atol + rtol |b_i|): the error in units of the tolerance.
func errorInToleranceUnits(_ a: [Double], _ b: [Double], rtol: Double, atol: Double) -> Double {
    zip(a, b).map { abs($0 - $1) / (atol + rtol * abs($1)) }.max() ?? .nan
}
