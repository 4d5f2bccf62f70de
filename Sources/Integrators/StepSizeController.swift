/// How a solve chooses its step sizes: by error control (``PIController``, the default) or on a
/// fixed grid (``FixedStep``). Any controller combines with any method in
/// ``solve(_:using:tolerance:saveAt:controller:initialStep:maxStep:maxSteps:denseOutput:events:)``
/// (a method without an error estimator needs ``FixedStep``).
public protocol StepSizeController: Sendable {
    /// The controller checked and resolved for a method whose error estimator has order
    /// `errorEstimatorOrder` (`nil`: the method has none).
    func stepControl(methodName: String, errorEstimatorOrder: Int?) throws(IntegrationError) -> StepControl
    /// The controller resolved for a stochastic method whose error estimate scales like `h^k`,
    /// `k = stochasticErrorExponent` (1.5 for ``SRIW1`` and ``SRA1``). The default refuses.
    func stepControl(methodName: String, stochasticErrorExponent k: Double) throws(IntegrationError) -> StepControl
}

extension StepSizeController {
    public func stepControl(methodName: String, stochasticErrorExponent k: Double) throws(IntegrationError) -> StepControl {
        throw .invalidArgument("the step-size controller \(Self.self) cannot drive the stochastic method \(methodName)")
    }
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

    /// Exponents for an estimate scaling like `h^k` (non-integer `k` allowed): `β1 = 0.7/k`,
    /// `β2 = 0.4/k` unless given, rejection exponent `1/k`.
    public func stepControl(methodName: String, stochasticErrorExponent k: Double) throws(IntegrationError) -> StepControl {
        _ = try resolved(errorEstimatorOrder: 1)  // parameter validation
        guard k.isFinite, k > 0 else { throw .invalidArgument("method \(methodName): error exponent \(k) must be > 0") }
        return StepControl(.adaptive(PIController.Resolved(
            safety: safety, minFactor: minFactor, maxFactor: maxFactor,
            beta1: proportionalExponent ?? 0.7 / k, beta2: integralExponent ?? 0.4 / k, rejectExponent: 1 / k)))
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

    public func stepControl(methodName: String, stochasticErrorExponent k: Double) throws(IntegrationError) -> StepControl {
        try stepControl(methodName: methodName, errorEstimatorOrder: nil)
    }
}
