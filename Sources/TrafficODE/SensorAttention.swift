import Foundation
import Randomness
import Tensors

/// Multi-head self-attention across the sensors of `[B, N, D]`: for each head h, softmax over
/// sensors j of ⟨q_hi, k_hj⟩/√d_k weights the values v_hj; output `[B, N, heads · d_v]`. GRAM-ODE
/// uses it twice: to compress a block's input into temporal tokens (the local ODEs' states) and
/// as the output head, one head of value width 1 per forecast horizon.
struct SensorAttention: Sendable {
    let heads: Int
    let keyWidth: Int
    let valueWidth: Int
    var query: Linear<Float>
    var key: Linear<Float>
    var value: Linear<Float>

    init(inputWidth: Int, heads: Int, keyWidth: Int, valueWidth: Int, seed: UInt64) {
        (self.heads, self.keyWidth, self.valueWidth) = (heads, keyWidth, valueWidth)
        query = Linear(inputSize: inputWidth, outputSize: heads * keyWidth, seed: SplitMix64.derivedSeed(base: seed, index: 0))
        key = Linear(inputSize: inputWidth, outputSize: heads * keyWidth, seed: SplitMix64.derivedSeed(base: seed, index: 1))
        value = Linear(inputSize: inputWidth, outputSize: heads * valueWidth, seed: SplitMix64.derivedSeed(base: seed, index: 2))
    }

    var parameters: Parameters<Float> {
        get {
            var all = query.parameters.prefixed("query")
            all.merge(key.parameters.prefixed("key"))
            all.merge(value.parameters.prefixed("value"))
            return all
        }
        set {
            query.parameters = newValue.scoped("query")
            key.parameters = newValue.scoped("key")
            value.parameters = newValue.scoped("value")
        }
    }

    func callAsFunction(_ x: Variable<Float>, parameters p: ParameterVariables<Float>) throws -> Variable<Float> {
        let b = x.value.shape[0], n = x.value.shape[1]
        func split(_ y: Variable<Float>, _ width: Int) throws -> Variable<Float> { try y.reshaped([b, n, heads, width]).permuted([0, 2, 1, 3]) }
        let q = try split(query(x, parameters: p.scoped("query")), keyWidth)
        let k = try split(key(x, parameters: p.scoped("key")), keyWidth)
        let v = try split(value(x, parameters: p.scoped("value")), valueWidth)
        let weights = try (q.matmul(k.transposed(2, 3)) * Float(1 / Double(keyWidth).squareRoot())).softmax(axis: 3)   // [B, H, N, N]
        return try weights.matmul(v).permuted([0, 2, 1, 3]).reshaped([b, n, heads * valueWidth])
    }
}
