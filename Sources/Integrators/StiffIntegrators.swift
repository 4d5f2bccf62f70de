// The stiff methods' pieces the driver and snapshots share: the steppable forms are the one
// driver (`ODEIntegrator<Rodas5P>`, `ODEIntegrator<BDF>`), named here as before.

/// A ``Rodas5P`` solve you drive step by step, snapshot and resume bit-identically.
public typealias Rodas5PIntegrator = ODEIntegrator<Rodas5P>

/// A ``BDF`` solve you drive step by step, snapshot and resume bit-identically.
public typealias BDFIntegrator = ODEIntegrator<BDF>

/// A method whose default settings are a complete choice (`Rodas5P()`, `BDF()`), so that its
/// integrator can be made without naming it: `Rodas5PIntegrator(problem, tolerance: ...)`.
public protocol DefaultODEMethod: ODEMethod {
    init()
}

extension Rodas5P: DefaultODEMethod {
    /// Dense LU.
    public init() { self.init(linearSolver: .dense) }
}

extension BDF: DefaultODEMethod {
    /// Orders 1...5, dense LU.
    public init() { self.init(maxOrder: 5, linearSolver: .dense) }
}

extension ODEIntegrator where Method: DefaultODEMethod {
    /// A solve with the method's default settings (dense LU; BDF orders 1...5).
    @inlinable
    public init(
        _ problem: ODEProblem, tolerance: Tolerance = Tolerance(), saveAt: SaveAt = .steps,
        controller: PIController = PIController(), initialStep: Double? = nil, maxStep: Double? = nil,
        maxSteps: Int? = nil, denseOutput: Bool = true, events: [Event] = []
    ) throws(IntegrationError) {
        try self.init(problem, using: Method(), tolerance: tolerance, saveAt: saveAt, controller: controller,
                      initialStep: initialStep, maxStep: maxStep, maxSteps: maxSteps, denseOutput: denseOutput,
                      events: events)
    }
}

/// Copies `count` values from a buffer into an array (for snapshots).
@usableFromInline
func snapshotVector(_ pointer: UnsafeMutablePointer<Double>, _ count: Int) -> [Double] {
    Array(UnsafeBufferPointer(start: pointer, count: count))
}

/// Restores `count` values of a snapshot vector into a buffer.
@usableFromInline
func restoreVector(_ snapshot: IntegratorSnapshot, _ name: String, into pointer: UnsafeMutablePointer<Double>,
                   count: Int) throws(IntegrationError) {
    let values = try snapshot.vector(name, count: count)
    for i in 0..<count { pointer[i] = values[i] }
}

extension IterationMatrix {
    /// Jacobian, LU factors and pivots, exactly.
    func snapshotVectors() -> [String: [Double]] {
        var pivotValues = [Double](repeating: 0, count: n)
        for i in 0..<n { pivotValues[i] = Double(pivots[i]) }
        var vectors = ["jacobian": snapshotVector(jac, jacCount), "lu": snapshotVector(lu, luCount), "pivots": pivotValues]
        if let s = sparse { vectors.merge(s.snapshotVectors()) { $1 } }
        if let k = krylov { vectors.merge(k.snapshotVectors()) { $1 } }
        return vectors
    }

    func restore(from snapshot: IntegratorSnapshot) throws(IntegrationError) {
        try restoreVector(snapshot, "jacobian", into: jac, count: jacCount)
        try restoreVector(snapshot, "lu", into: lu, count: luCount)
        let pivotValues = try snapshot.vector("pivots", count: n)
        for i in 0..<n { pivots[i] = Int32(pivotValues[i]) }
        try sparse?.restore(from: snapshot)
        try krylov?.restore(from: snapshot)
    }
}

extension StiffLinearSolver {
    /// Checks the solver's settings for a system of `n` unknowns.
    func validate(for problem: ODEProblem) throws(IntegrationError) {
        switch self {
        case .dense:
            break
        case .banded(let ml, let mu):
            if ml < 0 || mu < 0 {
                throw .invalidArgument("banded linear solver needs lower, upper >= 0 (got \(ml), \(mu))")
            }
        case .sparse:
            if let pattern = problem.jacobian?.sparsity, pattern.dimension != problem.dimension {
                throw .invalidArgument("the sparsity pattern is \(pattern.dimension) × \(pattern.dimension), the problem has \(problem.dimension) unknowns")
            }
            if problem.jacobian?.sparseValues != nil && problem.jacobian?.sparsity == nil {
                throw .invalidArgument("sparse Jacobian values need their sparsity pattern")
            }
        case .krylov(let options):
            try options.validate()
        }
    }
}
