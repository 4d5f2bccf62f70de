import Foundation
import Tensors
import Testing
@testable import WaveletDiffusion

/// The FNO baseline at a miniature size (17 × 24 trajectories): its input channels, a training run
/// that beats persistence on held-out trajectories, bit-identical resumption, refusals.
@Suite struct FourierOperatorTests {
    static let setup = BurgersControlSetup(duration: 1.6, intervals: 16, points: 24, solverModes: 63, solverStep: 0.004)
    static let configuration = FourierNeuralOperatorConfiguration(inChannels: 4, outChannels: 1, width: 8, modesHeight: 4, modesWidth: 4,
                                                                  layers: 2, paddingHeight: 3, paddingWidth: 0, projectionWidth: 16)

    /// Simulated miniature trajectories (u 17 × 24, f 16 × 24).
    static let trajectories: [(state: [Double], control: [Double])] = {
        let simulator = try! setup.makeSimulator()
        return (0..<14).map { i in
            let draw = BurgersControlSample(seed: UInt64(200 + i))
            let control = draw.control(for: setup)
            return (try! setup.simulate(initial: draw.initialState(at: setup.pointPositions), control: control, with: simulator), control)
        }
    }()

    static func surrogate(seed: UInt64) throws -> FourierOperatorSurrogate {
        try FourierOperatorSurrogate(network: FourierNeuralOperator2D(configuration, seed: seed), rows: 17, points: 24, stateScale: 0.5, controlScale: 1)
    }

    @Test func inputChannelsHoldTheInitialStateControlAndCoordinates() throws {
        let s = try Self.surrogate(seed: 1)
        let (u, f) = Self.trajectories[0]
        let x = try s.encode(initial: Array(u.prefix(24)), control: f)
        let plane = 17 * 24
        #expect(x.count == 4 * plane)
        #expect(x[5 * 24 + 7] == Float(u[7] / 0.5))                   // u0 on every row
        #expect(x[plane + 3 * 24 + 2] == Float(f[3 * 24 + 2]))          // f on its row
        #expect(x[plane + 16 * 24 + 2] == 0)                            // the appended zero row
        #expect(x[2 * plane + 16 * 24] == 1 && x[3 * plane + 23] == 1)  // t and x coordinates end at 1
        let predicted = try s.predict(x, initialStates: [Array(u.prefix(24))])[0]
        #expect(predicted.count == plane && Array(predicted.prefix(24)) == Array(u.prefix(24)))
        #expect(throws: WaveletDiffusionError.self) { try s.encode(initial: [1, 2], control: f) }
        // A network that does not map 4 channels to 1, and one whose padded grid is odd.
        let wrong = FourierNeuralOperatorConfiguration(inChannels: 3, outChannels: 1, width: 4, modesHeight: 2, modesWidth: 2, layers: 1, paddingHeight: 1)
        #expect(throws: WaveletDiffusionError.self) {
            try FourierOperatorSurrogate(network: FourierNeuralOperator2D(wrong, seed: 0), rows: 17, points: 24, stateScale: 1, controlScale: 1)
        }
        var odd = Self.configuration
        odd.paddingHeight = 0
        #expect(throws: WaveletDiffusionError.self) {
            try FourierOperatorSurrogate(network: FourierNeuralOperator2D(odd, seed: 0), rows: 17, points: 24, stateScale: 1, controlScale: 1)
        }
    }

    @Test func trainingBeatsPersistenceAndResumesBitIdentically() throws {
        let training = Array(Self.trajectories.prefix(10)), held = Array(Self.trajectories.suffix(4))
        let schedule = LearningRateSchedule.cosine(peak: 5e-3, totalSteps: 150)
        var trainer = try FourierOperatorTrainer(surrogate: Self.surrogate(seed: 2), trajectories: training, batchSize: 5, schedule: schedule, seed: 3)
        var resumed: FourierOperatorTrainer?
        let first = try trainer.loss(at: 0)
        for step in 0..<150 {
            if step == 120 {
                var copy = try FourierOperatorTrainer(surrogate: Self.surrogate(seed: 9), trajectories: training, batchSize: 5, schedule: schedule, seed: 3)
                try copy.restore(parameters: trainer.surrogate.network.parameters, optimizer: trainer.optimizer.state)
                resumed = copy
            }
            try trainer.trainStep()
        }
        for _ in 120..<150 { try resumed!.trainStep() }
        #expect(resumed!.surrogate.network.parameters == trainer.surrogate.network.parameters)
        // Held-out mean squared error over t ≥ Δt, against persistence u(t) = u0.
        let s = trainer.surrogate
        var model = 0.0, persistence = 0.0
        for (u, f) in held {
            let u0 = Array(u.prefix(24))
            let p = try s.predict(try s.encode(initial: u0, control: f), initialStates: [u0])[0]
            for i in 24..<u.count {
                model += (p[i] - u[i]) * (p[i] - u[i])
                persistence += (u0[i % 24] - u[i]) * (u0[i % 24] - u[i])
            }
        }
        print("FNO (miniature): training loss \(first) -> \(try trainer.loss(at: 0)); held-out MSE \(model / Double(4 * 16 * 24)) vs persistence \(persistence / Double(4 * 16 * 24))")
        #expect(try trainer.loss(at: 0) < 0.3 * first)
        #expect(model < 0.5 * persistence)
    }
}
