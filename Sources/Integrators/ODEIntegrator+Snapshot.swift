// Snapshots of the one driver: its own state (time, next step, controller memory, counters, the
// saved-points cursor, event conditions, the current state) plus the method's (``ODEStepper``).

extension ODEIntegrator {
    /// The complete integrator state: continuing from it reproduces the uninterrupted solve bit for bit.
    public func snapshot() -> IntegratorSnapshot {
        let own = stepper.snapshotFields()
        let s = stepper.statistics
        var scalars: [String: Double] = [
            "t": t, "h": h, "t_start": tStart, "t_end": tEnd,
            "controller_previous_error": controllerState.previousError,
            "controller_log_previous_error": controllerState.logPreviousError,
        ]
        var integers: [String: Int64] = [
            "dimension": Int64(n), "started": started ? 1 : 0, "finished": finished ? 1 : 0,
            "controller_previous_rejected": controllerState.previousStepRejected ? 1 : 0,
            "last_failure_nonfinite": lastFailureNonFinite ? 1 : 0,
            "fixed_index": Int64(fixedIndex), "fixed_count": Int64(fixedCount), "next_save": Int64(output.nextSave),
            "rhs_evaluations": Int64(s.rhsEvaluations), "accepted_steps": Int64(s.acceptedSteps),
            "rejected_steps": Int64(s.rejectedSteps), "jacobian_evaluations": Int64(s.jacobianEvaluations),
            "factorizations": Int64(s.factorizations), "max_steps": Int64(maxSteps),
            "linear_iterations": Int64(s.linearIterations), "diffusion_evaluations": Int64(s.diffusionEvaluations),
        ]
        switch control {
        case .adaptive:
            integers["fixed_step_mode"] = 0
        case let .fixed(step):
            integers["fixed_step_mode"] = 1
            scalars["fixed_step"] = step
        }
        var vectors: [String: [Double]] = [
            "y": Array(UnsafeBufferPointer(start: stepper.currentState, count: n)),
            "rtol": relative, "atol": absolute, "event_values": eventValues,
        ]
        scalars.merge(own.scalars) { $1 }
        integers.merge(own.integers) { $1 }
        vectors.merge(own.vectors) { $1 }
        return IntegratorSnapshot(method: stepper.methodName, scalars: scalars, integers: integers, vectors: vectors)
    }

    /// Continues from a snapshot of the same solve (same method, size, span, tolerances and step mode).
    public mutating func restore(_ snapshot: IntegratorSnapshot) throws(IntegrationError) {
        let name = stepper.methodName
        guard snapshot.method == name else {
            throw .invalidSnapshot("it was taken with method \(snapshot.method), not \(name)")
        }
        let dimension = try snapshot.integer("dimension")
        guard dimension == n else { throw .invalidSnapshot("its state has \(dimension) components, the problem \(n)") }
        let start = try snapshot.scalar("t_start"), end = try snapshot.scalar("t_end")
        guard start == tStart, end == tEnd else {
            throw .invalidSnapshot("it belongs to the span \(start) ... \(end), not \(tStart) ... \(tEnd)")
        }
        let rtol = try snapshot.vector("rtol", count: n), atol = try snapshot.vector("atol", count: n)
        for i in 0..<n where rtol[i] != relative[i] || atol[i] != absolute[i] {
            throw .invalidSnapshot("its tolerances differ from this solve's at component \(i)")
        }
        switch control {
        case .adaptive:
            guard snapshot.integers["fixed_step_mode"] == 0 else { throw .invalidSnapshot("it is from a fixed-step solve") }
        case let .fixed(step):
            guard snapshot.integers["fixed_step_mode"] == 1, snapshot.scalars["fixed_step"] == step else {
                throw .invalidSnapshot("it is not from a fixed-step solve with step \(step)")
            }
        }
        let y = try snapshot.vector("y", count: n)
        let conditions = try snapshot.vector("event_values", count: events.count)
        try stepper.restoreFields(from: snapshot)
        for i in 0..<n { stepper.currentState[i] = y[i] }
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
        var statistics = SolverStatistics()
        statistics.rhsEvaluations = try snapshot.integer("rhs_evaluations")
        statistics.acceptedSteps = try snapshot.integer("accepted_steps")
        statistics.rejectedSteps = try snapshot.integer("rejected_steps")
        statistics.jacobianEvaluations = try snapshot.integer("jacobian_evaluations")
        statistics.factorizations = try snapshot.integer("factorizations")
        statistics.linearIterations = Int(snapshot.integers["linear_iterations"] ?? 0)
        statistics.diffusionEvaluations = Int(snapshot.integers["diffusion_evaluations"] ?? 0)
        stepper.statistics = statistics
        eventValues = conditions
        occurrences.removeAll()
        output.resume(nextSave: try snapshot.integer("next_save"), t: t, started: started)
    }
}

extension ODEIntegrator: SteppableIntegrator {}
