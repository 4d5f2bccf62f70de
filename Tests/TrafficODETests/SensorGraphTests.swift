import Foundation
import Testing
@testable import TrafficODE

/// The graph builders against GRAM-ODE's numbers on PEMS08 (Data/traffic/pems08-graph/SOURCE.md):
/// with the reference code's defaults the spatial graph has 546 nonzeros (average degree 1.6059)
/// and the semantic graph 1046 (3.0765).
@Suite struct SensorGraphTests {
    @Test func distanceListRebuildsGRAMODEsCachedSpatialMatrix() throws {
        let ours = try SensorGraph.distances(edgeList: TrafficData.path("pems08-graph/PEMS08.csv"), sensors: 170)
        let cached = try TrafficData.readNumPy("pems08-graph/pems08_spatial_distance.npy")
        #expect(cached.shape == [170, 170])
        #expect(zip(ours, cached.values).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    @Test func spatialGraphHasGRAMODEsNonzerosAndDegree() throws {
        let graph = try SensorGraph.read(TrafficData.path("pems08-graph/PEMS08.csv"), sensors: 170)
        #expect(graph.nonzeros == 546)
        #expect(abs(graph.averageDegree - 1.6059) < 5e-5)
        let positive = graph.weights.filter { $0 > 0 }
        #expect(abs(positive.min()! - 0.94965) < 1e-5 && positive.max()! <= 1)
        #expect((0..<170).allSatisfy { graph.weights[$0 * 171] == 0 })
        let transposed: [Double] = (0..<(170 * 170)).map { (k: Int) -> Double in graph.weights[(k % 170) * 170 + k / 170] }
        #expect(graph.weights == transposed, "symmetric")
    }

    @Test func semanticGraphHasGRAMODEsNonzerosAndDegree() throws {
        let dtw = try TrafficData.readNumPy("pems08-graph/pems08_dtw_distance.npy")
        let graph = try SensorGraph.semantic(dtwDistances: dtw.values, sensors: 170)
        #expect(graph.nonzeros == 1046)
        #expect(abs(graph.averageDegree - 3.0765) < 5e-5)
        #expect(Set(graph.weights) == [0, 1])
        #expect((0..<170).allSatisfy { graph.weights[$0 * 171] == 0 })
    }

    @Test func propagationMatrixIsScaledSymmetricNormalisation() throws {
        // Path 0 - 1 - 2 with weights 1 and 3, and an isolated sensor 3.
        let w: [Double] = [0, 1, 0, 0,
                           1, 0, 3, 0,
                           0, 3, 0, 0,
                           0, 0, 0, 0]
        let graph = try SensorGraph(sensors: 4, weights: w)
        #expect(graph.isolatedSensors == [3])
        let a = graph.normalizedPropagation()
        let degree: [Double] = [1, 4, 3, 1e-4]
        for i in 0..<4 {
            for j in 0..<4 {
                let expected = 0.4 * ((i == j ? 1 : 0) + w[i * 4 + j] / (degree[i] * degree[j]).squareRoot())
                #expect(abs(a[i * 4 + j] - expected) < 1e-15)
            }
        }
    }

    @Test func denseAdjacencyOfLosLoopIsReadAsItIs() throws {
        let graph = try SensorGraph.read(TrafficData.path("los-loop/los_adj.csv"), sensors: 207)
        #expect(graph.nonzeros == 2833)
        #expect((0..<207).allSatisfy { graph.weights[$0 * 208] == 1 })
        // Sensor 26 (METR-LA 717804) has no road neighbour within the kernel's reach: only its self-loop.
        #expect(graph.isolatedSensors == [26])
    }

    @Test func badGraphsAreRejectedWithTheFileAndTheProblem() throws {
        let los = TrafficData.path("los-loop/los_adj.csv")
        #expect { try SensorGraph.read(los, sensors: 170) } throws: {
            "\($0)".contains("los_adj.csv") && "\($0)".contains("207 rows") && "\($0)".contains("170 sensors")
        }
        let pems = TrafficData.path("pems08-graph/PEMS08.csv")
        #expect { try SensorGraph.read(pems, sensors: 100) } throws: { "\($0)".contains("PEMS08.csv") && "\($0)".contains("100 sensors") }
        #expect { try SensorGraph(sensors: 2, weights: [0, .nan, 1, 0]) } throws: { "\($0)".contains("from sensor 0 to sensor 1") }
    }
}
