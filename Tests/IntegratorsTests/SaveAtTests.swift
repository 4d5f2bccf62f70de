import Foundation
import Integrators
import Testing

@Suite("saveAt and dense output")
struct SaveAtTests {
    let tol = Tolerance(relative: 1e-10, absolute: 1e-10)

    @Test func final() throws {
        let s = try solve(exponentialProblem(rate: -0.5, to: 2), using: Tsit5(), tolerance: tol, saveAt: .final)
        #expect(s.times == [2])
        #expect(s.states == [s.final])
        #expect(s.completed)
        #expect(abs(s.final[0] - exp(-1.0)) < 1e-9)
    }

    @Test func steps() throws {
        let s = try solve(exponentialProblem(rate: -0.5, to: 2), using: DormandPrince5(), tolerance: tol, saveAt: .steps)
        #expect(s.times.count == s.statistics.acceptedSteps + 1)
        #expect(s.times.first == 0 && s.times.last == 2)
        #expect(zip(s.times, s.times.dropFirst()).allSatisfy { $0 < $1 })
        #expect(s.stepTimes == s.times)
        for (k, t) in s.times.enumerated() {
            #expect(abs(s.state(at: k)[0] - exp(-0.5 * t)) < 1e-9)
            // Dense output reproduces the step ends (to round-off).
            #expect(abs(s(t)[0] - s.state(at: k)[0]) < 1e-14)
        }
        #expect(s.state(at: 0) == [1.0])
    }

    @Test("times via dense output", arguments: adaptiveMethods)
    func times(_ box: AdaptiveBox) throws {
        let requested = [0.0, 0.1, 0.1, 0.77, 1.5, 3.0]
        let problem = keplerProblem(eccentricity: 0.3, to: 3)
        let s = try solveAdaptive(problem, box.method, tolerance: tol, saveAt: .times(requested))
        #expect(s.times == requested)
        #expect(s.states.count == requested.count)
        #expect(s.state(at: 0) == problem.initial)
        #expect(s.state(at: 5) == s.final)
        for (k, t) in requested.enumerated() {
            let bound = box.method is BogackiShampine3 ? 1e-6 : 1e-8
            #expect(maxAbsDifference(s.state(at: k), keplerExact(eccentricity: 0.3, t: t)) < bound, "\(box.method.name) t = \(t)")
            #expect(maxAbsDifference(s.state(at: k), s(t)) < 1e-13)
        }
    }

    @Test func timesWithoutDenseOutput() throws {
        let requested = [0.25, 0.5, 2.0]
        let s = try solve(
            keplerProblem(eccentricity: 0.3, to: 3), using: Verner7(), tolerance: tol, saveAt: .times(requested), denseOutput: false)
        #expect(s.times == requested)
        #expect(!s.hasDenseOutput)
        #expect(s.interpolate(1.0) == nil)
        for (k, t) in requested.enumerated() {
            #expect(maxAbsDifference(s.state(at: k), keplerExact(eccentricity: 0.3, t: t)) < 1e-8)
        }
    }

    @Test func every() throws {
        let s = try solve(exponentialProblem(rate: -1, to: 1.1), using: Tsit5(), tolerance: tol, saveAt: .every(0.25))
        #expect(s.times == [0, 0.25, 0.5, 0.75, 1.0, 1.1])
        let t = try solve(exponentialProblem(rate: -1, to: 1), using: Tsit5(), tolerance: tol, saveAt: .every(0.1))
        #expect(t.times.count == 11)
        #expect(t.times.last == 1)
        for (k, time) in t.times.enumerated() { #expect(abs(t.state(at: k)[0] - exp(-time)) < 1e-9) }
        // Fixed step too.
        let u = try solve(exponentialProblem(rate: -1, to: 1), using: RK4(), step: 0.01, saveAt: .every(0.5))
        #expect(u.times == [0, 0.5, 1])
    }

    @Test func backwardTimes() throws {
        let problem = exponentialProblem(rate: -1, from: 2, to: 0)
        let s = try solve(problem, using: Tsit5(), tolerance: tol, saveAt: .times([2, 1.5, 0.5, 0]))
        #expect(s.times == [2, 1.5, 0.5, 0])
        for (k, time) in s.times.enumerated() { #expect(abs(s.state(at: k)[0] - exp(2 - time)) < 1e-8) }
        let e = try solve(problem, using: Tsit5(), tolerance: tol, saveAt: .every(0.5))
        #expect(e.times == [2, 1.5, 1, 0.5, 0])
        #expect(abs(e(0.3)[0] - exp(1.7)) < 1e-8)
    }

    @Test func interpolateOutsideSpanIsNil() throws {
        let s = try solve(exponentialProblem(rate: -1, to: 1), using: Tsit5())
        #expect(s.interpolate(-0.1) == nil)
        #expect(s.interpolate(1.01) == nil)
        #expect(s.interpolate(.nan) == nil)
        #expect(s.interpolate(1.0) != nil)
        #expect(s.denseOutputOrder == 4)
        var buffer = [Double](repeating: -1, count: 1)
        let ok = buffer.withUnsafeMutableBufferPointer { s.interpolate(0.5, into: $0) }
        #expect(ok && abs(buffer[0] - exp(-0.5)) < 1e-6)
    }
}
