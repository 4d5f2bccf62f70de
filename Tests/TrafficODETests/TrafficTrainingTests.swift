import Foundation
import Testing
import Tensors
@testable import TrafficODE

/// Training on the real Los-loop week at miniature size: the first sensors, a narrow network, a few
/// epochs. The loss falls, the validation MAPE is recorded with the best weights, and a run resumed
/// from its state continues bit for bit.
@Suite struct TrafficTrainingTests {
    static func subset(_ sensors: Int) -> TrafficSeries {
        let full = try! TrafficSeries.readCSV(TrafficData.path("los-loop/los_speed.csv"))
        let values = (0..<full.timeSteps).flatMap { t in (0..<sensors).map { full.value(time: t, sensor: $0) } }
        return try! TrafficSeries(values: values, timeSteps: full.timeSteps, sensors: sensors, features: 1, sensorIDs: Array(full.sensorIDs.prefix(sensors)))
    }

    static func trainer<N: TrafficNetwork>(_ network: N, _ series: TrafficSeries) throws -> TrafficTrainer<N> {
        try TrafficTrainer(network: network, series: series, windows: ForecastWindows(timeSteps: series.timeSteps), batchSize: 64,
                           learningRate: 3e-3, milestones: [3], decay: 0.5, patience: 10, seed: 11)
    }

    @Test func gruLossFallsAndTheBestWeightsAreKept() throws {
        let series = Self.subset(6)
        var trainer = try Self.trainer(GRUEncoderDecoder(sensors: 6, width: 8, seed: 2), series)
        #expect(trainer.batchesPerEpoch == 19)   // 1,186 training windows in batches of 64
        let first = try trainer.trainEpoch()
        var last = first
        for _ in 0..<3 {
            last = try trainer.trainEpoch()
            _ = trainer.recordValidation(mape: try trainer.errors(on: .validation).metrics().mape)
        }
        #expect(last < 0.8 * first, "loss \(first) → \(last)")
        #expect(trainer.epoch == 4 && (2...4).contains(trainer.bestEpoch) && trainer.bestValidationMAPE.isFinite)
        let best = try trainer.errors(on: .validation, parameters: trainer.bestParameters).metrics().mape
        #expect(abs(best - trainer.bestValidationMAPE) < 1e-9)
    }

    @Test func resumedTrainingIsBitIdentical() throws {
        let series = Self.subset(4)
        var straight = try Self.trainer(GRUEncoderDecoder(sensors: 4, width: 6, seed: 3), series)
        try straight.trainEpoch()
        let (weights, state) = (straight.network.parameters, straight.optimizer.state)
        try straight.trainEpoch()
        var resumed = try Self.trainer(GRUEncoderDecoder(sensors: 4, width: 6, seed: 99), series)
        try resumed.restore(parameters: weights, optimizer: state, best: weights, bestValidationMAPE: .infinity, bestEpoch: 0)
        #expect(resumed.epoch == 1)
        try resumed.trainEpoch()
        #expect(resumed.network.parameters == straight.network.parameters)
    }
}
