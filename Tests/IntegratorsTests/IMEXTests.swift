import Foundation
import Integrators
import ReferenceProblems
import Testing

/// The Kennedy–Carpenter IMEX pairs: their order on a split linear problem with a known solution,
/// adaptive solves with events, and the stiff Brusselator with the diffusion implicit.
@Suite struct IMEXTests {
    /// y' = A_E y + A_I y with A_E = [[0, 1], [-1, 0]] (explicit) and A_I = diag(-2, -1) plus a
    /// relaxation toward zero on a third component driven by the first (implicit); the exact
    /// solution is the matrix exponential of the sum. (The relaxation is mild, so the steps stay in
    /// the asymptotic regime: with a stiff one, |hλ| ≫ 1, the ESDIRK's stage order 2 shows instead.)
    static var split: ODEProblem { ODEProblem(
        initial: [1, 0.5, 1], timeSpan: 0...1,
        explicit: { _, y, dy in
            dy[0] = y[1]
            dy[1] = -y[0]
            dy[2] = y[0]
        },
        implicit: { _, y, dy in
            dy[0] = -2 * y[0]
            dy[1] = -y[1]
            dy[2] = -3 * y[2]
        },
        implicitIsLinear: true) }

    /// exp(Mt) y0 for M = [[-2, 1], [-1, -1]] (eigenvalues -1.5 ± i√3/2) on the first two
    /// components; the third solves y3' = y1 - 3 y3 (by a tight Rodas5P solve).
    static func exact(_ t: Double) -> [Double] {
        let (mu, nu) = (-1.5, 3.0.squareRoot() / 2)
        let (c, s) = (cos(nu * t), sin(nu * t) / nu)
        let e = exp(mu * t)
        let (m00, m01, m10, m11) = (-2 - mu, 1.0, -1.0, -1 - mu)
        let y0 = 1.0, y1 = 0.5
        let first = e * (c * y0 + s * (m00 * y0 + m01 * y1))
        let second = e * (c * y1 + s * (m10 * y0 + m11 * y1))
        var whole = split
        whole.split = nil
        let third = try! solve(whole, using: Rodas5P(), tolerance: Tolerance(relative: 1e-13, absolute: 1e-14),
                               saveAt: .final, denseOutput: false).final[2]
        return [first, second, third]
    }

    @Test(arguments: [("ARK324L2SA", 3.0), ("ARK436L2SA", 4.0)])
    func orderOnASplitLinearProblem(_ name: String, _ order: Double) throws {
        let method = try MethodCatalogue.method(named: name)
        let reference = Self.exact(1)
        let steps = [0.05, 0.025, 0.0125]
        let errors = try steps.map { h in
            let s = try method.solve(Self.split, step: h, denseOutput: false)
            return zip(s.final, reference).map { abs($0 - $1) }.max()!
        }
        let measured = log2(errors[1] / errors[2])
        print("IMEX ORDER \(name): \(measured) errors \(errors)")
        #expect(abs(measured - order) < 0.15, "\(name): order \(measured), errors \(errors)")
    }

    @Test(arguments: ["ARK324L2SA", "ARK436L2SA"])
    func adaptiveSolveReachesTheTolerance(_ name: String) throws {
        let method = try MethodCatalogue.method(named: name)
        let reference = Self.exact(1)
        for rtol in [1e-5, 1e-8] {
            let s = try method.solve(Self.split, tolerance: Tolerance(relative: rtol, absolute: rtol * 1e-2),
                                     events: [Event(condition: { t, _ in t - 0.5 })])
            let error = zip(s.final, reference).map { abs($0 - $1) }.max()!
            #expect(error < 50 * rtol, "\(name) rtol \(rtol): error \(error)")
            #expect(s.events.count == 1 && abs(s.events[0].time - 0.5) < 1e-12)
            // The dense output (cubic Hermite) at the event agrees with the exact solution.
            #expect(abs(s.events[0].state[0] - Self.exactFirst(0.5)) < 100 * rtol)
        }
    }

    static func exactFirst(_ t: Double) -> Double {
        let (mu, nu) = (-1.5, 3.0.squareRoot() / 2)
        return exp(mu * t) * (cos(nu * t) + sin(nu * t) / nu * ((-2 - mu) + 0.5))
    }

    @Test func unsplitProblemIsRefused() {
        let plain = ODEProblem(initial: [1], timeSpan: 0...1) { _, y, dy in dy[0] = -y[0] }
        #expect(throws: IntegrationError.self) { try solve(plain, using: ARK436L2SA()) }
    }
}
