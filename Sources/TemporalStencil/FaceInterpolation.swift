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

    /// The value and its partial derivatives with respect to `(q₋₁, q₀, q₁, q₂)` (the limiter's
    /// kink at a sign change of the slopes gets the one-sided derivative of the flat branch).
    @inlinable
    public func valueAndPartials(_ qm1: Double, _ q0: Double, _ q1: Double, _ q2: Double,
                                 velocity: Double) -> (value: Double, partials: (Double, Double, Double, Double)) {
        switch self {
        case .linear:
            return (0.5 * (q0 + q1), (0, 0.5, 0.5, 0))
        case .vanLeer:
            let upwind = velocity >= 0
            let (far, c, down) = upwind ? (qm1, q0, q1) : (q2, q1, q0)
            let forward = down - c, backward = c - far
            guard forward * backward > 0 else { return (c, upwind ? (0, 1, 0, 0) : (0, 0, 1, 0)) }
            let sum = forward + backward
            let dForward = backward * backward / (sum * sum), dBackward = forward * forward / (sum * sum)  // ½ ∂L/∂f, ½ ∂L/∂b
            let value = c + forward * backward / sum
            let (dFar, dCentre, dDown) = (-dBackward, 1 - dForward + dBackward, dForward)
            return (value, upwind ? (dFar, dCentre, dDown, 0) : (0, dDown, dCentre, dFar))
        }
    }
}
