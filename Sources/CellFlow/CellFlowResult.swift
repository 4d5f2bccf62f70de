/// What a cell-flow simulation produced: counts of cells by place and tracer state over time,
/// the trajectories of the first cells, the decay events, and how often each arterial segment
/// was entered.
public struct CellFlowResult: Sendable {
    public let model: CellFlowModel
    /// Count times, s.
    public let countTimes: [Double]
    /// `[time, organ, compartment]` with compartments (capillary blood, C1, C2), row-major.
    public let organCounts: [Int32]
    /// `[time, place]` with places (injection, arteries, veins, heart and lungs, eliminated).
    public let vesselCounts: [Int32]
    /// Trajectory times, s.
    public let trajectoryTimes: [Double]
    /// `[cell, time, xyz]` positions, m, of the first `trajectoryCells` cells.
    public let trajectoryPositions: [Double]
    /// `[cell, time]` location codes (``CellLocation``) and tracer states (0 blood, 1 eliminated, 2 C1, 3 C2) and organ.
    public let trajectoryLocations: [Int32]
    public let trajectoryStates: [Int32]
    public let trajectoryOrgans: [Int32]
    /// Decay events, ordered by cell then time.
    public let events: [DecayEvent]
    /// Times each arterial segment was entered by a cell.
    public let segmentEntries: [Int64]

    static let places: [CellLocation] = [.injection, .artery, .vein, .heartAndLungs, .eliminated]

    /// One worker's share.
    struct Partial {
        let organs: Int
        let countSteps: Int
        let trajectorySteps: Int
        let trajectoryCells: Int
        var organCounts: [Int32]
        var vesselCounts: [Int32]
        var positions: [Double]
        var locations: [Int32]
        var states: [Int32]
        var organIndex: [Int32]
        var events: [DecayEvent] = []
        var segmentEntries: [Int64]
        /// The blocks of cells this worker simulated, in the order it took them.
        var cells: [Range<Int>] = []

        init(model: CellFlowModel) {
            let s = model.settings
            organs = model.system.organs.count
            let steps = Int((s.duration / s.step).rounded())
            let countEvery = max(1, Int((s.countEvery / s.step).rounded()))
            countSteps = steps / countEvery + 1
            trajectorySteps = steps + 1
            trajectoryCells = min(s.trajectoryCells, s.cells)
            organCounts = [Int32](repeating: 0, count: countSteps * organs * 3)
            vesselCounts = [Int32](repeating: 0, count: countSteps * CellFlowResult.places.count)
            positions = [Double](repeating: 0, count: trajectoryCells * trajectorySteps * 3)
            locations = [Int32](repeating: 0, count: trajectoryCells * trajectorySteps)
            states = [Int32](repeating: 0, count: trajectoryCells * trajectorySteps)
            organIndex = [Int32](repeating: -1, count: trajectoryCells * trajectorySteps)
            segmentEntries = [Int64](repeating: 0, count: model.system.arteries.segments.count)
        }

        mutating func count(location: CellLocation, state: CompartmentChain.State, organ: Int, at k: Int) {
            if location == .organ {
                let compartment = state == .tissue1 ? 1 : state == .tissue2 ? 2 : 0
                organCounts[(k * organs + organ) * 3 + compartment] += 1
            } else {
                vesselCounts[k * CellFlowResult.places.count + CellFlowResult.places.firstIndex(of: location)!] += 1
            }
        }

        mutating func record(cell: Int, step: Int, position: Point3, location: CellLocation, state: CompartmentChain.State, organ: Int) {
            let i = cell * trajectorySteps + step
            positions[3 * i] = position.x
            positions[3 * i + 1] = position.y
            positions[3 * i + 2] = position.z
            locations[i] = location.rawValue
            states[i] = Int32(state.rawValue)
            organIndex[i] = location == .organ ? Int32(organ) : -1
        }
    }

    init(model: CellFlowModel, partials: [Partial]) {
        self.model = model
        let s = model.settings
        let first = partials[0]
        let countEvery = max(1, Int((s.countEvery / s.step).rounded()))
        countTimes = (0..<first.countSteps).map { Double($0 * countEvery) * s.step }
        trajectoryTimes = (0..<first.trajectorySteps).map { Double($0) * s.step }
        var organCounts = first.organCounts, vesselCounts = first.vesselCounts
        var positions = first.positions, locations = first.locations, states = first.states, organs = first.organIndex
        var entries = first.segmentEntries
        var events = first.events
        // The first worker's tracked cells are already in place; the others' are copied below.
        for partial in partials.dropFirst() {
            for i in organCounts.indices { organCounts[i] += partial.organCounts[i] }
            for i in vesselCounts.indices { vesselCounts[i] += partial.vesselCounts[i] }
            for i in entries.indices { entries[i] += partial.segmentEntries[i] }
            // Each tracked cell is written by exactly the worker that simulated it.
            for block in partial.cells {
                let tracked = block.clamped(to: 0..<first.trajectoryCells)
                guard !tracked.isEmpty else { continue }
                let rows = (tracked.lowerBound * first.trajectorySteps)..<(tracked.upperBound * first.trajectorySteps)
                positions.replaceSubrange((3 * rows.lowerBound)..<(3 * rows.upperBound),
                                          with: partial.positions[(3 * rows.lowerBound)..<(3 * rows.upperBound)])
                locations.replaceSubrange(rows, with: partial.locations[rows])
                states.replaceSubrange(rows, with: partial.states[rows])
                organs.replaceSubrange(rows, with: partial.organIndex[rows])
            }
            events += partial.events
        }
        self.organCounts = organCounts
        self.vesselCounts = vesselCounts
        trajectoryPositions = positions
        trajectoryLocations = locations
        trajectoryStates = states
        trajectoryOrgans = organs
        self.events = events.sorted { ($0.cell, $0.time) < ($1.cell, $1.time) }
        segmentEntries = entries
    }
}
