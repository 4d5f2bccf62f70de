import Randomness

/// A family of runs declared by a scenario's `"sweep"`: a grid and/or a list of parameter
/// values, each repeated for `replicas` independent seeds.
///
/// ```json
/// "sweep": {
///   "grid": {"rho": [14, 28], "sigma": [10, 12]},
///   "list": [{"beta": 2.0, "t_end": 20}, {"beta": 3.0, "t_end": 30}],
///   "replicas": 2
/// }
/// ```
///
/// Members are the product `list entries × grid points × replicas`, in that order with the
/// replica varying fastest and the grid's last key fastest among the grid keys (a missing
/// `list` counts as one empty entry, a missing `grid` as one empty point). Every member runs
/// the scenario with the base `"parameters"` overridden by its values, and writes
/// `output/name/<member id>/`.
///
/// Seeds: replica 0 keeps the scenario's seed, so a sweep of one replica repeats the base
/// scenario's random draws; replica `r > 0` takes ``derivedSeed(base:replica:)``. Members that
/// differ only in parameters share their seeds (common random numbers, so differences between
/// members come from the parameters, not from the draws).
public struct Sweep: Sendable, Equatable {
    /// The grid axes in the order written: parameter name and its values.
    public var grid: [(parameter: String, values: [JSONValue])]
    /// Explicit combinations, each a set of parameter values, in the order written.
    public var list: [[(parameter: String, value: JSONValue)]]
    /// Independent repetitions of every combination (≥ 1).
    public var replicas: Int

    public init(grid: [(parameter: String, values: [JSONValue])] = [],
                list: [[(parameter: String, value: JSONValue)]] = [], replicas: Int = 1) {
        self.grid = grid
        self.list = list
        self.replicas = replicas
    }

    public static func == (lhs: Sweep, rhs: Sweep) -> Bool {
        lhs.json == rhs.json
    }

    /// The largest number of members a sweep may have.
    public static let maximumMembers = 1_000_000

    /// The number of members: `max(list, 1) × Π grid lengths × replicas`.
    public var memberCount: Int {
        max(list.count, 1) * grid.reduce(1) { $0 * $1.values.count } * replicas
    }

    /// The names of the swept parameters, in first-appearance order (list keys, then grid keys).
    public var parameterNames: [String] {
        var names: [String] = []
        for entry in list { for (name, _) in entry where !names.contains(name) { names.append(name) } }
        for (name, _) in grid where !names.contains(name) { names.append(name) }
        return names
    }

    /// Member `index` (0-based): its parameter values and replica.
    public func member(_ index: Int, baseSeed: Int64) -> SweepMember {
        precondition((0..<memberCount).contains(index), "member \(index) of a sweep of \(memberCount)")
        let replica = index % replicas
        var rest = index / replicas
        var gridValues: [(parameter: String, value: JSONValue)] = []
        for axis in grid.reversed() {
            gridValues.insert((axis.parameter, axis.values[rest % axis.values.count]), at: 0)
            rest /= axis.values.count
        }
        var values = list.isEmpty ? [] : list[rest]
        for (name, value) in gridValues {
            if let existing = values.firstIndex(where: { $0.parameter == name }) {
                values[existing].value = value
            } else {
                values.append((name, value))
            }
        }
        return SweepMember(index: index, count: memberCount, replica: replica,
                           seed: Self.derivedSeed(base: baseSeed, replica: replica), values: values)
    }

    /// The seed of replica `replica`: the base seed for replica 0, otherwise a SplitMix64 hash of
    /// `(base, replica)` reduced to `0 ... Int64.max`. Distinct replicas get unrelated streams.
    public static func derivedSeed(base: Int64, replica: Int) -> Int64 {
        guard replica > 0 else { return base }
        return Int64(bitPattern: SplitMix64.hash(UInt64(bitPattern: base), UInt64(replica)) >> 1)
    }

    /// The sweep as written in a scenario (what `run.json` records).
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if !grid.isEmpty { members.append(("grid", .object(grid.map { ($0.parameter, .array($0.values)) }))) }
        if !list.isEmpty {
            members.append(("list", .array(list.map { entry in .object(entry.map { ($0.parameter, $0.value) }) })))
        }
        members.append(("replicas", .integer(Int64(replicas))))
        return .object(members)
    }
}

/// One member of a sweep: which one, its seed and the parameter values it sets.
public struct SweepMember: Sendable, Equatable {
    /// 0-based position in the sweep (the `--member` and `SLURM_ARRAY_TASK_ID` value).
    public var index: Int
    /// Number of members in the sweep.
    public var count: Int
    /// Which repetition of its parameter combination (0-based).
    public var replica: Int
    /// The member's seed (see ``Sweep/derivedSeed(base:replica:)``).
    public var seed: Int64
    /// The parameter values this member sets over the scenario's `"parameters"`.
    public var values: [(parameter: String, value: JSONValue)]

    public static func == (lhs: SweepMember, rhs: SweepMember) -> Bool {
        lhs.index == rhs.index && lhs.count == rhs.count && lhs.replica == rhs.replica && lhs.seed == rhs.seed
            && lhs.values.count == rhs.values.count
            && zip(lhs.values, rhs.values).allSatisfy { $0.parameter == $1.parameter && $0.value == $1.value }
    }

    /// The member's directory name: its index zero-padded to at least 4 digits (`0007`), so
    /// directory listings sort in member order.
    public var id: String {
        let width = max(4, String(max(count - 1, 0)).count)
        let digits = String(index)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// `rho=28, sigma=10, replica 1` — for plans and messages.
    public var label: String {
        var parts = values.map { "\($0.parameter)=\($0.value.serialized(pretty: false))" }
        parts.append("replica \(replica)")
        return parts.joined(separator: ", ")
    }

    /// The member as recorded in its `run.json`.
    public var json: JSONValue {
        .object([
            ("index", .integer(Int64(index))), ("id", .string(id)), ("count", .integer(Int64(count))),
            ("replica", .integer(Int64(replica))), ("seed", .integer(seed)),
            ("values", .object(values.map { ($0.parameter, $0.value) })),
        ])
    }
}
