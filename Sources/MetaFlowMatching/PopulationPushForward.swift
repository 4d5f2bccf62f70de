import Integrators
import Transport

extension PopulationFlowModel {
    /// Pushes a source population (`count × d` values) along the learned field from t = 0 to 1:
    /// all points as one ODE system, solved by the integrator core's adaptive Dormand–Prince 5(4)
    /// (the paper's dopri5; its tolerances are 1e-4). Returns the points at t = 1 and the number
    /// of accepted steps.
    public func push(source: [Double], condition: [Float]?, tolerance: Tolerance = Tolerance(relative: 1e-4, absolute: 1e-4)) throws -> (points: [Double], steps: Int) {
        let d = configuration.dimension
        guard !source.isEmpty, source.count % d == 0 else {
            throw MetaFlowMatchingError.invalidArgument("push: \(source.count) coordinates are not points of dimension \(d)")
        }
        let model = self
        let constants = parameters.constants
        var failure: Error?
        let problem = ODEProblem(initial: source, timeSpan: 0...1) { t, y, dy in
            do {
                let v = try model.velocity(points: y.map { Float($0) }, time: t, condition: condition, constants: constants)
                for k in dy.indices { dy[k] = Double(v[k]) }
            } catch {
                failure = error
                for k in dy.indices { dy[k] = 0 }
            }
        }
        let solution = try solve(problem, using: DormandPrince5(), tolerance: tolerance, saveAt: .final)
        if let failure { throw failure }
        return (solution.final, solution.statistics.acceptedSteps)
    }
}

/// The paper's three distances between a predicted and a true population: exact W1 and W2 and
/// the RBF-kernel MMD (biased, averaged over γ ∈ {2, 1, 0.5, 0.1, 0.01, 0.005}).
public struct PopulationDistances: Sendable, Equatable {
    public var w1: Double
    public var w2: Double
    public var mmd: Double

    public init(w1: Double, w2: Double, mmd: Double) {
        self.w1 = w1
        self.w2 = w2
        self.mmd = mmd
    }

    /// The distances between two clouds of the same dimension (`count × dimension` values each).
    public init(predicted: [Double], truth: [Double], dimension: Int) throws {
        let x = try PointCloud(coordinates: predicted, dimension: dimension, role: "predicted")
        let y = try PointCloud(coordinates: truth, dimension: dimension, role: "true")
        self.init(w1: try WassersteinDistance.w1(x, y), w2: try WassersteinDistance.w2(x, y), mmd: try MaximumMeanDiscrepancy().squared(x, y))
    }

    /// The mean of several populations' distances.
    public static func mean(_ all: [PopulationDistances]) -> PopulationDistances {
        let n = Double(max(all.count, 1))
        return PopulationDistances(w1: all.reduce(0) { $0 + $1.w1 } / n, w2: all.reduce(0) { $0 + $1.w2 } / n,
                                   mmd: all.reduce(0) { $0 + $1.mmd } / n)
    }
}
