import Integrators
import Testing

let allMethods: [any ExplicitRungeKuttaMethod] = [
    Euler(), Heun(), RK4(), BogackiShampine3(), DormandPrince5(), Tsit5(), Verner7(),
]

@Suite("Tableaus")
struct TableauTests {
    @Test("consistency: row sums, weights, error weights, interpolant", arguments: allMethods.map { MethodBox($0) })
    func consistency(_ box: MethodBox) {
        let tab = box.method.tableau
        let s = tab.stageCount
        for i in 0..<s {
            let rowSum = tab.a[i].reduce(0, +)
            #expect(abs(rowSum - tab.c[i]) < 1e-12, "\(box.method.name): row \(i) sums to \(rowSum), c = \(tab.c[i])")
        }
        #expect(abs(tab.b.reduce(0, +) - 1) < 1e-14, "\(box.method.name): Σb ≠ 1")
        if let e = tab.errorWeights {
            #expect(abs(e.reduce(0, +)) < 1e-13, "\(box.method.name): Σe ≠ 0")
            #expect(e.contains { $0 != 0 })
        }
        let dense = tab.denseOutput
        let previous = tab.endDerivativeStage + 1
        for (j, extra) in dense.extraStages.enumerated() {
            #expect(abs(extra.a.reduce(0, +) - extra.c) < 1e-12, "\(box.method.name): extra stage \(j) row sum")
            #expect(extra.a.count <= previous + j)
        }
        // b_i(1) = b_i (0 for the end derivative and extra stages); Σ_i b_i(θ) = θ.
        for i in 0..<tab.totalStageCount {
            let w = i < dense.weights.count ? dense.weights[i] : []
            let atOne = w.reduce(0, +)
            let expected = i < s ? tab.b[i] : 0
            #expect(abs(atOne - expected) < 1e-11, "\(box.method.name): b_\(i)(1) = \(atOne), b_\(i) = \(expected)")
        }
        for p in 0..<dense.degree {
            let sum = dense.weights.reduce(0) { $0 + (p < $1.count ? $1[p] : 0) }
            #expect(abs(sum - (p == 0 ? 1 : 0)) < 1e-11, "\(box.method.name): Σ_i w[i][\(p)] = \(sum)")
        }
    }

    @Test func fsalDetection() {
        #expect(BogackiShampine3().tableau.isFSAL)
        #expect(DormandPrince5().tableau.isFSAL)
        #expect(Tsit5().tableau.isFSAL)
        #expect(!Verner7().tableau.isFSAL)
        #expect(!RK4().tableau.isFSAL)
        #expect(!Euler().tableau.isFSAL)
        #expect(!Heun().tableau.isFSAL)
        #expect(Verner7().tableau.totalStageCount == 16)
        #expect(Tsit5().tableau.totalStageCount == 7)
    }

    @Test func orders() {
        #expect(Tsit5().tableau.order == 5 && Tsit5().tableau.embeddedOrder == 4)
        #expect(DormandPrince5().tableau.order == 5 && DormandPrince5().tableau.embeddedOrder == 4)
        #expect(BogackiShampine3().tableau.order == 3 && BogackiShampine3().tableau.embeddedOrder == 2)
        #expect(Verner7().tableau.order == 7 && Verner7().tableau.embeddedOrder == 6)
        #expect(Verner7().tableau.denseOutput.order == 7)
        #expect(RK4().tableau.errorWeights == nil)
    }
}

struct MethodBox: CustomTestStringConvertible, Sendable {
    let method: any ExplicitRungeKuttaMethod
    init(_ method: any ExplicitRungeKuttaMethod) { self.method = method }
    var testDescription: String { method.name }
}
