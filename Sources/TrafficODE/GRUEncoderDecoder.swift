import Randomness
import Tensors

/// The recurrent baseline: a GRU encoder–decoder shared by every sensor (no graph). The encoder
/// reads a sensor's z-scored history one step at a time; the decoder starts from the encoder's
/// state and the last reading, emits one step through a linear head and feeds it back, H times.
public struct GRUEncoderDecoder: TrafficNetwork {
    public let sensors: Int
    public let inputLength: Int
    public let horizon: Int
    public let width: Int
    var encoder: GRUCell<Float>
    var decoder: GRUCell<Float>
    var head: Linear<Float>

    public init(sensors: Int, inputLength: Int = 12, horizon: Int = 12, width: Int = 64, seed: UInt64) {
        self.sensors = sensors
        self.inputLength = inputLength
        self.horizon = horizon
        self.width = width
        encoder = GRUCell(inputSize: 1, hiddenSize: width, seed: SplitMix64.derivedSeed(base: seed, index: 0))
        decoder = GRUCell(inputSize: 1, hiddenSize: width, seed: SplitMix64.derivedSeed(base: seed, index: 1))
        head = Linear(inputSize: width, outputSize: 1, seed: SplitMix64.derivedSeed(base: seed, index: 2))
    }

    public var kind: String { "gru" }

    public var parameters: Parameters<Float> {
        get {
            var all = encoder.parameters.prefixed("encoder")
            all.merge(decoder.parameters.prefixed("decoder"))
            all.merge(head.parameters.prefixed("head"))
            return all
        }
        set {
            encoder.parameters = newValue.scoped("encoder")
            decoder.parameters = newValue.scoped("decoder")
            head.parameters = newValue.scoped("head")
        }
    }

    public func forecast(_ history: Variable<Float>, parameters p: ParameterVariables<Float>, training: Bool) throws -> Variable<Float> {
        let b = history.value.shape[0], n = history.value.shape[1]
        let rows = try history.reshaped([b * n, inputLength])
        var h = Variable(Tensor<Float>(shape: [b * n, width], repeating: 0))
        for k in 0..<inputLength { h = try encoder.step(rows.sliced(axis: 1, k..<(k + 1)), hidden: h, parameters: p.scoped("encoder")) }
        var previous = try rows.sliced(axis: 1, (inputLength - 1)..<inputLength)
        var outputs: [Variable<Float>] = []
        for _ in 0..<horizon {
            h = try decoder.step(previous, hidden: h, parameters: p.scoped("decoder"))
            previous = try head(h, parameters: p.scoped("head"))
            outputs.append(previous)
        }
        return try Variable.concatenate(outputs, axis: 1).reshaped([b, n, horizon])
    }
}
