// Jacobian storage, finite-difference Jacobians and the LU-factorised iteration matrix
// `M = a·I - b·J` shared by the stiff solvers (Rosenbrock: a = 1/(γh), b = 1; BDF: a = 1, b = γ).
// Dense: LAPACK dgetrf/dgetrs on an n×n column-major matrix; for n ≤ `smallDenseLimit` our own
// unblocked LU with partial pivoting (LAPACK's dgetf2 algorithm), so small stiff systems give the
// same bits on every CPU (OpenBLAS's LU rounds differently with its AVX2 and AVX-512 kernels,
// enough to move BDF's step sequence on Robertson) and skip LAPACK's call overhead. Banded:
// dgbtrf/dgbtrs on LAPACK band storage. Sparse (KLU) and matrix-free Krylov (GMRES) live in
// `SparseIterationMatrix` and `KrylovIterationMatrix`; this type dispatches to them. All buffers are
// allocated once per solve; nothing here allocates per step.

import CLAPACKE

/// The Jacobian `J` (dense or banded), the factorised iteration matrix and its pivots.
///
/// Storage:
/// - dense `J`: `n×n` column-major, `J(i, j)` at `i + j·n`;
/// - banded `J`: compact `(ml + mu + 1) × n` column-major band, `J(i, j)` at `(mu + i - j) + j·(ml + mu + 1)`;
/// - banded LU: LAPACK band storage with `ldab = 2 ml + mu + 1` (`A(i, j)` at `(ml + mu + i - j) + j·ldab`).
@usableFromInline
final class IterationMatrix {
    @usableFromInline let n: Int
    @usableFromInline let banded: Bool
    @usableFromInline let lower: Int
    @usableFromInline let upper: Int
    @usableFromInline let jac: UnsafeMutablePointer<Double>
    @usableFromInline let jacCount: Int
    @usableFromInline let lu: UnsafeMutablePointer<Double>
    @usableFromInline let luCount: Int
    @usableFromInline let ldab: Int
    @usableFromInline let pivots: UnsafeMutablePointer<Int32>
    /// FD scratch: perturbed state, perturbed derivative, increments.
    @usableFromInline let scratchY: UnsafeMutablePointer<Double>
    @usableFromInline let scratchF: UnsafeMutablePointer<Double>
    @usableFromInline let increments: UnsafeMutablePointer<Double>
    /// Dense `n×n` scratch for a user Jacobian in banded mode (empty otherwise).
    @usableFromInline let denseScratch: UnsafeMutablePointer<Double>
    @usableFromInline let denseScratchCount: Int
    @usableFromInline let sparse: SparseIterationMatrix?
    @usableFromInline let krylov: KrylovIterationMatrix?
    /// Tolerances, for the weights `atol + rtol|y|` of the finite-difference increments.
    @usableFromInline let relative: [Double]
    @usableFromInline let absolute: [Double]
    /// The smallest finite-difference increment in units of the weight `atol_j + rtol_j|y_j|` (CVODE's
    /// `minInc`), set by ``evaluateJacobian(user:t:y:f0:typical:step:evaluate:)``.
    @usableFromInline var minimumIncrement = 0.0

    /// A dense or banded iteration matrix without a problem (tests of the LU itself).
    @usableFromInline
    convenience init(dimension n: Int, solver: StiffLinearSolver, userJacobian: Bool) {
        var problem = ODEProblem(initial: [Double](repeating: 0, count: n), timeSpan: 0...1) { _, _, dy in
            for i in dy.indices { dy[i] = 0 }
        }
        if userJacobian { problem = problem.withJacobian { _, _, _ in } }
        let ones = [Double](repeating: 1, count: n)
        self.init(dimension: n, solver: solver, problem: problem, relative: ones, absolute: ones)
    }

    @usableFromInline
    init(dimension n: Int, solver: StiffLinearSolver, problem: ODEProblem, relative: [Double], absolute: [Double]) {
        self.n = n
        self.relative = relative
        self.absolute = absolute
        let userJacobian = problem.jacobian?.matrix != nil
        sparse = solver == .sparse ? SparseIterationMatrix(dimension: n, problem: problem) : nil
        if case .krylov(let options) = solver {
            krylov = KrylovIterationMatrix(dimension: n, options: options, relative: relative, absolute: absolute)
        } else {
            krylov = nil
        }
        switch solver {
        case .sparse, .krylov:
            banded = false
            lower = 0
            upper = 0
            jacCount = 1
            ldab = 1
            luCount = 1
        case .dense:
            banded = false
            lower = n - 1
            upper = n - 1
            jacCount = n * n
            ldab = n
            luCount = n * n
        case .banded(let ml, let mu):
            banded = true
            lower = Swift.min(ml, n - 1)
            upper = Swift.min(mu, n - 1)
            let width = lower + upper + 1
            jacCount = width * n
            ldab = 2 * lower + upper + 1
            luCount = ldab * n
        }
        jac = .allocate(capacity: jacCount)
        jac.initialize(repeating: 0, count: jacCount)
        lu = .allocate(capacity: luCount)
        lu.initialize(repeating: 0, count: luCount)
        pivots = .allocate(capacity: n)
        pivots.initialize(repeating: 0, count: n)
        scratchY = .allocate(capacity: 3 * n)
        scratchY.initialize(repeating: 0, count: 3 * n)
        scratchF = scratchY + n
        increments = scratchY + 2 * n
        denseScratchCount = (banded && userJacobian) ? n * n : 1
        denseScratch = .allocate(capacity: denseScratchCount)
        denseScratch.initialize(repeating: 0, count: denseScratchCount)
    }

    deinit {
        jac.deallocate()
        lu.deallocate()
        pivots.deallocate()
        scratchY.deallocate()
        denseScratch.deallocate()
    }

    /// `J` from the user's dense column-major closure.
    /// Evaluates what the iteration matrix needs at `(t, y)` (`f0 = f(t, y)`): the user's Jacobian
    /// (dense callback, or sparse values), a finite difference, or (Krylov) the linearisation point.
    /// Finite-difference increments are `max(√ε·max(|y_j|, typical_j), minInc·(atol_j + rtol_j|y_j|))`
    /// with CVODE's floor `minInc = 1000·|h|·ε·n·‖f0‖_WRMS`: a component that is zero (or tiny)
    /// still gets an increment large enough for the difference to rise above rounding.
    @inlinable
    func evaluateJacobian(
        user: JacobianFunction?, t: Double, y: UnsafeMutablePointer<Double>, f0: UnsafeMutablePointer<Double>,
        typical: UnsafeMutablePointer<Double>, step h: Double,
        evaluate: (Double, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) throws(StepFailure) {
        if user == nil && krylov == nil && (sparse?.userValues == nil) {
            var sum = 0.0
            for i in 0..<n {
                let q = f0[i] / (absolute[i] + relative[i] * abs(y[i]))
                sum += q * q
            }
            let fnorm = (sum / Double(n)).squareRoot()
            minimumIncrement = fnorm > 0 && fnorm.isFinite ? 1000 * abs(h) * Double.ulpOfOne * Double(n) * fnorm : 0
        }
        if let s = sparse {
            try s.evaluate(t: t, y: y, f0: f0, typical: typical, minimumIncrement: minimumIncrement, weights: (relative, absolute),
                           evaluate: evaluate)
        } else if let k = krylov {
            k.linearize(t: t, y: y, f0: f0)
        } else if let user {
            evaluateUser(user, t: t, y: y)
        } else {
            evaluateFiniteDifference(t: t, y: y, f0: f0, typical: typical, evaluate: evaluate)
        }
    }

    @inlinable
    func evaluateUser(_ user: JacobianFunction, t: Double, y: UnsafeMutablePointer<Double>) {
        let yb = UnsafeBufferPointer(start: UnsafePointer(y), count: n)
        if !banded {
            jac.update(repeating: 0, count: jacCount)
            user(t, yb, UnsafeMutableBufferPointer(start: jac, count: n * n))
            return
        }
        denseScratch.update(repeating: 0, count: n * n)
        user(t, yb, UnsafeMutableBufferPointer(start: denseScratch, count: n * n))
        let width = lower + upper + 1
        for j in 0..<n {
            let lo = Swift.max(0, j - upper), hi = Swift.min(n - 1, j + lower)
            for i in lo...hi { jac[(upper + i - j) + j * width] = denseScratch[i + j * n] }
        }
    }

    /// Forward-difference Jacobian at `(t, y)` with `f0 = f(t, y)`; increments
    /// `δ_j = sqrt(eps)·max(|y_j|, typical_j)` (see ``ODEJacobian``). Calls `evaluate` `n` times
    /// (dense) or `min(n, ml + mu + 1)` times (banded, column grouping).
    @inlinable
    func evaluateFiniteDifference(
        t: Double, y: UnsafeMutablePointer<Double>, f0: UnsafeMutablePointer<Double>,
        typical: UnsafeMutablePointer<Double>,
        evaluate: (Double, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) {
        let sqrtEps = Double.ulpOfOne.squareRoot()
        let ys = scratchY, fs = scratchF
        ys.update(from: y, count: n)
        if !banded {
            for j in 0..<n {
                let yj = y[j]
                var d = Swift.max(sqrtEps * Swift.max(abs(yj), typical[j]),
                                  minimumIncrement * (absolute[j] + relative[j] * abs(yj)))
                if !(d > 0) || !d.isFinite { d = sqrtEps }
                let yp = yj + d
                d = yp - yj
                ys[j] = yp
                evaluate(t, ys, fs)
                ys[j] = yj
                let inv = 1 / d
                let column = jac + j * n
                for i in 0..<n { column[i] = (fs[i] - f0[i]) * inv }
            }
            return
        }
        let width = lower + upper + 1
        let groups = Swift.min(width, n)
        for g in 0..<groups {
            var j = g
            while j < n {
                let yj = y[j]
                var d = Swift.max(sqrtEps * Swift.max(abs(yj), typical[j]),
                                  minimumIncrement * (absolute[j] + relative[j] * abs(yj)))
                if !(d > 0) || !d.isFinite { d = sqrtEps }
                let yp = yj + d
                increments[j] = yp - yj
                ys[j] = yp
                j += width
            }
            evaluate(t, ys, fs)
            j = g
            while j < n {
                ys[j] = y[j]
                let inv = 1 / increments[j]
                let lo = Swift.max(0, j - upper), hi = Swift.min(n - 1, j + lower)
                for i in lo...hi { jac[(upper + i - j) + j * width] = (fs[i] - f0[i]) * inv }
                j += width
            }
        }
    }

    /// Forms `M = a·I - b·J` and LU-factorises it. Returns `false` if LAPACK reports a singular
    /// matrix (`info > 0`) or the pivots are not finite.
    @inlinable
    func factor(diagonal a: Double, jacobianScale b: Double) -> Bool {
        if let s = sparse { return s.factor(diagonal: a, jacobianScale: b) }
        if let k = krylov { return k.factor(diagonal: a, jacobianScale: b) }
        let n32 = Int32(n)
        var info: Int32 = 0
        if !banded {
            let count = n * n
            for k in 0..<count { lu[k] = -b * jac[k] }
            for i in 0..<n { lu[i * (n + 1)] += a }
            info = n <= Self.smallDenseLimit
                ? smallLUFactor() : LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n32, n32, lu, n32, pivots)
            if info == 0 {
                var poison = 0.0
                for i in 0..<n { poison += lu[i * (n + 1)] * 0 }
                if poison != 0 { return false }
            }
        } else {
            let width = lower + upper + 1
            lu.update(repeating: 0, count: luCount)
            for j in 0..<n {
                let lo = Swift.max(0, j - upper), hi = Swift.min(n - 1, j + lower)
                for i in lo...hi {
                    var v = -b * jac[(upper + i - j) + j * width]
                    if i == j { v += a }
                    lu[(lower + upper + i - j) + j * ldab] = v
                }
            }
            info = LAPACKE_dgbtrf_work(
                LAPACK_COL_MAJOR, n32, n32, Int32(lower), Int32(upper), lu, Int32(ldab), pivots)
            if info == 0 {
                var poison = 0.0
                for j in 0..<n { poison += lu[(lower + upper) + j * ldab] * 0 }
                if poison != 0 { return false }
            }
        }
        return info == 0
    }

    /// Solves `M x = b` in place (`b` becomes `x`) with the last factorisation.
    /// Iterative-solver iterations since the last call (zero for the direct solvers).
    @inlinable
    func takeIterations() -> Int {
        guard let k = krylov else { return 0 }
        defer { k.iterations = 0 }
        return k.iterations
    }

    /// Solves `M x = b` in place (`evaluate` serves the Krylov solver's Jacobian–vector products).
    @inlinable
    func solve(_ b: UnsafeMutablePointer<Double>,
               evaluate: (Double, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void) -> LinearSolveResult {
        if let s = sparse { return s.solve(b) ? .solved : .failed("the sparse LU solve failed") }
        if let k = krylov { return k.solve(b, evaluate: evaluate) }
        solve(b)
        return .solved
    }

    /// Solves with the dense or banded LU factors.
    @inlinable
    func solve(_ b: UnsafeMutablePointer<Double>) {
        let n32 = Int32(n)
        if !banded, n <= Self.smallDenseLimit {
            smallLUSolve(b)
        } else if !banded {
            _ = LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), n32, 1, lu, n32, pivots, b, n32)
        } else {
            _ = LAPACKE_dgbtrs_work(
                LAPACK_COL_MAJOR, CChar(UInt8(ascii: "N")), n32, Int32(lower), Int32(upper), 1, lu, Int32(ldab),
                pivots, b, n32)
        }
    }

    /// Dense systems up to this size are factorised by ``smallLUFactor()`` instead of LAPACK.
    @usableFromInline static let smallDenseLimit = 64

    /// LU with partial pivoting of the dense `lu` (column-major, `n×n`) in place, as LAPACK's
    /// unblocked dgetf2: for each column, the largest magnitude below the diagonal is the pivot
    /// (first of equals), the rows are swapped, the column below the pivot is scaled by the pivot's
    /// reciprocal, and the trailing matrix gets the rank-1 update. Pivots are stored 1-based as
    /// LAPACK's. Returns 0, or `k + 1` when column `k` has a zero pivot (LAPACK's `info`).
    @inlinable
    func smallLUFactor() -> Int32 {
        var info: Int32 = 0
        for k in 0..<n {
            let column = lu + k * n
            var p = k
            var largest = abs(column[k])
            for i in (k + 1)..<Swift.max(k + 1, n) where abs(column[i]) > largest {
                largest = abs(column[i])
                p = i
            }
            pivots[k] = Int32(p + 1)
            guard column[p] != 0 else {
                if info == 0 { info = Int32(k + 1) }
                continue
            }
            if p != k {
                for j in 0..<n { swap(&lu[k + j * n], &lu[p + j * n]) }
            }
            let reciprocal = 1 / column[k]
            for i in (k + 1)..<Swift.max(k + 1, n) { column[i] *= reciprocal }
            for j in (k + 1)..<Swift.max(k + 1, n) {
                let target = lu + j * n
                let ukj = target[k]
                if ukj == 0 { continue }
                for i in (k + 1)..<n { target[i] -= column[i] * ukj }
            }
        }
        return info
    }

    /// Solves `M x = b` in place with the factors of ``smallLUFactor()``: the row swaps, then
    /// forward substitution with the unit lower triangle and back substitution with the upper one.
    @inlinable
    func smallLUSolve(_ b: UnsafeMutablePointer<Double>) {
        for k in 0..<n {
            let p = Int(pivots[k]) - 1
            if p != k { swap(&b[k], &b[p]) }
        }
        for j in 0..<n {
            let bj = b[j]
            if bj == 0 { continue }
            let column = lu + j * n
            for i in (j + 1)..<Swift.max(j + 1, n) { b[i] -= bj * column[i] }
        }
        var j = n - 1
        while j >= 0 {
            let column = lu + j * n
            b[j] /= column[j]
            let bj = b[j]
            if bj != 0 { for i in 0..<j { b[i] -= bj * column[i] } }
            j -= 1
        }
    }
}
