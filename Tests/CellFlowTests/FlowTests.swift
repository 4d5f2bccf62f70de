import CellFlow
import Foundation
import Testing

/// Hagen–Poiseuille flow by nodal analysis: the single-vessel reference values, Kirchhoff's law
/// on a generated tree, and conjugate gradients against the dense LAPACK solve.
@Suite struct FlowTests {
    @Test func singleVesselIsPoiseuille() throws {
        // r = 1 mm, L = 0.1 m, μ = 0.0035 Pa·s: R = 8μL/(πr⁴) = 8.913e8 Pa·s/m³; ΔP = 100 Pa → Q = 1.1220e-7 m³/s.
        let vessel = VesselSegment(from: 0, to: 1, radius: 1e-3, length: 0.1)
        let resistance = vessel.resistance(viscosity: 0.0035)
        #expect(abs(resistance - 8 * 0.0035 * 0.1 / (Double.pi * 1e-12)) <= 1e-12 * resistance)
        #expect(abs(resistance - 8.913e8) < 0.0005e8)
        // Drive it with the flow that 100 Pa gives and read the pressure drop back.
        let q = 100 / resistance
        #expect(abs(q - 1.1220e-7) < 0.00005e-7)
        let network = VesselNetwork(nodes: [Point3(0, 0, 0), Point3(0.1, 0, 0)], segments: [vessel], inlet: 0, outlets: [1])
        for method in [PoiseuilleFlow.Method.dense, .conjugateGradient()] {
            let flow = try PoiseuilleFlow(viscosity: 0.0035, inletFlow: q, method: method).solve(network)
            #expect(abs(flow.pressures[0] - 100) <= 1e-12 * 100, "\(method): \(flow.pressures[0]) Pa")
            #expect(abs(flow.flows[0] - 1.1220e-7) < 0.00005e-7)
            #expect(abs(flow.flows[0] - q) <= 1e-12 * q)
        }
    }

    @Test func pressureBoundaryConditionGivesPoiseuillesFlow() throws {
        let vessel = VesselSegment(from: 0, to: 1, radius: 1e-3, length: 0.1)
        let network = VesselNetwork(nodes: [Point3(0, 0, 0), Point3(0.1, 0, 0)], segments: [vessel], inlet: 0, outlets: [1])
        let flow = try PoiseuilleFlow(viscosity: 0.0035, inletPressure: 100, method: .dense).solve(network)
        #expect(abs(flow.flows[0] - 100 / vessel.resistance(viscosity: 0.0035)) <= 1e-12 * flow.flows[0])
        #expect(abs(flow.inletFlow - 1.1220e-7) < 0.00005e-7)
        // On a tree: flow source and pressure condition agree when the pressure is the one the source needs.
        let system = try VesselTreeGenerator(generations: 5).generate(seed: 1)
        let bySource = try PoiseuilleFlow().solve(system.arteries)
        let byPressure = try PoiseuilleFlow(inletPressure: bySource.pressures[0]).solve(system.arteries)
        #expect(abs(byPressure.inletFlow - 1e-4) < 1e-10 * 1e-4)
        #expect(byPressure.kirchhoffResidual < 1e-10)
    }

    @Test func generatedTreeObeysKirchhoffAndCGMatchesDense() throws {
        let system = try VesselTreeGenerator(generations: 7).generate(seed: 3)
        #expect(system.arteries.segments.count == 255)
        let cg = try PoiseuilleFlow(method: .conjugateGradient()).solve(system.arteries)
        let dense = try PoiseuilleFlow(method: .dense).solve(system.arteries)
        #expect(cg.kirchhoffResidual < 1e-10, "CG: \(cg.kirchhoffResidual)")
        #expect(dense.kirchhoffResidual < 1e-10, "dense: \(dense.kirchhoffResidual)")
        // All of the inlet flow leaves through the outlets: the inlet supplies +1e-4 to its segment,
        // the outlets take it out (negative net flow into their segments).
        let drained = system.arteries.outlets.reduce(0.0) { $0 - cg.netOutflow[$1] }
        #expect(abs(drained - 1e-4) < 1e-10 * 1e-4, "\(drained)")
        #expect(abs(cg.netOutflow[system.arteries.inlet] - 1e-4) < 1e-10 * 1e-4, "\(cg.netOutflow[system.arteries.inlet])")
        let pressureScale = cg.pressures.map(abs).max()!
        for (a, b) in zip(cg.pressures, dense.pressures) { #expect(abs(a - b) <= 1e-10 * pressureScale) }
        for (a, b) in zip(cg.flows, dense.flows) { #expect(abs(a - b) <= 1e-10 * 1e-4) }
        #expect(cg.iterations > 0)
    }

    @Test func murraysLawAndOrgansHold() throws {
        let system = try VesselTreeGenerator(generations: 6).generate(seed: 9)
        let segments = system.arteries.segments
        let leaves = system.terminalCount
        for k in 1..<leaves {
            let parent = segments[k - 1].radius, a = segments[2 * k - 1].radius, b = segments[2 * k].radius
            #expect(abs(parent * parent * parent - a * a * a - b * b * b) <= 1e-12 * parent * parent * parent)
        }
        for i in 0..<leaves {
            let organ = system.organs[system.terminalOrgan[i]]
            #expect(organ.contains(system.arteries.nodes[leaves + i]) && organ.contains(system.veins.nodes[leaves + i]))
        }
        #expect(segments.allSatisfy { $0.radius > 5e-4 && $0.radius <= 0.0125 && $0.length >= 1e-3 && $0.length < 1 })
    }

    @Test func invalidNetworksAreRefusedNamingTheCulprit() {
        let p = [Point3(0, 0, 0), Point3(1, 0, 0), Point3(2, 0, 0), Point3(3, 0, 0)]
        func message(_ network: VesselNetwork) -> String {
            do { try network.validate(); return "accepted" } catch { return "\(error)" }
        }
        let good = VesselNetwork(nodes: p, segments: [VesselSegment(from: 0, to: 1, radius: 1e-3, length: 1),
                                                      VesselSegment(from: 1, to: 2, radius: 1e-3, length: 1),
                                                      VesselSegment(from: 1, to: 3, radius: 1e-3, length: 1)],
                                 inlet: 0, outlets: [2, 3])
        #expect(message(good) == "accepted")
        var zero = good
        zero.segments[1].radius = 0
        #expect(message(zero).contains("segment 1") && message(zero).contains("radius"))
        var disconnected = good
        disconnected.segments.removeLast()
        #expect(message(disconnected).contains("node 3") && message(disconnected).contains("disconnected"))
        var cycle = good
        cycle.segments.append(VesselSegment(from: 2, to: 3, radius: 1e-3, length: 1))
        #expect(message(cycle).contains("segment 3") && message(cycle).contains("cycle"))
        #expect((try? cycle.validate(requireTree: false)) != nil)
        var noInlet = good
        noInlet.inlet = 7
        #expect(message(noInlet).contains("missing inlet"))
        var selfLoop = good
        selfLoop.segments[2] = VesselSegment(from: 3, to: 3, radius: 1e-3, length: 1)
        #expect(message(selfLoop).contains("segment 2"))
    }
}
