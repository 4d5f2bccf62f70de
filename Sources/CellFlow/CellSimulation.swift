import Dispatch
import Foundation
import Randomness

/// Where a cell is, for the time–activity curves and trajectories.
public enum CellLocation: Int32, Sendable, CaseIterable {
    case injection = 0, artery = 1, vein = 2, heartAndLungs = 3, organ = 4, eliminated = 5
}

/// Simulates every cell independently with its own random stream (seeded from the run's seed
/// and the cell index), so the result is identical whatever the thread count.
///
/// A cell starts in the injection state at the injection site and enters the veins at a
/// release time drawn from the input function (stratified: cells are numbered in injection
/// order, so the tracked first cells are the first injected). In a vessel it moves at the Poiseuille speed of
/// a streamline `2 v̄ (1 − s²)` (its radial position `s` drawn flow-weighted on entry); at an
/// arterial bifurcation it takes a branch with probability proportional to the branch flow; at
/// an arterial end it enters the organ's capillary bed and walks on a voxel grid with 6 axis
/// moves, pulled toward one of the nearest venous exits; from the exit it returns through the
/// venous tree and the heart–lung transit to the aortic root. Each step its tracer state moves
/// by the organ's (or the vessels') transition matrix `P = exp(Q Δt)`; a cell in C1 or C2 stays
/// where it is. Its F-18 decay time is drawn once; a decay inside the body is a list-mode event.
public struct CellSimulation: Sendable {
    public let model: CellFlowModel

    public init(model: CellFlowModel) { self.model = model }

    /// Cells a worker takes at a time: small enough that the workers finish together (cells
    /// released early cost far more than late ones), large enough that taking a block is free.
    static let cellsPerBlock = 256

    /// Runs all cells. Workers take blocks of ``cellsPerBlock`` cells in turn until none is
    /// left; each cell's result does not depend on which worker ran it, and the workers' counts
    /// are summed and their events sorted by cell, so the result is the same on any thread count.
    public func run() -> CellFlowResult {
        let settings = model.settings
        let threads = max(1, settings.threads)
        let cells = settings.cells
        let partials = PartialBox(count: threads)
        let blocks = BlockQueue(count: cells, blockSize: Self.cellsPerBlock)
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            var partial = CellFlowResult.Partial(model: model)
            while let block = blocks.next() {
                partial.cells.append(block)
                for cell in block { simulate(cell: cell, into: &partial) }
            }
            partials.store(partial, at: worker)
        }
        return CellFlowResult(model: model, partials: partials.values)
    }

    struct Cell {
        var location = CellLocation.injection
        var state = CompartmentChain.State.blood
        var node = 0              // segment end node (artery: moving toward it; vein: moving away from it)
        var travelled = 0.0       // m along the current segment
        var speed = 0.0           // m/s
        var position = Point3(0, 0, 0)
        var organ = 0
        var exit = Point3(0, 0, 0)
        var exitLeaf = 0
        var walkClock = 0.0       // s until the next voxel move
        var heartClock = 0.0      // s left in the heart–lung transit
    }

    func streamlineSpeed(mean: Double, rng: inout Xoshiro256StarStar) -> Double {
        // Flow-weighted radial position: density 4s(1 − s²) on [0, 1], s² = 1 − √(1 − u); s ≤ 0.99.
        let s2 = min(1 - (1 - rng.nextUniform()).squareRoot(), 0.9801)
        return 2 * mean * (1 - s2)
    }

    func simulate(cell index: Int, into partial: inout CellFlowResult.Partial) {
        let settings = model.settings
        let system = model.system
        let leaves = system.terminalCount
        let arteries = system.arteries, veins = system.veins
        var rng = Xoshiro256StarStar(seed: SplitMix64.hash(settings.seed, UInt64(index)))
        // Cells are numbered in injection order: cell i's release quantile is stratified in
        // [i/N, (i+1)/N), so the first cells (the tracked ones) are the first injected.
        let quantile = (Double(index) + rng.nextUniform()) / Double(settings.cells)
        let releaseTime = settings.inputFunction.releaseTime(uniform: quantile)
        let decayTime = -log(1 - rng.nextUniform()) * settings.halfLife / log(2.0)
        var cell = Cell()
        cell.node = model.injectionNode
        cell.position = veins.nodes[cell.node]
        let dt = settings.step
        let steps = Int((settings.duration / dt).rounded())
        let countEvery = max(1, Int((settings.countEvery / dt).rounded()))
        let tracked = index < settings.trajectoryCells

        func enterVein(atNode node: Int) {
            cell.location = .vein
            cell.node = node
            cell.travelled = 0
            cell.position = veins.nodes[node]
            cell.speed = streamlineSpeed(mean: model.venousSpeed[node - 1], rng: &rng)
        }
        func enterArtery(endingAt node: Int) {
            cell.location = .artery
            cell.node = node
            cell.travelled = 0
            cell.speed = streamlineSpeed(mean: model.arterialSpeed[node - 1], rng: &rng)
            partial.segmentEntries[node - 1] += 1
        }
        func enterOrgan(terminal i: Int) {
            cell.location = .organ
            cell.organ = system.terminalOrgan[i]
            cell.position = arteries.nodes[leaves + i]
            let u = rng.nextUniform()
            let choice = model.exits[i].first { u < $0.cumulative } ?? model.exits[i].last!
            cell.exitLeaf = choice.leaf
            cell.exit = veins.nodes[leaves + choice.leaf]
            cell.walkClock = settings.voxel / system.organs[cell.organ].capillarySpeed
        }
        /// Moves the cell for `time` seconds through vessels (several segments if need be).
        func move(for time: Double) {
            var left = time
            while left > 0 {
                switch cell.location {
                case .artery:
                    let segment = arteries.segments[cell.node - 1]
                    let remaining = segment.length - cell.travelled
                    if cell.speed * left < remaining {
                        cell.travelled += cell.speed * left
                        left = 0
                    } else {
                        left -= remaining / cell.speed
                        let node = cell.node
                        if node >= leaves {
                            enterOrgan(terminal: node - leaves)
                        } else {
                            enterArtery(endingAt: rng.nextUniform() < model.branchProbability[node] ? 2 * node : 2 * node + 1)
                        }
                    }
                    if cell.location == .artery {
                        let segment = arteries.segments[cell.node - 1]
                        let a = arteries.nodes[segment.from], b = arteries.nodes[segment.to]
                        cell.position = a + (cell.travelled / segment.length) * (b - a)
                    }
                case .vein:
                    let segment = veins.segments[cell.node - 1]
                    let remaining = segment.length - cell.travelled
                    if cell.speed * left < remaining {
                        cell.travelled += cell.speed * left
                        left = 0
                        let a = veins.nodes[segment.from], b = veins.nodes[segment.to]
                        cell.position = a + (cell.travelled / segment.length) * (b - a)
                    } else {
                        left -= remaining / cell.speed
                        if cell.node == 1 {
                            cell.location = .heartAndLungs
                            cell.heartClock = settings.heartTransit
                            cell.position = arteries.nodes[0]
                        } else {
                            enterVein(atNode: cell.node / 2)
                        }
                    }
                case .heartAndLungs:
                    if cell.heartClock > left {
                        cell.heartClock -= left
                        left = 0
                    } else {
                        left -= cell.heartClock
                        enterArtery(endingAt: 1)
                        cell.position = arteries.nodes[0]
                    }
                case .organ:
                    // Bound cells (C1, C2) do not move; free ones walk voxel by voxel.
                    guard cell.state == .blood else { left = 0; break }
                    let organ = system.organs[cell.organ]
                    let stepTime = settings.voxel / organ.capillarySpeed
                    if cell.walkClock > left {
                        cell.walkClock -= left
                        left = 0
                        break
                    }
                    left -= cell.walkClock
                    cell.walkClock = stepTime
                    let d = cell.exit - cell.position
                    let distance = d.norm
                    if distance <= settings.voxel {
                        enterVein(atNode: leaves + cell.exitLeaf)
                        break
                    }
                    let e = (1 / distance) * d
                    let pull = settings.walkPull, spread = settings.walkSpread
                    // Weights of the 6 axis moves (+x, −x, +y, −y, +z, −z), kept on the stack.
                    let (w0, w1, w2) = (spread + pull * max(0, e.x), spread + pull * max(0, -e.x), spread + pull * max(0, e.y))
                    let (w3, w4, w5) = (spread + pull * max(0, -e.y), spread + pull * max(0, e.z), spread + pull * max(0, -e.z))
                    let u = rng.nextUniform() * (w0 + w1 + w2 + w3 + w4 + w5)
                    let axis = u < w0 ? 0 : u < w0 + w1 ? 1 : u < w0 + w1 + w2 ? 2
                        : u < w0 + w1 + w2 + w3 ? 3 : u < w0 + w1 + w2 + w3 + w4 ? 4 : 5
                    let h = settings.voxel * (axis % 2 == 0 ? 1 : -1)
                    switch axis / 2 {
                    case 0: cell.position.x += h
                    case 1: cell.position.y += h
                    default: cell.position.z += h
                    }
                case .injection, .eliminated:
                    left = 0
                }
            }
        }

        for step in 0...steps {
            let t = Double(step) * dt
            // Records at t.
            if step % countEvery == 0 {
                partial.count(location: cell.location, state: cell.state, organ: cell.organ, at: step / countEvery)
            }
            if tracked {
                partial.record(cell: index, step: step, position: cell.position, location: cell.location, state: cell.state, organ: cell.organ)
            }
            guard step < steps else { break }
            // F-18 decay inside the body during this step: a list-mode event.
            if decayTime >= t && decayTime < t + dt && cell.location != .eliminated {
                partial.events.append(DecayEvent(time: decayTime, position: cell.position, cell: Int64(index),
                                                 location: cell.location, organ: Int32(cell.organ)))
            }
            switch cell.location {
            case .injection:
                if releaseTime < t + dt { enterVein(atNode: cell.node); move(for: t + dt - releaseTime) }
            case .eliminated:
                break
            case .organ:
                cell.state = model.organChains[cell.organ].next(from: cell.state, uniform: rng.nextUniform())
                if cell.state == .eliminated { cell.location = .eliminated } else { move(for: dt) }
            default:
                cell.state = model.vesselChain.next(from: cell.state, uniform: rng.nextUniform())
                if cell.state == .eliminated { cell.location = .eliminated } else { move(for: dt) }
            }
        }
    }
}

/// Hands out consecutive blocks of `0 ..< count` to whichever worker asks next.
final class BlockQueue: @unchecked Sendable {
    private let count: Int, blockSize: Int
    private var start = 0
    private let lock = NSLock()
    init(count: Int, blockSize: Int) { (self.count, self.blockSize) = (count, max(1, blockSize)) }
    func next() -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        guard start < count else { return nil }
        let block = start..<min(count, start + blockSize)
        start = block.upperBound
        return block
    }
}

/// The workers' results, one slot each, behind a lock.
final class PartialBox: @unchecked Sendable {
    private var slots: [CellFlowResult.Partial?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func store(_ partial: CellFlowResult.Partial, at index: Int) {
        lock.lock()
        slots[index] = partial
        lock.unlock()
    }
    var values: [CellFlowResult.Partial] {
        lock.lock()
        defer { lock.unlock() }
        return slots.compactMap { $0 }
    }
}

/// One F-18 decay inside the body: when and where, and which cell.
public struct DecayEvent: Sendable, Equatable {
    /// s since injection.
    public var time: Double
    /// m.
    public var position: Point3
    public var cell: Int64
    public var location: CellLocation
    public var organ: Int32
}
