import CellFlow
import Foundation
import Testing

/// The cell walk: branch choices follow the flow fractions, cells are conserved, and results do
/// not depend on the thread count.
@Suite struct CellSimulationTests {
    static func model(cells: Int, duration: Double, threads: Int = 2, seed: UInt64 = 1, tracked: Int = 5) throws -> CellFlowModel {
        var settings = CellFlowSettings()
        settings.cells = cells
        settings.duration = duration
        settings.threads = threads
        settings.seed = seed
        settings.trajectoryCells = tracked
        return try CellFlowModel(system: try VesselTreeGenerator(generations: 5).generate(seed: 2), settings: settings)
    }

    @Test func branchChoicesFollowFlowFractions() throws {
        let result = CellSimulation(model: try Self.model(cells: 3000, duration: 120)).run()
        let model = result.model
        var tested = 0
        for k in 1..<model.system.terminalCount {
            let left = Double(result.segmentEntries[2 * k - 1]), right = Double(result.segmentEntries[2 * k])
            let n = left + right
            guard n >= 100 else { continue }
            let p = model.branchProbability[k]
            let standardError = (p * (1 - p) / n).squareRoot()
            #expect(abs(left / n - p) <= 3 * standardError, "branch at node \(k): \(left / n) vs flow fraction \(p) (n = \(Int(n)))")
            tested += 1
        }
        #expect(tested >= 5)
        // The flow fractions are those of the solved flows.
        let flows = model.arterialFlow.flows
        #expect(abs(model.branchProbability[1] - abs(flows[1]) / (abs(flows[1]) + abs(flows[2]))) < 1e-15)
    }

    @Test func cellsAreConservedAndKineticsHappen() throws {
        let result = CellSimulation(model: try Self.model(cells: 1000, duration: 300)).run()
        let organs = result.model.system.organs.count
        for k in result.countTimes.indices {
            let inOrgans = (0..<(organs * 3)).reduce(0) { $0 + Int(result.organCounts[k * organs * 3 + $1]) }
            let elsewhere = (0..<5).reduce(0) { $0 + Int(result.vesselCounts[k * 5 + $1]) }
            #expect(inOrgans + elsewhere == 1000)
        }
        let last = result.countTimes.count - 1
        let bound = (0..<organs).reduce(0) { $0 + Int(result.organCounts[(last * organs + $1) * 3 + 1] + result.organCounts[(last * organs + $1) * 3 + 2]) }
        #expect(bound > 0, "no cell entered a tissue compartment")
        #expect(result.vesselCounts[0] == 1000)                  // all in the injection state at t = 0
        #expect(result.vesselCounts[last * 5 + 0] < 1000)        // released by the end
        #expect(result.vesselCounts[last * 5 + 4] > 0)           // some eliminated
        // Decays: about 1 − 2^(−300 s / 6586 s) ≈ 3 % of the cells, each inside the body.
        let expected = 1000 * (1 - pow(2, -300 / (109.77 * 60)))
        #expect(abs(Double(result.events.count) - expected) <= 4 * expected.squareRoot() + 2, "\(result.events.count) vs \(expected)")
    }

    @Test func sameSeedIsBitIdenticalOnOneAndTwoThreads() throws {
        // Three blocks of cells (CellSimulation.cellsPerBlock = 256), tracked cells in two of them.
        let cells = 2 * 256 + 100, tracked = 300
        let one = CellSimulation(model: try Self.model(cells: cells, duration: 150, threads: 1, tracked: tracked)).run()
        let two = CellSimulation(model: try Self.model(cells: cells, duration: 150, threads: 2, tracked: tracked)).run()
        let three = CellSimulation(model: try Self.model(cells: cells, duration: 150, threads: 3, tracked: tracked)).run()
        #expect(Set(one.trajectoryLocations).count > 1)
        for other in [two, three] {
            let sameCounts = one.organCounts == other.organCounts && one.vesselCounts == other.vesselCounts
            let samePositions = one.trajectoryPositions.map(\.bitPattern) == other.trajectoryPositions.map(\.bitPattern)
            let sameStates = one.trajectoryStates == other.trajectoryStates && one.trajectoryLocations == other.trajectoryLocations
            #expect(sameCounts && samePositions && sameStates)
            #expect(one.events == other.events && one.segmentEntries == other.segmentEntries)
        }
        let reseeded = CellSimulation(model: try Self.model(cells: 400, duration: 150, seed: 2)).run()
        let differs = reseeded.organCounts != one.organCounts || reseeded.segmentEntries != one.segmentEntries
        #expect(differs)
    }
}
