import Randomness

/// A gated recurrent unit (Cho et al. 2014), as PyTorch's `GRUCell`: for input x `[B, in]` and
/// hidden state h `[B, hidden]`,
///
///     r = σ(x W_r + b_r + h U_r + c_r),   z = σ(x W_z + b_z + h U_z + c_z)
///     n = tanh(x W_n + b_n + r ⊙ (h U_n + c_n)),   h' = (1 − z) ⊙ n + z ⊙ h
///
/// The three input maps are one ``Linear`` `"input"` `[in, 3·hidden]` and the three hidden maps
/// one `"hidden"` `[hidden, 3·hidden]`, gates in the order r, z, n. ``step(_:hidden:parameters:)``
/// advances one time step; a sequence is a loop of steps on the same tape.
public struct GRUCell<Scalar: TensorScalar>: Sendable {
    public var input: Linear<Scalar>
    public var hiddenMap: Linear<Scalar>
    public let inputSize: Int
    public let hiddenSize: Int

    public init(inputSize: Int, hiddenSize: Int, seed: UInt64) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        input = Linear(inputSize: inputSize, outputSize: 3 * hiddenSize, seed: SplitMix64.derivedSeed(base: seed, index: 0))
        hiddenMap = Linear(inputSize: hiddenSize, outputSize: 3 * hiddenSize, seed: SplitMix64.derivedSeed(base: seed, index: 1))
    }

    /// `input.*` and `hidden.*`.
    public var parameters: Parameters<Scalar> {
        get {
            var all = input.parameters.prefixed("input")
            all.merge(hiddenMap.parameters.prefixed("hidden"))
            return all
        }
        set {
            input.parameters = newValue.scoped("input")
            hiddenMap.parameters = newValue.scoped("hidden")
        }
    }

    /// h' from x `[B, in]` and h `[B, hidden]`.
    public func step(_ x: Variable<Scalar>, hidden h: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        let gx = try input(x, parameters: p.scoped("input")), gh = try hiddenMap(h, parameters: p.scoped("hidden"))
        let k = hiddenSize
        let r = try (gx.sliced(axis: 1, 0..<k) + gh.sliced(axis: 1, 0..<k)).sigmoid()
        let z = try (gx.sliced(axis: 1, k..<(2 * k)) + gh.sliced(axis: 1, k..<(2 * k))).sigmoid()
        let n = try (gx.sliced(axis: 1, (2 * k)..<(3 * k)) + r * gh.sliced(axis: 1, (2 * k)..<(3 * k))).tanh()
        return try n + z * (h - n)
    }
}
