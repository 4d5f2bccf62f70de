import Foundation
import Testing
import Tensors
@testable import TrafficODE

/// GRAM-ODE and the single-ODE baseline at miniature size: shapes, the derivative of the loss
/// along a random direction of all weights against central differences (Float32, so a loose
/// bound; the weights upstream of the ODEs' detached initial values held fixed), an adaptive solver choosing its own steps, and a short training run whose loss falls.
@Suite struct GRAMODETests {
    static let series = TrafficTrainingTests.subset(5)

    static func graphs() throws -> [String: SensorGraph] {
        let full = try SensorGraph.read(TrafficData.path("los-loop/los_adj.csv"), sensors: 207)
        let spatial = try SensorGraph(sensors: 5, weights: (0..<25).map { full.weights[($0 / 5) * 207 + $0 % 5] })
        let semantic = try SensorGraph.semantic(of: series, steps: 0..<1209, band: 6).graph
        return ["spatial": spatial, "semantic": semantic]
    }

    static func configuration(_ model: String) -> TrafficModelConfiguration {
        var c = TrafficModelConfiguration(model: model, sensors: 5)
        c.width = 4
        c.blocks = 1
        c.attentionWidth = 4
        return c
    }

    /// ⟨∇L, v⟩ on the tape against (L(θ + εv) − L(θ − εv)) / 2ε.
    static func directionalCheck<N: TrafficNetwork>(_ network: N, only: [String]? = nil, eps: Float = 2e-4) throws -> (taped: Double, numeric: Double) {
        let batch = try TrafficWindowBatch(series: series, feature: 0, scaler: StandardScaler(mean: 58, deviation: 12), starts: [100, 700],
                                           inputLength: 12, horizon: 12)
        func loss(_ parameters: Parameters<Float>, tape: Tape<Float>?) throws -> (Variable<Float>, ParameterVariables<Float>) {
            let p = tape.map { parameters.bind(to: $0) } ?? parameters.constants
            let y = try network.forecast(Variable(batch.history), parameters: p, training: true)
            return (try (y * y.sin0()).sum(), p)
        }
        var k: UInt64 = 0
        // The ODEs' initial values enter their fields as constants (x₀ detached, as the reference
        // code), so the weights before an ODE (the lift, the input TCN, the token attention) move
        // x₀ in the finite difference but not on the tape: the direction leaves them out.
        let direction = network.parameters.mapTensors { name, t in
            k += 1
            let upstream = name.hasPrefix("lift") || name.contains("tcn_in") || name.contains("tokens") || (only.map { groups in !groups.contains { name.contains($0) } } ?? false)
            return upstream ? Tensor<Float>(shape: t.shape, repeating: 0) : Tensor<Float>.randomNormal(shape: t.shape, standardDeviation: 1, seed: 500 + k)
        }
        let tape = Tape<Float>()
        let (l, p) = try loss(network.parameters, tape: tape)
        let g = p.gradients(from: try l.backward())
        let taped = zip(g, direction).reduce(0.0) { $0 + zip($1.0.tensor.scalars, $1.1.tensor.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        func shifted(_ sign: Float) throws -> Double {
            let moved = try network.parameters.mapTensors { name, t in try t + direction[name]! * sign * eps }
            return Double(try loss(moved, tape: nil).0.value.scalar!)
        }
        return (taped, (try shifted(1) - shifted(-1)) / Double(2 * eps))
    }

    @Test func residualForecastAddsTheLastReadingToTheSameNetwork() throws {
        var c = Self.configuration("graph-ode")
        let plain = try AnyTrafficNetwork(c, graphs: Self.graphs(), seed: 3)
        c.residual = true
        let residual = try AnyTrafficNetwork(c, graphs: Self.graphs(), seed: 3)
        #expect(try TrafficModelConfiguration.from(json: c.json()).residual == true)
        #expect(try TrafficModelConfiguration.from(json: #"{"model": "gru", "sensors": 5, "inputLength": 12, "horizon": 12, "width": 4, "branches": [], "blocks": 1, "edgeODE": false, "localODEs": false, "attentionWidth": 4, "solver": "Euler", "stepsPerUnitTime": 1, "tolerance": 0.001}"#).residual == nil)
        let batch = try TrafficWindowBatch(series: Self.series, feature: 0, scaler: StandardScaler(mean: 58, deviation: 12), starts: [100, 700],
                                           inputLength: 12, horizon: 12)
        let a = try plain.forecast(Variable(batch.history), parameters: plain.parameters.constants, training: false).value
        let b = try residual.forecast(Variable(batch.history), parameters: residual.parameters.constants, training: false).value
        #expect(a.shape == [2, 5, 12] && b.shape == a.shape)
        for w in 0..<2 { for s in 0..<5 { for h in 0..<12 {
            let last = batch.history.scalars[(w * 5 + s) * 12 + 11]
            #expect(abs(b.scalars[(w * 5 + s) * 12 + h] - a.scalars[(w * 5 + s) * 12 + h] - last) < 1e-6)
        } } }
    }

    @Test func gramODEForecastsEveryHorizonAndItsGradientIsRight() throws {
        let model = try GRAMODE(Self.configuration("gram-ode"), graphs: Self.graphs(), seed: 4)
        // The smooth paths (the clip's and the TCNs' ReLU kinks, and the layer norm of nearly
        // constant ReLU outputs, make Float32 differences of the others unreliable; the TCN is
        // checked alone below).
        let (taped, numeric) = try Self.directionalCheck(model, only: ["global_map", "input_map", "head", "ode.global", "ode.edge",
                                                                      "graph_correction", "time_w", "mix"])
        #expect(abs(taped - numeric) < 3e-2 * max(1, abs(numeric)), "taped \(taped), numeric \(numeric)")
        let forecaster = LearnedForecaster(network: model, scaler: StandardScaler(mean: 58, deviation: 12))
        #expect(try forecaster.forecast(Self.series, feature: 0, starts: [0, 1, 2], inputLength: 12, horizon: 12).count == 3 * 12 * 5)
    }

    @Test func graphODEGradientAndAnAdaptiveSolve() throws {
        var c = Self.configuration("graph-ode")
        let model = try GraphODE(c, graph: Self.graphs()["spatial"]!, seed: 5)
        let (taped, numeric) = try Self.directionalCheck(model)
        #expect(abs(taped - numeric) < 3e-2 * max(1, abs(numeric)), "taped \(taped), numeric \(numeric)")
        c.solver = "Tsit5"
        c.stepsPerUnitTime = 0
        c.tolerance = 1e-5
        var adaptive = try GraphODE(c, graph: Self.graphs()["spatial"]!, seed: 5)
        adaptive.parameters = model.parameters
        let x = Variable(Tensor<Float>.randomNormal(shape: [2, 5, 12], standardDeviation: 1, seed: 3))
        c.solver = "RK4"
        c.stepsPerUnitTime = 64
        let fine = try GraphODE(c, graph: Self.graphs()["spatial"]!, seed: 5)
        let a = try adaptive.forecast(x, parameters: model.parameters.constants, training: false).value
        let b = try fine.forecast(x, parameters: model.parameters.constants, training: false).value
        #expect(try a.maxAbsDifference(b) < 1e-3)
    }

    @Test func temporalConvolutionGradient() throws {
        let tcn = CausalTemporalConvolution(widths: [3, 4, 2, 5], seed: 8)
        let x = Tensor<Float>.randomNormal(shape: [2, 3, 12, 3], standardDeviation: 1, seed: 9)
        var k: UInt64 = 0
        let direction = tcn.parameters.mapTensors { _, t in k += 1; return Tensor<Float>.randomNormal(shape: t.shape, standardDeviation: 1, seed: 90 + k) }
        func loss(_ p: ParameterVariables<Float>) throws -> Variable<Float> { let y = try tcn(Variable(x), parameters: p); return try (y * y.sin0()).sum() }
        let tape = Tape<Float>()
        let p = tcn.parameters.bind(to: tape)
        let g = p.gradients(from: try loss(p).backward())
        let taped = zip(g, direction).reduce(0.0) { $0 + zip($1.0.tensor.scalars, $1.1.tensor.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
        func shifted(_ sign: Float) throws -> Double {
            Double(try loss(tcn.parameters.mapTensors { name, t in try t + direction[name]! * (sign * 2e-4) }.constants).value.scalar!)
        }
        let numeric = (try shifted(1) - shifted(-1)) / 4e-4
        #expect(abs(taped - numeric) < 3e-2 * max(1, abs(numeric)), "taped \(taped), numeric \(numeric)")
        // Causal: the output at step t depends on no later input.
        let changed = try x.mapTensorLast()
        let a = try tcn(Variable(x), parameters: tcn.parameters.constants).value, b = try tcn(Variable(changed), parameters: tcn.parameters.constants).value
        for t in 0..<11 { #expect(try a.sliced(axis: 2, t..<(t + 1)) == b.sliced(axis: 2, t..<(t + 1))) }
    }

    @Test func gramODELossFallsOnLosLoop() throws {
        var c = Self.configuration("gram-ode")
        c.branches = ["spatial"]
        var trainer = try TrafficTrainer(network: GRAMODE(c, graphs: Self.graphs(), seed: 6), series: Self.series,
                                         windows: ForecastWindows(timeSteps: 2016), batchSize: 64, learningRate: 3e-3, milestones: [], patience: 5, seed: 1)
        let first = try trainer.trainEpoch()
        let second = try trainer.trainEpoch()
        #expect(second < first, "\(first) → \(second)")
    }
}

extension Tensor where Scalar == Float {
    /// The same values with the last time step (axis 2) of `[B, N, T, C]` replaced.
    func mapTensorLast() throws -> Tensor<Float> {
        let s = shape
        return try Tensor(shape: s, scalars: scalars.indices.map { ($0 / s[3]) % s[2] == s[2] - 1 ? 7 : scalars[$0] })
    }
}

extension Variable where Scalar == Float {
    /// A fixed nonlinear weighting so the checked loss is not linear in the output.
    func sin0() -> Variable<Float> { Variable(try! Tensor(shape: value.shape, scalars: value.scalars.indices.map { Float(sin(Double($0) * 0.7)) })) }
}
