/// A condition `g(t, y)` whose zero crossings are located during a solve, by root finding on the
/// method's dense-output interpolant, and acted on: recorded, stopping the solve (`terminal`),
/// or changing the state (`affect`, e.g. a bouncing ball's velocity reversal).
///
/// When a step crosses a zero of `g` (in the chosen `direction`), the step is cut at the root
/// (located to a few ulp of `t`), the saved points up to it are recorded, the occurrence is
/// appended to ``ODESolution/events``, `affect` (if any) changes the state, and the solve stops
/// there if the event is terminal, or continues from the root otherwise. When several events
/// fire in one step the earliest root wins.
public struct Event {
    /// Which sign changes of `g` count.
    public enum Direction: Sendable {
        /// `g` goes from negative to non-negative.
        case rising
        /// `g` goes from positive to non-positive.
        case falling
        /// Either.
        case either
    }

    /// `g(t, y)`; its zeros are the events. `y` has the problem's `n` components.
    public var condition: (_ t: Double, _ y: UnsafeBufferPointer<Double>) -> Double
    public var direction: Direction
    /// Stop the solve at the first occurrence.
    public var terminal: Bool
    /// Changes the state at the root (called with the state there), or nil.
    public var affect: ((_ t: Double, _ y: UnsafeMutableBufferPointer<Double>) -> Void)?

    public init(
        condition: @escaping (_ t: Double, _ y: UnsafeBufferPointer<Double>) -> Double,
        direction: Direction = .either, terminal: Bool = false,
        affect: ((_ t: Double, _ y: UnsafeMutableBufferPointer<Double>) -> Void)? = nil
    ) {
        self.condition = condition
        self.direction = direction
        self.terminal = terminal
        self.affect = affect
    }

    @usableFromInline
    func crosses(from before: Double, to after: Double) -> Bool {
        switch direction {
        case .rising: return before < 0 && after >= 0
        case .falling: return before > 0 && after <= 0
        case .either: return (before < 0 && after >= 0) || (before > 0 && after <= 0)
        }
    }
}

/// One located event: which, when, and the state there (before `affect`).
public struct EventOccurrence: Sendable, Equatable {
    /// Index of the event in the `events:` array given to the solve.
    public var event: Int
    /// Time of the root.
    public var time: Double
    /// State at the root, before the event's `affect`.
    public var state: [Double]
}
