// Stochastic one-step methods: Euler–Maruyama, Milstein, and Rößler's strong-order-1.5 stochastic
// Runge–Kutta methods SRIW1 (general diagonal/scalar noise) and SRA1 (additive noise).
//
// Every method maps (t, X_n, h, ΔW, ΔZ) to X_{n+1} inside an `SDEWorkspace`; the iterated integrals
// are computed per noise dimension j from the Brownian tree's exact (ΔW_j, ΔZ_j):
//
//     I_(1)   = ΔW,   I_(1,1) = (ΔW² - h)/2,   I_(1,1,1) = (ΔW³ - 3hΔW)/6,
//     I_(1,0) = ΔZ = ∫_t^{t+h} (W_s - W_t) ds.
//
// Component i of the state uses noise index j(i) = i (diagonal) or 0 (scalar).

/// Buffers, problem closures and evaluation counters of one SDE solve. Used by the methods'
/// step functions; not constructible outside the module.
public final class SDEWorkspace {
    @usableFromInline let n: Int
    /// Noise dimension (`n` diagonal, `1` scalar).
    @usableFromInline let m: Int
    @usableFromInline let isDiagonal: Bool
    @usableFromInline let isAdditive: Bool
    @usableFromInline let drift: ODEFunction
    @usableFromInline let diffusion: ODEFunction
    @usableFromInline let derivative: ODEFunction?
    /// Current state `X_n` and trial state `X_{n+1}` (exchanged by pointer swap on acceptance).
    @usableFromInline var y: UnsafeMutablePointer<Double>
    @usableFromInline var yNew: UnsafeMutablePointer<Double>
    /// Brownian increments of the current step, `m` each.
    @usableFromInline let dW: UnsafeMutablePointer<Double>
    @usableFromInline let dZ: UnsafeMutablePointer<Double>
    /// Stage vectors, `n` each.
    @usableFromInline let f1: UnsafeMutablePointer<Double>
    @usableFromInline let f2: UnsafeMutablePointer<Double>
    @usableFromInline let g1: UnsafeMutablePointer<Double>
    @usableFromInline let g2: UnsafeMutablePointer<Double>
    @usableFromInline let g3: UnsafeMutablePointer<Double>
    @usableFromInline let g4: UnsafeMutablePointer<Double>
    @usableFromInline let tmp: UnsafeMutablePointer<Double>
    @usableFromInline let absolute: UnsafeMutablePointer<Double>
    @usableFromInline let relative: UnsafeMutablePointer<Double>
    /// Brownian tree point values `W`, `K` at the current time and at the trial time (`m` each),
    /// and the tree's scratch (`2m`).
    @usableFromInline var wCurrent: UnsafeMutablePointer<Double>
    @usableFromInline var kCurrent: UnsafeMutablePointer<Double>
    @usableFromInline var wTrial: UnsafeMutablePointer<Double>
    @usableFromInline var kTrial: UnsafeMutablePointer<Double>
    @usableFromInline let treeScratch: UnsafeMutablePointer<Double>
    /// The linear interpolant of the last step for dense output: `y`, `yNew - y` (`2n`).
    @usableFromInline let poly: UnsafeMutablePointer<Double>
    @usableFromInline var driftEvaluations = 0
    @usableFromInline var diffusionEvaluations = 0
    private let storage: UnsafeMutablePointer<Double>
    private let storageCount: Int

    @usableFromInline
    init(problem: SDEProblem, absolute atol: [Double], relative rtol: [Double]) {
        n = problem.dimension
        m = problem.noiseDimension
        isDiagonal = problem.noise == .diagonal
        isAdditive = problem.isAdditive
        drift = problem.drift
        diffusion = problem.diffusion
        derivative = problem.diffusionDerivative
        storageCount = 13 * n + 8 * m
        storage = .allocate(capacity: storageCount)
        storage.initialize(repeating: 0, count: storageCount)
        var p = storage
        func take(_ count: Int) -> UnsafeMutablePointer<Double> {
            defer { p += count }
            return p
        }
        y = take(n)
        yNew = take(n)
        f1 = take(n)
        f2 = take(n)
        g1 = take(n)
        g2 = take(n)
        g3 = take(n)
        g4 = take(n)
        tmp = take(n)
        absolute = take(n)
        relative = take(n)
        dW = take(m)
        dZ = take(m)
        wCurrent = take(m)
        kCurrent = take(m)
        wTrial = take(m)
        kTrial = take(m)
        treeScratch = take(2 * m)
        poly = take(2 * n)
        for i in 0..<n {
            y[i] = problem.initial[i]
            absolute[i] = atol[i]
            relative[i] = rtol[i]
        }
    }

    deinit {
        storage.deinitialize(count: storageCount)
        storage.deallocate()
    }

    /// `out = f(t, x)`, counted.
    @inlinable @inline(__always)
    func f(_ t: Double, _ x: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        drift(t, UnsafeBufferPointer(start: x, count: n), UnsafeMutableBufferPointer(start: out, count: n))
        driftEvaluations &+= 1
    }

    /// `out = g(t, x)`, counted.
    @inlinable @inline(__always)
    func g(_ t: Double, _ x: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        diffusion(t, UnsafeBufferPointer(start: x, count: n), UnsafeMutableBufferPointer(start: out, count: n))
        diffusionEvaluations &+= 1
    }

    /// Noise index of state component `i`.
    @inlinable @inline(__always)
    func noiseIndex(_ i: Int) -> Int { isDiagonal ? i : 0 }

    /// RMS norm of `e(i) / (atol_i + rtol_i max(|y_i|, |yNew_i|))`; NaN/Inf if `yNew` is not finite.
    @inlinable @inline(__always)
    func scaledNorm(_ e: (Int) -> Double) -> Double {
        var sum = 0.0
        var poison = 0.0
        for i in 0..<n {
            let yi = yNew[i]
            poison += yi * 0
            let sc = absolute[i] + relative[i] * Swift.max(abs(y[i]), abs(yi))
            let r = e(i) / sc
            sum += r * r
        }
        return (sum / Double(n)).squareRoot() + poison
    }
}

/// A one-step method for ``SDEProblem``s, usable with fixed steps
/// (`solve(_:using:step:seed:saveAt:maxSteps:denseOutput:)`).
///
/// The step function is an implementation detail of the module (the workspace's members are
/// internal), so new methods are added here.
public protocol SDEMethod: Sendable {
    /// Display name.
    var name: String { get }
    /// Strong order of convergence (under the method's noise assumptions).
    var strongOrder: Double { get }
    /// `true` if the method is only valid for additive noise (``SDEProblem/isAdditive``).
    var requiresAdditiveNoise: Bool { get }
    /// One step of size `h` from `(t, w.y)` with the increments in `w.dW`, `w.dZ`, into `w.yNew`.
    /// Returns the scaled RMS error norm when `estimateError` (adaptive methods), else 0.
    func _step(_ w: SDEWorkspace, t: Double, h: Double, estimateError: Bool) -> Double
}

/// An ``SDEMethod`` with an embedded local error estimate, usable with adaptive steps
/// (`solve(_:using:tolerance:seed:...)`).
public protocol AdaptiveSDEMethod: SDEMethod {
    /// `p` such that the error estimate scales like `h^p`; the controller uses `k = p`
    /// (``PIController`` exponents `0.7/k`, `0.4/k`, rejection `1/k`).
    var errorEstimateOrder: Double { get }
}

/// Euler–Maruyama: `X_{n+1} = X_n + h f(t_n, X_n) + g(t_n, X_n) ΔW`.
/// Strong order 0.5 (1.0 for additive noise), weak order 1. One `f` and one `g` call per step.
public struct EulerMaruyama: SDEMethod {
    public init() {}
    public var name: String { "EulerMaruyama" }
    public var strongOrder: Double { 0.5 }
    public var requiresAdditiveNoise: Bool { false }

    @inlinable
    public func _step(_ w: SDEWorkspace, t: Double, h: Double, estimateError: Bool) -> Double {
        let n = w.n
        w.f(t, w.y, into: w.f1)
        w.g(t, w.y, into: w.g1)
        for i in 0..<n {
            w.yNew[i] = w.y[i] + h * w.f1[i] + w.g1[i] * w.dW[w.noiseIndex(i)]
        }
        return 0
    }
}

/// Milstein: `X_{n+1} = X_n + h f + g ΔW + ½ (∂g/∂X · g)(ΔW² - h)` at `(t_n, X_n)`.
///
/// Strong order 1 for scalar noise and for diagonal noise where `g_i` depends only on `X_i`.
/// `(∂g/∂X)·g` comes from ``SDEProblem/diffusionDerivative`` if given, otherwise from a forward
/// difference along `g` (one extra `g` call; see ``SDEProblem``). Skipped for additive problems.
/// Per step: one `f` call and one `g` call, plus one derivative (or `g`) call unless additive.
public struct Milstein: SDEMethod {
    public init() {}
    public var name: String { "Milstein" }
    public var strongOrder: Double { 1 }
    public var requiresAdditiveNoise: Bool { false }

    @inlinable
    public func _step(_ w: SDEWorkspace, t: Double, h: Double, estimateError: Bool) -> Double {
        let n = w.n
        let y = w.y
        w.f(t, y, into: w.f1)
        w.g(t, y, into: w.g1)
        let lg = w.g2  // (∂g/∂X)·g
        if w.isAdditive {
            for i in 0..<n { lg[i] = 0 }
        } else if let derivative = w.derivative {
            derivative(t, UnsafeBufferPointer(start: y, count: n), UnsafeMutableBufferPointer(start: lg, count: n))
            w.diffusionEvaluations &+= 1
        } else {
            var gMax = 0.0, yMax = 0.0
            for i in 0..<n {
                gMax = Swift.max(gMax, abs(w.g1[i]))
                yMax = Swift.max(yMax, abs(y[i]))
            }
            if gMax > 0 && gMax.isFinite {
                let delta = Double.ulpOfOne.squareRoot() * Swift.max(1, yMax) / gMax
                for i in 0..<n { w.tmp[i] = y[i] + delta * w.g1[i] }
                w.g(t, w.tmp, into: lg)
                for i in 0..<n { lg[i] = (lg[i] - w.g1[i]) / delta }
            } else {
                for i in 0..<n { lg[i] = 0 }
            }
        }
        for i in 0..<n {
            let dw = w.dW[w.noiseIndex(i)]
            w.yNew[i] = y[i] + h * w.f1[i] + w.g1[i] * dw + 0.5 * lg[i] * (dw * dw - h)
        }
        return 0
    }
}

/// SRIW1 (Rößler 2010, "Runge–Kutta methods for the strong approximation of solutions of
/// stochastic differential equations", SIAM J. Numer. Anal. 48; tableau as in StochasticDiffEq.jl):
/// derivative-free strong order 1.5 for scalar noise and for diagonal noise with `g_i = g_i(t, X_i)`,
/// deterministic order 2. Four stages (2 `f` and 4 `g` calls per step):
///
///     c⁽⁰⁾ = (0, 3/4, 0, 0)      c⁽¹⁾ = (0, 1/4, 1, 1/4)
///     A⁽⁰⁾₂₁ = 3/4               B⁽⁰⁾₂₁ = 3/2                         (× I_(1,0)/h)
///     A⁽¹⁾₂₁ = 1/4, A⁽¹⁾₃₁ = 1, A⁽¹⁾₄₃ = 1/4                          (stage 3 of H⁽⁰⁾ is X_n)
///     B⁽¹⁾₂₁ = 1/2, B⁽¹⁾₃₁ = -1, B⁽¹⁾₄₁ = -5, B⁽¹⁾₄₂ = 3, B⁽¹⁾₄₃ = 1/2 (× √h)
///     α = (1/3, 2/3, 0, 0)
///     β⁽¹⁾ = (-1, 4/3, 2/3, 0)   β⁽²⁾ = (-1, 4/3, -1/3, 0)
///     β⁽³⁾ = (2, -4/3, -2/3, 0)  β⁽⁴⁾ = (-2, 5/3, -2/3, 1)
///
///     X_{n+1} = X_n + h Σ α_i f(H⁽⁰⁾_i) + Σ (β⁽¹⁾_i I_(1) + β⁽²⁾_i I_(1,1)/√h
///                                          + β⁽³⁾_i I_(1,0)/h + β⁽⁴⁾_i I_(1,1,1)/h) g(H⁽¹⁾_i)
///
/// Error estimate (difference to the embedded order-1 scheme that keeps only the Euler drift and
/// the β⁽¹⁾, β⁽²⁾ terms): `E_D = h(Σ α_i f_i - f_1)`, `E_N = Σ (β⁽³⁾_i I_(1,0)/h + β⁽⁴⁾_i I_(1,1,1)/h) g_i`,
/// per component `err_i = δ|E_D,i| + |E_N,i|` with `δ = driftErrorWeight` (default 1), in the RMS
/// norm scaled by `atol_i + rtol_i max(|X_n,i|, |X_{n+1},i|)`. The estimate scales like `h^1.5`.
public struct SRIW1: AdaptiveSDEMethod {
    /// Weight `δ` of the drift part of the error estimate.
    public var driftErrorWeight: Double
    public init(driftErrorWeight: Double = 1) { self.driftErrorWeight = driftErrorWeight }
    public var name: String { "SRIW1" }
    public var strongOrder: Double { 1.5 }
    public var requiresAdditiveNoise: Bool { false }
    public var errorEstimateOrder: Double { 1.5 }

    @inlinable
    public func _step(_ w: SDEWorkspace, t: Double, h: Double, estimateError: Bool) -> Double {
        let n = w.n
        let y = w.y, yNew = w.yNew
        let f1 = w.f1, f2 = w.f2, g1 = w.g1, g2 = w.g2, g3 = w.g3, g4 = w.g4, tmp = w.tmp
        let sqh = h.squareRoot()
        w.f(t, y, into: f1)
        w.g(t, y, into: g1)
        // H⁽¹⁾_2 = X + h/4 f1 + √h/2 g1 ; H⁽¹⁾_3 = X + h f1 - √h g1
        for i in 0..<n { tmp[i] = y[i] + 0.25 * h * f1[i] + 0.5 * sqh * g1[i] }
        w.g(t + 0.25 * h, tmp, into: g2)
        for i in 0..<n { tmp[i] = y[i] + h * f1[i] - sqh * g1[i] }
        w.g(t + h, tmp, into: g3)
        // H⁽¹⁾_4 = X + h/4 f1 + √h (-5 g1 + 3 g2 + g3/2)
        for i in 0..<n { tmp[i] = y[i] + 0.25 * h * f1[i] + sqh * (-5 * g1[i] + 3 * g2[i] + 0.5 * g3[i]) }
        w.g(t + 0.25 * h, tmp, into: g4)
        // H⁽⁰⁾_2 = X + 3h/4 f1 + 3/2 g1 I_(1,0)/h
        for i in 0..<n {
            let chi2 = w.dZ[w.noiseIndex(i)] / h
            tmp[i] = y[i] + 0.75 * h * f1[i] + 1.5 * g1[i] * chi2
        }
        w.f(t + 0.75 * h, tmp, into: f2)
        let third = 1.0 / 3
        for i in 0..<n {
            let j = w.noiseIndex(i)
            let dW = w.dW[j]
            let chi1 = (dW * dW - h) / (2 * sqh)  // I_(1,1)/√h
            let chi2 = w.dZ[j] / h  // I_(1,0)/h
            let chi3 = dW * (dW * dW - 3 * h) / (6 * h)  // I_(1,1,1)/h
            let drift = h * (third * f1[i] + 2 * third * f2[i])
            let b1 = -g1[i] + 4 * third * g2[i] + 2 * third * g3[i]
            let b2 = -g1[i] + 4 * third * g2[i] - third * g3[i]
            let b3 = 2 * g1[i] - 4 * third * g2[i] - 2 * third * g3[i]
            let b4 = -2 * g1[i] + 5 * third * g2[i] - 2 * third * g3[i] + g4[i]
            let eN = chi2 * b3 + chi3 * b4
            yNew[i] = y[i] + drift + dW * b1 + chi1 * b2 + eN
            tmp[i] = eN  // keep E_N for the estimate
        }
        guard estimateError else { return 0 }
        let delta = driftErrorWeight
        return w.scaledNorm { i in
            delta * abs(2 * third * h * (f2[i] - f1[i])) + abs(tmp[i])
        }
    }
}

/// SRA1 (Rößler 2010) for additive noise `g = g(t)`: strong order 1.5 (order 2 deterministic),
/// two stages, 2 `f` and 2 `g` calls per step:
///
///     c⁽⁰⁾ = (0, 3/4), c⁽¹⁾ = (1, 0), A⁽⁰⁾₂₁ = 3/4, B⁽⁰⁾₂₁ = 3/2 (× I_(1,0)/h),
///     α = (1/3, 2/3), β⁽¹⁾ = (1, 0), β⁽²⁾ = (-1, 1)
///
///     H₂ = X + 3h/4 f(t, X) + 3/2 g(t + h) I_(1,0)/h
///     X_{n+1} = X + h (f(t, X)/3 + 2 f(t + 3h/4, H₂)/3) + g(t + h) ΔW + (g(t) - g(t + h)) I_(1,0)/h
///
/// Error estimate as for ``SRIW1``: `E_D = (2h/3)(f₂ - f₁)`, `E_N = (g(t) - g(t + h)) I_(1,0)/h`.
/// Throws ``IntegrationError/invalidArgument(_:)`` for problems not declared additive.
public struct SRA1: AdaptiveSDEMethod {
    /// Weight `δ` of the drift part of the error estimate.
    public var driftErrorWeight: Double
    public init(driftErrorWeight: Double = 1) { self.driftErrorWeight = driftErrorWeight }
    public var name: String { "SRA1" }
    public var strongOrder: Double { 1.5 }
    public var requiresAdditiveNoise: Bool { true }
    public var errorEstimateOrder: Double { 1.5 }

    @inlinable
    public func _step(_ w: SDEWorkspace, t: Double, h: Double, estimateError: Bool) -> Double {
        let n = w.n
        let y = w.y, yNew = w.yNew
        let f1 = w.f1, f2 = w.f2, gEnd = w.g1, gStart = w.g2, tmp = w.tmp
        w.f(t, y, into: f1)
        w.g(t + h, y, into: gEnd)
        w.g(t, y, into: gStart)
        for i in 0..<n {
            tmp[i] = y[i] + 0.75 * h * f1[i] + 1.5 * gEnd[i] * (w.dZ[w.noiseIndex(i)] / h)
        }
        w.f(t + 0.75 * h, tmp, into: f2)
        let third = 1.0 / 3
        for i in 0..<n {
            let j = w.noiseIndex(i)
            let chi2 = w.dZ[j] / h
            let eN = (gStart[i] - gEnd[i]) * chi2
            yNew[i] = y[i] + h * (third * f1[i] + 2 * third * f2[i]) + gEnd[i] * w.dW[j] + eN
            tmp[i] = eN
        }
        guard estimateError else { return 0 }
        let delta = driftErrorWeight
        return w.scaledNorm { i in
            delta * abs(2 * third * h * (f2[i] - f1[i])) + abs(tmp[i])
        }
    }
}
