import Foundation
import Integrators
import Spectral

extension DirichletBurgers {
    /// The final state and the gradient of `J = (1/P) Σ_m (u(T, x_m) − u*_m)²` (the squared
    /// distance of the final state to `target` at the `P` points `targetPoints`) with respect to
    /// a piecewise-constant force given at the interior points, one row per interval — by the
    /// continuous adjoint in the sine coefficients:
    ///
    ///     db/dt = L b + P[−u u_x] + c_k,      dλ/dt = −(∂F/∂b)ᵀ λ,   λ(T) = ∂J/∂b(T),
    ///     ∂J/∂c_k = ∫_{interval k} λ dt,     ∂J/∂row_k = Pᵀ (kept ∘ ∂J/∂c_k),
    ///
    /// where `(∂F/∂b)ᵀ λ = L λ − kept ∘ (Sᵀ diag(u_x) + Cᵀ diag(u)) Pᵀ (kept ∘ λ)` with `S`, `C` the
    /// synthesis of `u` and `u_x` and `P` the projection. The forward states are kept at every
    /// step; the adjoint, stepped backwards by ETDRK4 through the one driver, reads them by
    /// linear interpolation in time. The gradient is that of the continuous problem (it matches
    /// finite differences of the discrete solve to the step's accuracy).
    ///
    /// - Returns: the final sine coefficients, `J`, and the gradient rows (same layout as `forcing`).
    public func adjointGradient(initial: [Double], piecewiseForcing forcing: [[Double]], interval: Double, step: Double,
                                target: [Double], targetPoints: [Double]) throws
        -> (finalState: [Double], cost: Double, gradient: [[Double]]) {
        guard target.count == targetPoints.count, !target.isEmpty else {
            throw FluidsError.invalidArgument("adjoint: \(target.count) target values at \(targetPoints.count) points")
        }
        let n = modes
        let stepsPerInterval = Int((interval / step).rounded(.up))
        let h = interval / Double(stepsPerInterval)
        let method = ETDRK4(linear: linear, step: h)
        // Forward, keeping the coefficients at every step.
        var states: [[Double]] = [initial]
        var state = initial
        for (k, row) in forcing.enumerated() {
            guard row.count == n else { throw FluidsError.invalidArgument("adjoint: force row \(k) has \(row.count) values, expected \(n)") }
            let forceCoefficients = zip(transform.coefficients(of: row), kept).map { $0 * $1 }
            let problem = ODEProblem(initial: state, from: Double(k) * interval, to: Double(k + 1) * interval,
                                     rhs: rightHandSide(gridForce: nil, forceCoefficients: forceCoefficients))
            let solution = try Integrators.solve(problem, using: method, saveAt: .steps, controller: FixedStep(h), denseOutput: false)
            for i in 1..<solution.times.count { states.append(solution.state(at: i)) }
            state = solution.final
        }
        let duration = Double(forcing.count) * interval
        let steps = states.count - 1
        // J and λ(T).
        let final = SineTransform.evaluate(state, at: targetPoints)
        let p = Double(target.count)
        var cost = 0.0
        var terminal = [Double](repeating: 0, count: n)
        for (m, x) in targetPoints.enumerated() {
            let d = final[m] - target[m]
            cost += d * d / p
            let (c, theta) = (2 * cos(Double.pi * x), Double.pi * x)
            var (previous, current) = (0.0, sin(theta))
            for k in 0..<n {
                terminal[k] += 2 * d / p * current
                (previous, current) = (current, c * current - previous)
            }
        }
        // Adjoint in τ = T − t, forwards: dλ/dτ = L λ + N(τ, λ).
        let transform = self.transform, kept = self.kept, l = linear
        var sa = [Double](repeating: 0, count: n), cb = sa
        var filtered = [Double](repeating: 0, count: n), u = filtered, du = filtered, projectedT = filtered, a = filtered, b = filtered
        var uState = filtered
        let rhs: ODEFunction = { tau, lambda, out in
            // u(t) at t = T − τ, linear in time between the stored steps.
            let position = min(max((duration - tau) / h, 0), Double(steps))
            let i = min(Int(position), steps - 1), w = position - Double(i)
            for k in 0..<n { uState[k] = ((1 - w) * states[i][k] + w * states[i + 1][k]) * kept[k] }
            uState.withUnsafeBufferPointer { s in
                transform.values(of: s.baseAddress!, into: &u)
                transform.derivativeValues(of: s.baseAddress!, into: &du)
            }
            // Pᵀ (kept λ) = R(kept λ)/(n + 1) = 2 S(kept λ)/(n + 1).
            for k in 0..<n { filtered[k] = lambda[k] * kept[k] }
            filtered.withUnsafeBufferPointer { transform.values(of: $0.baseAddress!, into: &projectedT) }
            let scale = 2 / Double(n + 1)
            for j in 0..<n { a[j] = du[j] * projectedT[j] * scale; b[j] = u[j] * projectedT[j] * scale }
            // Sᵀ a = ½ R a = (n + 1)/2 · P a; Cᵀ b by the cosine transform.
            a.withUnsafeBufferPointer { transform.coefficients(of: $0.baseAddress!, into: &sa) }
            b.withUnsafeBufferPointer { transform.derivativeValuesTransposed($0.baseAddress!, into: &cb) }
            let half = Double(n + 1) / 2
            for k in 0..<n { out[k] = l[k] * lambda[k] - kept[k] * (half * sa[k] + cb[k]) }
        }
        let adjoint = try Integrators.solve(ODEProblem(initial: terminal, from: 0, to: duration, rhs: rhs), using: method,
                                            saveAt: .steps, controller: FixedStep(h), denseOutput: false)
        // ∂J/∂c_k = ∫ λ dt over interval k (trapezoid on the steps), then to the grid values.
        var gradient: [[Double]] = []
        for k in 0..<forcing.count {
            var integral = [Double](repeating: 0, count: n)
            for s in 0..<stepsPerInterval {
                // Adjoint index of time t: τ = T − t.
                let (t0, t1) = (k * stepsPerInterval + s, k * stepsPerInterval + s + 1)
                let (l0, l1) = (adjoint.state(at: steps - t0), adjoint.state(at: steps - t1))
                for c in 0..<n { integral[c] += 0.5 * h * (l0[c] + l1[c]) }
            }
            let filteredIntegral = zip(integral, kept).map { $0 * $1 }
            gradient.append(transform.values(of: filteredIntegral).map { 2 * $0 / Double(n + 1) })
        }
        return (state, cost, gradient)
    }
}
