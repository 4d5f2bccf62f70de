// The sparse iteration matrix `M = a·I - b·J` of the stiff solvers (``StiffLinearSolver/sparse``):
// the Jacobian's values on a ``SparsityPattern`` (the user's sparse values, or a finite difference
// that costs one RHS evaluation per colour of a column colouring), factorised by SuiteSparse's KLU
// (symbolic analysis once per solve; numeric refactorisation with the same pivot order while it
// stays well conditioned, a fresh factorisation otherwise).

import CKLU

/// Values of the Jacobian's entries in the pattern's order (column by column, rows ascending;
/// `values.count == pattern.nonzeroCount`), at `(t, y)`.
public typealias SparseJacobianFunction = (
    _ t: Double,
    _ y: UnsafeBufferPointer<Double>,
    _ values: UnsafeMutableBufferPointer<Double>
) -> Void

@usableFromInline
final class SparseIterationMatrix {
    @usableFromInline let n: Int
    /// The pattern: given by the problem, or detected at the first Jacobian.
    @usableFromInline var pattern: SparsityPattern?
    @usableFromInline let userValues: SparseJacobianFunction?
    @usableFromInline let rhs: ODEFunction
    /// The problem's pattern was given (then it is checked against probes at the first Jacobian).
    @usableFromInline let patternGiven: Bool
    @usableFromInline var columnStarts: [Int32] = []
    @usableFromInline var rowIndices: [Int32] = []
    @usableFromInline var diagonal: [Int] = []
    /// Columns grouped by colour: `colourColumns[colourStarts[c]..<colourStarts[c + 1]]`.
    @usableFromInline var colourStarts: [Int] = []
    @usableFromInline var colourColumns: [Int] = []
    /// Jacobian values and the iteration matrix's values, both on the pattern.
    @usableFromInline var jacobian: [Double] = []
    @usableFromInline var matrix: [Double] = []
    @usableFromInline let scratchY: UnsafeMutablePointer<Double>
    @usableFromInline let scratchF: UnsafeMutablePointer<Double>
    @usableFromInline let increments: UnsafeMutablePointer<Double>
    @usableFromInline let common: UnsafeMutablePointer<klu_common>
    @usableFromInline var symbolic: UnsafeMutablePointer<klu_symbolic>?
    @usableFromInline var numeric: UnsafeMutablePointer<klu_numeric>?
    /// `(a, b)` of the current factors (NaN: none), so a restored solve refactorises exactly.
    @usableFromInline var factoredA = Double.nan
    @usableFromInline var factoredB = Double.nan

    @usableFromInline
    init(dimension n: Int, problem: ODEProblem) {
        self.n = n
        pattern = problem.jacobian?.sparsity
        patternGiven = pattern != nil
        userValues = problem.jacobian?.sparseValues
        rhs = problem.rhs
        scratchY = .allocate(capacity: 3 * n)
        scratchY.initialize(repeating: 0, count: 3 * n)
        scratchF = scratchY + n
        increments = scratchY + 2 * n
        common = .allocate(capacity: 1)
        common.initialize(to: klu_common())
        klu_defaults(common)
        if let p = pattern { prepare(p) }
    }

    deinit {
        if numeric != nil { klu_free_numeric(&numeric, common) }
        if symbolic != nil { klu_free_symbolic(&symbolic, common) }
        common.deallocate()
        scratchY.deallocate()
    }

    /// Index arrays, colouring and value storage for `p`.
    @usableFromInline
    func prepare(_ p: SparsityPattern) {
        pattern = p
        columnStarts = p.columnStarts.map { Int32($0) }
        rowIndices = p.rowIndices.map { Int32($0) }
        diagonal = (0..<n).map { j in p.rowIndices[p.columnStarts[j]..<p.columnStarts[j + 1]].firstIndex(of: j)! }
        let (colours, count) = p.columnColouring()
        var starts = [Int](repeating: 0, count: count + 1)
        for c in colours { starts[c + 1] += 1 }
        for c in 0..<count { starts[c + 1] += starts[c] }
        var fill = starts
        var columns = [Int](repeating: 0, count: n)
        for j in 0..<n {
            columns[fill[colours[j]]] = j
            fill[colours[j]] += 1
        }
        colourStarts = starts
        colourColumns = columns
        jacobian = [Double](repeating: 0, count: p.nonzeroCount)
        matrix = jacobian
        if numeric != nil { klu_free_numeric(&numeric, common) }
        if symbolic != nil { klu_free_symbolic(&symbolic, common) }
        factoredA = .nan
        factoredB = .nan
    }

    /// Number of colours of the finite-difference Jacobian (RHS evaluations per Jacobian).
    var colourCount: Int { Swift.max(0, colourStarts.count - 1) }

    /// Evaluates `J` at `(t, y)` (`f0 = f(t, y)`): the user's sparse values, or a coloured finite
    /// difference. At the first call a missing pattern is detected, and a given one is checked
    /// against finite-difference probes of a few columns.
    /// - Throws: ``StepFailure/invalidJacobian(_:)`` when the pattern contradicts the problem.
    @usableFromInline
    func evaluate(
        t: Double, y: UnsafeMutablePointer<Double>, f0: UnsafeMutablePointer<Double>,
        typical: UnsafeMutablePointer<Double>, minimumIncrement: Double = 0,
        weights: (relative: [Double], absolute: [Double])? = nil,
        evaluate f: (Double, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) throws(StepFailure) {
        if pattern == nil {
            let state = Array(UnsafeBufferPointer(start: y, count: n))
            let ys = scratchY, count = n
            prepare(SparsityPattern.detect({ time, s, out in
                ys.update(from: s.baseAddress!, count: count)
                f(time, ys, out.baseAddress!)
            }, at: state, time: t))
        } else if patternGiven && symbolic == nil {
            try check(t: t, y: y, f0: f0, typical: typical, evaluate: f)
        }
        if let user = userValues {
            jacobian.withUnsafeMutableBufferPointer { values in
                for k in values.indices { values[k] = 0 }
                user(t, UnsafeBufferPointer(start: y, count: n), values)
            }
            return
        }
        let sqrtEps = Double.ulpOfOne.squareRoot()
        let ys = scratchY, fs = scratchF
        ys.update(from: y, count: n)
        for c in 0..<colourCount {
            for q in colourStarts[c]..<colourStarts[c + 1] {
                let j = colourColumns[q]
                let yj = y[j]
                var d = sqrtEps * Swift.max(abs(yj), typical[j])
                if let w = weights { d = Swift.max(d, minimumIncrement * (w.absolute[j] + w.relative[j] * abs(yj))) }
                if !(d > 0) || !d.isFinite { d = sqrtEps }
                let yp = yj + d
                increments[j] = yp - yj
                ys[j] = yp
            }
            f(t, ys, fs)
            for q in colourStarts[c]..<colourStarts[c + 1] {
                let j = colourColumns[q]
                ys[j] = y[j]
                let inv = 1 / increments[j]
                for p in Int(columnStarts[j])..<Int(columnStarts[j + 1]) {
                    let i = Int(rowIndices[p])
                    jacobian[p] = (fs[i] - f0[i]) * inv
                }
            }
        }
    }

    /// Probes up to four columns by plain finite differences: an entry outside the pattern that is
    /// clearly nonzero, or (with user values) a value far from the probe, is a contradiction.
    @usableFromInline
    func check(
        t: Double, y: UnsafeMutablePointer<Double>, f0: UnsafeMutablePointer<Double>,
        typical: UnsafeMutablePointer<Double>,
        evaluate f: (Double, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) throws(StepFailure) {
        guard let p = pattern else { return }
        var user: [Double] = []
        if let values = userValues {
            user = [Double](repeating: 0, count: p.nonzeroCount)
            user.withUnsafeMutableBufferPointer { values(t, UnsafeBufferPointer(start: y, count: n), $0) }
        }
        let probes = Set([0, n / 3, (2 * n) / 3, n - 1])
        let ys = scratchY, fs = scratchF
        ys.update(from: y, count: n)
        for j in probes.sorted() {
            let yj = y[j]
            var d = 1e-7 * Swift.max(abs(yj), typical[j], 1e-3)
            let yp = yj + d
            d = yp - yj
            ys[j] = yp
            f(t, ys, fs)
            ys[j] = yj
            var column = [Double](repeating: 0, count: n)
            var largest = 0.0
            for i in 0..<n {
                column[i] = (fs[i] - f0[i]) / d
                largest = Swift.max(largest, abs(column[i]))
            }
            let noise = 1e-4 * largest + 1e-6 * (abs(f0[j]) + 1) / d * Double.ulpOfOne.squareRoot()
            for i in 0..<n where abs(column[i]) > noise && !p.contains(row: i, column: j) {
                throw .invalidJacobian("the sparsity pattern has no entry (\(i), \(j)), but ∂f_\(i)/∂y_\(j) ≈ \(column[i]) at t = \(t)")
            }
            if !user.isEmpty {
                for q in p.columnStarts[j]..<p.columnStarts[j + 1] {
                    let i = p.rowIndices[q]
                    let scale = Swift.max(abs(column[i]), abs(user[q]), 1e-2 * largest, 1e-8)
                    if abs(column[i] - user[q]) > 1e-2 * scale + 10 * noise {
                        throw .invalidJacobian("the sparse Jacobian gives ∂f_\(i)/∂y_\(j) = \(user[q]) at t = \(t), a finite difference \(column[i]): values in the wrong order or pattern?")
                    }
                }
            }
        }
    }

    /// Factorises `a·I - b·J`; `false` if it is singular.
    @usableFromInline
    func factor(diagonal a: Double, jacobianScale b: Double) -> Bool {
        for k in matrix.indices { matrix[k] = -b * jacobian[k] }
        for j in 0..<n { matrix[diagonal[j]] += a }
        var poison = 0.0
        for v in matrix { poison += v * 0 }
        guard poison == 0 else { return false }
        let ok = columnStarts.withUnsafeMutableBufferPointer { ap in
            rowIndices.withUnsafeMutableBufferPointer { ai in
                matrix.withUnsafeMutableBufferPointer { ax in
                    factorize(ap.baseAddress!, ai.baseAddress!, ax.baseAddress!)
                }
            }
        }
        if ok {
            factoredA = a
            factoredB = b
        } else {
            factoredA = .nan
            factoredB = .nan
        }
        return ok
    }

    @usableFromInline
    func factorize(_ ap: UnsafeMutablePointer<Int32>, _ ai: UnsafeMutablePointer<Int32>,
                   _ ax: UnsafeMutablePointer<Double>) -> Bool {
        if symbolic == nil {
            symbolic = klu_analyze(Int32(n), ap, ai, common)
            guard symbolic != nil else { return false }
        }
        if numeric != nil {
            // Same pivot order; keep it only while the factors stay well conditioned.
            if klu_refactor(ap, ai, ax, symbolic, numeric, common) == 1, common.pointee.status == KLU_OK,
               klu_rcond(symbolic, numeric, common) == 1, common.pointee.rcond > 1e-12 {
                return true
            }
            klu_free_numeric(&numeric, common)
        }
        numeric = klu_factor(ap, ai, ax, symbolic, common)
        guard numeric != nil, common.pointee.status == KLU_OK else {
            if numeric != nil { klu_free_numeric(&numeric, common) }
            return false
        }
        return true
    }

    /// Solves `M x = b` in place.
    @usableFromInline
    func solve(_ b: UnsafeMutablePointer<Double>) -> Bool {
        guard numeric != nil else { return false }
        return klu_solve(symbolic, numeric, Int32(n), 1, b, common) == 1
    }

    // MARK: snapshots

    func snapshotVectors() -> [String: [Double]] {
        guard let p = pattern else { return [:] }
        return [
            "sparse_jacobian": jacobian,
            "sparse_pattern_columns": p.columnStarts.map(Double.init),
            "sparse_pattern_rows": p.rowIndices.map(Double.init),
            "sparse_factored": [factoredA, factoredB],
        ]
    }

    func restore(from snapshot: IntegratorSnapshot) throws(IntegrationError) {
        guard let starts = snapshot.vectors["sparse_pattern_columns"], let rows = snapshot.vectors["sparse_pattern_rows"],
              starts.count == n + 1
        else { return }
        let columns = (0..<n).map { j in rows[Int(starts[j])..<Int(starts[j + 1])].map { Int($0) } }
        prepare(SparsityPattern(dimension: n, columns: columns))
        jacobian = try snapshot.vector("sparse_jacobian", count: rows.count)
        let factored = try snapshot.vector("sparse_factored", count: 2)
        if factored[0].isFinite { _ = factor(diagonal: factored[0], jacobianScale: factored[1]) }
    }
}
