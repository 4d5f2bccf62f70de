import CLAPACKE

/// Steady Hagen–Poiseuille flow in a vessel network by nodal analysis: a flow source at the
/// inlet, zero pressure at the outlets, and Kirchhoff's current law at every other node,
///
///     Σ_{segments s at node i} G_s (p_i − p_j) = q_i,   G_s = π r_s⁴ / (8 μ L_s),
///
/// a sparse symmetric positive definite system in the unknown pressures (outlets removed).
public struct PoiseuilleFlow: Sendable {
    /// How the pressure system is solved.
    public enum Method: Sendable, Equatable {
        /// Jacobi-preconditioned conjugate gradients on the sparse system (any size).
        case conjugateGradient(relativeTolerance: Double = 1e-14, maximumIterations: Int? = nil)
        /// LAPACK Cholesky (`dposv`) on the dense system: small networks, and to check CG.
        case dense
    }

    /// Blood viscosity μ, Pa·s (CeFloPS: 0.0035).
    public var viscosity: Double
    /// Volumetric flow entering at the inlet, m³/s (CeFloPS default: 1e-4); ignored when
    /// `inletPressure` is set.
    public var inletFlow: Double
    /// A pressure boundary condition instead: the inlet held at this pressure (Pa above the
    /// outlets), the inlet flow then follows from the network's resistance.
    public var inletPressure: Double?
    public var method: Method

    public init(viscosity: Double = 0.0035, inletFlow: Double = 1e-4, inletPressure: Double? = nil,
                method: Method = .conjugateGradient()) {
        self.viscosity = viscosity
        self.inletFlow = inletFlow
        self.inletPressure = inletPressure
        self.method = method
    }

    /// Solves for node pressures and segment flows.
    public func solve(_ network: VesselNetwork) throws(NetworkError) -> FlowSolution {
        try network.validate(requireTree: false)
        guard viscosity > 0, viscosity.isFinite else { throw .invalid("viscosity must be positive, got \(viscosity) Pa·s") }
        let n = network.nodes.count
        // Unknowns: every node whose pressure is not given (outlets, and the inlet under a pressure condition).
        var unknown = [Int](repeating: -1, count: n)
        var count = 0
        var known = [Double](repeating: 0, count: n)
        if let inletPressure { known[network.inlet] = inletPressure }
        for node in 0..<n where network.role(of: node) == .interior || (network.role(of: node) == .inlet && inletPressure == nil) {
            unknown[node] = count
            count += 1
        }
        let conductances = network.segments.map { $0.conductance(viscosity: viscosity) }
        var rhs = [Double](repeating: 0, count: count)
        if inletPressure == nil { rhs[unknown[network.inlet]] = inletFlow }
        // Known pressures move to the right-hand side: G (p_i − p_known) → rhs_i += G p_known.
        for (index, segment) in network.segments.enumerated() {
            let i = unknown[segment.from], j = unknown[segment.to]
            if i >= 0 && j < 0 { rhs[i] += conductances[index] * known[segment.to] }
            if j >= 0 && i < 0 { rhs[j] += conductances[index] * known[segment.from] }
        }
        var pressures = known
        var iterations = 0
        var solution: [Double] = []
        switch method {
        case _ where count == 0:
            break  // every pressure is given
        case .dense:
            solution = try Self.denseSolve(network, conductances: conductances, unknown: unknown, count: count, rhs: rhs)
        case let .conjugateGradient(tolerance, maximum):
            let matrix = SparseSymmetricMatrix(network, conductances: conductances, unknown: unknown, count: count)
            (solution, iterations) = try matrix.conjugateGradient(rhs, relativeTolerance: tolerance, maximumIterations: maximum ?? 10 * count + 100)
        }
        for node in 0..<n where unknown[node] >= 0 { pressures[node] = solution[unknown[node]] }
        let flows = network.segments.enumerated().map { index, segment in
            conductances[index] * (pressures[segment.from] - pressures[segment.to])
        }
        let enteringFlow = inletPressure == nil ? inletFlow : network.segments.enumerated().reduce(0.0) { total, item in
            item.element.from == network.inlet ? total + flows[item.offset] : item.element.to == network.inlet ? total - flows[item.offset] : total
        }
        return FlowSolution(network: network, viscosity: viscosity, inletFlow: enteringFlow, pressures: pressures,
                            flows: flows, iterations: iterations)
    }

    static func denseSolve(_ network: VesselNetwork, conductances: [Double], unknown: [Int], count: Int,
                           rhs: [Double]) throws(NetworkError) -> [Double] {
        guard count <= 4000 else { throw .solverFailed("\(count) unknowns are too many for the dense solve; use conjugate gradients") }
        var a = [Double](repeating: 0, count: count * count)  // column-major (symmetric anyway)
        for (index, segment) in network.segments.enumerated() {
            let g = conductances[index]
            let i = unknown[segment.from], j = unknown[segment.to]
            if i >= 0 { a[i + i * count] += g }
            if j >= 0 { a[j + j * count] += g }
            if i >= 0 && j >= 0 {
                a[i + j * count] -= g
                a[j + i * count] -= g
            }
        }
        var b = rhs
        let n32 = Int32(count)
        let info = LAPACKE_dposv(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), n32, 1, &a, n32, &b, n32)
        guard info == 0 else {
            throw .solverFailed("LAPACK dposv returned \(info): the pressure system is singular (a part of the network reaches no outlet)")
        }
        return b
    }
}

/// Pressures at the nodes and flows in the segments of a solved network.
public struct FlowSolution: Sendable {
    public let network: VesselNetwork
    public let viscosity: Double
    public let inletFlow: Double
    /// Node pressures, Pa (outlets 0).
    public let pressures: [Double]
    /// Segment flows, m³/s, positive from `from` to `to`.
    public let flows: [Double]
    /// Conjugate-gradient iterations (0 for the dense solve).
    public let iterations: Int

    /// Mean velocity `Q / (π r²)` per segment, m/s (the parabolic profile's maximum is twice this).
    public var meanVelocities: [Double] {
        zip(flows, network.segments).map { $0 / (Double.pi * $1.radius * $1.radius) }
    }

    /// Net flow from each node into its segments, m³/s: `+inletFlow` at the inlet (the source),
    /// minus the drained flow at each outlet (a sink), and Kirchhoff's residual (ideally 0) at
    /// interior nodes.
    public var netOutflow: [Double] {
        var net = [Double](repeating: 0, count: network.nodes.count)
        for (flow, segment) in zip(flows, network.segments) {
            net[segment.from] += flow
            net[segment.to] -= flow
        }
        return net
    }

    /// The largest |net flow| at an interior node relative to the inlet flow.
    public var kirchhoffResidual: Double {
        let net = netOutflow
        var worst = 0.0
        for node in 0..<net.count where network.role(of: node) == .interior { worst = max(worst, abs(net[node])) }
        return worst / abs(inletFlow)
    }
}

/// The pressure system in compressed sparse rows (symmetric, stored in full).
struct SparseSymmetricMatrix {
    let count: Int
    var rowStart: [Int]
    var columns: [Int]
    var values: [Double]

    init(_ network: VesselNetwork, conductances: [Double], unknown: [Int], count: Int) {
        self.count = count
        var entries = [[(Int, Double)]](repeating: [], count: count)
        for (index, segment) in network.segments.enumerated() {
            let g = conductances[index]
            let i = unknown[segment.from], j = unknown[segment.to]
            if i >= 0 { entries[i].append((i, g)) }
            if j >= 0 { entries[j].append((j, g)) }
            if i >= 0 && j >= 0 {
                entries[i].append((j, -g))
                entries[j].append((i, -g))
            }
        }
        rowStart = [0]
        columns = []
        values = []
        for row in entries {
            var merged: [Int: Double] = [:]
            for (column, value) in row { merged[column, default: 0] += value }
            for column in merged.keys.sorted() {
                columns.append(column)
                values.append(merged[column]!)
            }
            rowStart.append(columns.count)
        }
    }

    func multiply(_ x: UnsafeBufferPointer<Double>, into y: UnsafeMutableBufferPointer<Double>) {
        for row in 0..<count {
            var sum = 0.0
            for k in rowStart[row]..<rowStart[row + 1] { sum += values[k] * x[columns[k]] }
            y[row] = sum
        }
    }

    /// Jacobi-preconditioned CG until ‖r‖ ≤ tolerance · ‖b‖.
    func conjugateGradient(_ b: [Double], relativeTolerance: Double, maximumIterations: Int) throws(NetworkError) -> ([Double], Int) {
        var diagonal = [Double](repeating: 1, count: count)
        for row in 0..<count {
            for k in rowStart[row]..<rowStart[row + 1] where columns[k] == row { diagonal[row] = values[k] }
        }
        var x = [Double](repeating: 0, count: count)
        var r = b
        var z = zip(r, diagonal).map { $0 / $1 }
        var p = z
        var ap = [Double](repeating: 0, count: count)
        var rz = zip(r, z).reduce(0) { $0 + $1.0 * $1.1 }
        let bNorm = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard bNorm > 0 else { return (x, 0) }
        for iteration in 1...maximumIterations {
            p.withUnsafeBufferPointer { pb in ap.withUnsafeMutableBufferPointer { multiply(pb, into: $0) } }
            let pap = zip(p, ap).reduce(0) { $0 + $1.0 * $1.1 }
            guard pap > 0 else { throw .solverFailed("conjugate gradients broke down (pᵀAp = \(pap)): is every node connected to an outlet?") }
            let alpha = rz / pap
            var rNorm = 0.0
            for i in 0..<count {
                x[i] += alpha * p[i]
                r[i] -= alpha * ap[i]
                rNorm += r[i] * r[i]
            }
            if rNorm.squareRoot() <= relativeTolerance * bNorm { return (x, iteration) }
            for i in 0..<count { z[i] = r[i] / diagonal[i] }
            let rzNew = zip(r, z).reduce(0) { $0 + $1.0 * $1.1 }
            let beta = rzNew / rz
            rz = rzNew
            for i in 0..<count { p[i] = z[i] + beta * p[i] }
        }
        throw .solverFailed("conjugate gradients did not reach ‖r‖ ≤ \(relativeTolerance)·‖b‖ in \(maximumIterations) iterations")
    }
}
