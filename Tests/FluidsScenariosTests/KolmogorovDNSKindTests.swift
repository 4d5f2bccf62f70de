import Foundation
import NetCDF
import Testing
import TestSupport
import ScenarioTestSupport
@testable import Scenarios
@testable import FluidsScenarios

/// The `ns2d-dns` kind: a small run's CF output, its coarse fields and bad grids.
@Suite struct KolmogorovDNSKindTests {
    init() { AllKinds.register() }

    @Test func smallRunWritesDNSAndCellAveragedFields() throws {
        let dir = TemporaryDirectory()
        var scenario = try Scenario.parse(#"{"kind": "ns2d-dns", "name": "d", "seed": 3, "parameters": {"grid": 32, "warmup": 0.5, "duration": 1, "save_every": 0.25, "coarse_grids": [8, 16]}}"#, file: "d.json")
        scenario.output = dir.path
        let record = try ScenarioRunner(progress: ProgressReporter(mode: .quiet), commandLine: "test").run(scenario)
        #expect(record["statistics"]?["records"] == .integer(5))
        let dataset = try Dataset.open(dir.file("d/output.nc"))
        defer { try? dataset.close() }
        #expect(try dataset.variable("vorticity").dimensions.map(\.name) == ["time", "y", "x"])
        #expect(try dataset.variable("vorticity_8").dimensions.map(\.name) == ["time", "y_8", "x_8"])
        #expect(try dataset.read(Double.self, from: "time") == [0, 0.25, 0.5, 0.75, 1])
        #expect(try dataset.attribute("axis", of: "x_16") == .text("X"))
        // The 8×8 averages are the block means of the 16×16 ones (averages of averages).
        let v16 = try dataset.read(Double.self, from: "vorticity_16"), v8 = try dataset.read(Double.self, from: "vorticity_8")
        for t in 0..<5 {
            for row in 0..<8 {
                for col in 0..<8 {
                    var mean = 0.0
                    for dr in 0..<2 { for dc in 0..<2 { mean += v16[t * 256 + (2 * row + dr) * 16 + 2 * col + dc] / 4 } }
                    #expect(abs(mean - v8[t * 64 + row * 8 + col]) < 1e-12)
                }
            }
            // Zero mean vorticity on the DNS grid.
            #expect(abs(v8[(t * 64)..<(t * 64 + 64)].reduce(0, +)) < 1e-10)
        }
        let energy = try dataset.read(Double.self, from: "energy")
        #expect(energy.allSatisfy { $0.isFinite && $0 > 0 })
    }

    @Test func coarseGridsMustDivideTheDNSGrid() {
        do {
            _ = try Scenario.parse(#"{"kind": "ns2d-dns", "name": "d", "seed": 3, "parameters": {"grid": 64, "coarse_grids": [24, 32]}}"#, file: "d.json")
            Issue.record("accepted a coarse grid that does not divide the DNS grid")
        } catch {
            #expect(error.issues.map(\.path) == ["$.parameters.coarse_grids[0]"])
        }
    }
}
