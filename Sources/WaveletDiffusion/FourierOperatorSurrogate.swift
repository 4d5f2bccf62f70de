import Tensors

/// The Fourier Neural Operator baseline of the Burgers simulation task: the whole trajectory
/// `u(t, x)` (`rows × points`) from `u0` and the control `f` in one evaluation of a 2-D FNO over
/// `(t, x)`, as the paper's FNO baseline maps the same inputs to the same output.
///
/// Input channels per grid point: `u0(x)/stateScale` (the same on every row), `f(t, x)/controlScale`
/// (one zero row appended, as ``WaveletChannels`` does), `t/(rows − 1)`, `x/(points − 1)`; the
/// output is `u/stateScale`, its first row replaced by the given `u0` when decoded.
public struct FourierOperatorSurrogate: Sendable {
    public var network: FourierNeuralOperator2D<Float>
    public let rows: Int
    public let points: Int
    /// Divisors of `u` and `f` (the training data's root mean squares).
    public let stateScale: Double
    public let controlScale: Double

    /// Input channels of the network.
    public static let inputChannels = 4

    /// - Throws: ``WaveletDiffusionError/invalidArgument(_:)`` when the network does not take
    ///   4 channels to 1 on this grid or a scale is not positive.
    public init(network: FourierNeuralOperator2D<Float>, rows: Int, points: Int, stateScale: Double, controlScale: Double) throws {
        let c = network.configuration
        guard c.inChannels == Self.inputChannels, c.outChannels == 1 else {
            throw WaveletDiffusionError.invalidArgument("the Burgers FNO maps \(Self.inputChannels) channels to 1, this one \(c.inChannels) to \(c.outChannels)")
        }
        guard rows >= 2, points >= 2, stateScale > 0, controlScale > 0 else {
            throw WaveletDiffusionError.invalidArgument("FNO surrogate: rows \(rows), points \(points), scales \(stateScale), \(controlScale)")
        }
        do { try c.validate(height: rows, width: points) } catch {
            throw WaveletDiffusionError.invalidArgument("FNO surrogate on \(rows) x \(points): \(error)")
        }
        (self.network, self.rows, self.points, self.stateScale, self.controlScale) = (network, rows, points, stateScale, controlScale)
    }

    /// Values of one input, `4 × rows × points`.
    public var inputSize: Int { Self.inputChannels * rows * points }

    /// The input channels of one trajectory.
    public func encode(initial u0: [Double], control f: [Double]) throws -> [Float] {
        guard u0.count == points, f.count == (rows - 1) * points else {
            throw WaveletDiffusionError.invalidShape("FNO input: u0 has \(u0.count) values (expected \(points)), f \(f.count) (expected \(rows - 1) x \(points))")
        }
        let plane = rows * points
        var out = [Float](repeating: 0, count: inputSize)
        for r in 0..<rows {
            for j in 0..<points {
                out[r * points + j] = Float(u0[j] / stateScale)
                if r < rows - 1 { out[plane + r * points + j] = Float(f[r * points + j] / controlScale) }
                out[2 * plane + r * points + j] = Float(Double(r) / Double(rows - 1))
                out[3 * plane + r * points + j] = Float(Double(j) / Double(points - 1))
            }
        }
        return out
    }

    /// The predicted trajectories `u` (`rows × points` each) of a batch of encoded inputs.
    public func predict(_ inputs: [Float], initialStates: [[Double]]) throws -> [[Double]] {
        let n = initialStates.count
        guard inputs.count == n * inputSize else {
            throw WaveletDiffusionError.invalidShape("FNO inputs: \(inputs.count) values for \(n) trajectories of \(inputSize)")
        }
        let x = try Tensor<Float>(shape: [n, Self.inputChannels, rows, points], scalars: inputs)
        let y = try network(x).scalars
        let plane = rows * points
        return (0..<n).map { k in
            var u = (0..<plane).map { Double(y[k * plane + $0]) * stateScale }
            for j in 0..<points { u[j] = initialStates[k][j] }
            return u
        }
    }
}
