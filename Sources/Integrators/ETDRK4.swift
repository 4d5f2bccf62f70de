import Dispatch
import Foundation

/// Fourth-order exponential time differencing Runge–Kutta (Cox & Matthews 2002) for
/// `du/dt = L u + N(t, u)` with a *diagonal* linear part `L` (one real coefficient per
/// component, e.g. `−ν|k|² − α` for each real and imaginary part of a spectral coefficient).
///
/// The stiff linear part is integrated exactly; the φ-function coefficients are computed by
/// Kassam & Trefethen's (2005) contour integral (32 points on a unit circle around each `hL`),
/// which stays accurate where `hL → 0`. The step `h` is fixed per instance (choose it from a CFL
/// bound; make a new instance to change it).
///
/// Two ways to use it: ``advance(_:time:workspace:nonlinear:)`` takes one step of `N` alone (the
/// pseudo-spectral solvers' inner loop), or, as an ``ODEMethod``, it goes through the one driver
/// like any other method — `solve(problem, using: ETDRK4(linear: L, step: h), controller:
/// FixedStep(h), events: ...)` — on an ``ODEProblem`` whose right-hand side is the *whole*
/// `f(t, u) = L∘u + N(t, u)` (the stepper forms `N = f − L∘u`), with saved points, cubic Hermite
/// dense output, events and snapshots. Steps of another size than `step` (the grid's last step,
/// a step cut at an event) get their own coefficients.
public struct ETDRK4: Sendable {
    public let step: Double
    public let linear: [Double]
    let e, e2, q, f1, f2, f3: [Double]

    /// Number of contour points of the φ-function integrals.
    public let contourPoints: Int

    public init(linear: [Double], step h: Double, contourPoints m: Int = 32) {
        precondition(h > 0 && h.isFinite, "ETDRK4 needs a positive step, got \(h)")
        step = h
        self.linear = linear
        contourPoints = m
        (e, e2, q, f1, f2, f3) = Self.coefficients(linear: linear, step: h, contourPoints: m)
    }

    /// The coefficient vectors `e^{hL}`, `e^{hL/2}`, `Q` and `f1, f2, f3` for a step of signed
    /// size `h` (Kassam & Trefethen's contour means; `L` real, so only real parts survive).
    static func coefficients(linear: [Double], step h: Double, contourPoints m: Int)
        -> (e: [Double], e2: [Double], q: [Double], f1: [Double], f2: [Double], f3: [Double]) {
        var e = [Double](), e2 = [Double](), q = [Double](), f1 = [Double](), f2 = [Double](), f3 = [Double]()
        for l in linear {
            let hl = h * l
            e.append(exp(hl))
            e2.append(exp(hl / 2))
            // Mean over r = hL + e^{iθ} of complex expressions; L real, so only real parts survive.
            var sq = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            for j in 1...m {
                let theta = Double.pi * (Double(j) - 0.5) / Double(m)
                let (re, im) = (hl + cos(theta), sin(theta))
                func cexp(_ a: Double, _ b: Double) -> (Double, Double) { let m = exp(a); return (m * cos(b), m * sin(b)) }
                func mul(_ a: (Double, Double), _ b: (Double, Double)) -> (Double, Double) { (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0) }
                func div(_ a: (Double, Double), _ b: (Double, Double)) -> (Double, Double) {
                    let d = b.0 * b.0 + b.1 * b.1
                    return ((a.0 * b.0 + a.1 * b.1) / d, (a.1 * b.0 - a.0 * b.1) / d)
                }
                let r = (re, im)
                let er = cexp(re, im), er2 = cexp(re / 2, im / 2)
                let r2 = mul(r, r), r3 = mul(r2, r)
                sq += div((er2.0 - 1, er2.1), r).0
                // f1 = (−4 − r + e^r (4 − 3r + r²)) / r³
                let t1 = mul(er, (4 - 3 * r.0 + r2.0, -3 * r.1 + r2.1))
                s1 += div((-4 - r.0 + t1.0, -r.1 + t1.1), r3).0
                // f2 = (2 + r + e^r (−2 + r)) / r³
                let t2 = mul(er, (-2 + r.0, r.1))
                s2 += div((2 + r.0 + t2.0, r.1 + t2.1), r3).0
                // f3 = (−4 − 3r − r² + e^r (4 − r)) / r³
                let t3 = mul(er, (4 - r.0, -r.1))
                s3 += div((-4 - 3 * r.0 - r2.0 + t3.0, -3 * r.1 - r2.1 + t3.1), r3).0
            }
            // Integrals over the upper half circle; by symmetry their real parts are the full means.
            q.append(h * sq / Double(m))
            f1.append(h * s1 / Double(m))
            f2.append(h * s2 / Double(m))
            f3.append(h * s3 / Double(m))
        }
        return (e, e2, q, f1, f2, f3)
    }

    /// Advances `u` from `t` to `t + h`; `nonlinear(t, u, out)` writes `N(t, u)` into `out`.
    /// Pass the same `workspace` every step to avoid allocating; its `workers` split the
    /// elementwise combinations (each index is computed alike whatever the split).
    public func advance(_ u: inout [Double], time t: Double, workspace: ETDRK4Workspace? = nil,
                        nonlinear: (Double, [Double], inout [Double]) -> Void) {
        let n = u.count
        precondition(n == linear.count, "ETDRK4: state has \(n) components, the linear part \(linear.count)")
        let w = workspace ?? ETDRK4Workspace(count: n)
        precondition(w.nu.count == n, "ETDRK4: workspace for \(w.nu.count) components, state has \(n)")
        let h = step, workers = w.workers
        nonlinear(t, u, &w.nu)
        Self.combine(&w.a, u, e2, w.nu, q, workers: workers)
        nonlinear(t + h / 2, w.a, &w.na)
        Self.combine(&w.b, u, e2, w.na, q, workers: workers)
        nonlinear(t + h / 2, w.b, &w.nb)
        // c = E2 a + Q (2 Nb − Nu)
        w.c.withUnsafeMutableBufferPointer { c in
            w.a.withUnsafeBufferPointer { a in w.nb.withUnsafeBufferPointer { nb in w.nu.withUnsafeBufferPointer { nu in
                e2.withUnsafeBufferPointer { e2 in q.withUnsafeBufferPointer { q in
                    chunked(n, workers) { r in for i in r { c[i] = e2[i] * a[i] + q[i] * (2 * nb[i] - nu[i]) } }
                } }
            } } }
        }
        nonlinear(t + h, w.c, &w.nc)
        u.withUnsafeMutableBufferPointer { u in
            e.withUnsafeBufferPointer { e in f1.withUnsafeBufferPointer { f1 in f2.withUnsafeBufferPointer { f2 in f3.withUnsafeBufferPointer { f3 in
                w.nu.withUnsafeBufferPointer { nu in w.na.withUnsafeBufferPointer { na in w.nb.withUnsafeBufferPointer { nb in w.nc.withUnsafeBufferPointer { nc in
                    chunked(n, workers) { r in
                        for i in r { u[i] = e[i] * u[i] + f1[i] * nu[i] + 2 * f2[i] * (na[i] + nb[i]) + f3[i] * nc[i] }
                    }
                } } } }
            } } } }
        }
    }

    /// out = p ∘ x + r ∘ y.
    static func combine(_ out: inout [Double], _ x: [Double], _ p: [Double], _ y: [Double], _ r: [Double], workers: Int) {
        let n = x.count
        out.withUnsafeMutableBufferPointer { o in
            x.withUnsafeBufferPointer { x in p.withUnsafeBufferPointer { p in y.withUnsafeBufferPointer { y in r.withUnsafeBufferPointer { r in
                chunked(n, workers) { range in for i in range { o[i] = p[i] * x[i] + r[i] * y[i] } }
            } } } }
        }
    }
}

/// `body` over `0 ..< count` in `workers` contiguous chunks, in parallel.
func chunked(_ count: Int, _ workers: Int, _ body: (Range<Int>) -> Void) {
    let parts = max(1, min(workers, count / 4096 + 1))
    if parts == 1 { body(0..<count); return }
    withoutActuallyEscaping(body) { escapable in
        let work = ChunkBody(body: escapable)
        DispatchQueue.concurrentPerform(iterations: parts) { p in work.body((count * p / parts)..<(count * (p + 1) / parts)) }
    }
}

private struct ChunkBody: @unchecked Sendable {
    let body: (Range<Int>) -> Void
}

/// Scratch arrays for ``ETDRK4/advance(_:time:workspace:nonlinear:)``, reused step after step.
public final class ETDRK4Workspace {
    var nu, na, nb, nc, a, b, c: [Double]
    /// Threads for the elementwise combinations.
    public let workers: Int
    /// Components of the state this workspace serves.
    public var count: Int { nu.count }
    public init(count: Int, workers: Int = 1) {
        self.workers = max(1, workers)
        let zeros = [Double](repeating: 0, count: count)
        (nu, na, nb, nc, a, b, c) = (zeros, zeros, zeros, zeros, zeros, zeros, zeros)
    }
}
