import Integrators
import ReferenceProblems
import Testing

/// The explicit methods against published reference solutions (Bari IVP test set) and an
/// independent high-precision Lorenz solution.
@Suite struct ReferenceProblemTests {
    @Test func pleiadesMatchesTheTestSet() throws {
        let pleiades = ReferenceProblem.pleiades
        let tight = try solve(pleiades.problem, using: Verner7(), tolerance: Tolerance(relative: 1e-12, absolute: 1e-12),
                              saveAt: .final, denseOutput: false)
        #expect(pleiades.error(of: tight.final) < 1e-8)
        // At the benchmark tolerance every 5th-order method is within the close-encounter budget.
        for solution in [
            try solve(pleiades.problem, using: Tsit5(), tolerance: pleiades.tolerance, saveAt: .final),
            try solve(pleiades.problem, using: DormandPrince5(), tolerance: pleiades.tolerance, saveAt: .final),
        ] {
            #expect(pleiades.error(of: solution.final) < 2e-5)
        }
    }

    @Test func lorenzAtTenMatchesTheTaylorReference() throws {
        let lorenz = ReferenceProblem.lorenz
        let verner = try solve(lorenz.referenceProblem, using: Verner7(), tolerance: Tolerance(relative: 1e-13, absolute: 1e-13),
                               saveAt: .final)
        #expect(lorenz.error(of: verner.final) < 1e-9)
        let tsit = try solve(lorenz.referenceProblem, using: Tsit5(), tolerance: lorenz.tolerance, saveAt: .final)
        #expect(lorenz.error(of: tsit.final) < 1e-5)
    }

    @Test func largeDecayIsExact() throws {
        let decay = ReferenceProblem.decay(size: 2_000)
        let solution = try solve(decay.problem, using: DormandPrince5(), tolerance: decay.tolerance, saveAt: .final)
        #expect(decay.error(of: solution.final) < 1e-6)
    }
}
