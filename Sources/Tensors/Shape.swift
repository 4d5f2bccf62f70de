/// Shape arithmetic shared by the operations.
enum ShapeUtil {
    static func count(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { n *= d }
        return n
    }

    /// Row-major (C-order) element strides.
    static func strides(_ shape: [Int]) -> [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        var s = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            result[i] = s
            s *= shape[i]
        }
        return result
    }

    /// Maps `axis` in `-rank..<rank` to `0..<rank`.
    static func axis(_ axis: Int, rank: Int, shape: [Int], operation: String) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else {
            throw TensorError.invalidAxis(operation: operation, axis: axis, shape: shape)
        }
        return a
    }

    /// Sorted, de-duplicated, normalised axes; `nil` means all axes.
    static func axes(_ axes: [Int]?, shape: [Int], operation: String) throws -> [Int] {
        guard let axes else { return Array(0..<shape.count) }
        var seen = Set<Int>()
        for a in axes {
            let n = try axis(a, rank: shape.count, shape: shape, operation: operation)
            guard seen.insert(n).inserted else {
                throw TensorError.invalidArgument(operation: operation, message: "axis \(a) given twice for shape \(shape)")
            }
        }
        return seen.sorted()
    }

    /// NumPy broadcasting: align trailing dimensions; each pair must be equal or contain a 1.
    static func broadcast(_ a: [Int], _ b: [Int], operation: String) throws -> [Int] {
        let rank = Swift.max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 {
                result[i] = da
            } else if da == 1 {
                result[i] = db
            } else {
                throw TensorError.shapeMismatch(
                    operation: operation, lhs: a, rhs: b,
                    reason: "dimension \(i - rank) is \(da) vs \(db) (broadcasting needs equal sizes or a 1)")
            }
        }
        return result
    }

    /// Strides of `shape` seen as broadcast to `target` (0 along broadcast dimensions).
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        var result = [Int](repeating: 0, count: target.count)
        for i in 0..<shape.count where shape[i] != 1 || target[offset + i] == 1 {
            result[offset + i] = shape[i] == 1 ? 0 : own[i]
        }
        return result
    }

    /// `(outer, n, inner)` for a reduction or concatenation along `axis`.
    static func split(_ shape: [Int], axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (count(Array(shape[..<axis])), shape[axis], count(Array(shape[(axis + 1)...])))
    }
}
