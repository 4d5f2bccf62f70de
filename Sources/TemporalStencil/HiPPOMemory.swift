/// The HiPPO memory of Temporal Stencil Modeling: each grid cell compresses the history of a
/// field into `N` coefficients with the linear recurrence
///
///     c' = A c + B v(t),   A = −(L + a I),  L = tril(1) (ones on and below the diagonal),  B = b·1,
///
/// discretised bilinearly (Tustin):  `c_{k+1} = (I − Δt/2 A)⁻¹ [(I + Δt/2 A) c_k + Δt B v_k]`.
/// TSM's defaults are `a = −0.5, b = 1, Δt = 0.1` (HiPPO's translated-Laguerre transition); the
/// matrix `I − Δt/2 A` is lower triangular, so each update is a forward substitution (O(N²)).
public struct HiPPOMemory: Sendable, Equatable {
    /// Number of coefficients N.
    public let size: Int
    public let step: Double
    public let a: Double
    public let b: Double

    public init(size: Int, step: Double = 0.1, a: Double = -0.5, b: Double = 1) {
        precondition(size >= 1 && step > 0, "HiPPOMemory needs size ≥ 1 and a positive step")
        self.size = size
        self.step = step
        self.a = a
        self.b = b
    }

    /// `A` row-major (for checks).
    public var transition: [Double] {
        var m = [Double](repeating: 0, count: size * size)
        for i in 0..<size { for j in 0...i { m[i * size + j] = -1 } ; m[i * size + i] -= a }
        return m
    }

    /// One update of the coefficients `c` (in place) with input `v`.
    public func update(_ c: inout [Double], input v: Double) {
        let n = size, half = step / 2
        // r = (I + Δt/2 A) c + Δt b v, where (A c)_i = −Σ_{j≤i} c_j − a c_i.
        var prefix = 0.0
        var r = [Double](repeating: 0, count: n)
        for i in 0..<n {
            prefix += c[i]
            r[i] = c[i] + half * (-prefix - a * c[i]) + step * b * v
        }
        // Solve (I − Δt/2 A) c = r: row i reads (1 + Δt/2 (1 + a)) c_i + Δt/2 Σ_{j<i} c_j = r_i.
        let diagonal = 1 + half * (1 + a)
        prefix = 0
        for i in 0..<n {
            c[i] = (r[i] - half * prefix) / diagonal
            prefix += c[i]
        }
    }

    /// The discrete update as a matrix and a vector: `c_{k+1} = Ā c_k + B̄ v_k`, with `Ā`
    /// row-major `N × N` (columns are the updates of unit vectors without input).
    public var discreteTransition: (matrix: [Double], input: [Double]) {
        let n = size
        var matrix = [Double](repeating: 0, count: n * n)
        for k in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[k] = 1
            update(&e, input: 0)
            for i in 0..<n { matrix[i * n + k] = e[i] }
        }
        var input = [Double](repeating: 0, count: n)
        update(&input, input: 1)
        return (matrix, input)
    }

    /// The fixed point for a constant input 1, `−A⁻¹B` (the same for the bilinear update): the
    /// memory of a signal that never changed is this vector times the signal.
    public var steadyState: [Double] {
        var c = [Double](repeating: 0, count: size)
        var prefix = 0.0
        for i in 0..<size {   // (L + aI) c = b·1, L lower triangular of ones
            c[i] = (b - prefix) / (1 + a)
            prefix += c[i]
        }
        return c
    }

    /// The coefficients after reading `history` from the zero state (oldest first).
    public func encode(_ history: [Double]) -> [Double] {
        var c = [Double](repeating: 0, count: size)
        for v in history { update(&c, input: v) }
        return c
    }

    /// Per-cell memories of a field history: `frames[t]` holds the field at time t (any number of
    /// cells, the same in every frame); returns `cells × N`, row-major.
    public func encode(frames: [[Double]]) -> [Double] {
        guard let cells = frames.first?.count else { return [] }
        var memory = [Double](repeating: 0, count: cells * size)
        var c = [Double](repeating: 0, count: size)
        for cell in 0..<cells {
            for i in 0..<size { c[i] = 0 }
            for frame in frames { update(&c, input: frame[cell]) }
            memory.replaceSubrange((cell * size)..<((cell + 1) * size), with: c)
        }
        return memory
    }
}
