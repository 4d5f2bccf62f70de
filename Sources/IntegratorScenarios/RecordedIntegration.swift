import Foundation
import Integrators
import NetCDF
import Scenarios

/// The run loop every integrator scenario shares: resume from a checkpoint (the integrator's
/// snapshot and every record written before it), step to the end while appending saved points in
/// 1/200ths of the span (which also drive the progress line), and write a checkpoint whenever the
/// policy or a stop request says so. `append` writes `(times, states)` rows to the output.
/// Returns the number of records written.
func runRecorded(
    _ integrator: inout any SteppableIntegrator, stateWidth: Int, end tEnd: Double, label: String,
    context: RunContext, append: ([Double], [Double]) throws -> Void
) throws -> Int {
    var saved = SavedRecords(width: stateWidth)
    if context.isResuming {
        let checkpoint = try context.openCheckpoint()
        defer { try? checkpoint.close() }
        try integrator.restore(try IntegratorSnapshot(from: checkpoint))
        try saved.read(from: checkpoint)
        context.progress.note("resuming '\(label)' at t = \(integrator.time) (\(saved.count) records)")
        try append(saved.times, saved.states)
    }
    context.progress.begin(label)
    var nextFlush = tEnd * (floor(integrator.time / tEnd * 200) + 1) / 200
    while !integrator.isFinished {
        try integrator.step()
        let steps = integrator.statistics.acceptedSteps + integrator.statistics.rejectedSteps
        let checkpointDue = context.checkpointDue(step: steps)
        if integrator.time >= nextFlush || integrator.isFinished || checkpointDue {
            let (times, states) = integrator.takeSavedPoints()
            if !times.isEmpty { try append(times, states) }
            saved.append(times, states)
            nextFlush = tEnd * (floor(integrator.time / tEnd * 200) + 1) / 200
            context.progress.update(fraction: integrator.time / tEnd, time: integrator.time,
                                    steps: integrator.statistics.acceptedSteps)
        }
        if checkpointDue && !integrator.isFinished {
            let snapshot = integrator.snapshot()
            let records = saved
            try context.writeCheckpoint(step: steps) { checkpoint in
                try snapshot.write(to: checkpoint)
                try records.write(to: checkpoint)
            }
            try context.stopIfRequested(progress: "t = \(integrator.time) of \(tEnd)")
        }
    }
    return saved.count
}
