import Foundation
import Integrators
import Testing

@Suite struct EventTests {
    static let gravity = 9.81

    /// A ball dropped from 10 m, bouncing with restitution e: y'' = -g, v → -e v at y = 0.
    static func bouncingBall(restitution e: Double, until end: Double) -> (ODEProblem, Event) {
        let problem = ODEProblem(initial: [10, 0], timeSpan: 0...end) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -gravity
        }
        let bounce = Event(condition: { _, y in y[0] }, direction: .falling) { _, y in
            y[0] = 0
            y[1] = -e * y[1]
        }
        return (problem, bounce)
    }

    /// Closed form: t1 = √(2h/g), then flights of 2 e^k v1 / g with v1 = g t1.
    static func bounceTimes(restitution e: Double, count: Int) -> [Double] {
        let t1 = (2 * 10 / gravity).squareRoot()
        let v1 = gravity * t1
        var times = [t1]
        for k in 1..<count { times.append(times[k - 1] + 2 * pow(e, Double(k)) * v1 / gravity) }
        return times
    }

    @Test(arguments: ["Tsit5", "Verner7", "RK4"])
    func bouncingBallBouncesOnTime(method: String) throws {
        let (problem, bounce) = Self.bouncingBall(restitution: 0.8, until: 9)
        let solution: ODESolution
        switch method {
        case "Tsit5": solution = try solve(problem, using: Tsit5(), tolerance: Tolerance(relative: 1e-10, absolute: 1e-10), events: [bounce])
        case "Verner7": solution = try solve(problem, using: Verner7(), tolerance: Tolerance(relative: 1e-10, absolute: 1e-10), events: [bounce])
        default: solution = try solve(problem, using: RK4(), step: 0.01, events: [bounce])
        }
        let expected = Self.bounceTimes(restitution: 0.8, count: 6).filter { $0 < 9 }
        #expect(solution.events.count == expected.count)
        for (occurrence, time) in zip(solution.events, expected) {
            #expect(abs(occurrence.time - time) < 1e-10, "\(method): bounce at \(occurrence.time), expected \(time)")
            #expect(abs(occurrence.state[0]) < 1e-9)
            #expect(occurrence.state[1] < 0, "recorded before the velocity reversal")
        }
        #expect(solution.completed && solution.finalTime == 9 && solution.stoppingEvent == nil)
        // Between bounces the ball never goes below the floor.
        #expect(solution.stateStorage.enumerated().allSatisfy { $0.offset % 2 == 1 || $0.element > -1e-9 })
    }

    /// Steps far longer than a flight (the ball's parabola has zero local error, so steps grow
    /// fast): every bounce is still found, none skipped.
    @Test(arguments: [1e-4, 1e-6, 1e-9])
    func noBounceIsSkippedByLongSteps(tolerance: Double) throws {
        let (problem, bounce) = Self.bouncingBall(restitution: 0.9, until: 20)
        let solution = try solve(problem, using: Tsit5(), tolerance: Tolerance(relative: tolerance, absolute: tolerance),
                                 saveAt: .final, events: [bounce])
        let expected = Self.bounceTimes(restitution: 0.9, count: 40).filter { $0 < 20 }
        #expect(solution.events.count == expected.count, "rtol \(tolerance): \(solution.events.count) bounces, expected \(expected.count)")
        for (occurrence, time) in zip(solution.events, expected) { #expect(abs(occurrence.time - time) < 1e-8) }
        #expect(solution.final[0] > -1e-9, "the ball never ends below the floor")
    }

    @Test func terminalEventStopsAtTheRoot() throws {
        // y = cos t: the first downward zero is π/2.
        let oscillator = ODEProblem(initial: [1, 0], timeSpan: 0...10) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -y[0]
        }
        let zero = Event(condition: { _, y in y[0] }, direction: .falling, terminal: true)
        for tolerance in [1e-12, 1e-13] {
            let solution = try solve(oscillator, using: Verner7(), tolerance: Tolerance(relative: tolerance, absolute: tolerance),
                                     saveAt: .every(0.5), events: [zero])
            #expect(abs(solution.finalTime - Double.pi / 2) < 1e-10)
            #expect(solution.stoppingEvent == 0)
            #expect(solution.completed)
            #expect(abs(solution.final[0]) < 1e-10 && abs(solution.final[1] + 1) < 1e-10)
            #expect(solution.times == [0, 0.5, 1.0, 1.5])
        }
        let tsit = try solve(oscillator, using: Tsit5(), tolerance: Tolerance(relative: 1e-12, absolute: 1e-12), events: [zero])
        #expect(abs(tsit.finalTime - Double.pi / 2) < 1e-10)
    }

    @Test func nonTerminalEventsAreAllFound() throws {
        // y = sin t has zeros at kπ; the one at t = 0 (the start) is not a crossing.
        let problem = ODEProblem(initial: [0, 1], timeSpan: 0...(10 * Double.pi + 1)) { _, y, dy in
            dy[0] = y[1]
            dy[1] = -y[0]
        }
        let rising = Event(condition: { _, y in y[0] }, direction: .rising)
        let either = Event(condition: { _, y in y[0] })
        let solution = try solve(problem, using: DormandPrince5(), tolerance: Tolerance(relative: 1e-11, absolute: 1e-11),
                                 saveAt: .final, events: [rising, either])
        let risingTimes = solution.events.filter { $0.event == 0 }.map(\.time)
        let allTimes = solution.events.filter { $0.event == 1 }.map(\.time)
        #expect(risingTimes.count == 5 && allTimes.count == 10)
        for (k, time) in allTimes.enumerated() { #expect(abs(time - Double(k + 1) * .pi) < 1e-8) }
        for (k, time) in risingTimes.enumerated() { #expect(abs(time - Double(2 * k + 2) * .pi) < 1e-8) }
        #expect(solution.finalTime == 10 * Double.pi + 1)
    }

    @Test func restartWithEventsIsBitIdentical() throws {
        let (problem, bounce) = Self.bouncingBall(restitution: 0.9, until: 12)
        func make() throws -> ODEIntegrator<Tsit5> {
            try ODEIntegrator(problem, using: Tsit5(), tolerance: Tolerance(relative: 1e-9, absolute: 1e-9),
                              saveAt: .every(0.1), events: [bounce])
        }
        var whole = try make()
        try whole.finish()
        var first = try make()
        try first.advance(to: 3.3)
        let snapshot = first.snapshot()
        var resumed = try make()
        try resumed.restore(snapshot)
        try resumed.finish()
        #expect(first.eventOccurrences + resumed.eventOccurrences == whole.eventOccurrences)
        #expect(resumed.state == whole.state)
        #expect(whole.eventOccurrences.count >= 4)
    }
}
