/// The states a cell's tracer can be in while the cell is in one organ's capillary bed, as a
/// continuous-time Markov chain: `blood` (free in plasma), `eliminated` (cleared from the body,
/// absorbing), `C1` (first tissue compartment), `C2` (second tissue compartment).
///
/// Generator (rates per minute): blood → C1 `K1`, C1 → blood `k2`, C1 → C2 `k3`, C2 → C1 `k4`,
/// blood → eliminated `elimination`. In vessels only blood → eliminated acts (the chain with
/// `K1 = 0`). The per-step transition matrix is `P = exp(Q Δt)` (``matrixExponential(_:dimension:)``),
/// so a cell stepped with `P` has exactly the chain's occupancy law at every step.
public struct CompartmentChain: Sendable, Equatable {
    public enum State: Int, Sendable, CaseIterable {
        case blood = 0, eliminated = 1, tissue1 = 2, tissue2 = 3
    }

    public let rates: CompartmentRates
    /// Blood → eliminated, 1/min.
    public let elimination: Double
    /// Step, seconds.
    public let step: Double
    /// Row-major 4×4 transition matrix over one step.
    public let transition: [Double]
    /// Row-wise cumulative sums of `transition` (for drawing the next state).
    @usableFromInline let cumulative: [Double]

    public init(rates: CompartmentRates, elimination: Double, step: Double) throws(NetworkError) {
        guard [rates.K1, rates.k2, rates.k3, rates.k4, elimination].allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw .invalid("rate constants must be finite and ≥ 0 (K1 \(rates.K1), k2 \(rates.k2), k3 \(rates.k3), k4 \(rates.k4), elimination \(elimination) per min)")
        }
        self.rates = rates
        self.elimination = elimination
        self.step = step
        let minutes = step / 60
        let q = Self.generator(rates: rates, elimination: elimination).map { $0 * minutes }
        var p = try matrixExponential(q, dimension: 4)
        // Clean round-off: no negative probabilities, rows sum to 1.
        for i in 0..<4 {
            var sum = 0.0
            for j in 0..<4 { p[i * 4 + j] = max(0, p[i * 4 + j]); sum += p[i * 4 + j] }
            for j in 0..<4 { p[i * 4 + j] /= sum }
        }
        transition = p
        var c = p
        for i in 0..<4 { for j in 1..<4 { c[i * 4 + j] += c[i * 4 + j - 1] }; c[i * 4 + 3] = 1 }
        cumulative = c
    }

    /// The generator `Q` (row-major 4×4, per minute; rows sum to 0).
    public static func generator(rates: CompartmentRates, elimination: Double) -> [Double] {
        var q = [Double](repeating: 0, count: 16)
        func set(_ from: State, _ to: State, _ rate: Double) {
            q[from.rawValue * 4 + to.rawValue] += rate
            q[from.rawValue * 4 + from.rawValue] -= rate
        }
        set(.blood, .tissue1, rates.K1)
        set(.blood, .eliminated, elimination)
        set(.tissue1, .blood, rates.k2)
        set(.tissue1, .tissue2, rates.k3)
        set(.tissue2, .tissue1, rates.k4)
        return q
    }

    /// The state after one step from `state`, given a uniform variate `u ∈ [0, 1)`.
    @inlinable
    public func next(from state: State, uniform u: Double) -> State {
        let row = state.rawValue * 4
        if u < cumulative[row] { return .blood }
        if u < cumulative[row + 1] { return .eliminated }
        if u < cumulative[row + 2] { return .tissue1 }
        return .tissue2
    }
}
