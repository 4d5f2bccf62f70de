import Foundation

/// Everything the cell walk needs, computed once: the vascular system with its arterial flows
/// (Kirchhoff) and venous flows (the arterial terminal flows gathered back to the heart), the
/// branch probabilities, the organ kinetics as per-step transition matrices, and the nearest
/// venous exits of every arterial end.
public struct CellFlowModel: Sendable {
    public let system: VascularSystem
    public let arterialFlow: FlowSolution
    /// Venous segment flows, m³/s (segment k − 1 drains node k toward the heart).
    public let venousFlows: [Double]
    public let settings: CellFlowSettings
    /// Per organ: the compartment chain over one step.
    public let organChains: [CompartmentChain]
    /// The chain in vessels (no uptake, only elimination).
    public let vesselChain: CompartmentChain
    /// For each arterial terminal i: up to three venous leaves of the same organ and cumulative choice weights (∝ 1/distance).
    let exits: [[(leaf: Int, cumulative: Double)]]
    /// Mean speeds, m/s, per arterial and venous segment.
    let arterialSpeed: [Double]
    let venousSpeed: [Double]
    /// The venous node where injected cells enter: the injection organ's first venous exit,
    /// moved `injectionDepth` levels up toward the heart (a large limb vein, not a capillary).
    public let injectionNode: Int
    /// Probability of taking child 2k (vs 2k + 1) at arterial branch node k (index k).
    public let branchProbability: [Double]

    public init(system: VascularSystem, settings: CellFlowSettings) throws(NetworkError) {
        self.system = system
        self.settings = settings
        try system.arteries.validate(requireTree: true)
        try system.veins.validate(requireTree: true)
        let leaves = system.terminalCount
        guard system.arteries.nodes.count == 2 * leaves, system.veins.nodes.count == 2 * leaves else {
            throw .invalid("the arterial and venous trees must be heap-numbered twins with \(2 * leaves) nodes")
        }
        arterialFlow = try PoiseuilleFlow(viscosity: settings.viscosity, inletFlow: settings.inletFlow).solve(system.arteries)
        // Venous flows: each venous leaf drains what its arterial twin delivers.
        var venous = [Double](repeating: 0, count: 2 * leaves)   // flow through the segment ending at node k
        for k in stride(from: 2 * leaves - 1, through: 1, by: -1) {
            if k >= leaves { venous[k] = arterialFlow.flows[k - 1] }
            if k > 1 { venous[k / 2] += venous[k] }
        }
        venousFlows = (1..<(2 * leaves)).map { venous[$0] }
        arterialSpeed = zip(arterialFlow.flows, system.arteries.segments).map { abs($0) / (Double.pi * $1.radius * $1.radius) }
        venousSpeed = zip(venousFlows, system.veins.segments).map { abs($0) / (Double.pi * $1.radius * $1.radius) }
        var probability = [Double](repeating: 0, count: leaves)
        for k in 1..<leaves {
            let a = abs(arterialFlow.flows[2 * k - 1]), b = abs(arterialFlow.flows[2 * k])
            probability[k] = a / (a + b)
        }
        branchProbability = probability
        organChains = try system.organs.map { organ throws(NetworkError) in
            try CompartmentChain(rates: organ.rates, elimination: settings.elimination, step: settings.step)
        }
        vesselChain = try CompartmentChain(rates: CompartmentRates(K1: 0, k2: 0), elimination: settings.elimination, step: settings.step)
        var exits: [[(leaf: Int, cumulative: Double)]] = []
        for i in 0..<leaves {
            let entry = system.arteries.nodes[leaves + i]
            let organ = system.terminalOrgan[i]
            let candidates = (0..<leaves).filter { system.terminalOrgan[$0] == organ }
                .map { (leaf: $0, distance: system.veins.nodes[leaves + $0].distance(to: entry)) }
                .sorted { $0.distance < $1.distance }.prefix(3)
            let weights = candidates.map { 1 / max($0.distance, settings.voxel) }
            let total = weights.reduce(0, +)
            var running = 0.0
            exits.append(zip(candidates, weights).map { candidate, weight in
                running += weight / total
                return (candidate.leaf, running)
            })
        }
        self.exits = exits
        var node = leaves + (system.terminalOrgan.firstIndex(of: settings.injectionOrgan) ?? 0)
        for _ in 0..<max(0, min(settings.injectionLevelsUp, system.terminalCount.trailingZeroBitCount - 1)) { node /= 2 }
        injectionNode = node
    }
}

/// The settings of a cell-flow simulation (SI units unless stated).
public struct CellFlowSettings: Sendable, Equatable {
    /// Number of cells.
    public var cells = 1000
    /// Simulated time, s.
    public var duration = 60.0
    /// Time step, s (the moving-source records of CeFloPS are every 0.1 s).
    public var step = 0.1
    /// Blood viscosity, Pa·s.
    public var viscosity = 0.0035
    /// Flow into the aortic root, m³/s.
    public var inletFlow = 1e-4
    /// Blood → eliminated, 1/min.
    public var elimination = 0.013
    /// Organ walk: voxel pitch, m; isotropic weight of each of the 6 axis moves; weight of the pull toward the exit.
    public var voxel = 0.001
    public var walkSpread = 0.5
    public var walkPull = 2.0
    /// Time from the venae cavae through the right heart, lungs and left heart to the aortic root, s.
    public var heartTransit = 6.8
    /// Organ whose first venous leaf is the injection site.
    public var injectionOrgan = 0
    /// Venous levels above that leaf where the injection enters (0: the leaf itself).
    public var injectionLevelsUp = 5
    /// F-18 half-life, s (109.77 min).
    public var halfLife = 109.77 * 60
    /// Interval of the time–activity curves, s.
    public var countEvery = 1.0
    /// Cells whose trajectories are recorded every step (the first ones).
    public var trajectoryCells = 20
    /// Worker threads (the result does not depend on it).
    public var threads = 2
    public var seed: UInt64 = 0
    public var inputFunction = InputFunction()

    public init() {}
}
