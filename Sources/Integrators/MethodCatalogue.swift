/// The ODE methods by name, for code that chooses one at run time (scenario files, command-line
/// options): one lookup shared by every consumer instead of a `switch` in each.
///
/// ```swift
/// let method = try MethodCatalogue.method(named: "Rodas5P")
/// let solution = try method.solve(problem, tolerance: Tolerance(relative: 1e-8, absolute: 1e-10))
/// ```
public enum MethodCatalogue {
    /// Every method, in the order listed to users: adaptive explicit, stiff, IMEX, fixed-step explicit.
    public static let all: [NamedODEMethod] = [
        NamedODEMethod(Tsit5(), kind: .explicit),
        NamedODEMethod(DormandPrince5(), kind: .explicit),
        NamedODEMethod(Verner7(), kind: .explicit),
        NamedODEMethod(BogackiShampine3(), kind: .explicit),
        NamedODEMethod(Rodas5P(), kind: .stiff),
        NamedODEMethod(BDF(), kind: .stiff),
        NamedODEMethod(ARK436L2SA(), kind: .imex),
        NamedODEMethod(ARK324L2SA(), kind: .imex),
        NamedODEMethod(RK4(), kind: .explicit),
        NamedODEMethod(Heun(), kind: .explicit),
        NamedODEMethod(Euler(), kind: .explicit),
    ]

    /// The names, in the order of ``all``.
    public static var names: [String] { all.map(\.name) }

    /// The method called `name` (exact spelling, e.g. `"DormandPrince5"`).
    /// - Throws: ``IntegrationError/invalidArgument(_:)`` naming the known methods.
    public static func method(named name: String) throws(IntegrationError) -> NamedODEMethod {
        guard let method = all.first(where: { $0.name == name }) else {
            throw .invalidArgument("unknown method '\(name)'; known: \(names.joined(separator: ", "))")
        }
        return method
    }
}

/// An ODE method chosen by name (see ``MethodCatalogue``): what it is, and the one solve and
/// integrator of the core with the method filled in.
public struct NamedODEMethod: Sendable {
    /// Explicit, stiff (implicit linear algebra), or IMEX (a split problem: explicit + implicit parts).
    public enum Kind: Sendable { case explicit, stiff, imex }

    public let name: String
    public let kind: Kind
    /// Has an embedded error estimator (usable with ``PIController``); otherwise fixed steps only.
    public let isAdaptive: Bool
    /// The explicit Runge–Kutta coefficients (`nil` for the stiff methods).
    public let tableau: ButcherTableau?
    @usableFromInline let make: @Sendable (ODEProblem, SolveOptions) throws(IntegrationError) -> any ODESolving

    init<Method: ODEMethod & Sendable>(_ method: Method, kind: Kind) {
        name = method.name
        self.kind = kind
        isAdaptive = method.errorEstimatorOrder != nil
        tableau = (method as? any ExplicitRungeKuttaMethod)?.tableau
        make = { problem, o throws(IntegrationError) in
            try ODEIntegrator(problem, using: method, tolerance: o.tolerance, saveAt: o.saveAt, controller: o.controller,
                              initialStep: o.initialStep, maxStep: o.maxStep, maxSteps: o.maxSteps,
                              denseOutput: o.denseOutput, events: o.events)
        }
    }

    /// A steppable integrator of `problem` with this method (see ``ODEIntegrator``); `step`
    /// non-nil takes ``FixedStep`` steps of that size, otherwise ``PIController`` (or `controller`).
    public func integrator(
        _ problem: ODEProblem, tolerance: Tolerance = Tolerance(), saveAt: SaveAt = .steps,
        controller: (any StepSizeController)? = nil, step: Double? = nil, initialStep: Double? = nil,
        maxStep: Double? = nil, maxSteps: Int? = nil, denseOutput: Bool = true, events: [Event] = []
    ) throws(IntegrationError) -> any ODESolving {
        let chosen: any StepSizeController = step.map { FixedStep($0) } ?? controller ?? PIController()
        return try make(problem, SolveOptions(
            tolerance: tolerance, saveAt: saveAt, controller: chosen, initialStep: initialStep, maxStep: maxStep,
            maxSteps: maxSteps, denseOutput: denseOutput, events: events))
    }

    /// Solves `problem` with this method; the arguments mean what they mean for the core's `solve`.
    public func solve(
        _ problem: ODEProblem, tolerance: Tolerance = Tolerance(), saveAt: SaveAt = .steps,
        controller: (any StepSizeController)? = nil, step: Double? = nil, initialStep: Double? = nil,
        maxStep: Double? = nil, maxSteps: Int? = nil, denseOutput: Bool = true, events: [Event] = []
    ) throws(IntegrationError) -> ODESolution {
        var integrator = try integrator(
            problem, tolerance: tolerance, saveAt: saveAt, controller: controller, step: step, initialStep: initialStep,
            maxStep: maxStep, maxSteps: maxSteps, denseOutput: denseOutput, events: events)
        try integrator.finish()
        return integrator.solution
    }
}

/// The settings of one solve, as the catalogue passes them on.
@usableFromInline
struct SolveOptions {
    var tolerance: Tolerance
    var saveAt: SaveAt
    var controller: any StepSizeController
    var initialStep: Double?
    var maxStep: Double?
    var maxSteps: Int?
    var denseOutput: Bool
    var events: [Event]
}

/// A steppable ODE solve whose complete solution can be read (every ``ODEIntegrator``).
public protocol ODESolving: SteppableIntegrator {
    /// The solution so far; `completed` once finished.
    var solution: ODESolution { get }
    /// Events located so far.
    var eventOccurrences: [EventOccurrence] { get }
}

extension ODEIntegrator: ODESolving {}
