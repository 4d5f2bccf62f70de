import Foundation
import Randomness

/// The letters benchmark of Meta Flow Matching (Atanackovic et al. 2024), from our own glyphs:
/// each population is one capital letter at one rotation. The target x₁ is the glyph's points,
/// scaled to [−3, 3], rotated by θ ~ U[0, 2π) and blurred by N(0, 0.05²); the source x₀ is the
/// target plus N(0, 0.5²) per point (paired by index). All letters but the validation and test
/// letters train.
public struct LetterPopulations: Sendable {
    /// Points in every population (the paper draws 700 a population per batch).
    public var pointsPerPopulation: Int
    /// Rotations drawn for every letter (the paper: 10).
    public var rotationsPerLetter: Int
    /// The letter held out for validation (the paper: X).
    public var validationLetter: Character
    /// The letter held out for testing (the paper: Y).
    public var testLetter: Character
    /// Standard deviation of the target's blur (the paper: 0.05).
    public var targetNoise: Double
    /// Standard deviation of the source's noise around the target (the paper: 0.5).
    public var sourceNoise: Double
    /// Half the glyph height after scaling (the paper: 3).
    public var extent: Double

    public init(pointsPerPopulation: Int = 700, rotationsPerLetter: Int = 10, validationLetter: Character = "X",
                testLetter: Character = "Y", targetNoise: Double = 0.05, sourceNoise: Double = 0.5, extent: Double = 3) {
        self.pointsPerPopulation = pointsPerPopulation
        self.rotationsPerLetter = rotationsPerLetter
        self.validationLetter = validationLetter
        self.testLetter = testLetter
        self.targetNoise = targetNoise
        self.sourceNoise = sourceNoise
        self.extent = extent
    }

    /// Every letter at `rotationsPerLetter` rotations; population (letter, r) draws from the
    /// stream `SplitMix64.derivedSeed(base: seed, index: 26·r + letter)`, so the data set does not
    /// depend on which letters are held out.
    public func generate(seed: UInt64) throws -> PopulationDataset {
        guard pointsPerPopulation >= 2 else {
            throw MetaFlowMatchingError.invalidArgument("letters: points_per_population is \(pointsPerPopulation); it must be ≥ 2")
        }
        guard rotationsPerLetter >= 1 else {
            throw MetaFlowMatchingError.invalidArgument("letters: rotations_per_letter is \(rotationsPerLetter); it must be ≥ 1")
        }
        for (name, letter) in [("validation_letter", validationLetter), ("test_letter", testLetter)] where !LetterGlyphs.letters.contains(letter) {
            throw MetaFlowMatchingError.invalidArgument("letters: \(name) is \"\(letter)\"; it must be a capital A-Z")
        }
        guard validationLetter != testLetter else {
            throw MetaFlowMatchingError.invalidArgument("letters: the validation and test letters are both \"\(testLetter)\"; hold out two letters")
        }
        guard targetNoise >= 0, sourceNoise >= 0, extent > 0 else {
            throw MetaFlowMatchingError.invalidArgument("letters: noises must be ≥ 0 and the extent > 0")
        }
        var populations: [Population] = []
        for (index, letter) in LetterGlyphs.letters.enumerated() {
            let split: PopulationSplit = letter == validationLetter ? .validation : letter == testLetter ? .test : .training
            for r in 0..<rotationsPerLetter {
                var rng = Xoshiro256StarStar(seed: SplitMix64.derivedSeed(base: seed, index: 26 * r + index))
                let theta = rng.nextUniform() * 2 * .pi
                let glyph = try LetterGlyphs.sample(letter, count: pointsPerPopulation, extent: extent, generator: &rng)
                let (c, s) = (cos(theta), sin(theta))
                var target = [Double](repeating: 0, count: 2 * pointsPerPopulation)
                var source = target
                for i in 0..<pointsPerPopulation {
                    let (x, y) = (glyph[2 * i], glyph[2 * i + 1])
                    target[2 * i] = c * x - s * y + targetNoise * rng.nextNormal()
                    target[2 * i + 1] = s * x + c * y + targetNoise * rng.nextNormal()
                    source[2 * i] = target[2 * i] + sourceNoise * rng.nextNormal()
                    source[2 * i + 1] = target[2 * i + 1] + sourceNoise * rng.nextNormal()
                }
                populations.append(Population(source: source, target: target, label: index, split: split, parameter: theta))
            }
        }
        return try PopulationDataset(dimension: 2, populations: populations, labelNames: LetterGlyphs.letters.map { String($0) },
                                     benchmark: "letters")
    }
}
