import Foundation
import Integrators

/// Kepler two-body problem (μ = 1, a = 1) with eccentricity `e`, starting at perihelion:
/// q = (1 - e, 0), p = (0, sqrt((1 + e)/(1 - e))); period 2π.
func keplerProblem(eccentricity e: Double, from t0: Double = 0, to t1: Double) -> ODEProblem {
    ODEProblem(initial: keplerExact(eccentricity: e, t: t0), from: t0, to: t1) { _, y, dy in
        let r2 = y[0] * y[0] + y[1] * y[1]
        let r3 = r2 * r2.squareRoot()
        dy[0] = y[2]
        dy[1] = y[3]
        dy[2] = -y[0] / r3
        dy[3] = -y[1] / r3
    }
}

/// Exact Kepler orbit at time `t` (Kepler's equation E - e sin E = t solved by Newton).
func keplerExact(eccentricity e: Double, t: Double) -> [Double] {
    var E = t + e * sin(t)
    for _ in 0..<50 {
        let dE = (E - e * sin(E) - t) / (1 - e * cos(E))
        E -= dE
        if abs(dE) < 1e-16 { break }
    }
    let s = (1 - e * e).squareRoot()
    let denominator = 1 - e * cos(E)
    return [cos(E) - e, s * sin(E), -sin(E) / denominator, s * cos(E) / denominator]
}

func keplerEnergy(_ y: [Double]) -> Double {
    0.5 * (y[2] * y[2] + y[3] * y[3]) - 1 / (y[0] * y[0] + y[1] * y[1]).squareRoot()
}

func keplerAngularMomentum(_ y: [Double]) -> Double {
    y[0] * y[3] - y[1] * y[2]
}

/// Restricted three-body problem (Arenstorf orbit), period T.
let arenstorfPeriod = 17.0652165601579625588917206249
func arenstorfProblem() -> ODEProblem {
    let mu = 0.012277471
    let muHat = 1 - mu
    return ODEProblem(initial: [0.994, 0, 0, -2.00158510637908252240537862224], timeSpan: 0...arenstorfPeriod) {
        _, y, dy in
        let d1 = ((y[0] + mu) * (y[0] + mu) + y[1] * y[1])
        let d2 = ((y[0] - muHat) * (y[0] - muHat) + y[1] * y[1])
        let D1 = d1 * d1.squareRoot()
        let D2 = d2 * d2.squareRoot()
        dy[0] = y[2]
        dy[1] = y[3]
        dy[2] = y[0] + 2 * y[3] - muHat * (y[0] + mu) / D1 - mu * (y[0] - muHat) / D2
        dy[3] = y[1] - 2 * y[2] - muHat * y[1] / D1 - mu * y[1] / D2
    }
}

func lorenzProblem(to t1: Double) -> ODEProblem {
    ODEProblem(initial: [1.0, 0, 0], timeSpan: 0.0...t1) { _, y, dy in
        dy[0] = 10 * (y[1] - y[0])
        dy[1] = y[0] * (28 - y[2]) - y[1]
        dy[2] = y[0] * y[1] - 8.0 / 3 * y[2]
    }
}

/// Scalar linear test problem y' = λ y, y(0) = 1.
func exponentialProblem(rate: Double, from t0: Double = 0, to t1: Double) -> ODEProblem {
    ODEProblem(initial: [1.0], from: t0, to: t1) { _, y, dy in dy[0] = rate * y[0] }
}

func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).map { abs($0 - $1) }.max() ?? .nan
}

/// Least-squares slope of log(error) against log(h).
func fittedOrder(steps: [Double], errors: [Double]) -> Double {
    let x = steps.map { log($0) }, y = errors.map { log($0) }
    let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
    var sxy = 0.0, sxx = 0.0
    for i in x.indices {
        sxy += (x[i] - mx) * (y[i] - my)
        sxx += (x[i] - mx) * (x[i] - mx)
    }
    return sxy / sxx
}
