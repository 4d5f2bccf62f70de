import Foundation
import Integrators
import Spectral

/// Forced viscous Burgers between walls,
///
///     ∂u/∂t + u ∂u/∂x = ν ∂²u/∂x² + f(t, x),   x ∈ [0, 1],   u(t, 0) = u(t, 1) = 0,
///
/// pseudo-spectral in the sine basis `u = Σ_{k=1}^{n} b_k(t) sin(kπx)` (FFTW's RODFT00 between
/// the coefficients and the `n` interior points `x_j = j/(n + 1)`), the product `u ∂u/∂x` formed on
/// the points with the 2/3 rule (modes `k ≤ 2(n + 1)/3` kept), stepped by the integrator core's
/// ``ETDRK4`` through the one driver (diffusion `−ν(kπ)²` exactly, advection and forcing
/// explicitly). The setup of the Wavelet Diffusion Neural Operator's 1-D Burgers benchmark
/// (ν = 0.01 there).
///
/// State: the `n` sine coefficients `b_1…b_n`. Not for concurrent use (one instance per thread:
/// it holds FFTW plans and buffers).
public final class DirichletBurgers: @unchecked Sendable {
    /// Sine modes (= interior points) `n`.
    public let modes: Int
    /// Kinematic viscosity ν (length²/time, the domain has length 1).
    public let viscosity: Double
    let transform: SineTransform
    /// 1 for modes kept by the 2/3 rule.
    let kept: [Double]

    /// - Throws: ``FluidsError/invalidArgument(_:)`` for `modes < 3` or a viscosity that is not
    ///   finite and positive.
    public init(modes: Int, viscosity: Double) throws {
        guard modes >= 3 else { throw FluidsError.invalidArgument("DirichletBurgers: modes must be >= 3, got \(modes)") }
        guard viscosity.isFinite, viscosity > 0 else {
            throw FluidsError.invalidArgument("DirichletBurgers: viscosity must be finite and > 0, got \(viscosity)")
        }
        self.modes = modes
        self.viscosity = viscosity
        transform = SineTransform(count: modes)
        let cutoff = 2.0 * Double(modes + 1) / 3
        kept = (1...modes).map { Double($0) <= cutoff ? 1 : 0 }
    }

    /// The interior points `x_j = j/(n + 1)`.
    public var points: [Double] { transform.points }

    /// The stiff linear part `−ν (kπ)²` of each coefficient.
    public var linear: [Double] { (1...modes).map { -viscosity * pow(Double($0) * Double.pi, 2) } }

    /// Sine coefficients of a profile given at the interior points.
    public func coefficients(ofValues values: [Double]) throws -> [Double] {
        guard values.count == modes else {
            throw FluidsError.invalidArgument("DirichletBurgers: \(values.count) values given, the grid has \(modes) interior points")
        }
        return transform.coefficients(of: values)
    }

    /// Sine coefficients of `profile(x)` sampled at the interior points.
    public func coefficients(of profile: (Double) -> Double) -> [Double] {
        transform.coefficients(of: points.map(profile))
    }

    /// The right-hand side `db/dt = −ν(kπ)² b + P[−u u_x + f]` (P: the sine projection, with
    /// the 2/3 rule), for the integrator core. `forcing(t, x)` is evaluated at the interior points.
    public func rightHandSide(forcing: (@Sendable (Double, Double) -> Double)? = nil) -> ODEFunction {
        let x = points
        return rightHandSide(gridForce: forcing.map { f in { t, j in f(t, x[j]) } }, forceCoefficients: nil)
    }

    /// `db/dt` with the force given at the interior points (`gridForce(t, j)`, projected with the
    /// product) or by its filtered sine coefficients (added as they are).
    func rightHandSide(gridForce: ((Double, Int) -> Double)?, forceCoefficients force: [Double]?) -> ODEFunction {
        let n = modes, transform = self.transform, kept = self.kept, linear = self.linear
        var filtered = [Double](repeating: 0, count: n), u = filtered, du = filtered, product = filtered, projected = filtered
        return { t, b, db in
            for k in 0..<n { filtered[k] = b[k] * kept[k] }
            filtered.withUnsafeBufferPointer { f in
                transform.values(of: f.baseAddress!, into: &u)
                transform.derivativeValues(of: f.baseAddress!, into: &du)
            }
            for j in 0..<n { product[j] = -u[j] * du[j] + (gridForce?(t, j) ?? 0) }
            product.withUnsafeBufferPointer { p in transform.coefficients(of: p.baseAddress!, into: &projected) }
            for k in 0..<n { db[k] = linear[k] * b[k] + kept[k] * projected[k] + (force?[k] ?? 0) }
        }
    }

    /// Solves from the coefficients `initial` with ETDRK4 steps of `step` and returns the
    /// solution at `times` (increasing, the first ≥ 0; the solve starts at 0), sampled at
    /// `points` (default: the interior points).
    ///
    /// - Throws: ``FluidsError/invalidArgument(_:)`` for bad sizes, times or step;
    ///   ``IntegrationError`` when the solve fails (a blow-up is a non-finite state).
    public func solve(initial: [Double], times: [Double], step: Double,
                      forcing: (@Sendable (Double, Double) -> Double)? = nil, at points: [Double]? = nil) throws -> BurgersTrajectory {
        guard initial.count == modes else {
            throw FluidsError.invalidArgument("DirichletBurgers: \(initial.count) initial coefficients, expected \(modes)")
        }
        guard let last = times.last, times.first! >= 0, last > 0, zip(times, times.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw FluidsError.invalidArgument("DirichletBurgers: times must be increasing, start at >= 0 and end after 0, got \(times.prefix(4))…")
        }
        guard step.isFinite, step > 0 else { throw FluidsError.invalidArgument("DirichletBurgers: step must be finite and > 0, got \(step)") }
        let problem = ODEProblem(initial: initial, from: 0, to: last, rhs: rightHandSide(forcing: forcing))
        let solution = try Integrators.solve(problem, using: ETDRK4(linear: linear, step: step), saveAt: .times(times),
                                             controller: FixedStep(step), denseOutput: false)
        let where_ = points ?? self.points
        let fields = (0..<solution.times.count).flatMap { SineTransform.evaluate(solution.state(at: $0), at: where_) }
        return BurgersTrajectory(times: solution.times, points: where_, values: fields,
                                 finalCoefficients: solution.final, statistics: solution.statistics)
    }
}

extension DirichletBurgers {
    /// Solves from the coefficients `initial` under a force that is constant in time on each of
    /// `forcing.count` intervals of length `interval` (row `k`: the force at the interior points
    /// on `[k·interval, (k+1)·interval)`), one ETDRK4 solve per interval with steps of at most
    /// `step`; returns the solution at the interval ends `0, interval, …` sampled at `points`.
    ///
    /// Solving interval by interval keeps the force smooth inside every solve, so ETDRK4 keeps
    /// its order across the jumps of a piecewise-constant control.
    /// - Throws: ``FluidsError/invalidArgument(_:)`` for bad sizes, interval or step;
    ///   ``IntegrationError`` when a solve fails.
    public func solve(initial: [Double], piecewiseForcing forcing: [[Double]], interval: Double, step: Double,
                      at points: [Double]? = nil) throws -> BurgersTrajectory {
        guard initial.count == modes else {
            throw FluidsError.invalidArgument("DirichletBurgers: \(initial.count) initial coefficients, expected \(modes)")
        }
        guard interval.isFinite, interval > 0, step.isFinite, step > 0 else {
            throw FluidsError.invalidArgument("DirichletBurgers: interval (\(interval)) and step (\(step)) must be finite and > 0")
        }
        for (k, row) in forcing.enumerated() where row.count != modes || !row.allSatisfy(\.isFinite) {
            throw FluidsError.invalidArgument(
                "DirichletBurgers: force row \(k) has \(row.count) values\(row.allSatisfy(\.isFinite) ? "" : " (not all finite)"), expected \(modes) finite values")
        }
        let stepsPerInterval = Int((interval / step).rounded(.up))
        let h = interval / Double(stepsPerInterval)
        let method = ETDRK4(linear: linear, step: h)
        let where_ = points ?? self.points
        var state = initial
        var values = SineTransform.evaluate(state, at: where_)
        var statistics = SolverStatistics()
        for (k, row) in forcing.enumerated() {
            let forceCoefficients = zip(transform.coefficients(of: row), kept).map { $0 * $1 }
            let problem = ODEProblem(initial: state, from: Double(k) * interval, to: Double(k + 1) * interval,
                                     rhs: rightHandSide(gridForce: nil, forceCoefficients: forceCoefficients))
            let solution = try Integrators.solve(problem, using: method, saveAt: .final, controller: FixedStep(h), denseOutput: false)
            state = solution.final
            values += SineTransform.evaluate(state, at: where_)
            statistics.rhsEvaluations += solution.statistics.rhsEvaluations
            statistics.acceptedSteps += solution.statistics.acceptedSteps
        }
        return BurgersTrajectory(times: (0...forcing.count).map { Double($0) * interval }, points: where_, values: values,
                                 finalCoefficients: state, statistics: statistics)
    }
}

/// A Burgers solution sampled on a space-time grid.
public struct BurgersTrajectory: Sendable {
    /// Saved times.
    public let times: [Double]
    /// Sample points in `[0, 1]`.
    public let points: [Double]
    /// `u(t_i, x_j)` row-major `[times.count, points.count]`.
    public let values: [Double]
    /// The sine coefficients at the last time.
    public let finalCoefficients: [Double]
    public let statistics: SolverStatistics

    /// `u` at time index `i`.
    public func profile(at i: Int) -> ArraySlice<Double> {
        values[(i * points.count)..<((i + 1) * points.count)]
    }
}
