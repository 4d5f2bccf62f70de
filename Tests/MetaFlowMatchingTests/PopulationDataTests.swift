import Foundation
import Integrators
import MetaFlowMatching
import Randomness
import Testing
import Transport

/// The letters data (our glyphs, the paper's splits and noises) and the interacting-particle
/// benchmark (its mean and spread against their closed forms).
@Suite struct PopulationDataTests {
    @Test func everyGlyphFillsItsBoxAndIsReproducible() throws {
        for letter in LetterGlyphs.letters {
            var a = Xoshiro256StarStar(seed: 1), b = Xoshiro256StarStar(seed: 1)
            let points = try LetterGlyphs.sample(letter, count: 400, generator: &a)
            #expect(points == (try LetterGlyphs.sample(letter, count: 400, generator: &b)))
            let xs = stride(from: 0, to: points.count, by: 2).map { points[$0] }, ys = stride(from: 1, to: points.count, by: 2).map { points[$0] }
            // The 4 × 6 box maps to [−2, 2] × [−3, 3]; strokes are 0.3 wide on each side.
            #expect(xs.min()! > -2.6 && xs.max()! < 2.6 && ys.min()! > -3.6 && ys.max()! < 3.6, "\(letter)")
            #expect(ys.max()! - ys.min()! > 4.5, "\(letter) spans the height")
        }
        var rng = Xoshiro256StarStar(seed: 1)
        #expect(throws: MetaFlowMatchingError.self) { try LetterGlyphs.sample("a", count: 10, generator: &rng) }
        // Different letters are far apart in W2; the same letter drawn twice is close.
        var r1 = Xoshiro256StarStar(seed: 2), r2 = Xoshiro256StarStar(seed: 3)
        let o1 = try PointCloud(coordinates: LetterGlyphs.sample("O", count: 300, generator: &r1), dimension: 2)
        let o2 = try PointCloud(coordinates: LetterGlyphs.sample("O", count: 300, generator: &r2), dimension: 2)
        var r3 = Xoshiro256StarStar(seed: 4)
        let l = try PointCloud(coordinates: LetterGlyphs.sample("L", count: 300, generator: &r3), dimension: 2)
        #expect(try WassersteinDistance.w2(o1, o2) * 4 < WassersteinDistance.w2(o1, l))
    }

    @Test func lettersFollowThePapersSetup() throws {
        let data = try LetterPopulations(pointsPerPopulation: 200, rotationsPerLetter: 3).generate(seed: 7)
        #expect(data.populations.count == 78)
        #expect(data.indices(in: .training).count == 72 && data.indices(in: .validation).count == 3 && data.indices(in: .test).count == 3)
        #expect(data.indices(in: .test).allSatisfy { data.labelNames[data.populations[$0].label] == "Y" })
        // source − target is N(0, 0.5²) per coordinate.
        var sum = 0.0, squares = 0.0, count = 0.0
        for p in data.populations { for (a, b) in zip(p.source, p.target) { sum += a - b; squares += (a - b) * (a - b); count += 1 } }
        let sd = (squares / count - (sum / count) * (sum / count)).squareRoot()
        #expect(abs(sd - 0.5) < 0.01, "source noise \(sd)")
        // Undoing the recorded rotation brings every "L" back to the upright glyph (W2 small).
        var rng = Xoshiro256StarStar(seed: 99)
        let upright = try PointCloud(coordinates: LetterGlyphs.sample("L", count: 200, generator: &rng), dimension: 2)
        for p in data.populations where data.labelNames[p.label] == "L" {
            let (c, s) = (cos(-p.parameter), sin(-p.parameter))
            var back = [Double]()
            for i in 0..<200 {
                let (x, y) = (p.target[2 * i], p.target[2 * i + 1])
                back.append(c * x - s * y)
                back.append(s * x + c * y)
            }
            #expect(try WassersteinDistance.w2(PointCloud(coordinates: back, dimension: 2), upright) < 0.35)
        }
        #expect(throws: MetaFlowMatchingError.self) { try LetterPopulations(pointsPerPopulation: 1).generate(seed: 0) }
        #expect(throws: MetaFlowMatchingError.self) { try LetterPopulations(validationLetter: "Y").generate(seed: 0) }
    }

    @Test func particleMeanAndSpreadFollowTheirClosedForms() throws {
        // The pairwise forces cancel in the mean: dX̄ = −κ X̄ dt + σ dW̄, so X̄(1) = X̄(0)e^(−κ) up to
        // noise of variance σ²(1 − e^(−2κ))/(2κN). Without repulsion the spread about the mean has
        // E|Xᵢ − X̄|²/coordinate = V₀e^(−2λ) + σ²(1 − 1/N)(1 − e^(−2λ))/(2λ), λ = κ + a.
        let n = 400
        var initial: [[Double]] = []
        for p in 0..<8 {
            var rng = Xoshiro256StarStar(seed: UInt64(50 + p))
            initial.append((0..<(2 * n)).map { k in (k % 2 == 0 ? 1.5 : -0.5) + 0.8 * rng.nextNormal() })
        }
        func moments(_ x: [Double]) -> (mx: Double, my: Double, spread: Double) {
            let mx = stride(from: 0, to: x.count, by: 2).reduce(0) { $0 + x[$1] } / Double(n)
            let my = stride(from: 1, to: x.count, by: 2).reduce(0) { $0 + x[$1] } / Double(n)
            let s = (0..<n).reduce(0.0) { $0 + (x[2 * $1] - mx) * (x[2 * $1] - mx) + (x[2 * $1 + 1] - my) * (x[2 * $1 + 1] - my) } / Double(2 * n)
            return (mx, my, s)
        }
        let system = InteractingParticles(confinement: 0.5, attraction: 1, repulsion: 4, repulsionRange: 0.5, noise: 0.3, steps: 200)
        let finals = try system.simulate(initial, seed: 3)
        let meanNoise = (0.09 * (1 - exp(-1.0)) / (2 * 0.5 * Double(n))).squareRoot()
        for (x0, x1) in zip(initial, finals) {
            let (a, b) = (moments(x0), moments(x1))
            #expect(abs(b.mx - a.mx * exp(-0.5)) < 4 * meanNoise + 0.01 && abs(b.my - a.my * exp(-0.5)) < 4 * meanNoise + 0.01)
        }
        var free = system
        free.repulsion = 0
        let lambda = 1.5
        var predicted = 0.0, measured = 0.0
        for (x0, x1) in zip(initial, try free.simulate(initial, seed: 4)) {
            predicted += moments(x0).spread * exp(-2 * lambda) + 0.09 * (1 - 1 / Double(n)) * (1 - exp(-2 * lambda)) / (2 * lambda)
            measured += moments(x1).spread
        }
        #expect(abs(measured - predicted) < 0.04 * predicted, "spread \(measured / 8) vs \(predicted / 8)")
        // Repulsion makes the population wider than the free one: the interaction matters.
        #expect(zip(finals, try free.simulate(initial, seed: 4)).allSatisfy { moments($0).spread > 1.2 * moments($1).spread })
    }

    @Test func particlePopulationsHoldOutTheirLetters() throws {
        let data = try ParticlePopulations(pointsPerPopulation: 60, trainingPopulations: 9, validationPopulations: 3, testPopulations: 6)
            .generate(seed: 5)
        #expect(data.populations.count == 18 && data.indices(in: .test).count == 6)
        for i in data.indices(in: .training) where data.populations[i].label == 2 {
            #expect(!["X", "Y"].contains(LetterGlyphs.letters[Int(data.populations[i].parameter)]))
        }
        for i in data.indices(in: .test) where data.populations[i].label == 2 {
            #expect(["X", "Y"].contains(LetterGlyphs.letters[Int(data.populations[i].parameter)]))
        }
        #expect(data == (try ParticlePopulations(pointsPerPopulation: 60, trainingPopulations: 9, validationPopulations: 3, testPopulations: 6).generate(seed: 5)))
    }

    @Test func badDataIsRefused() throws {
        let good = Population(source: [0, 0, 1, 1], target: [0, 1, 1, 0], label: 0, split: .training)
        #expect(throws: MetaFlowMatchingError.self) { try PopulationDataset(dimension: 2, populations: [], labelNames: ["a"], benchmark: "t") }
        #expect(throws: MetaFlowMatchingError.self) {
            try PopulationDataset(dimension: 2, populations: [good, Population(source: [0, 0, 1], target: [0, 1, 1], label: 0, split: .test)], labelNames: ["a"], benchmark: "t")
        }
        #expect(throws: MetaFlowMatchingError.self) {
            try PopulationDataset(dimension: 2, populations: [Population(source: [0, 0], target: [0, 1], label: 0, split: .test)], labelNames: ["a"], benchmark: "t")
        }
        #expect(throws: MetaFlowMatchingError.self) {
            try PopulationDataset(dimension: 2, populations: [Population(source: [0, .nan, 1, 1], target: [0, 1, 1, 0], label: 0, split: .test)], labelNames: ["a"], benchmark: "t")
        }
        #expect(throws: MetaFlowMatchingError.self) { try NearestNeighbourGraph.build(points: [0, 0, 1, 1], dimension: 2, neighbours: 2) }
    }

    @Test func nearestNeighbourGraphMatchesBruteForce() throws {
        var rng = Xoshiro256StarStar(seed: 8)
        let points = (0..<60).map { _ in rng.nextNormal() }
        let graph = try NearestNeighbourGraph.build(points: points, dimension: 3, neighbours: 4)
        #expect(graph.edgeCount == 80)
        for i in 0..<20 {
            var distances: [(Double, Int)] = []
            for j in 0..<20 where j != i {
                var s = 0.0
                for c in 0..<3 { s += (points[3 * i + c] - points[3 * j + c]) * (points[3 * i + c] - points[3 * j + c]) }
                distances.append((s, j))
            }
            distances.sort { $0.0 < $1.0 }
            let expected = Set(distances.prefix(4).map(\.1))
            let found = Set((0..<graph.edgeCount).filter { graph.targets[$0] == i }.map { graph.sources[$0] })
            #expect(found == expected)
        }
        #expect(graph.inDegrees.allSatisfy { abs($0 - 1) < 1e-12 })
    }
}
