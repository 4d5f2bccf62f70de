/// How the finite-volume solver estimates an advected velocity component at a flux point from
/// the four values around it along the flux direction (`q₋₁, q₀ | q₁, q₂`, the flux point
/// between `q₀` and `q₁`), given the sign of the advecting velocity. The classical choices
/// make the baseline; learned stencils (TSM) replace them.
public enum FaceInterpolation: String, Sendable, CaseIterable {
    /// Second-order central: (q₀ + q₁)/2.
    case linear
    /// Upwind second order with the van Leer limiter (TVD), JAX-CFD's default for advection.
    case vanLeer = "van-leer"

    @inlinable
    public func value(_ qm1: Double, _ q0: Double, _ q1: Double, _ q2: Double, velocity: Double) -> Double {
        switch self {
        case .linear:
            return 0.5 * (q0 + q1)
        case .vanLeer:
            // Upwind cell c, its far neighbour and the downwind cell along the flow.
            let (far, c, down) = velocity >= 0 ? (qm1, q0, q1) : (q2, q1, q0)
            let forward = down - c, backward = c - far
            let limited = forward * backward > 0 ? 2 * forward * backward / (forward + backward) : 0
            return c + 0.5 * limited
        }
    }
}
