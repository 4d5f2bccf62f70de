import Randomness
import Tensors

/// GRAM-ODE's node ODE on `[B, N, T, C]` (the global ODE over the whole window, and, with T = 1,
/// each local ODE on a token):
///
///     f(x) = σ(α)/2 · (Â + M) x − x + gate(x) − x + x W − x + x₀
///
/// α a learned value per sensor, M a learned `[N, N]` correction of the graph (shared by the ODEs
/// of one block), gate(x) a time-mixing attention — L = x W₃, R = x W₄ over time, per channel
/// S = σ(Σₙ Lᵀ R) `[T, T]`, gate(x) = x mixed over time by S — and W = 1.6 V − 0.6 V Vᵀ V with
/// V = w diag(clamp(d, 0, 1)) wᵀ (w starts as the identity, d as ones). x₀, the block's input,
/// enters as a constant (the reference code detaches it). Parameters: `alpha`, `w`, `d`.
struct NodeODEFunction: Sendable {
    static func parameters(sensors: Int, width: Int) -> Parameters<Float> {
        Parameters([("alpha", Tensor<Float>(shape: [sensors], repeating: 0.8)),
                    ("w", try! Tensor<Float>(shape: [width, width], scalars: (0..<(width * width)).map { $0 / width == $0 % width ? 1 : 0 })),
                    ("d", Tensor<Float>(shape: [width], repeating: 1))])
    }

    /// (Â + M) x over the sensor axis of `[B, N, T, C]`, scaled per sensor by σ(α)/2.
    static func propagate(_ x: Variable<Float>, graph: Variable<Float>, alpha: Variable<Float>) throws -> Variable<Float> {
        let s = x.value.shape
        let mixed = try graph.matmul(x.reshaped([s[0], s[1], s[2] * s[3]])).reshaped(s)
        return try mixed * (alpha.sigmoid() * 0.5).reshaped([1, s[1], 1, 1])
    }

    /// The time-mixing gate of `[B, N, T, C]` with time weights W₃, W₄ `[T, T]`.
    static func gate(_ x: Variable<Float>, _ w3: Variable<Float>, _ w4: Variable<Float>) throws -> Variable<Float> {
        let byChannel = try x.permuted([0, 3, 1, 2])                      // [B, C, N, T]
        let l = try byChannel.matmul(w3), r = try byChannel.matmul(w4)     // [B, C, N, T]
        let s = try l.transposed(2, 3).matmul(r).sigmoid()                // [B, C, T, T]: Σₙ L[n, o] R[n, p]
        let mixed = try s.matmul(byChannel.transposed(2, 3))               // [B, C, T, N]
        return try mixed.permuted([0, 3, 2, 1])                            // [B, N, T, C]
    }

    /// W = 1.6 V − 0.6 V Vᵀ V, V = w diag(clamp(d, 0, 1)) wᵀ.
    static func channelMap(_ p: ParameterVariables<Float>) throws -> Variable<Float> {
        let w = try p.variable("w", layer: "node ODE"), d = try p.variable("d", layer: "node ODE")
        let clamped = try d.relu() - (d - 1).relu()
        let v = try (w * clamped.reshaped([1, clamped.value.count])).matmul(w.transposed())
        return try v * 1.6 - v.matmul(v.transposed()).matmul(v) * 0.6
    }

    static func field(_ x: Variable<Float>, initial x0: Variable<Float>, graph: Variable<Float>, timeWeights: (Variable<Float>, Variable<Float>),
                      parameters p: ParameterVariables<Float>) throws -> Variable<Float> {
        let a = try propagate(x, graph: graph, alpha: p.variable("alpha", layer: "node ODE"))
        let g = try gate(x, timeWeights.0, timeWeights.1)
        let xw = try x.matmul(channelMap(p))
        return try a + g + xw + x0 - x * 3
    }
}

/// GRAM-ODE's edge ODE on the dynamic edges e[i, j, t] = m_i(t) + m_j(t) (m the channel mean of
/// the block's input), state `[B, N, N, T]`:
///
///     f(e) = σ(α)/2 · (Â + M) e − e + gate(e) − e + e₀
///
/// (Â + M) acting on the first sensor index, gate(e) = e S with S = σ(Σⱼ (e W₃)ᵀ (e W₄)) `[T, T]`
/// per (batch, sensor). Parameter: `alpha`.
struct EdgeODEFunction: Sendable {
    static func edges(of x: Variable<Float>) throws -> Variable<Float> {
        let s = x.value.shape
        let m = try x.mean(axis: 3)                                          // [B, N, T]
        return try m.reshaped([s[0], s[1], 1, s[2]]) + m.reshaped([s[0], 1, s[1], s[2]])
    }

    static func field(_ e: Variable<Float>, initial e0: Variable<Float>, graph: Variable<Float>, timeWeights: (Variable<Float>, Variable<Float>),
                      alpha: Variable<Float>) throws -> Variable<Float> {
        let s = e.value.shape                                                // [B, N, N, T]
        let mixed = try graph.matmul(e.reshaped([s[0], s[1], s[2] * s[3]])).reshaped(s)
        let a = try mixed * (alpha.sigmoid() * 0.5).reshaped([1, s[1], 1, 1])
        let l = try e.matmul(timeWeights.0), r = try e.matmul(timeWeights.1)
        let gate = try e.matmul(l.transposed(2, 3).matmul(r).sigmoid())
        return try a + gate + e0 - e * 2
    }
}
