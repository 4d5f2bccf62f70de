import Foundation
import Integrators
import ReferenceProblems
import NetCDF
import Testing
import TestSupport

/// A solve interrupted at step k, saved to NetCDF, reloaded and continued is bit-identical to an
/// uninterrupted one.
@Suite struct RestartTests {
    static func lorenz() -> ODEProblem {
        ODEProblem(initial: [1, 0, 0], timeSpan: 0...20) { _, y, dy in
            dy[0] = 10 * (y[1] - y[0]); dy[1] = y[0] * (28 - y[2]) - y[1]; dy[2] = y[0] * y[1] - 8.0 / 3 * y[2]
        }
    }

    /// Runs `make()` to the end, and again interrupted after `k` attempted steps with a snapshot
    /// written to and read back from a NetCDF file; compares every saved point bit for bit.
    func checkRestart<M>(_ make: () throws -> ODEIntegrator<M>, interruptAfter k: Int) throws {
        try checkSteppableRestart(make, interruptAfter: k)
    }

    /// The same check for any steppable integrator.
    func checkSteppableRestart<I: SteppableIntegrator>(_ make: () throws -> I, interruptAfter k: Int) throws {
        var whole = try make()
        try whole.finish()
        let expected = whole.takeSavedPoints()

        var first = try make()
        for _ in 0..<k { try first.step() }
        let before = first.takeSavedPoints()
        let dir = TemporaryDirectory()
        try first.snapshot().write(toFile: dir.file("snapshot.nc"))

        var resumed = try make()
        try resumed.restore(IntegratorSnapshot(contentsOfFile: dir.file("snapshot.nc")))
        #expect(resumed.time == first.time && resumed.state == first.state)
        try resumed.finish()
        let after = resumed.takeSavedPoints()

        #expect(before.times + after.times == expected.times)
        #expect((before.states + after.states).map(\.bitPattern) == expected.states.map(\.bitPattern))
        #expect(resumed.state.map(\.bitPattern) == whole.state.map(\.bitPattern))
        #expect(resumed.statistics == whole.statistics)
        #expect(!before.times.isEmpty && !after.times.isEmpty)
    }

    @Test(arguments: [1, 37, 500])
    func adaptiveTsit5(k: Int) throws {
        try checkRestart({ try ODEIntegrator(Self.lorenz(), using: Tsit5(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-8),
                                             saveAt: .every(0.05), maxSteps: 1_000_000) }, interruptAfter: k)
    }

    @Test func adaptiveVerner7WithStepsSaved() throws {
        try checkRestart({ try ODEIntegrator(Self.lorenz(), using: Verner7(), tolerance: Tolerance(relative: 1e-10, absolute: 1e-10),
                                             saveAt: .steps) }, interruptAfter: 123)
    }

    @Test func fixedStepRK4() throws {
        try checkRestart({ try ODEIntegrator(Self.lorenz(), using: RK4(), step: 0.001, saveAt: .every(0.1)) }, interruptAfter: 4321)
    }

    /// Stiff solvers: interrupted on Van der Pol (μ = 1000) and HIRES, with rejected steps and
    /// Jacobian reuse in flight, resumed from NetCDF bit-identically.
    @Test(arguments: [1, 20, 40])
    func stiffSolvers(k: Int) throws {
        for reference in [ReferenceProblem.vanDerPol, ReferenceProblem.hires] {
            var problem = reference.problem
            problem.end = min(problem.end, 300)
            try checkSteppableRestart({ try BDFIntegrator(problem, tolerance: reference.tolerance, saveAt: .every(5)) },
                                      interruptAfter: k)
            try checkSteppableRestart({ try Rodas5PIntegrator(problem, tolerance: reference.tolerance, saveAt: .every(5)) },
                                      interruptAfter: k)
        }
    }

    @Test func snapshotRoundTripsBitExactly() throws {
        var integrator = try ODEIntegrator(Self.lorenz(), using: DormandPrince5(), tolerance: Tolerance(relative: 1e-6, absolute: 1e-9))
        for _ in 0..<50 { try integrator.step() }
        let snapshot = integrator.snapshot()
        let dir = TemporaryDirectory()
        try snapshot.write(toFile: dir.file("s.nc"))
        #expect(try IntegratorSnapshot(contentsOfFile: dir.file("s.nc")) == snapshot)
        #expect(snapshot.time == integrator.time)
    }

    @Test func mismatchedResumesAreRefused() throws {
        var integrator = try ODEIntegrator(Self.lorenz(), using: Tsit5(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-8))
        for _ in 0..<10 { try integrator.step() }
        let snapshot = integrator.snapshot()

        var otherMethod = try ODEIntegrator(Self.lorenz(), using: DormandPrince5(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-8))
        #expect(throws: IntegrationError.self) { try otherMethod.restore(snapshot) }
        var otherTolerance = try ODEIntegrator(Self.lorenz(), using: Tsit5(), tolerance: Tolerance(relative: 1e-6, absolute: 1e-8))
        do {
            try otherTolerance.restore(snapshot)
            Issue.record("a snapshot with other tolerances was accepted")
        } catch {
            #expect("\(error)".contains("tolerances differ"))
        }
        var fixed = try ODEIntegrator(Self.lorenz(), using: Tsit5(), step: 0.01)
        #expect(throws: IntegrationError.self) { try fixed.restore(snapshot) }
        var incomplete = snapshot
        incomplete.vectors["y"] = nil
        var fresh = try ODEIntegrator(Self.lorenz(), using: Tsit5(), tolerance: Tolerance(relative: 1e-8, absolute: 1e-8))
        #expect(throws: IntegrationError.self) { try fresh.restore(incomplete) }
    }

    @Test func advancingInPiecesChangesNothing() throws {
        var whole = try ODEIntegrator(Self.lorenz(), using: Tsit5(), tolerance: Tolerance(relative: 1e-9, absolute: 1e-9), saveAt: .every(0.1))
        try whole.finish()
        var pieces = try ODEIntegrator(Self.lorenz(), using: Tsit5(), tolerance: Tolerance(relative: 1e-9, absolute: 1e-9), saveAt: .every(0.1))
        var times: [Double] = []
        var states: [Double] = []
        var target = 0.0
        while !pieces.isFinished {
            target += 0.7
            try pieces.advance(to: target)
            let chunk = pieces.takeSavedPoints()
            times += chunk.times
            states += chunk.states
        }
        let expected = whole.takeSavedPoints()
        #expect(times == expected.times && states == expected.states)
        #expect(times.count == 201)
    }
}
