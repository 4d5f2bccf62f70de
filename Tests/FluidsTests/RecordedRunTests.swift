import Fluids
import Foundation
import Testing

/// The record schedule fits records and history frames into whole steps; the recorded run meets
/// them in order, and a copy taken midway (what a checkpoint holds) continues bit for bit.
@Suite struct RecordedRunTests {
    @Test func scheduleFitsRecordsAndHistoryIntoWholeSteps() throws {
        let s = try RecordSchedule(cflStep: 0.03, saveEvery: 0.2, duration: 1, warmup: 0.5, historyFrames: 3, historyEvery: 0.1)
        #expect(s.stepsPerHistory == 4 && s.stepsPerSave == 8 && abs(s.step - 0.025) < 1e-15)
        #expect(s.records == 6 && s.warmupSteps == 20 && s.totalSteps == 60)
        #expect((0..<3).map(s.historyStep) == [12, 16, 20] && s.historyTimes == [-0.2, -0.1, 0])
        #expect(throws: RecordScheduleError.self) {
            try RecordSchedule(cflStep: 0.03, saveEvery: 0.2, duration: 1, warmup: 0.1, historyFrames: 3, historyEvery: 0.1)
        }
    }

    @Test func eventsComeInOrderAndACopyContinuesTheSameRun() throws {
        let solver = VorticityNavierStokes2D(n: 16, viscosity: 0.01, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 2)
        let schedule = try RecordSchedule(cflStep: solver.cflStep(cfl: 0.5, maxVelocity: 3), saveEvery: 0.1, duration: 0.3,
                                          warmup: 0.2, historyFrames: 2, historyEvery: 0.05)
        let stepper = solver.stepper(step: schedule.step)
        var run = RecordedRun(state: solver.randomInitialState(peakWavenumber: 2, maxVelocity: 3, seed: 1))
        var events: [RecordedRun.Event] = [], copy: RecordedRun?
        var statesAtRecords: [[Double]] = []
        while let event = try run.next(solver: solver, stepper: stepper, schedule: schedule, maxChunk: 3) {
            events.append(event)
            if case .record = event { statesAtRecords.append(run.state) }
            if copy == nil, run.recordsTaken == 2 { copy = run }
        }
        let taken = events.filter { $0 != .advanced }
        #expect(taken == [.historyFrame(0), .historyFrame(1), .record(0), .record(1), .record(2), .record(3)])
        #expect(run.stepsDone == schedule.totalSteps)
        var resumed = try #require(copy)
        var resumedRecords: [[Double]] = []
        while let event = try resumed.next(solver: solver, stepper: stepper, schedule: schedule, maxChunk: 3) {
            if case .record = event { resumedRecords.append(resumed.state) }
        }
        #expect(resumedRecords.map { $0.map(\.bitPattern) } == statesAtRecords.suffix(2).map { $0.map(\.bitPattern) })
    }
}
