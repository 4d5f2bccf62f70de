import Fluids
import Foundation

/// The 1-D Burgers control benchmark of the Wavelet Diffusion Neural Operator (after the setup
/// of "Solving PDE-constrained control problems using operator learning", as in the reference
/// generator): `u_t + u u_x = ν u_xx + f(t, x)` on `[0, 1]` with `u = 0` at both walls, `ν = 0.01`,
/// over `T = 8`; `u` recorded at `intervals + 1` times `kT/intervals` and the control `f` constant
/// on each of the `intervals` time intervals, both on `points` interior points
/// `x_m = (m + 1)/(points + 1)`.
///
/// The simulator is ``DirichletBurgers`` (sine-spectral, ETDRK4) with `solverModes` modes and
/// steps of at most `solverStep`; the control is applied to it exactly as the data file holds it
/// (piecewise constant in time, linear between the data points in space, zero at the walls), so a
/// control proposed on the data grid is re-simulated with the same forcing the data saw.
public struct BurgersControlSetup: Sendable, Equatable {
    /// Kinematic viscosity ν.
    public var viscosity: Double
    /// Time span `T`.
    public var duration: Double
    /// Control intervals (rows of `f`); `u` has one row more.
    public var intervals: Int
    /// Interior data points per row.
    public var points: Int
    /// Sine modes of the simulator.
    public var solverModes: Int
    /// Largest ETDRK4 step of the simulator.
    public var solverStep: Double

    /// The paper's grid (81 × 120 for `u`, 80 × 120 for `f`) with a simulator of 255 modes and
    /// steps of 1/1600.
    public init(viscosity: Double = 0.01, duration: Double = 8, intervals: Int = 80, points: Int = 120,
                solverModes: Int = 255, solverStep: Double = 1.0 / 1600) {
        self.viscosity = viscosity
        self.duration = duration
        self.intervals = intervals
        self.points = points
        self.solverModes = solverModes
        self.solverStep = solverStep
    }

    /// The data points `x_m = (m + 1)/(points + 1)`.
    public var pointPositions: [Double] { (0..<points).map { Double($0 + 1) / Double(points + 1) } }
    /// The recording times `kT/intervals`, `k = 0…intervals`.
    public var times: [Double] { (0...intervals).map { Double($0) * duration / Double(intervals) } }
    /// Length of one control interval.
    public var interval: Double { duration / Double(intervals) }

    /// The simulator of this setup (one per thread).
    public func makeSimulator() throws -> DirichletBurgers {
        try DirichletBurgers(modes: solverModes, viscosity: viscosity)
    }

    /// Simulates from `initial` (values at the data points) under the control `control`
    /// (`intervals × points`, row-major): `u` at the recording times on the data points,
    /// `(intervals + 1) × points` row-major.
    ///
    /// - Throws: ``WaveletDiffusionError/invalidShape(_:)`` for arrays of the wrong size,
    ///   ``FluidsError`` / ``IntegrationError`` from the simulator.
    public func simulate(initial: [Double], control: [Double], with simulator: DirichletBurgers) throws -> [Double] {
        guard initial.count == points else {
            throw WaveletDiffusionError.invalidShape("initial state: \(initial.count) values, the setup has \(points) points")
        }
        guard control.count == intervals * points else {
            throw WaveletDiffusionError.invalidShape("control: \(control.count) values, the setup needs \(intervals) x \(points) = \(intervals * points)")
        }
        let x = pointPositions
        let solverPoints = simulator.points
        let initialOnSolverGrid = interpolate(initial, from: x, to: solverPoints)
        let rows = (0..<intervals).map { k in
            interpolate(Array(control[(k * points)..<((k + 1) * points)]), from: x, to: solverPoints)
        }
        let trajectory = try simulator.solve(initial: try simulator.coefficients(ofValues: initialOnSolverGrid),
                                             piecewiseForcing: rows, interval: interval, step: solverStep, at: x)
        return trajectory.values
    }
}

/// Piecewise-linear interpolation of `values` given at increasing `nodes` inside (0, 1), extended
/// by zero at the walls `x = 0` and `x = 1`, evaluated at `targets`.
func interpolate(_ values: [Double], from nodes: [Double], to targets: [Double]) -> [Double] {
    let xs = [0.0] + nodes + [1.0], ys = [0.0] + values + [0.0]
    var j = 0
    return targets.map { x in
        while j + 2 < xs.count && xs[j + 1] < x { j += 1 }
        while j > 0 && xs[j] > x { j -= 1 }
        let w = (x - xs[j]) / (xs[j + 1] - xs[j])
        return (1 - w) * ys[j] + w * ys[j + 1]
    }
}

/// The transpose of ``interpolate(_:from:to:)``: values at `targets` summed back onto `nodes`
/// with the interpolation weights (the wall values, fixed at zero, receive nothing).
func interpolateTransposed(_ values: [Double], from nodes: [Double], to targets: [Double]) -> [Double] {
    let xs = [0.0] + nodes + [1.0]
    var out = [Double](repeating: 0, count: xs.count)
    var j = 0
    for (t, x) in targets.enumerated() {
        while j + 2 < xs.count && xs[j + 1] < x { j += 1 }
        while j > 0 && xs[j] > x { j -= 1 }
        let w = (x - xs[j]) / (xs[j + 1] - xs[j])
        out[j] += (1 - w) * values[t]
        out[j + 1] += w * values[t]
    }
    return Array(out[1..<(out.count - 1)])
}

extension BurgersControlSetup {
    /// The classical optimum the learned controls are measured against: gradient descent (Adam on
    /// the control values, from `f = 0`) on `J = mean_x (u(T) − u_T*)² + w_f Σ f²`, the gradient of
    /// the first term from the solver's adjoint (``DirichletBurgers/adjointGradient(initial:piecewiseForcing:interval:step:target:targetPoints:)``).
    ///
    /// - Returns: the best control found (`intervals × points`), its `J_actual` and energy.
    public func optimalControl(initial: [Double], target: [Double], energyWeight: Double, iterations: Int, learningRate: Double,
                               with simulator: DirichletBurgers) throws -> (control: [Double], actualCost: Double, energy: Double) {
        guard initial.count == points, target.count == points else {
            throw WaveletDiffusionError.invalidShape("optimal control: initial \(initial.count) and target \(target.count) values, expected \(points)")
        }
        let x = pointPositions, solverPoints = simulator.points
        let initialCoefficients = try simulator.coefficients(ofValues: interpolate(initial, from: x, to: solverPoints))
        var control = [Double](repeating: 0, count: intervals * points)
        var (m, v) = (control, control)
        var best = (control: control, actualCost: Double.infinity, energy: 0.0, total: Double.infinity)
        for iteration in 0...iterations {
            let rows = (0..<intervals).map { k in interpolate(Array(control[(k * points)..<((k + 1) * points)]), from: x, to: solverPoints) }
            let (_, actual, gradientRows) = try simulator.adjointGradient(initial: initialCoefficients, piecewiseForcing: rows, interval: interval,
                                                                          step: solverStep, target: target, targetPoints: x)
            let energy = control.reduce(0) { $0 + $1 * $1 }
            if actual + energyWeight * energy < best.total { best = (control, actual, energy, actual + energyWeight * energy) }
            guard iteration < iterations else { break }
            var gradient = (0..<intervals).flatMap { interpolateTransposed(gradientRows[$0], from: x, to: solverPoints) }
            for i in gradient.indices { gradient[i] += 2 * energyWeight * control[i] }
            // Adam (β = 0.9, 0.999).
            let t = Double(iteration + 1)
            for i in control.indices {
                m[i] = 0.9 * m[i] + 0.1 * gradient[i]
                v[i] = 0.999 * v[i] + 0.001 * gradient[i] * gradient[i]
                let (mHat, vHat) = (m[i] / (1 - pow(0.9, t)), v[i] / (1 - pow(0.999, t)))
                control[i] -= learningRate * mHat / (vHat.squareRoot() + 1e-12)
            }
        }
        return (best.control, best.actualCost, best.energy)
    }
}
