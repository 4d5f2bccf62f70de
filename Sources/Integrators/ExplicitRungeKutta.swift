// Shared machinery of all explicit Runge–Kutta methods: the per-solve workspace (stage buffers
// and the tableau in sparse, pointer-addressed form) and the stepper (`ExplicitRungeKuttaStepper`)
// that ``ODEIntegrator`` drives.
//
// Performance notes: everything the inner loop touches lives in buffers allocated once per solve
// (`RKWorkspace`); stage vectors are one contiguous block addressed by fixed offsets (FSAL reuse
// copies one n-vector), `y`/`yNew` exchange is a pointer swap; no allocation happens per step except amortised appends to
// the output arrays. The stepper is a struct inside the driver living in a local variable of `solve`,
// so there are no dynamic exclusivity checks. All of it is `@inlinable`, so `solve` specialises in client modules.
//
// Stepper state for a bit-identical restart: `y` (saved by the driver) and the first-stage
// derivative `k_1` (stage 0, `f(t, y)` reused from the previous step).

/// Rows of a sparse coefficient matrix over stage vectors (zeros dropped). Stage `j` lives at
/// `stages + j·n` in one contiguous block, so each nonzero stores the element offset `j·n`.
@usableFromInline
struct SparseRows {
    @usableFromInline let rowStart: UnsafeMutablePointer<Int>
    @usableFromInline let offset: UnsafeMutablePointer<Int>
    @usableFromInline let value: UnsafeMutablePointer<Double>

    init(_ rows: [[Double]], dimension n: Int) {
        var starts = [0]
        var offsets: [Int] = []
        var values: [Double] = []
        for row in rows {
            for (j, v) in row.enumerated() where v != 0 {
                offsets.append(j * n)
                values.append(v)
            }
            starts.append(offsets.count)
        }
        rowStart = .allocate(capacity: starts.count)
        rowStart.initialize(from: starts, count: starts.count)
        offset = .allocate(capacity: Swift.max(1, offsets.count))
        offset.initialize(from: offsets, count: offsets.count)
        value = .allocate(capacity: Swift.max(1, values.count))
        value.initialize(from: values, count: values.count)
    }

    func deallocate() {
        rowStart.deallocate()
        offset.deallocate()
        value.deallocate()
    }

    /// `Σ_j row_j · k_j[i]` for one component `i`.
    @inlinable @inline(__always)
    func dot(row r: Int, stages: UnsafeMutablePointer<Double>, component i: Int) -> Double {
        var acc = 0.0
        var p = rowStart[r]
        let hi = rowStart[r + 1]
        while p < hi {
            acc += value[p] * stages[offset[p] &+ i]
            p &+= 1
        }
        return acc
    }

    /// Components per block of the blocked combinations: the accumulator block stays in L1 and
    /// the loops over it vectorise (the per-component sparse dot cannot: its inner loop runs over
    /// the row's few nonzeros through an index table).
    @usableFromInline static let block = 512

    /// Systems smaller than this use the per-component form (no blocking overhead).
    @usableFromInline static let blockedThreshold = 2 * block

    /// `acc_i = Σ_j row_j · k_j[start + i]` for `i < m`, accumulated term after term in the
    /// row's order from 0: the same operations as ``dot(row:stages:component:)``, so the same bits.
    @inlinable @inline(__always)
    func accumulate(row r: Int, stages: UnsafeMutablePointer<Double>, start: Int, count m: Int,
                    into acc: UnsafeMutablePointer<Double>) {
        for i in 0..<m { acc[i] = 0 }
        var p = rowStart[r]
        let hi = rowStart[r + 1]
        while p < hi {
            let v = value[p]
            let k = stages + (offset[p] &+ start)
            for i in 0..<m { acc[i] += v * k[i] }
            p &+= 1
        }
    }

    /// Calls `body(start, m, acc)` for consecutive blocks of `n` components, `acc` holding
    /// `Σ_j row_j · k_j` of the block's components.
    @inlinable @inline(__always)
    func forEachBlock(row r: Int, stages: UnsafeMutablePointer<Double>, count n: Int,
                      _ body: (Int, Int, UnsafeMutablePointer<Double>) -> Void) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: Self.block) { buffer in
            let acc = buffer.baseAddress!
            var start = 0
            while start < n {
                let m = Swift.min(Self.block, n - start)
                accumulate(row: r, stages: stages, start: start, count: m, into: acc)
                body(start, m, acc)
                start += m
            }
        }
    }

    /// `dst_i = Σ_j row_j · k_j[i]` for `i < n`.
    @inlinable @inline(__always)
    func combine(
        row r: Int, stages: UnsafeMutablePointer<Double>, count n: Int, into dst: UnsafeMutablePointer<Double>
    ) {
        guard n >= Self.blockedThreshold else {
            for i in 0..<n { dst[i] = dot(row: r, stages: stages, component: i) }
            return
        }
        forEachBlock(row: r, stages: stages, count: n) { start, m, acc in
            let out = dst + start
            for i in 0..<m { out[i] = acc[i] }
        }
    }

    /// `dst_i = y_i + h Σ_j row_j · k_j[i]` for `i < n` (a Runge–Kutta stage state).
    @inlinable @inline(__always)
    func stageState(
        row r: Int, base y: UnsafeMutablePointer<Double>, h: Double, stages: UnsafeMutablePointer<Double>,
        count n: Int, into dst: UnsafeMutablePointer<Double>
    ) {
        guard n >= Self.blockedThreshold else {
            for i in 0..<n { dst[i] = y[i] + h * dot(row: r, stages: stages, component: i) }
            return
        }
        forEachBlock(row: r, stages: stages, count: n) { start, m, acc in
            let (out, base) = (dst + start, y + start)
            for i in 0..<m { out[i] = base[i] + h * acc[i] }
        }
    }
}

/// Buffers and coefficients for one solve (allocated once, freed on deinit).
@usableFromInline
final class RKWorkspace {
    @usableFromInline let n: Int
    /// Main stages `s`.
    @usableFromInline let stageCount: Int
    /// Index of the stage holding `f(t_{n+1}, y_{n+1})`.
    @usableFromInline let endStage: Int
    /// All stages including the end derivative and dense-output extra stages.
    @usableFromInline let totalStages: Int
    @usableFromInline let isFSAL: Bool
    /// Polynomial degree of the interpolant in θ.
    @usableFromInline let degree: Int
    /// Stage vectors `k_j`, contiguous: `k_j` is `stages + j·n`.
    @usableFromInline let stages: UnsafeMutablePointer<Double>
    @usableFromInline let stateA: UnsafeMutablePointer<Double>
    @usableFromInline let stateB: UnsafeMutablePointer<Double>
    /// Scratch vectors, `2n` (stage states, error vector; between steps the driver's).
    @usableFromInline let tmp: UnsafeMutablePointer<Double>
    @usableFromInline let absolute: UnsafeMutablePointer<Double>
    @usableFromInline let relative: UnsafeMutablePointer<Double>
    /// Interpolation polynomial of the current step: `(degree + 1) × n`, coefficient of θ^p at `p·n`.
    @usableFromInline let poly: UnsafeMutablePointer<Double>
    /// Nodes for all stages.
    @usableFromInline let c: UnsafeMutablePointer<Double>
    /// Stage rows of `A` (and of the extra stages), indexed by stage.
    @usableFromInline let aRows: SparseRows
    /// `b` as one row.
    @usableFromInline let bRow: SparseRows
    /// `e = b - b̂` as one row (empty row if the method has no estimator).
    @usableFromInline let eRow: SparseRows
    /// Dense-output weights, one row per power θ^p, `p = 1...degree`.
    @usableFromInline let denseRows: SparseRows
    private let storage: UnsafeMutablePointer<Double>
    private let storageCount: Int

    init(tableau: ButcherTableau, dimension n: Int, absolute atol: [Double], relative rtol: [Double]) {
        self.n = n
        let s = tableau.stageCount
        stageCount = s
        isFSAL = tableau.isFSAL
        endStage = tableau.endDerivativeStage
        totalStages = tableau.totalStageCount
        let dense = tableau.denseOutput
        degree = dense.degree

        let total = n * (totalStages + 6 + degree + 1)
        let base = UnsafeMutablePointer<Double>.allocate(capacity: total)
        base.initialize(repeating: 0, count: total)
        storageCount = total
        storage = base
        stages = base
        let offset = totalStages * n
        stateA = base + offset
        stateB = base + offset + n
        tmp = base + offset + 2 * n
        absolute = base + offset + 4 * n
        relative = base + offset + 5 * n
        poly = base + offset + 6 * n
        for i in 0..<n {
            absolute[i] = atol[i]
            relative[i] = rtol[i]
        }

        var nodes = [Double](repeating: 0, count: totalStages)
        var rows = [[Double]](repeating: [], count: totalStages)
        for j in 0..<s {
            nodes[j] = tableau.c[j]
            rows[j] = tableau.a[j]
        }
        nodes[endStage] = 1
        for (j, extra) in dense.extraStages.enumerated() {
            nodes[endStage + 1 + j] = extra.c
            rows[endStage + 1 + j] = extra.a
        }
        c = .allocate(capacity: totalStages)
        c.initialize(from: nodes, count: totalStages)
        aRows = SparseRows(rows, dimension: n)
        bRow = SparseRows([tableau.b], dimension: n)
        eRow = SparseRows([tableau.errorWeights ?? []], dimension: n)
        var powers = [[Double]](repeating: [Double](repeating: 0, count: totalStages), count: degree)
        for (i, w) in dense.weights.enumerated() {
            for (p, v) in w.enumerated() { powers[p][i] = v }
        }
        denseRows = SparseRows(powers, dimension: n)
    }

    deinit {
        storage.deinitialize(count: storageCount)
        storage.deallocate()
        c.deallocate()
        aRows.deallocate()
        bRow.deallocate()
        eRow.deallocate()
        denseRows.deallocate()
    }
}

/// Evaluates `Σ_{p=0}^{degree} P_p θ^p` (Horner) for an `n`-vector polynomial stored as
/// `(degree + 1) × n` coefficients.
@inlinable
func evaluatePolynomial(
    _ coefficients: UnsafePointer<Double>, degree: Int, count n: Int, theta: Double,
    into out: UnsafeMutablePointer<Double>
) {
    for i in 0..<n {
        var v = coefficients[degree * n + i]
        var p = degree - 1
        while p >= 0 {
            v = v * theta + coefficients[p * n + i]
            p -= 1
        }
        out[i] = v
    }
}


/// Writes the cubic Hermite interpolant in θ ∈ [0, 1] between `y0` and `y1` (`n` values each)
/// into `poly` (`4n`, the coefficient of θ^p at `p·n`); `slopes(i)` gives `(h f_n,i, h f_{n+1},i)`,
/// the end derivatives scaled by the signed step.
@inlinable @inline(__always)
func writeCubicHermite(
    into poly: UnsafeMutablePointer<Double>, count n: Int, from y0: UnsafeMutablePointer<Double>,
    to y1: UnsafeMutablePointer<Double>, slopes: (Int) -> (Double, Double)
) {
    for i in 0..<n {
        let (a, b) = (y0[i], y1[i])
        let (d0, d1) = slopes(i)
        poly[i] = a
        poly[n + i] = d0
        poly[2 * n + i] = 3 * (b - a) - 2 * d0 - d1
        poly[3 * n + i] = 2 * (a - b) + d0 + d1
    }
}

/// The cubic Hermite interpolant of a step of signed size `h` from `(y0, f0)` to `(y1, f1)`
/// written into `poly` (`4n`); returns `poly`.
@inlinable
func hermiteStep(into poly: UnsafeMutablePointer<Double>, count n: Int, step h: Double,
                 from y0: UnsafeMutablePointer<Double>, _ f0: UnsafeMutablePointer<Double>,
                 to y1: UnsafeMutablePointer<Double>, _ f1: UnsafeMutablePointer<Double>) -> UnsafeMutablePointer<Double> {
    writeCubicHermite(into: poly, count: n, from: y0, to: y1) { i in (h * f0[i], h * f1[i]) }
    return poly
}
