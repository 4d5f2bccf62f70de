/// Which entries of an `n × n` Jacobian `∂f_i/∂y_j` may be nonzero, in compressed sparse column
/// form (the diagonal is always included: the iteration matrix `a·I - b·J` needs it). The stiff
/// solvers' sparse linear algebra (``StiffLinearSolver/sparse``) and coloured finite-difference
/// Jacobians use it.
///
/// Give it from what you know of the problem (`SparsityPattern(dimension:entries:)`), or let the
/// solver detect it by probing the right-hand side (``detect(_:at:time:)``: `2n` evaluations once).
public struct SparsityPattern: Sendable, Equatable {
    /// Number of unknowns `n`.
    public let dimension: Int
    /// Start of each column's entries in ``rowIndices`` (`n + 1` values).
    public let columnStarts: [Int]
    /// Row of each entry, ascending within a column (`nonzeroCount` values).
    public let rowIndices: [Int]

    /// The pattern with the given `(row, column)` entries (duplicates merged, the diagonal added).
    /// - Throws: ``IntegrationError/invalidArgument(_:)`` naming an entry outside `0..<n`.
    public init(dimension n: Int, entries: [(row: Int, column: Int)]) throws(IntegrationError) {
        guard n >= 1 else { throw .invalidArgument("sparsity pattern dimension \(n) must be >= 1") }
        var columns = [[Int]](repeating: [], count: n)
        for (row, column) in entries {
            guard (0..<n).contains(row), (0..<n).contains(column) else {
                throw .invalidArgument("sparsity pattern entry (\(row), \(column)) is outside a \(n) × \(n) Jacobian")
            }
            columns[column].append(row)
        }
        for j in 0..<n { columns[j].append(j) }
        self.init(dimension: n, columns: columns)
    }

    /// From per-column row lists (any order, duplicates allowed); the diagonal is added.
    init(dimension n: Int, columns: [[Int]]) {
        dimension = n
        var starts = [0]
        var rows: [Int] = []
        starts.reserveCapacity(n + 1)
        for j in 0..<n {
            var column = Set(columns[j])
            column.insert(j)
            rows.append(contentsOf: column.sorted())
            starts.append(rows.count)
        }
        columnStarts = starts
        rowIndices = rows
    }

    /// Number of entries (structural nonzeros).
    public var nonzeroCount: Int { rowIndices.count }

    /// Whether `(row, column)` is an entry.
    public func contains(row: Int, column: Int) -> Bool {
        var lo = columnStarts[column], hi = columnStarts[column + 1]
        while lo < hi {
            let mid = (lo + hi) / 2
            if rowIndices[mid] == row { return true }
            if rowIndices[mid] < row { lo = mid + 1 } else { hi = mid }
        }
        return false
    }

    /// The largest number of entries in one row (a lower bound on the colours any column
    /// colouring needs).
    public var maximumRowCount: Int {
        var counts = [Int](repeating: 0, count: dimension)
        for i in rowIndices { counts[i] += 1 }
        return counts.max() ?? 0
    }

    /// A column colouring (Curtis–Powell–Reid): columns of one colour share no row, so one RHS
    /// evaluation with all of them perturbed gives all their Jacobian columns. Greedy distance-2
    /// colouring in natural order: each column takes the smallest colour not used by a column
    /// sharing a row with it. Returns each column's colour and the number of colours.
    public func columnColouring() -> (colours: [Int], count: Int) {
        let n = dimension
        // Rows → columns (the transpose's structure).
        var rowStarts = [Int](repeating: 0, count: n + 1)
        for i in rowIndices { rowStarts[i + 1] += 1 }
        for i in 0..<n { rowStarts[i + 1] += rowStarts[i] }
        var fill = rowStarts
        var rowColumns = [Int](repeating: 0, count: rowIndices.count)
        for j in 0..<n {
            for p in columnStarts[j]..<columnStarts[j + 1] {
                let i = rowIndices[p]
                rowColumns[fill[i]] = j
                fill[i] += 1
            }
        }
        var colours = [Int](repeating: -1, count: n)
        var markedBy = [Int](repeating: -1, count: n + 1)  // colour → last column that saw it used
        var count = 0
        for j in 0..<n {
            for p in columnStarts[j]..<columnStarts[j + 1] {
                let i = rowIndices[p]
                for q in rowStarts[i]..<rowStarts[i + 1] {
                    let c = colours[rowColumns[q]]
                    if c >= 0 { markedBy[c] = j }
                }
            }
            var c = 0
            while markedBy[c] == j { c += 1 }
            colours[j] = c
            count = Swift.max(count, c + 1)
        }
        return (colours, count)
    }

    /// The pattern of `f` near `(t, y)`, found by probing: each component `y_j` in turn is set to
    /// NaN (every `f_i` computed from it turns NaN, even through a zero coefficient) and perturbed
    /// by a finite step (catching dependence hidden behind comparisons). Costs `2n + 1` evaluations.
    public static func detect(_ rhs: ODEFunction, at y: [Double], time t: Double) -> SparsityPattern {
        let n = y.count
        var state = y
        var base = [Double](repeating: 0, count: n)
        var probe = [Double](repeating: 0, count: n)
        state.withUnsafeBufferPointer { s in base.withUnsafeMutableBufferPointer { rhs(t, s, $0) } }
        var columns = [[Int]](repeating: [], count: n)
        for j in 0..<n {
            let yj = y[j]
            var found = Set<Int>()
            state[j] = .nan
            state.withUnsafeBufferPointer { s in probe.withUnsafeMutableBufferPointer { rhs(t, s, $0) } }
            for i in 0..<n where probe[i].isNaN && !base[i].isNaN { found.insert(i) }
            let step = 1e-3 * Swift.max(abs(yj), 1)
            state[j] = yj + step
            state.withUnsafeBufferPointer { s in probe.withUnsafeMutableBufferPointer { rhs(t, s, $0) } }
            for i in 0..<n where probe[i] != base[i] { found.insert(i) }
            state[j] = yj
            columns[j] = Array(found)
        }
        return SparsityPattern(dimension: n, columns: columns)
    }
}
