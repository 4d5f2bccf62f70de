import Foundation

/// When a long run writes its checkpoint: every `everySteps` steps (integrator steps or training
/// iterations), every `everyMinutes` of wall time, whichever comes first, and always when asked
/// to stop (SIGTERM/SIGINT). A scenario sets it with the top-level key
/// `"checkpoint": {"every_steps": 10000, "every_minutes": 10}`.
public struct CheckpointPolicy: Sendable, Equatable {
    /// Steps between checkpoints, or nil.
    public var everySteps: Int?
    /// Wall-clock minutes between checkpoints, or nil.
    public var everyMinutes: Double?

    public init(everySteps: Int? = nil, everyMinutes: Double? = 10) {
        self.everySteps = everySteps
        self.everyMinutes = everyMinutes
    }

    /// The default: every 10 minutes.
    public static let standard = CheckpointPolicy()

    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if let everySteps { members.append(("every_steps", .integer(Int64(everySteps)))) }
        if let everyMinutes { members.append(("every_minutes", .number(everyMinutes))) }
        return .object(members)
    }

    static func validate(_ value: JSONValue?, issues: inout [ValidationIssue]) -> CheckpointPolicy {
        guard let value else { return .standard }
        guard case .object(let members) = value else {
            issues.append(ValidationIssue(path: "$.checkpoint", value: value,
                                          expected: "an object {\"every_steps\": N, \"every_minutes\": M} (either or both)"))
            return .standard
        }
        var policy = CheckpointPolicy(everySteps: nil, everyMinutes: nil)
        for (key, item) in members {
            switch (key, item) {
            case ("every_steps", .integer(let n)) where n >= 1: policy.everySteps = Int(n)
            case ("every_steps", _):
                issues.append(ValidationIssue(path: "$.checkpoint.every_steps", value: item, expected: "an integer ≥ 1 (steps or iterations between checkpoints)"))
            case ("every_minutes", _) where (item.doubleValue ?? 0) > 0: policy.everyMinutes = item.doubleValue
            case ("every_minutes", _):
                issues.append(ValidationIssue(path: "$.checkpoint.every_minutes", value: item, expected: "a number of minutes > 0"))
            default:
                issues.append(ValidationIssue(path: "$.checkpoint.\(key)", value: item,
                                              expected: "no such key\(Suggestions.hint(for: key, in: ["every_steps", "every_minutes"])); a checkpoint has: every_steps, every_minutes"))
            }
        }
        return policy
    }
}

/// Tracks when the last checkpoint was written and says when the next one is due.
public struct CheckpointClock: Sendable {
    public let policy: CheckpointPolicy
    private var lastStep: Int
    private var lastTime: Date

    public init(policy: CheckpointPolicy, step: Int = 0) {
        self.policy = policy
        lastStep = step
        lastTime = Date()
    }

    /// True when a checkpoint is due at `step` (or a stop was requested).
    public func isDue(step: Int) -> Bool {
        if StopRequest.isRequested { return true }
        if let every = policy.everySteps, step - lastStep >= every { return true }
        if let minutes = policy.everyMinutes, Date().timeIntervalSince(lastTime) >= minutes * 60 { return true }
        return false
    }

    /// Records that a checkpoint was written at `step`.
    public mutating func written(at step: Int) {
        lastStep = step
        lastTime = Date()
    }
}
