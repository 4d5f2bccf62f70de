// Matrix-free Newton–Krylov for the stiff solvers (``StiffLinearSolver/krylov(_:)``), as CVODE's
// SPGMR: the iteration matrix `M = a·I - b·J` is never formed; restarted GMRES (modified
// Gram–Schmidt, Givens rotations; Saad & Schultz 1986) solves `M x = r` with products
// `J v ≈ (f(t, y + σv) - f(t, y))/σ`, σ = 1/‖v‖ in the error-weighted RMS norm (a perturbation of the
// size of the tolerance, CVODE's choice), an optional user preconditioner on the left or the right,
// and the weighted inner product `<u, v> = Σ u_i v_i / (n w_i²)`, `w = atol + rtol|y|`, so that the
// residual is measured in the units of the local error test.

/// A preconditioner `P ≈ M = a·I - b·J` for the Krylov solver: `setup` is called whenever the stiff
/// solver would refactorise `M` (new `a`, `b` or a new linearisation point), `solve` applies `P⁻¹`.
/// A class: it usually keeps factorisations between calls. One instance must not serve two
/// concurrent solves.
public protocol Preconditioner: AnyObject {
    /// Prepares `P ≈ a·I - b·∂f/∂y(t, y)` (`fy = f(t, y)`). Returns `false` if it cannot (treated
    /// as a singular matrix: the step is retried smaller).
    func setup(t: Double, y: UnsafeBufferPointer<Double>, fy: UnsafeBufferPointer<Double>, a: Double, b: Double) -> Bool
    /// `z = P⁻¹ r`.
    func solve(_ r: UnsafeBufferPointer<Double>, into z: UnsafeMutableBufferPointer<Double>)
}

/// Settings of the matrix-free Newton–Krylov linear solver.
public struct KrylovOptions: @unchecked Sendable, Equatable {
    /// Which side the preconditioner is applied on.
    public enum Side: Sendable { case left, right }

    /// Krylov vectors kept before a restart (GMRES(m)).
    public var restart: Int
    /// Iterations allowed per linear solve, over all restarts; not converging within them fails
    /// the solve (the step is retried smaller; ten failures in a row stop the integration).
    public var maxIterations: Int
    /// The residual target in units of the local error test (weighted RMS ≤ `tolerance`).
    public var tolerance: Double
    public var preconditioner: (any Preconditioner)?
    public var side: Side

    public init(restart: Int = 30, maxIterations: Int = 150, tolerance: Double = 0.005,
                preconditioner: (any Preconditioner)? = nil, side: Side = .left) {
        self.restart = restart
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.preconditioner = preconditioner
        self.side = side
    }

    public static func == (a: KrylovOptions, b: KrylovOptions) -> Bool {
        a.restart == b.restart && a.maxIterations == b.maxIterations && a.tolerance == b.tolerance && a.side == b.side
            && a.preconditioner.map(ObjectIdentifier.init) == b.preconditioner.map(ObjectIdentifier.init)
    }

    func validate() throws(IntegrationError) {
        guard restart >= 1, maxIterations >= 1 else {
            throw .invalidArgument("Krylov restart = \(restart) and maxIterations = \(maxIterations) must be >= 1")
        }
        guard tolerance.isFinite, tolerance > 0 else {
            throw .invalidArgument("Krylov tolerance = \(tolerance) must be finite and > 0")
        }
    }
}

/// Outcome of one linear solve.
@usableFromInline
enum LinearSolveResult: Equatable {
    case solved
    /// The iterative solver did not reach its target (the step should be retried smaller).
    case failed(String)
    /// The user's preconditioner returned NaN/Inf (an input error).
    case invalidPreconditioner
}

@usableFromInline
final class KrylovIterationMatrix {
    @usableFromInline let n: Int
    @usableFromInline let options: KrylovOptions
    @usableFromInline let m: Int
    @usableFromInline let relative: [Double]
    @usableFromInline let absolute: [Double]
    /// Linearisation point.
    @usableFromInline var t = 0.0
    @usableFromInline let y: UnsafeMutablePointer<Double>
    @usableFromInline let fy: UnsafeMutablePointer<Double>
    /// `1 / (n w_i²)` of the weighted inner product.
    @usableFromInline let inverseWeights: UnsafeMutablePointer<Double>
    @usableFromInline var a = Double.nan
    @usableFromInline var b = Double.nan
    /// Krylov basis `(m + 1) × n`, Hessenberg `(m + 1) × m` (column-major), rotations, work vectors.
    @usableFromInline let basis: UnsafeMutablePointer<Double>
    @usableFromInline let hessenberg: UnsafeMutablePointer<Double>
    @usableFromInline let cosines: UnsafeMutablePointer<Double>
    @usableFromInline let sines: UnsafeMutablePointer<Double>
    @usableFromInline let g: UnsafeMutablePointer<Double>
    @usableFromInline let x: UnsafeMutablePointer<Double>
    @usableFromInline let work: UnsafeMutablePointer<Double>
    @usableFromInline let perturbed: UnsafeMutablePointer<Double>
    @usableFromInline let product: UnsafeMutablePointer<Double>
    /// GMRES iterations so far (taken by the stepper into its statistics).
    @usableFromInline var iterations = 0
    private let storage: UnsafeMutablePointer<Double>

    @usableFromInline
    init(dimension n: Int, options: KrylovOptions, relative: [Double], absolute: [Double]) {
        self.n = n
        self.options = options
        m = Swift.max(1, Swift.min(options.restart, n))
        self.relative = relative
        self.absolute = absolute
        let count = n * (m + 1) + (m + 1) * m + 3 * (m + 1) + 7 * n
        storage = .allocate(capacity: count)
        storage.initialize(repeating: 0, count: count)
        basis = storage
        hessenberg = basis + n * (m + 1)
        cosines = hessenberg + (m + 1) * m
        sines = cosines + (m + 1)
        g = sines + (m + 1)
        x = g + (m + 1)
        work = x + n
        perturbed = work + n
        product = perturbed + n
        y = product + n
        fy = y + n
        inverseWeights = fy + n
    }

    deinit { storage.deallocate() }

    /// Records the linearisation point `(t, y, f(t, y))` (the "Jacobian evaluation": nothing is formed).
    @usableFromInline
    func linearize(t: Double, y state: UnsafeMutablePointer<Double>, f0: UnsafeMutablePointer<Double>) {
        self.t = t
        if state != y { y.update(from: state, count: n) }
        if f0 != fy { fy.update(from: f0, count: n) }
        for i in 0..<n {
            let w = absolute[i] + relative[i] * abs(state[i])
            inverseWeights[i] = 1 / (Double(n) * w * w)
        }
        a = .nan
    }

    /// Sets `a`, `b` and the preconditioner up for them; `false` if the preconditioner cannot.
    @usableFromInline
    func factor(diagonal a: Double, jacobianScale b: Double) -> Bool {
        self.a = a
        self.b = b
        guard let p = options.preconditioner else { return true }
        return p.setup(t: t, y: UnsafeBufferPointer(start: y, count: n), fy: UnsafeBufferPointer(start: fy, count: n),
                       a: a, b: b)
    }

    @inlinable
    func dot(_ u: UnsafeMutablePointer<Double>, _ v: UnsafeMutablePointer<Double>) -> Double {
        var s = 0.0
        for i in 0..<n { s += u[i] * v[i] * inverseWeights[i] }
        return s
    }

    @inlinable
    func norm(_ v: UnsafeMutablePointer<Double>) -> Double { dot(v, v).squareRoot() }

    /// `out = M v = a v - b J v` (one RHS evaluation).
    @inlinable
    func applyMatrix(_ v: UnsafeMutablePointer<Double>, into out: UnsafeMutablePointer<Double>,
                     evaluate f: (Double, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void) {
        let size = norm(v)
        guard size > 0 else {
            out.update(repeating: 0, count: n)
            return
        }
        let sigma = 1 / size
        for i in 0..<n { perturbed[i] = y[i] + sigma * v[i] }
        f(t, perturbed, out)
        let scale = b / sigma
        for i in 0..<n { out[i] = a * v[i] - scale * (out[i] - fy[i]) }
    }

    /// `z = P⁻¹ r` (the identity without a preconditioner); false if it returned NaN/Inf.
    @inlinable
    func precondition(_ r: UnsafeMutablePointer<Double>, into z: UnsafeMutablePointer<Double>) -> Bool {
        guard let p = options.preconditioner else {
            if r != z { z.update(from: r, count: n) }
            return true
        }
        if r == z {
            work.update(from: r, count: n)
            p.solve(UnsafeBufferPointer(start: work, count: n), into: UnsafeMutableBufferPointer(start: z, count: n))
        } else {
            p.solve(UnsafeBufferPointer(start: r, count: n), into: UnsafeMutableBufferPointer(start: z, count: n))
        }
        return allFinite(z, count: n)
    }

    /// Solves `M x = r` in place by restarted GMRES from `x = 0`.
    @usableFromInline
    func solve(_ rhs: UnsafeMutablePointer<Double>,
               evaluate f: (Double, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void) -> LinearSolveResult {
        guard a.isFinite else { return .failed("GMRES called before its setup") }
        let left = options.preconditioner != nil && options.side == .left
        let right = options.preconditioner != nil && options.side == .right
        // Residuals measured on P⁻¹r (left) are errors in x; unpreconditioned ones are scaled by a.
        let target = options.tolerance * (left ? 1 : Swift.max(a, 1e-300))
        x.update(repeating: 0, count: n)
        let r = basis  // the first basis vector doubles as the residual
        if left {
            guard precondition(rhs, into: r) else { return .invalidPreconditioner }
        } else {
            r.update(from: rhs, count: n)
        }
        var beta = norm(r)
        guard beta.isFinite else { return .failed("a non-finite right-hand side") }
        var total = 0
        while beta > target {
            for i in 0..<n { r[i] /= beta }
            g[0] = beta
            for i in 1...m { g[i] = 0 }
            var k = 0
            var residual = beta
            while k < m {
                let vk = basis + k * n, w = basis + (k + 1) * n
                if right {
                    guard precondition(vk, into: product) else { return .invalidPreconditioner }
                    applyMatrix(product, into: w, evaluate: f)
                } else if left {
                    applyMatrix(vk, into: product, evaluate: f)
                    guard precondition(product, into: w) else { return .invalidPreconditioner }
                } else {
                    applyMatrix(vk, into: w, evaluate: f)
                }
                let column = hessenberg + k * (m + 1)
                for i in 0...k {
                    let vi = basis + i * n
                    let hik = dot(w, vi)
                    column[i] = hik
                    for p in 0..<n { w[p] -= hik * vi[p] }
                }
                let next = norm(w)
                column[k + 1] = next
                guard next.isFinite else { return .failed("the Krylov basis became non-finite") }
                if next > 0 { for p in 0..<n { w[p] /= next } }
                for i in 0..<k {
                    let (c, s) = (cosines[i], sines[i])
                    let (h0, h1) = (column[i], column[i + 1])
                    column[i] = c * h0 + s * h1
                    column[i + 1] = -s * h0 + c * h1
                }
                let radius = (column[k] * column[k] + next * next).squareRoot()
                let (c, s) = radius > 0 ? (column[k] / radius, next / radius) : (1.0, 0.0)
                cosines[k] = c
                sines[k] = s
                column[k] = radius
                column[k + 1] = 0
                g[k + 1] = -s * g[k]
                g[k] *= c
                residual = abs(g[k + 1])
                k += 1
                total += 1
                iterations += 1
                if residual <= target || total >= options.maxIterations || next == 0 { break }
            }
            // y = H⁻¹ g (upper triangular k × k), then the update Σ y_i v_i.
            var i = k - 1
            while i >= 0 {
                var s = g[i]
                for j in (i + 1)..<k { s -= hessenberg[j * (m + 1) + i] * g[j] }
                g[i] = s / hessenberg[i * (m + 1) + i]
                i -= 1
            }
            work.update(repeating: 0, count: n)
            for j in 0..<k {
                let vj = basis + j * n, yj = g[j]
                for p in 0..<n { work[p] += yj * vj[p] }
            }
            if right {
                guard precondition(work, into: product) else { return .invalidPreconditioner }
                for p in 0..<n { x[p] += product[p] }
            } else {
                for p in 0..<n { x[p] += work[p] }
            }
            if residual <= target { break }
            if total >= options.maxIterations {
                return .failed("GMRES did not converge in \(options.maxIterations) iterations (residual \(residual / target) × its target)")
            }
            // Restart from the true residual r = rhs - M x.
            applyMatrix(x, into: product, evaluate: f)
            for p in 0..<n { work[p] = rhs[p] - product[p] }
            if left {
                guard precondition(work, into: r) else { return .invalidPreconditioner }
            } else {
                r.update(from: work, count: n)
            }
            beta = norm(r)
            guard beta.isFinite else { return .failed("a non-finite residual") }
        }
        guard allFinite(x, count: n) else { return .failed("a non-finite solution") }
        rhs.update(from: x, count: n)
        return .solved
    }

    func snapshotVectors() -> [String: [Double]] {
        ["krylov_point": [t, a, b] + snapshotVector(y, n) + snapshotVector(fy, n)]
    }

    func restore(from snapshot: IntegratorSnapshot) throws(IntegrationError) {
        let v = try snapshot.vector("krylov_point", count: 3 + 2 * n)
        for i in 0..<n {
            y[i] = v[3 + i]
            fy[i] = v[3 + n + i]
        }
        linearize(t: v[0], y: y, f0: fy)
        if v[1].isFinite { _ = factor(diagonal: v[1], jacobianScale: v[2]) }
    }
}
