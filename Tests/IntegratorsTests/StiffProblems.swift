import Foundation
import Integrators

/// HIRES (Schäfer 1975; Hairer–Wanner II, IV.10), 8 components on [0, 321.8122].
func hiresProblem() -> ODEProblem {
    ODEProblem(initial: [1, 0, 0, 0, 0, 0, 0, 0.0057], timeSpan: 0...321.8122) { _, y, f in
        f[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007
        f[1] = 1.71 * y[0] - 8.75 * y[1]
        f[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4]
        f[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3]
        f[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6]
        f[5] = -280 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6]
        f[6] = 280 * y[5] * y[7] - 1.81 * y[6]
        f[7] = -f[6]
    }
}

/// Reference y(321.8122) of HIRES from the Bari IVP test set (Mazzia & Magherini, `hires.f`,
/// "computed using true double precision RADAU5 on Cray C90, rtol = atol = h0 = 1.1d-18").
let hiresReference = [
    0.7371312573325668e-3, 0.1442485726316185e-3, 0.5888729740967575e-4, 0.1175651343283149e-2,
    0.2386356198831331e-2, 0.6238968252742796e-2, 0.2849998395185769e-2, 0.2850001604814231e-2,
]

/// Robertson's chemical kinetics (Hairer–Wanner II, IV.1).
func robertsonProblem(to t1: Double = 1e11, initial: [Double] = [1, 0, 0]) -> ODEProblem {
    ODEProblem(initial: initial, timeSpan: 0...t1) { _, y, f in
        f[0] = -0.04 * y[0] + 1e4 * y[1] * y[2]
        f[2] = 3e7 * y[1] * y[1]
        f[1] = -f[0] - f[2]
    }
}

/// Analytic Jacobian of Robertson's problem (column-major).
func robertsonJacobian(_ t: Double, _ y: UnsafeBufferPointer<Double>, _ J: UnsafeMutableBufferPointer<Double>) {
    J[0] = -0.04; J[1] = 0.04; J[2] = 0
    J[3] = 1e4 * y[2]; J[4] = -1e4 * y[2] - 6e7 * y[1]; J[5] = 6e7 * y[1]
    J[6] = 1e4 * y[1]; J[7] = -1e4 * y[1]; J[8] = 0
}

/// Reference y(1e11) of Robertson from the Bari IVP test set (Mazzia & Magherini, `rober.f`).
let robertsonReference = [0.2083340149701255e-7, 0.8333360770334713e-13, 0.9999999791665050]

/// Van der Pol, y1' = y2, y2' = μ(1 - y1²) y2 - y1, y(0) = (2, 0), μ = 1000, on [0, 2000].
func vanDerPolProblem(mu: Double = 1000) -> ODEProblem {
    ODEProblem(initial: [2, 0], timeSpan: 0...2000) { _, y, f in
        f[0] = y[1]
        f[1] = mu * (1 - y[0] * y[0]) * y[1] - y[0]
    }
}

/// Reference y(2000) for Van der Pol μ = 1000: scipy 1.17.1 `solve_ivp(method="Radau", rtol=1e-13,
/// atol=1e-15, analytic Jacobian)` (305578 RHS calls); the same call with rtol=1e-12 gave
/// (1.7061677321704383, -0.0008928097010248463), i.e. agreement to 1e-14. Rodas5P at rtol 1e-11
/// agrees to 6e-12 and BDF at rtol 1e-11 to 2e-9 (test `vanDerPolTight`). The values also coincide
/// (to ~1e-13) with the Bari test-set `vdpol` reference (0.1706167732170469e1,
/// -0.8928097010248125e-3).
let vanDerPolReference = [1.706167732170454, -0.0008928097010248281]

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
