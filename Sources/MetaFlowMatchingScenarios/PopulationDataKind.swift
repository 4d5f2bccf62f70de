import MetaFlowMatching
import NetCDF
import Scenarios

/// Writes one of Meta Flow Matching's two benchmarks as a population file: `letters` (our glyphs,
/// the paper's rotations, noises and held-out letters) or `particles` (interacting-particle
/// populations from Gaussian-mixture, ring and letter initial conditions, evolved by the SDE
/// ensemble solver). Population p draws from `SplitMix64.derivedSeed(seed, p)`.
public struct PopulationDataKind: ScenarioKind {
    public init() {}

    public let name = "mfm-data"
    public let domain = "meta-flow-matching"
    public let summary = "populations before and after a process (letters or interacting particles) for Meta Flow Matching"

    public let parameters: [ParameterSpec] = [
        ParameterSpec("benchmark", .string(choices: ["letters", "particles"]), default: .string("letters"), summary: "which populations"),
        ParameterSpec("points_per_population", .integer(2...1_000_000), default: .integer(500), summary: "points in every population"),
        ParameterSpec("rotations_per_letter", .integer(1...10_000), default: .integer(10), summary: "letters: rotations drawn for every letter (the paper: 10)"),
        ParameterSpec("validation_letter", .string(), default: .string("X"), summary: "letters: the letter held out for validation (the paper: X)"),
        ParameterSpec("test_letter", .string(), default: .string("Y"), summary: "letters: the letter held out for testing (the paper: Y)"),
        ParameterSpec("target_noise", .number(minimum: 0), default: .number(0.05), summary: "letters: standard deviation of the target's blur"),
        ParameterSpec("source_noise", .number(minimum: 0), default: .number(0.5), summary: "letters: standard deviation of the source around the target"),
        ParameterSpec("training_populations", .integer(1...1_000_000), default: .integer(240), summary: "particles: training populations"),
        ParameterSpec("validation_populations", .integer(0...1_000_000), default: .integer(30), summary: "particles: validation populations"),
        ParameterSpec("test_populations", .integer(1...1_000_000), default: .integer(30), summary: "particles: test populations"),
        ParameterSpec("confinement", .number(minimum: 0), default: .number(0.3), summary: "particles: κ of the drift −κx"),
        ParameterSpec("attraction", .number(minimum: 0), default: .number(1), summary: "particles: a, attraction to the population's mean"),
        ParameterSpec("repulsion", .number(minimum: 0), default: .number(4), summary: "particles: b, strength of the Gaussian repulsion"),
        ParameterSpec("repulsion_range", .number(positive: true), default: .number(0.5), summary: "particles: ℓ, range of the repulsion"),
        ParameterSpec("noise", .number(minimum: 0), default: .number(0.15), summary: "particles: σ of the Brownian noise"),
        ParameterSpec("duration", .number(positive: true), default: .number(1), summary: "particles: the time the populations evolve"),
        ParameterSpec("steps", .integer(1...10_000_000), default: .integer(100), summary: "particles: Euler–Maruyama steps"),
    ]

    public func check(_ p: ParameterValues, issues: inout [ValidationIssue]) {
        for name in ["validation_letter", "test_letter"] {
            let value = p.string(name)
            if value.count != 1 || !LetterGlyphs.letters.contains(value.first!) {
                issues.append(ValidationIssue(path: "$.parameters.\(name)", value: p[name], expected: "one capital letter A-Z"))
            }
        }
    }

    func generate(_ p: ParameterValues, seed: UInt64) throws -> PopulationDataset {
        if p.string("benchmark") == "letters" {
            return try LetterPopulations(pointsPerPopulation: p.int("points_per_population"), rotationsPerLetter: p.int("rotations_per_letter"),
                                         validationLetter: p.string("validation_letter").first!, testLetter: p.string("test_letter").first!,
                                         targetNoise: p.double("target_noise"), sourceNoise: p.double("source_noise")).generate(seed: seed)
        }
        let system = InteractingParticles(confinement: p.double("confinement"), attraction: p.double("attraction"), repulsion: p.double("repulsion"),
                                          repulsionRange: p.double("repulsion_range"), noise: p.double("noise"), duration: p.double("duration"),
                                          steps: p.int("steps"))
        return try ParticlePopulations(system: system, pointsPerPopulation: p.int("points_per_population"),
                                       trainingPopulations: p.int("training_populations"), validationPopulations: p.int("validation_populations"),
                                       testPopulations: p.int("test_populations")).generate(seed: seed)
    }

    public func run(_ scenario: Scenario, context: RunContext) throws -> RunSummary {
        let p = scenario.parameters
        context.progress.begin("mfm-data '\(scenario.name)' (\(p.string("benchmark")))")
        let data: PopulationDataset
        do {
            data = try generate(p, seed: UInt64(scenario.seed))
        } catch let error as MetaFlowMatchingError {
            throw MetaFlowMatchingRunError(message: "\(error)")
        }
        let letters = data.benchmark == "letters"
        let dataset = try context.createOutput(
            title: letters ? "Letters populations for Meta Flow Matching (our glyphs)" : "Interacting-particle populations for Meta Flow Matching",
            references: "L. Atanackovic et al. (2024), Meta Flow Matching: Integrating Vector Fields on the Wasserstein Manifold, arXiv:2408.14608",
            comment: letters
                ? "Each population is one capital letter (our stroke glyphs, 0.6 wide on a 4 x 6 box, scaled to [-3, 3]) at one rotation theta ~ U[0, 2pi): "
                    + "target = glyph points rotated + N(0, \(p.double("target_noise"))^2), source = target + N(0, \(p.double("source_noise"))^2) per point."
                : "dX_i = [-k X_i - a (X_i - mean X) + (b/N) sum_j (X_i - X_j) exp(-|X_i - X_j|^2 / (2 l^2))] dt + s dW_i with k = \(p.double("confinement")), "
                    + "a = \(p.double("attraction")), b = \(p.double("repulsion")), l = \(p.double("repulsion_range")), s = \(p.double("noise")), "
                    + "from t = 0 (source) to t = \(p.double("duration")) (target), Euler-Maruyama with \(p.int("steps")) steps.")
        defer { dataset.discard() }
        try PopulationDataFile.define(data, in: dataset)
        try PopulationDataFile.write(data, to: dataset)
        let statistics: [(key: String, value: JSONValue)] = [
            ("populations", .integer(Int64(data.populations.count))),
            ("training_populations", .integer(Int64(data.indices(in: .training).count))),
            ("validation_populations", .integer(Int64(data.indices(in: .validation).count))),
            ("test_populations", .integer(Int64(data.indices(in: .test).count))),
            ("points_per_population", .integer(Int64(data.pointsPerPopulation))),
        ]
        try context.recordSolverStatistics(statistics, in: dataset)
        try dataset.close()
        return RunSummary(statistics: statistics)
    }
}
