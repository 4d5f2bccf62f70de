import Tensors

/// The windows of a batch as tensors: the z-scored history `[B, N, T_in]` of one feature and the
/// readings to forecast `[B, N, H]` in the series' units (0 where missing).
public struct TrafficWindowBatch {
    public let history: Tensor<Float>
    public let truth: [Double]
    public let windows: Int
    public let sensors: Int
    public let horizon: Int

    public init(series: TrafficSeries, feature: Int, scaler: StandardScaler, starts: [Int], inputLength: Int, horizon: Int) throws {
        let n = series.sensors
        var history = [Float](repeating: 0, count: starts.count * n * inputLength)
        var truth = [Double](repeating: 0, count: starts.count * n * horizon)
        for (b, start) in starts.enumerated() {
            for s in 0..<n {
                for k in 0..<inputLength {
                    history[(b * n + s) * inputLength + k] = Float(scaler.scale(series.value(time: start + k, sensor: s, feature: feature)))
                }
                for k in 0..<horizon {
                    truth[(b * n + s) * horizon + k] = series.value(time: start + inputLength + k, sensor: s, feature: feature)
                }
            }
        }
        self.history = try Tensor(shape: [starts.count, n, inputLength], scalars: history)
        self.truth = truth
        windows = starts.count
        sensors = n
        self.horizon = horizon
    }

    /// The truth as `(window, horizon, sensor)` blocks, the layout of ``ForecastErrors/add(forecast:truth:sensors:)``.
    func horizonMajor(_ values: [Double], window b: Int) -> [Double] {
        var out = [Double](repeating: 0, count: horizon * sensors)
        for s in 0..<sensors { for k in 0..<horizon { out[k * sensors + s] = values[(b * sensors + s) * horizon + k] } }
        return out
    }
}

extension Variable where Scalar == Float {
    /// PyTorch's `SmoothL1Loss` (β = 1) summed over the entries where `mask` is 1:
    /// ½e² where |e| < 1, |e| − ½ elsewhere.
    func smoothL1(to target: Variable<Float>, mask: Variable<Float>) throws -> Variable<Float> {
        let a = try (self - target).abs()
        let excess = (a - 1).relu()
        let inside = try a - excess
        return try ((inside.squared() * 0.5 + excess) * mask).sum()
    }
}
