import Randomness
import Tensors

/// GRAM-ODE's temporal convolution network (TCN) on `[B, N, T, C]`: levels of causal
/// convolutions of kernel 2 along time with dilations 1, 2, 4, …, each
/// `y_t = ReLU(x_t W₀ + x_{t−d} W₁ + b)` (x before the series' start is 0, so T is kept), and a
/// residual path (a 1×1 map when the widths differ): out = ReLU(levels(x) + residual(x)).
/// Dropout is left out (the reference code's 0.2).
public struct CausalTemporalConvolution: Sendable {
    public let widths: [Int]
    var current: [Linear<Float>]
    var delayed: [Linear<Float>]
    var residual: Linear<Float>?

    /// `widths = [in, c₁, c₂, …]`: one level per output width.
    public init(widths: [Int], seed: UInt64) {
        self.widths = widths
        current = (1..<widths.count).map { Linear(inputSize: widths[$0 - 1], outputSize: widths[$0], seed: SplitMix64.derivedSeed(base: seed, index: 2 * $0)) }
        delayed = (1..<widths.count).map { Linear(inputSize: widths[$0 - 1], outputSize: widths[$0], bias: false, seed: SplitMix64.derivedSeed(base: seed, index: 2 * $0 + 1)) }
        residual = widths.first == widths.last ? nil : Linear(inputSize: widths.first!, outputSize: widths.last!, seed: SplitMix64.derivedSeed(base: seed, index: 0))
    }

    public var parameters: Parameters<Float> {
        get {
            var all = Parameters<Float>()
            for l in current.indices {
                all.merge(current[l].parameters.prefixed("\(l).current"))
                all.merge(delayed[l].parameters.prefixed("\(l).delayed"))
            }
            if let residual { all.merge(residual.parameters.prefixed("residual")) }
            return all
        }
        set {
            for l in current.indices {
                current[l].parameters = newValue.scoped("\(l).current")
                delayed[l].parameters = newValue.scoped("\(l).delayed")
            }
            residual?.parameters = newValue.scoped("residual")
        }
    }

    /// x delayed by d steps along axis 2 of `[B, N, T, C]`, zeros first.
    static func delay(_ x: Variable<Float>, by d: Int) throws -> Variable<Float> {
        let s = x.value.shape
        guard d < s[2] else { return Variable(Tensor<Float>(shape: s, repeating: 0)) }
        let zeros = Variable(Tensor<Float>(shape: [s[0], s[1], d, s[3]], repeating: 0))
        return try Variable.concatenate([zeros, x.sliced(axis: 2, 0..<(s[2] - d))], axis: 2)
    }

    public func callAsFunction(_ x: Variable<Float>, parameters p: ParameterVariables<Float>) throws -> Variable<Float> {
        var y = x
        for l in current.indices {
            let d = 1 << l
            y = try (current[l](y, parameters: p.scoped("\(l).current")) + delayed[l](Self.delay(y, by: d), parameters: p.scoped("\(l).delayed"))).relu()
        }
        let skip = try residual.map { try $0(x, parameters: p.scoped("residual")) } ?? x
        return try (y + skip).relu()
    }
}
