/// A point in body coordinates, metres.
public struct Point3: Sendable, Equatable, Hashable {
    public var x, y, z: Double
    public init(_ x: Double, _ y: Double, _ z: Double) { (self.x, self.y, self.z) = (x, y, z) }
    public static func + (a: Point3, b: Point3) -> Point3 { Point3(a.x + b.x, a.y + b.y, a.z + b.z) }
    public static func - (a: Point3, b: Point3) -> Point3 { Point3(a.x - b.x, a.y - b.y, a.z - b.z) }
    public static func * (s: Double, a: Point3) -> Point3 { Point3(s * a.x, s * a.y, s * a.z) }
    public var norm: Double { (x * x + y * y + z * z).squareRoot() }
    public func distance(to other: Point3) -> Double { (self - other).norm }
}

/// One vessel segment: a straight tube from node `from` to node `to` (the flow direction when
/// flow is positive), with its `radius` and `length` in metres.
public struct VesselSegment: Sendable, Equatable {
    public var from: Int
    public var to: Int
    /// Lumen radius, m.
    public var radius: Double
    /// Length, m (the distance between its nodes unless the vessel is tortuous).
    public var length: Double

    public init(from: Int, to: Int, radius: Double, length: Double) {
        self.from = from
        self.to = to
        self.radius = radius
        self.length = length
    }

    /// Hagen–Poiseuille conductance `G = π r⁴ / (8 μ L)`, m³ s⁻¹ Pa⁻¹ (μ in Pa·s).
    public func conductance(viscosity: Double) -> Double {
        Double.pi * radius * radius * radius * radius / (8 * viscosity * length)
    }

    /// Hagen–Poiseuille resistance `R = 8 μ L / (π r⁴)`, Pa·s m⁻³.
    public func resistance(viscosity: Double) -> Double { 1 / conductance(viscosity: viscosity) }
}

/// What a node is for the flow problem.
public enum NodeRole: Sendable, Equatable {
    /// Where the flow source enters (the aortic root of an arterial tree).
    case inlet
    /// Held at zero pressure (a terminal end that drains into an organ, or a venous return).
    case outlet
    /// Kirchhoff's law holds: the flows in and out balance.
    case interior
}

/// A vessel network: nodes in space (m), segments between them, one inlet and its outlets.
///
/// Made by ``VesselTreeGenerator``, read from NetCDF or CSV (``VesselNetworkIO``), and checked
/// by ``validate(requireTree:)`` before any flow is solved.
public struct VesselNetwork: Sendable, Equatable {
    /// Node positions, m.
    public var nodes: [Point3]
    public var segments: [VesselSegment]
    /// The node where the flow enters.
    public var inlet: Int
    /// Nodes held at zero pressure.
    public var outlets: [Int]
    /// Optional node labels (organ a terminal node feeds, or a name), same count as `nodes` or empty.
    public var nodeLabels: [String]

    public init(nodes: [Point3], segments: [VesselSegment], inlet: Int, outlets: [Int], nodeLabels: [String] = []) {
        self.nodes = nodes
        self.segments = segments
        self.inlet = inlet
        self.outlets = outlets
        self.nodeLabels = nodeLabels
    }

    public func role(of node: Int) -> NodeRole {
        node == inlet ? .inlet : outlets.contains(node) ? .outlet : .interior
    }

    /// For each node, the segments that touch it (as indices into `segments`).
    public var incidence: [[Int]] {
        var result = [[Int]](repeating: [], count: nodes.count)
        for (index, segment) in segments.enumerated() {
            result[segment.from].append(index)
            if segment.to != segment.from { result[segment.to].append(index) }
        }
        return result
    }

    /// Checks the network and names the first offending node or segment: indices in range,
    /// positive finite radius and length, no self-loops, an inlet and at least one outlet, every
    /// node connected to the inlet, and (with `requireTree`) no cycles.
    public func validate(requireTree: Bool = true) throws(NetworkError) {
        guard !nodes.isEmpty else { throw .invalid("the network has no nodes") }
        guard !segments.isEmpty else { throw .invalid("the network has no segments") }
        guard nodeLabels.isEmpty || nodeLabels.count == nodes.count else {
            throw .invalid("\(nodeLabels.count) node labels for \(nodes.count) nodes")
        }
        for (i, node) in nodes.enumerated() where !(node.x.isFinite && node.y.isFinite && node.z.isFinite) {
            throw .invalid("node \(i) has a non-finite position (\(node.x), \(node.y), \(node.z))")
        }
        guard (0..<nodes.count).contains(inlet) else {
            throw .invalid("missing inlet: inlet node \(inlet) is not one of the \(nodes.count) nodes")
        }
        guard !outlets.isEmpty else { throw .invalid("the network has no outlet (a node held at zero pressure)") }
        for outlet in outlets where !(0..<nodes.count).contains(outlet) {
            throw .invalid("outlet node \(outlet) is not one of the \(nodes.count) nodes")
        }
        if outlets.contains(inlet) { throw .invalid("node \(inlet) is both the inlet and an outlet") }
        for (i, segment) in segments.enumerated() {
            guard (0..<nodes.count).contains(segment.from), (0..<nodes.count).contains(segment.to) else {
                throw .invalid("segment \(i) joins nodes \(segment.from) and \(segment.to); the network has nodes 0 ... \(nodes.count - 1)")
            }
            guard segment.from != segment.to else { throw .invalid("segment \(i) starts and ends at node \(segment.from)") }
            guard segment.radius > 0, segment.radius.isFinite else {
                throw .invalid("segment \(i) (nodes \(segment.from)–\(segment.to)) has radius \(segment.radius) m; a radius must be positive")
            }
            guard segment.length > 0, segment.length.isFinite else {
                throw .invalid("segment \(i) (nodes \(segment.from)–\(segment.to)) has length \(segment.length) m; a length must be positive")
            }
        }
        // Connectivity (and cycles) by a search from the inlet.
        let incidence = self.incidence
        var parentSegment = [Int](repeating: -2, count: nodes.count)  // -2 unvisited, -1 root
        parentSegment[inlet] = -1
        var stack = [inlet]
        while let node = stack.popLast() {
            for s in incidence[node] {
                let segment = segments[s]
                let other = segment.from == node ? segment.to : segment.from
                if parentSegment[other] == -2 {
                    parentSegment[other] = s
                    stack.append(other)
                } else if requireTree && s != parentSegment[node] && parentSegment[other] != s {
                    throw .invalid("segment \(s) (nodes \(segment.from)–\(segment.to)) closes a cycle; this network must be a tree")
                }
            }
        }
        if let lost = parentSegment.firstIndex(of: -2) {
            throw .invalid("node \(lost) is not connected to the inlet (node \(inlet)): the network has disconnected parts")
        }
    }
}

/// A vessel network that cannot be used, and why (naming the node or segment).
public enum NetworkError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)
    case unreadable(file: String, reason: String)
    case solverFailed(String)

    public var description: String {
        switch self {
        case .invalid(let message): return "invalid vessel network: \(message)"
        case let .unreadable(file, reason): return "\(file): cannot read the vessel network: \(reason)"
        case .solverFailed(let message): return "flow solve failed: \(message)"
        }
    }
}
