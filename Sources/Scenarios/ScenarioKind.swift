import Synchronization

/// A kind of scenario: the parameters it takes and how to run it.
///
/// Each domain contributes its kinds through its adapter target (`IntegratorScenarios`,
/// `CellFlowScenarios`, …); a program registers them in ``ScenarioRegistry/standard``.
public protocol ScenarioKind: Sendable {
    /// The value of `"kind"` in a scenario file, e.g. `"lorenz"`.
    var name: String { get }
    /// The domain the kind belongs to, as the README and `Scenarios/<domain>/` name it
    /// (`"neural-ode"`, `"cell-flow"`, …); `ndyn list` groups kinds by it.
    var domain: String { get }
    /// One line for `ndyn list`.
    var summary: String { get }
    /// The parameters the kind accepts inside `"parameters"`, in the order they are documented.
    var parameters: [ParameterSpec] { get }
    /// Checks between parameters (each already has the right type and range); appends issues.
    func check(_ parameters: ParameterValues, issues: inout [ValidationIssue])
    /// Runs the scenario, writing its output through `context`.
    func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary
    /// True when one run can be shared by several MPI ranks (data-parallel training through
    /// `context.communicator`); otherwise under `mpirun` only rank 0 runs a single scenario.
    var isDataParallel: Bool { get }
}

extension ScenarioKind {
    public func check(_ parameters: ParameterValues, issues: inout [ValidationIssue]) {}
    public var isDataParallel: Bool { false }
}

/// What a finished run reports for `run.json`: solver statistics and the files it wrote.
public struct RunSummary: Sendable {
    /// Named numbers such as `steps`, `rhs_evaluations`, in order.
    public var statistics: [(key: String, value: JSONValue)]

    public init(statistics: [(key: String, value: JSONValue)] = []) {
        self.statistics = statistics
    }
}

/// The scenario kinds a program knows.
public struct ScenarioRegistry: Sendable {
    public var kinds: [any ScenarioKind]

    public init(kinds: [any ScenarioKind]) {
        self.kinds = kinds
    }

    private static let registered = Mutex(ScenarioRegistry(kinds: []))

    /// The kinds this program registered: the default of every API that looks a kind up. The
    /// core lists none; a program joins the domains' adapters (`ndyn` registers all of them
    /// when it starts, e.g. `ScenarioRegistry.standard = ScenarioRegistry(kinds: IntegratorScenarios.kinds + …)`).
    public static var standard: ScenarioRegistry {
        get { registered.withLock { $0 } }
        set { registered.withLock { $0 = newValue } }
    }

    public func kind(named name: String) -> (any ScenarioKind)? {
        kinds.first { $0.name == name }
    }

    /// The kinds grouped by domain, domains in order of their first kind.
    public var kindsByDomain: [(domain: String, kinds: [any ScenarioKind])] {
        var groups: [(domain: String, kinds: [any ScenarioKind])] = []
        for kind in kinds {
            if let index = groups.firstIndex(where: { $0.domain == kind.domain }) {
                groups[index].kinds.append(kind)
            } else {
                groups.append((kind.domain, [kind]))
            }
        }
        return groups
    }
}
