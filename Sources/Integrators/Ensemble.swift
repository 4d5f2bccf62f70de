import Dispatch

/// Result slots written concurrently, one per member index (each index written by exactly one
/// iteration, read only after all iterations finished).
final class EnsembleResults: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<Result<ODESolution, IntegrationError>?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }
}

/// Runs `count` independent solves concurrently and returns their results in index order; each
/// index is solved exactly once, so results never depend on the number of threads.
func runEnsemble(
    count: Int, _ member: @Sendable (Int) throws(IntegrationError) -> ODESolution
) -> [Result<ODESolution, IntegrationError>] {
    guard count > 0 else { return [] }
    let results = EnsembleResults(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { i in
        do throws(IntegrationError) {
            results.slots[i] = .success(try member(i))
        } catch {
            results.slots[i] = .failure(error)
        }
    }
    return results.slots.map { $0! }
}

/// Solves `count` independent problems concurrently (`DispatchQueue.concurrentPerform`) with any
/// ``ODEMethod`` and controller, each with its own steps. Member `i` is built by `problem(i)` (and
/// its events by `events(i)`) on the worker thread that solves it, so `ODEProblem` and ``Event``
/// need not be `Sendable`. Each member's result depends only on
/// its problem and the arguments, never on the number of threads or scheduling.
///
/// - Returns: one `Result` per member, in index order; a failing member does not affect others.
public func solveEnsemble<Method: ODEMethod & Sendable, Controller: StepSizeController>(
    count: Int,
    using method: Method,
    tolerance: Tolerance = Tolerance(),
    saveAt: SaveAt = .final,
    controller: Controller = PIController(),
    maxSteps: Int? = nil,
    denseOutput: Bool = false,
    events: @Sendable (Int) -> [Event] = { _ in [] },
    problem: @Sendable (Int) -> ODEProblem
) -> [Result<ODESolution, IntegrationError>] {
    runEnsemble(count: count) { i throws(IntegrationError) in
        try solve(
            problem(i), using: method, tolerance: tolerance, saveAt: saveAt, controller: controller,
            maxSteps: maxSteps, denseOutput: denseOutput, events: events(i))
    }
}

/// Ensemble over a parameter array: member `i` is `problem(parameters[i])`.
/// See ``solveEnsemble(count:using:tolerance:saveAt:controller:maxSteps:denseOutput:events:problem:)``.
public func solveEnsemble<Parameter: Sendable, Method: ODEMethod & Sendable, Controller: StepSizeController>(
    parameters: [Parameter],
    using method: Method,
    tolerance: Tolerance = Tolerance(),
    saveAt: SaveAt = .final,
    controller: Controller = PIController(),
    maxSteps: Int? = nil,
    denseOutput: Bool = false,
    events: @Sendable (Parameter) -> [Event] = { _ in [] },
    problem: @Sendable (Parameter) -> ODEProblem
) -> [Result<ODESolution, IntegrationError>] {
    solveEnsemble(
        count: parameters.count, using: method, tolerance: tolerance, saveAt: saveAt, controller: controller,
        maxSteps: maxSteps, denseOutput: denseOutput, events: { i in events(parameters[i]) }
    ) { i in problem(parameters[i]) }
}
