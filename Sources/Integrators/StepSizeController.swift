/// How a solve chooses its step sizes: by error control (``PIController``, the default) or on a
/// fixed grid (``FixedStep``). Any controller combines with any method in
/// ``solve(_:using:tolerance:saveAt:controller:initialStep:maxStep:maxSteps:denseOutput:events:)``
/// (a method without an error estimator needs ``FixedStep``).
public protocol StepSizeController: Sendable {
    /// The controller checked and resolved for a method whose error estimator has order
    /// `errorEstimatorOrder` (`nil`: the method has none).
    func stepControl(methodName: String, errorEstimatorOrder: Int?) throws(IntegrationError) -> StepControl
}

/// A step-size controller checked and resolved for one method (made by
/// ``StepSizeController/stepControl(methodName:errorEstimatorOrder:)``).
public struct StepControl: Sendable {
    @usableFromInline enum Kind: Sendable {
        case adaptive(PIController.Resolved)
        case fixed(step: Double)
    }

    @usableFromInline let kind: Kind

    @usableFromInline init(_ kind: Kind) { self.kind = kind }
}

extension PIController: StepSizeController {
    public func stepControl(methodName: String, errorEstimatorOrder: Int?) throws(IntegrationError) -> StepControl {
        guard let q = errorEstimatorOrder else {
            throw .invalidArgument("method \(methodName) has no embedded error estimator: give it FixedStep(...) (or `step:`)")
        }
        return StepControl(.adaptive(try resolved(errorEstimatorOrder: q)))
    }
}

/// Fixed steps of size `step` (time units, magnitude; the sign follows the integration
/// direction). The number of steps is `ceil(|t1 - t0| / step)` (an exact multiple within `1e-9`
/// relative is not rounded up); step `k` ends at `t0 ± k·step` and the last step ends exactly at
/// `t1` (so it may be shorter). A method's error estimate, if it has one, is ignored; a NaN/Inf
/// state throws ``IntegrationError/nonFiniteState(_:)`` at once (fixed steps cannot retreat).
public struct FixedStep: StepSizeController, Equatable {
    /// Step magnitude (time units, `> 0`).
    public var step: Double

    public init(_ step: Double) { self.step = step }

    public func stepControl(methodName: String, errorEstimatorOrder: Int?) throws(IntegrationError) -> StepControl {
        guard step.isFinite, step > 0 else { throw .invalidStepSize(name: "step", value: step) }
        return StepControl(.fixed(step: step))
    }
}
