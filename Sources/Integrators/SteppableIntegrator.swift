/// A solve that can be driven piece by piece, drained of saved points, and checkpointed:
/// what scenario runners need, whatever the method (explicit, stiff or stochastic).
public protocol SteppableIntegrator {
    /// Current time `t`.
    var time: Double { get }
    /// Current state `y(t)`.
    var state: [Double] { get }
    /// The end of the span.
    var endTime: Double { get }
    /// True once `t` reached the end of the span.
    var isFinished: Bool { get }
    /// Work counters so far.
    var statistics: SolverStatistics { get }
    /// Attempts one step (accepted, or for adaptive methods possibly rejected); nothing once finished.
    mutating func step() throws(IntegrationError)
    /// Advances until `time` reaches or passes `target`, or the end of the span.
    mutating func advance(to target: Double) throws(IntegrationError)
    /// Advances to the end of the span.
    mutating func finish() throws(IntegrationError)
    /// The saved points recorded since the last call (`times`, `states` row-major), removed.
    mutating func takeSavedPoints() -> (times: [Double], states: [Double])
    /// The complete integrator state.
    func snapshot() -> IntegratorSnapshot
    /// Continues from a snapshot of the same solve.
    mutating func restore(_ snapshot: IntegratorSnapshot) throws(IntegrationError)
}

extension SteppableIntegrator {
    public mutating func finish() throws(IntegrationError) { try advance(to: endTime) }
}

