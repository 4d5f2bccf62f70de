import Randomness
import Tensors

/// Trains a ``TrafficNetwork`` on the training windows of a series, GRAM-ODE's recipe by default:
/// Smooth-L1 loss on the de-normalised forecast (masked where the truth is missing), AdamW,
/// the learning rate ×`decay` at the milestone epochs, batches of 64 windows reshuffled every
/// epoch (from the stream `(seed, epoch)`), and after every epoch the masked validation MAPE,
/// keeping the best weights and stopping after `patience` epochs without improvement.
///
/// Inputs are z-scored with the statistics of the training segment. A run resumed from
/// ``state`` continues bit for bit. Under `mpirun` every rank draws the same batch and computes
/// the windows at positions k mod size == rank (``distribution``).
public struct TrafficTrainer<Network: TrafficNetwork> {
    public var network: Network
    public var optimizer: AdamW<Float>
    public let series: TrafficSeries
    public let feature: Int
    public let windows: ForecastWindows
    public let scaler: StandardScaler
    public let batchSize: Int
    public let patience: Int
    public let seed: UInt64
    /// Epochs finished.
    public private(set) var epoch = 0
    /// The weights of the best validation MAPE so far, that MAPE and its epoch (1-based; 0: none yet).
    public private(set) var bestParameters: Parameters<Float>
    public private(set) var bestValidationMAPE = Double.infinity
    public private(set) var bestEpoch = 0
    public var distribution = DataParallelGroup()

    public init(network: Network, series: TrafficSeries, feature: Int = 0, windows: ForecastWindows, batchSize: Int = 64,
                learningRate: Double = 2e-4, weightDecay: Double = 1e-2, milestones: [Int] = [15, 50, 105, 145], decay: Double = 0.13,
                patience: Int = 30, seed: UInt64) throws {
        guard network.sensors == series.sensors else {
            throw TrafficODEError("", "the network forecasts \(network.sensors) sensors but the series has \(series.sensors)")
        }
        guard network.inputLength == windows.inputLength, network.horizon == windows.horizon else {
            throw TrafficODEError("", "the network maps \(network.inputLength) → \(network.horizon) steps but the windows are \(windows.inputLength) → \(windows.horizon)")
        }
        guard batchSize >= 1 else { throw TrafficODEError("", "batch size \(batchSize) must be positive") }
        self.network = network
        self.series = series
        self.feature = feature
        self.windows = windows
        scaler = try StandardScaler(fitting: series, feature: feature, steps: windows.segments[0])
        self.batchSize = batchSize
        self.patience = patience
        self.seed = seed
        let perEpoch = Self.batchCount(windows.windowStarts(in: .training).count, batchSize)
        optimizer = AdamW(schedule: .multiStep(initial: learningRate, milestones: milestones.map { $0 * perEpoch }, factor: decay),
                          weightDecay: weightDecay)
        bestParameters = network.parameters
    }

    static func batchCount(_ windows: Int, _ size: Int) -> Int { (windows + size - 1) / size }

    /// Updates in one epoch.
    public var batchesPerEpoch: Int { Self.batchCount(windows.windowStarts(in: .training).count, batchSize) }

    /// The training windows of `epoch` in the order they are batched.
    func shuffledStarts(epoch: Int) -> [Int] {
        var starts = windows.windowStarts(in: .training)
        var rng = Xoshiro256StarStar(seed: SplitMix64.derivedSeed(base: seed, index: epoch))
        for i in stride(from: starts.count - 1, to: 0, by: -1) { starts.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        return starts
    }

    /// The mean Smooth-L1 loss of a batch of windows and, when asked, its gradients.
    func lossAndGradients(starts: [Int], gradients: Bool) throws -> (Double, Parameters<Float>?) {
        let mine = distribution.share(of: starts.count).map { starts[$0] }
        // The loss is normalised by the whole batch's scored values, so the ranks' parts sum to it.
        var count = 0
        for start in starts {
            for k in 0..<windows.horizon {
                for s in 0..<series.sensors where series.value(time: start + windows.inputLength + k, sensor: s, feature: feature) != 0 { count += 1 }
            }
        }
        let scored = Float(max(count, 1))
        guard !mine.isEmpty else { return try distribution.sum(loss: 0, gradients: gradients ? network.parameters.zeros() : nil) }
        let batch = try TrafficWindowBatch(series: series, feature: feature, scaler: scaler, starts: mine,
                                           inputLength: windows.inputLength, horizon: windows.horizon)
        let tape = gradients ? Tape<Float>() : nil
        let p = tape.map { network.parameters.bind(to: $0) } ?? network.parameters.constants
        let z = try network.forecast(Variable(batch.history), parameters: p, training: true)
        let forecast = z * Float(scaler.deviation) + Float(scaler.mean)
        let shape = [batch.windows, batch.sensors, batch.horizon]
        let truth = Variable(try Tensor<Float>(shape: shape, scalars: batch.truth.map { Float($0) }))
        let mask = Variable(try Tensor<Float>(shape: shape, scalars: batch.truth.map { $0 != 0 ? 1 : 0 }))
        let loss = try forecast.smoothL1(to: truth, mask: mask) * (1 / scored)
        let value = Double(loss.value.scalar!)
        return try distribution.sum(loss: value, gradients: gradients ? p.gradients(from: try loss.backward()) : nil)
    }

    /// One epoch of updates; returns the mean batch loss.
    @discardableResult
    public mutating func trainEpoch(progress: ((Int, Double) -> Void)? = nil) throws -> Double {
        let starts = shuffledStarts(epoch: epoch)
        var total = 0.0, batches = 0
        for first in stride(from: 0, to: starts.count, by: batchSize) {
            let (value, gradients) = try lossAndGradients(starts: Array(starts[first..<min(first + batchSize, starts.count)]), gradients: true)
            guard value.isFinite, let gradients else {
                throw TrafficODEError("", "\(network.kind) epoch \(epoch + 1), batch \(batches + 1): the loss is \(value)")
            }
            var parameters = network.parameters
            try optimizer.update(&parameters, with: gradients)
            network.parameters = parameters
            total += value
            batches += 1
            progress?(batches, value)
        }
        epoch += 1
        return total / Double(max(batches, 1))
    }

    /// Scores weights on one segment's windows (the current ones unless given).
    public func errors(on segment: ForecastWindows.Segment, parameters: Parameters<Float>? = nil) throws -> ForecastErrors {
        var forecaster = LearnedForecaster(network: network, scaler: scaler)
        if let parameters { forecaster.network.parameters = parameters }
        return try forecaster.errors(on: series, windows: windows, segment: segment, feature: feature, batch: batchSize)
    }

    /// Records the validation MAPE of the epoch just finished; returns true when training should
    /// stop (no improvement for `patience` epochs).
    public mutating func recordValidation(mape: Double) -> Bool {
        if mape < bestValidationMAPE {
            bestValidationMAPE = mape
            bestEpoch = epoch
            bestParameters = network.parameters
        }
        return epoch - bestEpoch >= patience
    }

    /// Continues from a checkpoint: weights, optimizer state (its step gives the epoch), the best
    /// weights with their MAPE and epoch.
    public mutating func restore(parameters: Parameters<Float>, optimizer state: OptimizerState<Float>, best: Parameters<Float>,
                                 bestValidationMAPE: Double, bestEpoch: Int) throws {
        try parameters.checkMatches(network.parameters, role: "checkpoint", operation: "TrafficTrainer.restore")
        network.parameters = parameters
        try optimizer.restore(state)
        epoch = state.step / max(batchesPerEpoch, 1)
        bestParameters = best
        self.bestValidationMAPE = bestValidationMAPE
        self.bestEpoch = bestEpoch
    }
}

/// A trained network as a ``TrafficForecaster``: z-scores the history with the training
/// statistics, forecasts, and de-normalises. Asked for fewer steps than the network forecasts
/// (T-GCN's protocol at h < 12), it gives the first `horizon` of them.
public struct LearnedForecaster<Network: TrafficNetwork>: TrafficForecaster {
    public var network: Network
    public let scaler: StandardScaler

    public init(network: Network, scaler: StandardScaler) {
        self.network = network
        self.scaler = scaler
    }

    public var name: String { network.kind }

    public func forecast(_ series: TrafficSeries, feature: Int, starts: [Int], inputLength: Int, horizon: Int) throws -> [Double] {
        guard series.sensors == network.sensors, inputLength == network.inputLength, (1...network.horizon).contains(horizon) else {
            throw TrafficODEError("", "the \(network.kind) network maps \(network.sensors) sensors, \(network.inputLength) → \(network.horizon) steps; "
                + "asked for \(series.sensors) sensors, \(inputLength) → \(horizon)")
        }
        let trained = network.horizon
        let batch = try TrafficWindowBatch(series: series, feature: feature, scaler: scaler, starts: starts, inputLength: inputLength, horizon: 0)
        let z = try network.forecast(Variable(batch.history), parameters: network.parameters.constants, training: false).value.scalars
        // [B, N, H] → (window, horizon, sensor).
        let n = series.sensors
        var out = [Double](repeating: 0, count: starts.count * horizon * n)
        for b in 0..<starts.count {
            for s in 0..<n { for k in 0..<horizon { out[(b * horizon + k) * n + s] = scaler.unscale(Double(z[(b * n + s) * trained + k])) } }
        }
        return out
    }
}
