extension ExplicitRKIntegrator {
    /// Everything that determines the rest of the solve.
    @usableFromInline
    func snapshot() -> IntegratorSnapshot {
        let n = self.n
        return IntegratorSnapshot(
            method: methodName,
            scalars: [
                "t": t, "h": h, "t_start": tStart, "t_end": tEnd,
                "controller_previous_error": controllerState.previousError,
                "controller_log_previous_error": controllerState.logPreviousError,
            ],
            integers: [
                "dimension": Int64(n), "started": started ? 1 : 0, "finished": finished ? 1 : 0,
                "controller_previous_rejected": controllerState.previousStepRejected ? 1 : 0,
                "last_failure_nonfinite": lastFailureNonFinite ? 1 : 0,
                "fixed_index": Int64(fixedIndex), "fixed_count": Int64(fixedCount), "next_save": Int64(output.nextSave),
                "rhs_evaluations": Int64(statistics.rhsEvaluations), "accepted_steps": Int64(statistics.acceptedSteps),
                "rejected_steps": Int64(statistics.rejectedSteps),
                "jacobian_evaluations": Int64(statistics.jacobianEvaluations),
                "factorizations": Int64(statistics.factorizations),
            ],
            vectors: [
                "y": Array(UnsafeBufferPointer(start: y, count: n)),
                "f": Array(UnsafeBufferPointer(start: work.stages, count: n)),
                "rtol": Array(UnsafeBufferPointer(start: work.relative, count: n)),
                "atol": Array(UnsafeBufferPointer(start: work.absolute, count: n)),
                "event_values": eventValues,
            ])
    }

    /// Puts the integrator in the state `snapshot` describes, after checking it belongs to this solve.
    @usableFromInline
    mutating func restore(_ snapshot: IntegratorSnapshot) throws(IntegrationError) {
        guard snapshot.method == methodName else {
            throw .invalidSnapshot("it was taken with method \(snapshot.method), not \(methodName)")
        }
        let dimension = try snapshot.integer("dimension")
        guard dimension == n else { throw .invalidSnapshot("its state has \(dimension) components, the problem \(n)") }
        let start = try snapshot.scalar("t_start"), end = try snapshot.scalar("t_end")
        guard start == tStart, end == tEnd else {
            throw .invalidSnapshot("it belongs to the span \(start) ... \(end), not \(tStart) ... \(tEnd)")
        }
        let rtol = try snapshot.vector("rtol", count: n), atol = try snapshot.vector("atol", count: n)
        for i in 0..<n where rtol[i] != work.relative[i] || atol[i] != work.absolute[i] {
            throw .invalidSnapshot("its tolerances differ from this solve's at component \(i)")
        }
        let state = try snapshot.vector("y", count: n), derivative = try snapshot.vector("f", count: n)
        let conditions = try snapshot.vector("event_values", count: events.count)
        t = try snapshot.scalar("t")
        h = try snapshot.scalar("h")
        controllerState = PIController.State(
            previousError: try snapshot.scalar("controller_previous_error"),
            logPreviousError: try snapshot.scalar("controller_log_previous_error"),
            rejected: try snapshot.integer("controller_previous_rejected") != 0)
        started = try snapshot.integer("started") != 0
        finished = try snapshot.integer("finished") != 0
        lastFailureNonFinite = try snapshot.integer("last_failure_nonfinite") != 0
        fixedIndex = try snapshot.integer("fixed_index")
        fixedCount = try snapshot.integer("fixed_count")
        statistics.rhsEvaluations = try snapshot.integer("rhs_evaluations")
        statistics.acceptedSteps = try snapshot.integer("accepted_steps")
        statistics.rejectedSteps = try snapshot.integer("rejected_steps")
        statistics.jacobianEvaluations = try snapshot.integer("jacobian_evaluations")
        statistics.factorizations = try snapshot.integer("factorizations")
        for i in 0..<n {
            y[i] = state[i]
            work.stages[i] = derivative[i]
        }
        eventValues = conditions
        occurrences.removeAll()
        output.resume(nextSave: try snapshot.integer("next_save"), t: t, started: started)
    }
}

extension ODEIntegrator {
    /// The complete integrator state now: resume from it with ``restore(_:)`` on an integrator
    /// made with the same problem, method and settings.
    public func snapshot() -> IntegratorSnapshot {
        var snapshot = core.snapshot()
        switch mode {
        case .adaptive:
            snapshot.integers["fixed_step_mode"] = 0
        case let .fixed(step):
            snapshot.integers["fixed_step_mode"] = 1
            snapshot.scalars["fixed_step"] = step
        }
        snapshot.integers["max_steps"] = Int64(maxSteps)
        return snapshot
    }

    /// Continues from `snapshot` (taken by ``snapshot()`` of a solve of the same problem with the
    /// same method and settings): the remaining steps and saved points are bit-identical to the
    /// uninterrupted solve's. Saved points already taken before the snapshot are not repeated.
    public mutating func restore(_ snapshot: IntegratorSnapshot) throws(IntegrationError) {
        switch mode {
        case .adaptive:
            guard snapshot.integers["fixed_step_mode"] == 0 else { throw .invalidSnapshot("it is from a fixed-step solve") }
        case let .fixed(step):
            guard snapshot.integers["fixed_step_mode"] == 1, snapshot.scalars["fixed_step"] == step else {
                throw .invalidSnapshot("it is not from a fixed-step solve with step \(step)")
            }
        }
        try core.restore(snapshot)
    }
}
