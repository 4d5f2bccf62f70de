import Integrators

/// A DNS run that records at fixed times: the step size that fits the records (and the input
/// history frames a learned solver reads before the first record) into whole numbers of CFL-limited
/// steps, and a driver that advances the state from event to event.
///
/// Times are model units after the warm-up: records at `0, saveEvery, …, duration`; history
/// frames at `−(frames − 1)·historyEvery, …, 0` (the last coincides with the first record).
/// Resumable: ``RecordedRun`` is plain counters and the state, so a checkpoint of them continues
/// the same run bit for bit.
public struct RecordSchedule: Sendable, Equatable {
    /// The DNS time step: `saveEvery` divided into whole steps no longer than the CFL step.
    public let step: Double
    public let stepsPerSave: Int
    public let stepsPerHistory: Int
    public let warmupSteps: Int
    public let records: Int
    public let historyFrames: Int
    public let saveEvery: Double
    public let historyEvery: Double

    /// - Parameters:
    ///   - cflStep: the largest stable step (``VorticityNavierStokes2D/cflStep(cfl:maxVelocity:)``).
    ///   - historyEvery: spacing of the history frames; it must divide `saveEvery` (0: `saveEvery`).
    /// - Throws: ``RecordScheduleError`` when the warm-up is shorter than the history.
    public init(cflStep: Double, saveEvery: Double, duration: Double, warmup: Double,
                historyFrames: Int = 0, historyEvery: Double = 0) throws(RecordScheduleError) {
        let historyEvery = historyEvery > 0 ? historyEvery : saveEvery
        // With a history, the DNS step divides the history spacing, which divides the record spacing.
        stepsPerHistory = max(1, Int((historyEvery / cflStep).rounded(.up)))
        stepsPerSave = historyFrames > 0 ? stepsPerHistory * Int((saveEvery / historyEvery).rounded())
                                         : max(1, Int((saveEvery / cflStep).rounded(.up)))
        step = saveEvery / Double(stepsPerSave)
        records = Int((duration / saveEvery).rounded()) + 1
        warmupSteps = Int((warmup / step).rounded())
        self.historyFrames = historyFrames
        self.saveEvery = saveEvery
        self.historyEvery = historyEvery
        guard historyFrames == 0 || warmupSteps >= (historyFrames - 1) * stepsPerHistory else {
            throw RecordScheduleError(message: "a history of \(historyFrames) frames every \(historyEvery) needs a warmup of at least \(Double(historyFrames - 1) * historyEvery); warmup is \(warmup)")
        }
    }

    /// Steps of the whole run, warm-up included.
    public var totalSteps: Int { warmupSteps + (records - 1) * stepsPerSave }
    /// The step at which history frame `k` is taken.
    public func historyStep(_ k: Int) -> Int { warmupSteps - (historyFrames - 1 - k) * stepsPerHistory }
    /// The step at which record `r` is taken.
    public func recordStep(_ r: Int) -> Int { warmupSteps + r * stepsPerSave }
    /// Times of the history frames (`≤ 0`).
    public var historyTimes: [Double] { (0..<historyFrames).map { -Double(historyFrames - 1 - $0) * historyEvery } }
}

/// Why a record schedule or a recorded run cannot go on.
public struct RecordScheduleError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// The state of a recorded run and where it is in its schedule.
public struct RecordedRun: Sendable {
    /// What ``next(solver:stepper:schedule:maxChunk:)`` reached.
    public enum Event: Equatable, Sendable {
        /// The state is at history frame `k`: take it, then call `next` again.
        case historyFrame(Int)
        /// The state is at record `r`: write it, then call `next` again.
        case record(Int)
        /// The state advanced by some steps toward the next frame or record (a moment to report
        /// progress or write a checkpoint).
        case advanced
    }

    /// The spectral state (``VorticityNavierStokes2D`` layout).
    public var state: [Double]
    public var stepsDone = 0
    public var recordsTaken = 0
    public var historyFramesTaken = 0

    public init(state: [Double]) { self.state = state }

    /// Advances to the next event, or returns nil when every record has been taken. Between
    /// events the state advances at most `maxChunk` steps at a time.
    /// - Throws: ``RecordScheduleError`` when the state stops being finite.
    public mutating func next(solver: VorticityNavierStokes2D, stepper: ETDRK4, schedule: RecordSchedule,
                              maxChunk: Int = 50) throws(RecordScheduleError) -> Event? {
        guard recordsTaken < schedule.records else { return nil }
        let recordStep = schedule.recordStep(recordsTaken)
        if historyFramesTaken < schedule.historyFrames, stepsDone == schedule.historyStep(historyFramesTaken) {
            historyFramesTaken += 1
            return .historyFrame(historyFramesTaken - 1)
        }
        if stepsDone == recordStep {
            recordsTaken += 1
            return .record(recordsTaken - 1)
        }
        let nextEvent = historyFramesTaken < schedule.historyFrames ? min(recordStep, schedule.historyStep(historyFramesTaken)) : recordStep
        let chunk = min(maxChunk, nextEvent - stepsDone)
        solver.advance(&state, steps: chunk, with: stepper)
        stepsDone += chunk
        guard state.allSatisfy(\.isFinite) else {
            throw RecordScheduleError(message: "the solution blew up (non-finite vorticity) after \(stepsDone) steps; lower cfl or raise max_velocity")
        }
        return .advanced
    }
}
