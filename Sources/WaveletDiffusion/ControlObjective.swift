/// The control objective of the Burgers benchmark, as the reference code guides sampling with it:
///
///     J = w_u · [ mean_x (u(0, x) − u₀*(x))² + mean_x (u(T, x) − u_T*(x))² + w_f Σ_{t,x} f² ],
///
/// with the paper's `w_u = 120000` and `w_f = 2·10⁻⁵`; the gradient with respect to a sample's
/// channels (through the inverse wavelet transform) steers the generated `u` and `f` toward
/// trajectories that start at `u₀*`, end at `u_T*` and spend little energy. The score that is
/// reported is the re-simulated ``actualCost(finalState:target:)`` plus `w_f` times the energy.
public struct ControlObjective: Sendable {
    public var stateWeight: Double
    public var energyWeight: Double

    public init(stateWeight: Double = 120_000, energyWeight: Double = 2e-5) {
        self.stateWeight = stateWeight
        self.energyWeight = energyWeight
    }

    /// `J` and its gradient with respect to the sample's values, for a sample's data prediction
    /// `data` (channels), the initial state `initial` and the target `target`.
    public func valueAndGradient(_ data: [Double], initial: [Double], target: [Double], layout: any TrajectoryRepresentation) throws -> (Double, [Double]) {
        let (u, f) = try layout.decode(data)
        let (rows, points) = (layout.rows, layout.points)
        guard initial.count == points, target.count == points else {
            throw WaveletDiffusionError.invalidShape("control objective: initial \(initial.count) and target \(target.count) values, expected \(points)")
        }
        var gu = [Double](repeating: 0, count: u.count)
        var value = 0.0
        for j in 0..<points {
            let (d0, dT) = (u[j] - initial[j], u[(rows - 1) * points + j] - target[j])
            value += (d0 * d0 + dT * dT) / Double(points)
            gu[j] = 2 * stateWeight * d0 / Double(points)
            gu[(rows - 1) * points + j] = 2 * stateWeight * dT / Double(points)
        }
        let energy = f.reduce(0) { $0 + $1 * $1 }
        value = stateWeight * (value + energyWeight * energy)
        let gf = f.map { 2 * stateWeight * energyWeight * $0 }
        return (value, try layout.decodeTransposed(state: gu, control: gf))
    }

    /// `mean_x (u(T, x) − u_T*(x))²`: the reported cost of a control re-simulated by the solver.
    public static func actualCost(finalState: [Double], target: [Double]) -> Double {
        zip(finalState, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(target.count)
    }
}
