import Foundation
import Integrators
import Testing

@Suite("Ensemble")
struct EnsembleTests {
    @Test func ensembleMatchesSerialSolves() throws {
        let rates = (0..<24).map { -0.1 * Double($0 + 1) }
        let tol = Tolerance(relative: 1e-9, absolute: 1e-12)
        let results = solveEnsemble(parameters: rates, using: Tsit5(), tolerance: tol) { rate in
            exponentialProblem(rate: rate, to: 3)
        }
        #expect(results.count == rates.count)
        for (rate, result) in zip(rates, results) {
            let member = try result.get()
            let serial = try solve(exponentialProblem(rate: rate, to: 3), using: Tsit5(), tolerance: tol, saveAt: .final, denseOutput: false)
            #expect(member.final == serial.final)  // bit-identical, independent of threads
            #expect(member.statistics == serial.statistics)
            #expect(abs(member.final[0] - exp(3 * rate)) < 1e-8)
        }
    }

    @Test func failingMemberDoesNotAffectOthers() {
        let results = solveEnsemble(count: 5, using: DormandPrince5()) { i in
            ODEProblem(initial: [i == 2 ? .nan : 1.0], timeSpan: 0...1) { _, y, dy in dy[0] = -y[0] }
        }
        for (i, r) in results.enumerated() {
            switch r {
            case .success(let s): #expect(i != 2 && abs(s.final[0] - exp(-1)) < 1e-6)
            case .failure(let e):
                #expect(i == 2)
                guard case .invalidInitialState = e else { Issue.record("\(e)"); continue }
            }
        }
    }
}
