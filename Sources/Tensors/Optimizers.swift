import Foundation

/// The resumable state of an optimizer: its kind, how many updates it has applied (which is
/// also the learning-rate schedule's position) and its per-parameter slots (`"m"` and `"v"` for
/// Adam, `"velocity"` for SGD with momentum), each a ``Parameters`` keyed by parameter name.
public struct OptimizerState<Scalar: TensorScalar>: Sendable, Equatable {
    public var kind: String
    public var step: Int
    public var slots: [String: Parameters<Scalar>]

    public init(kind: String, step: Int, slots: [String: Parameters<Scalar>]) {
        self.kind = kind
        self.step = step
        self.slots = slots
    }
}

/// A first-order optimizer that updates ``Parameters`` in place from gradients of the same
/// names and shapes, keeping its state per parameter name.
///
/// `update` throws (naming the parameter) when the gradients do not match the parameters, or
/// the restored state does not match them. Updates run serially in parameter order, elementwise
/// in the parameter's precision, so they are deterministic.
public protocol Optimizer<Scalar> {
    associatedtype Scalar: TensorScalar
    /// A short name stored in checkpoints: `"sgd"`, `"adam"`, `"adamw"`.
    var kind: String { get }
    /// The learning rate as a function of ``step``.
    var schedule: LearningRateSchedule { get set }
    /// The number of updates applied so far.
    var step: Int { get }
    /// Applies one update and advances ``step``.
    mutating func update(_ parameters: inout Parameters<Scalar>, with gradients: Parameters<Scalar>) throws
    /// Everything needed to continue bit-identically.
    var state: OptimizerState<Scalar> { get }
    /// Replaces the state (after a checkpoint load); throws if it belongs to another kind of optimizer.
    mutating func restore(_ state: OptimizerState<Scalar>) throws
}

extension Optimizer {
    /// The rate the next update will use.
    public var learningRate: Double { schedule.rate(at: step) }
}

extension Parameters {
    /// Scales every tensor by `maxNorm / ‖·‖` when the global L2 norm over all of them exceeds
    /// `maxNorm` (gradient-norm clipping), and returns the norm before clipping. A non-finite
    /// norm leaves the tensors untouched (check the returned value to skip such a step).
    @discardableResult
    public mutating func clipNorm(to maxNorm: Double) -> Double {
        precondition(maxNorm > 0, "Tensors: the clipping norm must be positive, got \(maxNorm)")
        let total = norm
        guard total.isFinite, total > maxNorm else { return total }
        let factor = Scalar(maxNorm / total)
        for name in names { mutate(name) { $0 = $0 * factor } }
        return total
    }

    /// Runs `body` on the tensor called `name` in place. Traps if absent (internal use).
    mutating func mutate(_ name: String, _ body: (inout Tensor<Scalar>) throws -> Void) rethrows {
        var t = self[name]!
        self[name] = Tensor.zeros([])     // drop this collection's reference so `t` is unique
        try body(&t)
        self[name] = t
    }
}

func checkState<Scalar>(_ state: OptimizerState<Scalar>, kind: String, slots expected: [String]) throws {
    guard state.kind == kind else {
        throw TensorError.invalidArgument(operation: "\(kind) restore",
                                          message: "the state belongs to a '\(state.kind)' optimizer, not '\(kind)'")
    }
    guard state.step >= 0 else {
        throw TensorError.invalidArgument(operation: "\(kind) restore", message: "negative step count \(state.step)")
    }
    guard state.slots.isEmpty || Set(state.slots.keys) == Set(expected) else {
        throw TensorError.invalidArgument(operation: "\(kind) restore",
                                          message: "slots \(state.slots.keys.sorted()) do not match the expected \(expected)")
    }
}

/// Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay, as
/// PyTorch's `SGD` without dampening:
///
///     g ← g + λθ;   v ← μv + g;   θ ← θ − lr·(nesterov ? g + μv : v)
///
/// (`v` starts at zero, so the first velocity is `g`).
public struct SGD<Scalar: TensorScalar>: Optimizer {
    public var schedule: LearningRateSchedule
    public let momentum: Double
    public let nesterov: Bool
    public let weightDecay: Double
    public private(set) var step = 0
    var velocity = Parameters<Scalar>()

    public var kind: String { "sgd" }

    public init(learningRate: Double, momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
        self.init(schedule: .constant(learningRate), momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
    }

    public init(schedule: LearningRateSchedule, momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) {
        self.schedule = schedule
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public mutating func update(_ parameters: inout Parameters<Scalar>, with gradients: Parameters<Scalar>) throws {
        try parameters.checkMatches(gradients, role: "gradients", operation: "SGD update")
        if momentum != 0 {
            if velocity.isEmpty { velocity = parameters.zeros() }
            try parameters.checkMatches(velocity, role: "SGD velocity state", operation: "SGD update")
        }
        let lr = Scalar(learningRate), mu = Scalar(momentum), wd = Scalar(weightDecay)
        let useMomentum = momentum != 0, nesterov = self.nesterov
        for name in parameters.names {
            let g = gradients[name]!
            var v = velocity[name] ?? Tensor.zeros([])
            if useMomentum { velocity[name] = Tensor.zeros([]) }
            parameters.mutate(name) { theta in
                theta.withUnsafeMutableBufferPointer { p in
                    g.withUnsafeBufferPointer { gp in
                        if useMomentum {
                            v.withUnsafeMutableBufferPointer { vp in
                                sgdMomentumKernel(p.baseAddress!, gp.baseAddress!, vp.baseAddress!, p.count,
                                                  lr: lr, mu: mu, wd: wd, nesterov: nesterov)
                            }
                        } else {
                            for i in 0..<p.count { p[i] -= lr * (gp[i] + wd * p[i]) }
                        }
                    }
                }
            }
            if useMomentum { velocity[name] = v }
        }
        step += 1
    }

    public var state: OptimizerState<Scalar> {
        OptimizerState(kind: kind, step: step, slots: velocity.isEmpty ? [:] : ["velocity": velocity])
    }

    public mutating func restore(_ state: OptimizerState<Scalar>) throws {
        try checkState(state, kind: kind, slots: ["velocity"])
        step = state.step
        velocity = state.slots["velocity"] ?? Parameters()
    }
}

@specialized(where T == Float)
@specialized(where T == Double)
func sgdMomentumKernel<T: TensorScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ v: UnsafeMutablePointer<T>,
                                        _ n: Int, lr: T, mu: T, wd: T, nesterov: Bool) {
    for i in 0..<n {
        let gi = g[i] + wd * p[i]
        v[i] = mu * v[i] + gi
        p[i] -= lr * (nesterov ? gi + mu * v[i] : v[i])
    }
}

/// Adam (Kingma & Ba 2015) with optional L2 weight decay added to the gradient, computed as
/// PyTorch's `Adam` does. At update t = step + 1 with rate lr = schedule(step):
///
///     g ← g + λθ                       (L2 decay, `weightDecay` λ; 0 by default)
///     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
///     θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// which is θ − lr·m̂/(√v̂ + ε) with the bias-corrected moments m̂, v̂. The bias corrections are
/// computed in `Double`; the elementwise arithmetic runs in the parameters' precision.
public struct Adam<Scalar: TensorScalar>: Optimizer {
    public var schedule: LearningRateSchedule
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Double
    /// Whether the weight decay is decoupled (``AdamW``) rather than added to the gradient.
    let decoupled: Bool
    public private(set) var step = 0
    var m = Parameters<Scalar>()
    var v = Parameters<Scalar>()

    public var kind: String { decoupled ? "adamw" : "adam" }

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0) {
        self.init(schedule: .constant(learningRate), beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    public init(schedule: LearningRateSchedule, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0) {
        self.init(schedule: schedule, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: false)
    }

    init(schedule: LearningRateSchedule, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double, decoupled: Bool) {
        self.schedule = schedule
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
    }

    public mutating func update(_ parameters: inout Parameters<Scalar>, with gradients: Parameters<Scalar>) throws {
        let operation = "\(decoupled ? "AdamW" : "Adam") update"
        try parameters.checkMatches(gradients, role: "gradients", operation: operation)
        if m.isEmpty && v.isEmpty {
            m = parameters.zeros()
            v = parameters.zeros()
        }
        try parameters.checkMatches(m, role: "first-moment state", operation: operation)
        try parameters.checkMatches(v, role: "second-moment state", operation: operation)
        let t = Double(step + 1), lr = learningRate
        let coefficients = AdamCoefficients<Scalar>(
            beta1: Scalar(beta1), oneMinusBeta1: Scalar(1 - beta1), beta2: Scalar(beta2), oneMinusBeta2: Scalar(1 - beta2),
            stepSize: Scalar(lr / (1 - Foundation.pow(beta1, t))),
            sqrtCorrection2: Scalar((1 - Foundation.pow(beta2, t)).squareRoot()),
            epsilon: Scalar(epsilon),
            l2: decoupled ? 0 : Scalar(weightDecay),
            decay: decoupled ? Scalar(1 - lr * weightDecay) : 1)
        for name in parameters.names {
            let g = gradients[name]!
            var mt = m[name]!, vt = v[name]!
            m[name] = Tensor.zeros([])
            v[name] = Tensor.zeros([])
            parameters.mutate(name) { theta in
                theta.withUnsafeMutableBufferPointer { p in
                    g.withUnsafeBufferPointer { gp in
                        mt.withUnsafeMutableBufferPointer { mp in
                            vt.withUnsafeMutableBufferPointer { vp in
                                adamKernel(p.baseAddress!, gp.baseAddress!, mp.baseAddress!, vp.baseAddress!, p.count, coefficients)
                            }
                        }
                    }
                }
            }
            m[name] = mt
            v[name] = vt
        }
        step += 1
    }

    public var state: OptimizerState<Scalar> {
        OptimizerState(kind: kind, step: step, slots: m.isEmpty ? [:] : ["m": m, "v": v])
    }

    public mutating func restore(_ state: OptimizerState<Scalar>) throws {
        try checkState(state, kind: kind, slots: ["m", "v"])
        step = state.step
        m = state.slots["m"] ?? Parameters()
        v = state.slots["v"] ?? Parameters()
    }
}

/// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay, as PyTorch's `AdamW`.
/// At update t = step + 1 with rate lr = schedule(step):
///
///     θ ← θ·(1 − lr·λ)
///     m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
///     θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
///
/// The decay scales with the scheduled rate and does not enter the moments (unlike
/// ``Adam``'s L2 `weightDecay`). Checkpoints record it as kind `"adamw"`.
public struct AdamW<Scalar: TensorScalar>: Optimizer {
    var base: Adam<Scalar>

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 1e-2) {
        self.init(schedule: .constant(learningRate), beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    public init(schedule: LearningRateSchedule, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 1e-2) {
        base = Adam(schedule: schedule, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }

    public var kind: String { base.kind }
    public var schedule: LearningRateSchedule {
        get { base.schedule }
        set { base.schedule = newValue }
    }
    public var beta1: Double { base.beta1 }
    public var beta2: Double { base.beta2 }
    public var epsilon: Double { base.epsilon }
    public var weightDecay: Double { base.weightDecay }
    public var step: Int { base.step }
    public var state: OptimizerState<Scalar> { base.state }

    public mutating func update(_ parameters: inout Parameters<Scalar>, with gradients: Parameters<Scalar>) throws {
        try base.update(&parameters, with: gradients)
    }

    public mutating func restore(_ state: OptimizerState<Scalar>) throws {
        try base.restore(state)
    }
}

struct AdamCoefficients<T: TensorScalar> {
    let beta1, oneMinusBeta1, beta2, oneMinusBeta2, stepSize, sqrtCorrection2, epsilon, l2, decay: T
}

@specialized(where T == Float)
@specialized(where T == Double)
func adamKernel<T: TensorScalar>(_ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ m: UnsafeMutablePointer<T>,
                                 _ v: UnsafeMutablePointer<T>, _ n: Int, _ c: AdamCoefficients<T>) {
    for i in 0..<n {
        let gi = g[i] + c.l2 * p[i]
        m[i] = c.beta1 * m[i] + c.oneMinusBeta1 * gi
        v[i] = c.beta2 * v[i] + c.oneMinusBeta2 * gi * gi
        let theta = c.decay * p[i]
        p[i] = theta - c.stepSize * (m[i] / (v[i].squareRoot() / c.sqrtCorrection2 + c.epsilon))
    }
}
