/// The exact solution of the linear assignment problem: the permutation σ that minimises
/// Σᵢ c(i, σ(i)) over an n × n cost matrix, with the dual potentials that certify it.
///
/// Between two clouds of n equally weighted points, optimal transport is an assignment
/// (Birkhoff–von Neumann), so this is the fast exact route to W1 and W2 at n in the thousands.
///
/// Method: Jonker–Volgenant shortest augmenting paths — column reduction gives the first
/// prices and a partial matching; each row left free is then matched by one Dijkstra search on
/// the reduced costs (columns at equal distance scanned together, the search stops at the first
/// free column), followed by a price update that keeps all reduced costs nonnegative.
/// O(n³) in the worst case, far less on the random geometric costs of point clouds.
public struct LinearAssignment: Sendable {
    /// The column (target point) matched to each row (source point).
    public let columnOfRow: [Int]
    /// The row matched to each column: the inverse permutation.
    public let rowOfColumn: [Int]
    /// Σᵢ c(i, columnOfRow[i]).
    public let totalCost: Double
    /// Dual potentials uᵢ, vⱼ with uᵢ + vⱼ ≤ c(i, j) for all pairs and equality on the matching:
    /// Σ uᵢ + Σ vⱼ = totalCost certifies optimality (LP duality).
    public let rowPotentials: [Double]
    public let columnPotentials: [Double]

    /// Solves the assignment problem for `cost`, an n × n row-major matrix.
    ///
    /// - Throws: `TransportError.invalidCost` when `cost` is not n × n or has a non-finite entry.
    public init(cost: [Double], size n: Int) throws {
        guard n > 0 else { throw TransportError.invalidParameter("an assignment problem needs at least one row; size is \(n)") }
        try validateCost(cost, rows: n, columns: n)
        var x = [Int](repeating: -1, count: n)
        var y = [Int](repeating: -1, count: n)
        var v = [Double](repeating: 0, count: n)
        cost.withUnsafeBufferPointer { cb in
            x.withUnsafeMutableBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in
                    v.withUnsafeMutableBufferPointer { v in
                        Self.solve(cb.baseAddress!, n, x, y, v)
                    }
                }
            }
        }
        var total = 0.0
        var u = [Double](repeating: 0, count: n)
        for i in 0..<n {
            total += cost[i * n + x[i]]
            u[i] = cost[i * n + x[i]] - v[x[i]]
        }
        columnOfRow = x
        rowOfColumn = y
        totalCost = total
        rowPotentials = u
        columnPotentials = v
    }

    private static func solve(_ c: UnsafePointer<Double>, _ n: Int, _ x: UnsafeMutableBufferPointer<Int>,
                              _ y: UnsafeMutableBufferPointer<Int>, _ v: UnsafeMutableBufferPointer<Double>) {
        // Column reduction: vⱼ = minᵢ c(i, j) (row potentials 0); a row takes the first column whose
        // minimum it attains while it is still free. Every matched pair then has reduced cost 0.
        for j in stride(from: n - 1, through: 0, by: -1) {
            var best = c[j], bestRow = 0
            var i = 1
            while i < n {
                let h = c[i * n + j]
                if h < best { best = h; bestRow = i }
                i += 1
            }
            v[j] = best
            if x[bestRow] < 0 { x[bestRow] = j; y[j] = bestRow }
        }
        var distance = [Double](repeating: 0, count: n)
        var predecessor = [Int](repeating: 0, count: n)
        var columns = [Int](repeating: 0, count: n)
        distance.withUnsafeMutableBufferPointer { d in
            predecessor.withUnsafeMutableBufferPointer { pred in
                columns.withUnsafeMutableBufferPointer { cols in
                    for free in 0..<n where x[free] < 0 {
                        augment(from: free, c, n, x, y, v, d, pred, cols)
                    }
                }
            }
        }
    }

    /// One Dijkstra search from the free row `free` on reduced costs, the price update, and the
    /// augmentation along the shortest path found.
    private static func augment(from free: Int, _ c: UnsafePointer<Double>, _ n: Int,
                                _ x: UnsafeMutableBufferPointer<Int>, _ y: UnsafeMutableBufferPointer<Int>,
                                _ v: UnsafeMutableBufferPointer<Double>, _ d: UnsafeMutableBufferPointer<Double>,
                                _ pred: UnsafeMutableBufferPointer<Int>, _ cols: UnsafeMutableBufferPointer<Int>) {
        let rowF = c + free * n
        for j in 0..<n {
            d[j] = rowF[j] - v[j]
            pred[j] = free
            cols[j] = j
        }
        // cols[0..<low]: scanned (distance final); cols[low..<high]: at the current minimum, to scan;
        // cols[high..<n]: not yet reached at the minimum.
        var low = 0, high = 0, ready = 0
        var minimum = 0.0
        var end = -1
        search: while true {
            if low == high {
                ready = low
                minimum = d[cols[high]]
                high += 1
                var k = high
                while k < n {
                    let j = cols[k]
                    let h = d[j]
                    if h <= minimum {
                        if h < minimum { high = low; minimum = h }
                        cols[k] = cols[high]
                        cols[high] = j
                        high += 1
                    }
                    k += 1
                }
                for k in low..<high where y[cols[k]] < 0 {
                    end = cols[k]
                    break search
                }
            }
            let j1 = cols[low]
            low += 1
            let i = y[j1]
            let rowI = c + i * n
            let ui = rowI[j1] - v[j1] - minimum
            var k = high
            while k < n {
                let j = cols[k]
                let h = rowI[j] - v[j] - ui
                if h < d[j] {
                    d[j] = h
                    pred[j] = i
                    if h <= minimum {
                        if y[j] < 0 { end = j; break search }
                        cols[k] = cols[high]
                        cols[high] = j
                        high += 1
                    }
                }
                k += 1
            }
        }
        // Prices of the scanned columns move by their distance below the final minimum, which
        // keeps every reduced cost ≥ 0 and makes the path found tight.
        for k in 0..<ready {
            let j = cols[k]
            v[j] += d[j] - minimum
        }
        var j = end
        while true {
            let i = pred[j]
            y[j] = i
            let previous = x[i]
            x[i] = j
            j = previous
            if i == free { break }
        }
    }
}
