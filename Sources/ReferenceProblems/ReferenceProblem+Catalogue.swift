import Foundation
import Integrators

extension ReferenceProblem {
    /// All reference problems, in benchmark order.
    public static var all: [ReferenceProblem] { [lorenz, pleiades, hires, robertson, vanDerPol, decay()] }

    /// Lorenz (1963), σ = 10, ρ = 28, β = 8/3, y0 = (1, 0, 0), t ∈ [0, 100]. Chaotic: the
    /// reference is the state at t = 10, computed with a 50-digit Taylor-series method (mpmath,
    /// order 30, h = 1/100) and cross-checked with DOP853 and ARKODE at rtol 1e-13 (12 digits).
    public static var lorenz: ReferenceProblem {
        ReferenceProblem(
            name: "lorenz",
            problem: ODEProblem(initial: [1, 0, 0], timeSpan: 0...100) { _, y, dy in
                dy[0] = 10 * (y[1] - y[0])
                dy[1] = y[0] * (28 - y[2]) - y[1]
                dy[2] = y[0] * y[1] - 8.0 / 3.0 * y[2]
            },
            tolerance: Tolerance(relative: 1e-8, absolute: 1e-8),
            referenceTime: 10,
            reference: [-5.857685382424090020, -5.831082486426100443, 23.93213298702756265],
            source: "computed: mpmath Taylor series, 50 digits; cross-checked with DOP853 and ARKODE at rtol 1e-13",
            isStiff: false)
    }

    /// The Pleiades: seven bodies in the plane with masses m_i = i (Hairer–Nørsett–Wanner I,
    /// II.10), 28 first-order equations (x, y, x', y'), t ∈ [0, 3]. Reference from the Test Set
    /// for IVP Solvers (Mazzia & Magherini, Bari), problem PLEI.
    public static var pleiades: ReferenceProblem {
        ReferenceProblem(
            name: "pleiades",
            problem: ODEProblem(
                initial: [3, 3, -1, -3, 2, -2, 2, 3, -3, 2, 0, 0, -4, 4, 0, 0, 0, 0, 0, 1.75, -1.5, 0, 0, 0, -1.25, 1, 0, 0],
                timeSpan: 0...3
            ) { _, u, f in
                for i in 0..<7 {
                    f[i] = u[14 + i]
                    f[7 + i] = u[21 + i]
                    f[14 + i] = 0
                    f[21 + i] = 0
                }
                for i in 0..<7 {
                    for j in (i + 1)..<7 {
                        let dx = u[j] - u[i], dy = u[7 + j] - u[7 + i]
                        let r2 = dx * dx + dy * dy
                        let r3 = r2 * r2.squareRoot()
                        let (mi, mj) = (Double(i + 1), Double(j + 1))
                        f[14 + i] += mj * dx / r3
                        f[21 + i] += mj * dy / r3
                        f[14 + j] -= mi * dx / r3
                        f[21 + j] -= mi * dy / r3
                    }
                }
            },
            tolerance: Tolerance(relative: 1e-8, absolute: 1e-8),
            referenceTime: 3,
            reference: [
                0.3706139143970502e+00, 0.3237284092057233e+01, -0.3222559032418324e+01, 0.6597091455775310e+00,
                0.3425581707156584e+00, 0.1562172101400631e+01, -0.7003092922212495e+00, -0.3943437585517392e+01,
                -0.3271380973972550e+01, 0.5225081843456543e+01, -0.2590612434977470e+01, 0.1198213693392275e+01,
                -0.2429682344935824e+00, 0.1091449240428980e+01, 0.3417003806314313e+01, 0.1354584501625501e+01,
                -0.2590065597810775e+01, 0.2025053734714242e+01, -0.1155815100160448e+01, -0.8072988170223021e+00,
                0.5952396354208710e+00, -0.3741244961234010e+01, 0.3773459685750630e+00, 0.9386858869551073e+00,
                0.3667922227200571e+00, -0.3474046353808490e+00, 0.2344915448180937e+01, -0.1947020434263292e+01,
            ],
            source: "published: Test Set for IVP Solvers (Bari), problem PLEI",
            isStiff: false)
    }

    /// HIRES: "High Irradiance RESponse" of plant photomorphogenesis (Schäfer 1975; Hairer–Wanner
    /// II), 8 stiff equations, t ∈ [0, 321.8122]. Reference from the Bari Test Set (RADAU5 in
    /// quadruple precision).
    public static var hires: ReferenceProblem {
        ReferenceProblem(
            name: "hires",
            problem: ODEProblem(initial: [1, 0, 0, 0, 0, 0, 0, 0.0057], timeSpan: 0...321.8122) { _, y, f in
                f[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007
                f[1] = 1.71 * y[0] - 8.75 * y[1]
                f[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4]
                f[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3]
                f[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6]
                f[5] = -280 * y[5] * y[7] + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6]
                f[6] = 280 * y[5] * y[7] - 1.81 * y[6]
                f[7] = -280 * y[5] * y[7] + 1.81 * y[6]
            },
            jacobian: { _, y, J in
                for k in 0..<64 { J[k] = 0 }
                func set(_ i: Int, _ j: Int, _ v: Double) { J[i + 8 * j] = v }
                set(0, 0, -1.71); set(0, 1, 0.43); set(0, 2, 8.32)
                set(1, 0, 1.71); set(1, 1, -8.75)
                set(2, 2, -10.03); set(2, 3, 0.43); set(2, 4, 0.035)
                set(3, 1, 8.32); set(3, 2, 1.71); set(3, 3, -1.12)
                set(4, 4, -1.745); set(4, 5, 0.43); set(4, 6, 0.43)
                set(5, 3, 0.69); set(5, 4, 1.71); set(5, 5, -0.43 - 280 * y[7]); set(5, 6, 0.69); set(5, 7, -280 * y[5])
                set(6, 5, 280 * y[7]); set(6, 6, -1.81); set(6, 7, 280 * y[5])
                set(7, 5, -280 * y[7]); set(7, 6, 1.81); set(7, 7, -280 * y[5])
            },
            tolerance: Tolerance(relative: 1e-8, absolute: 1e-10),
            referenceTime: 321.8122,
            reference: [
                0.7371312573325668e-3, 0.1442485726316185e-3, 0.5888729740967575e-4, 0.1175651343283149e-2,
                0.2386356198831331e-2, 0.6238968252742796e-2, 0.2849998395185769e-2, 0.2850001604814231e-2,
            ],
            source: "published: Test Set for IVP Solvers (Bari), problem HIRES",
            isStiff: true)
    }

    /// Robertson's chemical kinetics (1966), k1 = 0.04, k2 = 3e7, k3 = 1e4, y0 = (1, 0, 0),
    /// t ∈ [0, 1e11]; atol 1e-14 on the tiny intermediate y2. Reference from the Bari Test Set (ROBER).
    public static var robertson: ReferenceProblem {
        ReferenceProblem(
            name: "robertson",
            problem: ODEProblem(initial: [1, 0, 0], timeSpan: 0...1e11) { _, y, f in
                f[0] = -0.04 * y[0] + 1e4 * y[1] * y[2]
                f[2] = 3e7 * y[1] * y[1]
                f[1] = -f[0] - f[2]
            },
            jacobian: { _, y, J in
                J[0] = -0.04; J[1] = 0.04; J[2] = 0
                J[3] = 1e4 * y[2]; J[5] = 6e7 * y[1]; J[4] = -1e4 * y[2] - 6e7 * y[1]
                J[6] = 1e4 * y[1]; J[7] = -1e4 * y[1]; J[8] = 0
            },
            tolerance: Tolerance(relative: 1e-8, absolute: [1e-10, 1e-14, 1e-10]),
            referenceTime: 1e11,
            reference: [0.2083340149701255e-7, 0.8333360770334713e-13, 0.9999999791665050e+0],
            source: "published: Test Set for IVP Solvers (Bari), problem ROBER at t = 1e11",
            isStiff: true)
    }

    /// Van der Pol's oscillator with μ = 1000 (y1' = y2, y2' = μ(1 − y1²)y2 − y1), y0 = (2, 0),
    /// t ∈ [0, 2000]. Reference from deTestSet (vdpol), recomputed with scipy Radau at rtol 1e-13
    /// (14 digits).
    public static var vanDerPol: ReferenceProblem {
        let mu = 1000.0
        return ReferenceProblem(
            name: "vanderpol",
            problem: ODEProblem(initial: [2, 0], timeSpan: 0...2000) { _, y, f in
                f[0] = y[1]
                f[1] = mu * (1 - y[0] * y[0]) * y[1] - y[0]
            },
            jacobian: { _, y, J in
                J[0] = 0; J[1] = -2 * mu * y[0] * y[1] - 1
                J[2] = 1; J[3] = mu * (1 - y[0] * y[0])
            },
            tolerance: Tolerance(relative: 1e-8, absolute: 1e-10),
            referenceTime: 2000,
            reference: [0.1706167732170469e+1, -0.8928097010248125e-3],
            source: "published: deTestSet vdpol (mu = 1000); recomputed with scipy Radau at rtol 1e-13",
            isStiff: true)
    }

    /// A large linear system showing per-step overhead at scale: y_i' = −λ_i y_i with
    /// λ_i = 1 + i/N, y_i(0) = 1, t ∈ [0, 1]; exact solution y_i(1) = exp(−λ_i). Named "decay" at
    /// the default N = 10⁵ and "decay-1e6" at N = 10⁶ (the benchmarks' two sizes).
    public static func decay(size n: Int = 100_000) -> ReferenceProblem {
        let inverse = 1.0 / Double(n)
        return ReferenceProblem(
            name: n == 100_000 ? "decay" : (n == 1_000_000 ? "decay-1e6" : "decay-\(n)"),
            problem: ODEProblem(initial: [Double](repeating: 1, count: n), timeSpan: 0...1) { _, y, f in
                for i in 0..<y.count { f[i] = -(1 + Double(i) * inverse) * y[i] }
            },
            tolerance: Tolerance(relative: 1e-6, absolute: 1e-9),
            referenceTime: 1,
            reference: (0..<n).map { exp(-(1 + Double($0) * inverse)) },
            source: "exact: y_i(1) = exp(-(1 + i/N))",
            isStiff: false)
    }
}
