/// Which runs of a scenario this process does: one member (`--member K` or Slurm's
/// `SLURM_ARRAY_TASK_ID`), this MPI rank's share of the members, or all of them in turn.
public enum MemberAssignment: Equatable, Sendable {
    /// The scenario declares no sweep: one run.
    case single
    /// Exactly these member indices, in order.
    case members([Int])

    /// Decides from the command line, the environment and the MPI world.
    ///
    /// - `--member K` wins; otherwise, inside a Slurm array job, `SLURM_ARRAY_TASK_ID`.
    /// - Otherwise with several MPI ranks, rank `r` of `R` takes members `r, r+R, r+2R, ...`.
    /// - Otherwise every member, one after another.
    ///
    /// Throws a message when a member is asked of a scenario without a sweep, or is out of range.
    public static func resolve(scenario: Scenario, member: Int?, environment: [String: String],
                               rank: Int, size: Int) throws(AssignmentError) -> MemberAssignment {
        let count = scenario.sweep?.memberCount
        var chosen = member
        var source = "--member"
        if chosen == nil, let task = environment["SLURM_ARRAY_TASK_ID"], count != nil {
            guard let index = Int(task) else {
                throw AssignmentError(message: "SLURM_ARRAY_TASK_ID is '\(task)', not a member index")
            }
            chosen = index
            source = "SLURM_ARRAY_TASK_ID"
        }
        guard let count else {
            if chosen != nil {
                throw AssignmentError(message: "--member given, but '\(scenario.name)' declares no \"sweep\"; leave it out")
            }
            return .single
        }
        if let chosen {
            guard (0..<count).contains(chosen) else {
                throw AssignmentError(message: "\(source) is \(chosen), but the sweep '\(scenario.name)' has members 0 ... \(count - 1)")
            }
            return .members([chosen])
        }
        return .members(Array(stride(from: rank, to: count, by: max(size, 1))))
    }
}

/// Why the members to run could not be decided.
public struct AssignmentError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}
