import Foundation

/// The sinusoidal embedding of a time (or noise level) used to condition networks on t
/// (Vaswani et al. 2017; Ho et al. 2020):
///
///     e(t) = [sin(t·ω₀), …, sin(t·ω_{h−1}), cos(t·ω₀), …, cos(t·ω_{h−1})],   ωₖ = maxPeriod^(−k/h),
///
/// with `h = dimension / 2`, `scale` multiplying t first. An input of shape `S` gives an output
/// of shape `S + [dimension]` (so times `[B]` give `[B, dimension]`). No parameters; the
/// gradient with respect to t is recorded (∂e/∂t = [ωₖ cos(tωₖ), −ωₖ sin(tωₖ)]·scale).
/// Values are computed in `Double` and rounded once to `Scalar`.
public struct SinusoidalTimeEmbedding<Scalar: TensorScalar>: Layer {
    public var parameters = Parameters<Scalar>()
    public let dimension: Int
    public let maxPeriod: Double
    public let scale: Double

    /// `dimension` must be even and positive (a programmer error otherwise).
    public init(dimension: Int, maxPeriod: Double = 10_000, scale: Double = 1) {
        precondition(dimension > 0 && dimension % 2 == 0, "Tensors: the time embedding dimension must be even and positive, got \(dimension)")
        precondition(maxPeriod > 0, "Tensors: maxPeriod must be positive")
        self.dimension = dimension
        self.maxPeriod = maxPeriod
        self.scale = scale
    }

    /// The angular frequencies ω₀ … ω_{h−1}.
    public var frequencies: [Double] {
        let half = dimension / 2
        return (0..<half).map { Foundation.exp(-Foundation.log(maxPeriod) * Double($0) / Double(half)) }
    }

    public func callAsFunction(_ input: Variable<Scalar>, parameters _: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        let t = input.value
        let half = dimension / 2, omega = frequencies, s = scale
        var y = Tensor<Scalar>(shape: t.shape + [dimension])
        y.withUnsafeMutableBufferPointer { out in
            t.withUnsafeBufferPointer { times in
                for (i, ti) in times.enumerated() {
                    let ts = Double(ti) * s
                    for k in 0..<half {
                        out[i * dimension + k] = Scalar(Foundation.sin(ts * omega[k]))
                        out[i * dimension + half + k] = Scalar(Foundation.cos(ts * omega[k]))
                    }
                }
            }
        }
        let dim = dimension
        return .recording("timeEmbedding", value: y, inputs: [input]) { g, _ in
            var dt = Tensor<Scalar>(shape: t.shape)
            dt.withUnsafeMutableBufferPointer { d in
                t.withUnsafeBufferPointer { times in
                    g.withUnsafeBufferPointer { gp in
                        for (i, ti) in times.enumerated() {
                            let ts = Double(ti) * s
                            var acc = 0.0
                            for k in 0..<half {
                                let w = omega[k]
                                acc += w * (Double(gp[i * dim + k]) * Foundation.cos(ts * w)
                                            - Double(gp[i * dim + half + k]) * Foundation.sin(ts * w))
                            }
                            d[i] = Scalar(acc * s)
                        }
                    }
                }
            }
            return [dt]
        }
    }
}
