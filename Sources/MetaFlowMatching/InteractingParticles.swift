import Foundation
import Integrators
import Randomness

/// A population of interacting particles in the plane whose law at t = 1 depends on the whole
/// initial population, not only on each particle's own start:
///
///     dXᵢ = [ −κ Xᵢ − a (Xᵢ − X̄) + (b/N) Σⱼ (Xᵢ − Xⱼ) exp(−|Xᵢ − Xⱼ|² / (2ℓ²)) ] dt + σ dWᵢ,
///
/// with confinement κ, attraction a to the population's mean X̄ (the linear part of the
/// interaction potential), short-range Gaussian repulsion of strength b and range ℓ, and
/// independent noise of size σ. The drift of every particle reads the empirical measure of the
/// population, so a vector field that ignores the population cannot represent it.
/// Simulated by Euler–Maruyama (strong order 1 for this additive noise) through the integrator
/// core's SDE ensemble solver, one ensemble member per population.
public struct InteractingParticles: Sendable {
    /// κ (1/time).
    public var confinement: Double
    /// a (1/time).
    public var attraction: Double
    /// b (1/time).
    public var repulsion: Double
    /// ℓ (length).
    public var repulsionRange: Double
    /// σ (length/√time).
    public var noise: Double
    /// The time the populations evolve (the target is the state at this time).
    public var duration: Double
    /// Euler–Maruyama steps over `duration`.
    public var steps: Int

    public init(confinement: Double = 0.3, attraction: Double = 1, repulsion: Double = 4, repulsionRange: Double = 0.5,
                noise: Double = 0.15, duration: Double = 1, steps: Int = 100) {
        self.confinement = confinement
        self.attraction = attraction
        self.repulsion = repulsion
        self.repulsionRange = repulsionRange
        self.noise = noise
        self.duration = duration
        self.steps = steps
    }

    func validate() throws {
        for (name, value) in [("confinement", confinement), ("attraction", attraction), ("repulsion", repulsion), ("noise", noise)]
        where !(value >= 0) || !value.isFinite {
            throw MetaFlowMatchingError.invalidArgument("particles: \(name) is \(value); it must be finite and ≥ 0")
        }
        guard repulsionRange > 0, duration > 0, steps >= 1 else {
            throw MetaFlowMatchingError.invalidArgument("particles: repulsion_range and duration must be > 0 and steps ≥ 1")
        }
    }

    /// The drift of all particles of a population, `n` particles of the plane (`2n` values).
    public func drift(_ x: UnsafeBufferPointer<Double>, into dx: UnsafeMutableBufferPointer<Double>) {
        let n = x.count / 2
        var mx = 0.0, my = 0.0
        for i in 0..<n { mx += x[2 * i]; my += x[2 * i + 1] }
        mx /= Double(n)
        my /= Double(n)
        let scale = -1 / (2 * repulsionRange * repulsionRange)
        let b = repulsion / Double(n)
        for i in 0..<n {
            let (xi, yi) = (x[2 * i], x[2 * i + 1])
            var rx = 0.0, ry = 0.0
            for j in 0..<n {
                let (ex, ey) = (xi - x[2 * j], yi - x[2 * j + 1])
                let w = Foundation.exp(scale * (ex * ex + ey * ey))
                rx += ex * w
                ry += ey * w
            }
            dx[2 * i] = -confinement * xi - attraction * (xi - mx) + b * rx
            dx[2 * i + 1] = -confinement * yi - attraction * (yi - my) + b * ry
        }
    }

    /// Every initial population (each `2n` coordinates) evolved to `duration`; population `p`
    /// uses the Brownian path of `SplitMix64.derivedSeed(base: seed, index: p)`.
    public func simulate(_ initial: [[Double]], seed: UInt64) throws -> [[Double]] {
        try validate()
        let system = self
        let sigma = noise
        let results = solveEnsemble(count: initial.count, using: EulerMaruyama(), step: duration / Double(steps), baseSeed: seed) { p in
            SDEProblem(initial: initial[p], timeSpan: 0...system.duration, isAdditive: true,
                       drift: { _, y, dy in system.drift(y, into: dy) },
                       diffusion: { _, _, g in for k in g.indices { g[k] = sigma } })
        }
        return try results.enumerated().map { p, result in
            switch result {
            case let .success(solution): return solution.final
            case let .failure(error): throw MetaFlowMatchingError.invalidData("particles: population \(p) failed to integrate: \(error)")
            }
        }
    }
}

/// The particle benchmark's populations: initial populations from three families — Gaussian
/// mixtures (1 to 3 components), rings and letters — evolved by an ``InteractingParticles``
/// system. Validation and test populations are fresh draws; their letters are letters the
/// training populations never use (X and Y), so every held-out population is unseen.
public struct ParticlePopulations: Sendable {
    public var system: InteractingParticles
    public var pointsPerPopulation: Int
    public var trainingPopulations: Int
    public var validationPopulations: Int
    public var testPopulations: Int

    public static let families = ["gaussian mixture", "ring", "letter"]
    static let heldOutLetters: [Character] = ["X", "Y"]

    public init(system: InteractingParticles = InteractingParticles(), pointsPerPopulation: Int = 256, trainingPopulations: Int = 240,
                validationPopulations: Int = 30, testPopulations: Int = 30) {
        self.system = system
        self.pointsPerPopulation = pointsPerPopulation
        self.trainingPopulations = trainingPopulations
        self.validationPopulations = validationPopulations
        self.testPopulations = testPopulations
    }

    /// One initial population of `family` from `rng`; returns its coordinates and a parameter
    /// (the mixture's component count, the ring's radius, the letter's index).
    static func initialPopulation(family: Int, points n: Int, split: PopulationSplit, rng: inout Xoshiro256StarStar) throws -> ([Double], Double) {
        var x = [Double](repeating: 0, count: 2 * n)
        switch family {
        case 0:
            let k = 1 + Int(rng.next() % 3)
            let centres = (0..<k).map { _ in (4 * rng.nextUniform() - 2, 4 * rng.nextUniform() - 2, 0.2 + 0.4 * rng.nextUniform()) }
            for i in 0..<n {
                let c = centres[i % k]
                x[2 * i] = c.0 + c.2 * rng.nextNormal()
                x[2 * i + 1] = c.1 + c.2 * rng.nextNormal()
            }
            return (x, Double(k))
        case 1:
            let (cx, cy) = (2 * rng.nextUniform() - 1, 2 * rng.nextUniform() - 1)
            let radius = 0.8 + 1.2 * rng.nextUniform()
            for i in 0..<n {
                let a = 2 * Double.pi * rng.nextUniform()
                let r = radius + 0.1 * rng.nextNormal()
                x[2 * i] = cx + r * cos(a)
                x[2 * i + 1] = cy + r * sin(a)
            }
            return (x, radius)
        default:
            let pool = split == .training ? LetterGlyphs.letters.filter { !heldOutLetters.contains($0) } : heldOutLetters
            let letter = pool[Int(rng.next() % UInt64(pool.count))]
            let extent = 1 + rng.nextUniform()
            let theta = 2 * Double.pi * rng.nextUniform()
            let glyph = try LetterGlyphs.sample(letter, count: n, extent: extent, generator: &rng)
            for i in 0..<n {
                let (u, v) = (glyph[2 * i], glyph[2 * i + 1])
                x[2 * i] = cos(theta) * u - sin(theta) * v + 0.05 * rng.nextNormal()
                x[2 * i + 1] = sin(theta) * u + cos(theta) * v + 0.05 * rng.nextNormal()
            }
            return (x, Double(LetterGlyphs.letters.firstIndex(of: letter)!))
        }
    }

    /// Draws the initial populations (population p of the whole list from the stream
    /// `derivedSeed(base: seed, index: p)`, families in turn) and evolves them.
    public func generate(seed: UInt64) throws -> PopulationDataset {
        guard pointsPerPopulation >= 2 else {
            throw MetaFlowMatchingError.invalidArgument("particles: points_per_population is \(pointsPerPopulation); it must be ≥ 2")
        }
        guard trainingPopulations >= 1, validationPopulations >= 0, testPopulations >= 1 else {
            throw MetaFlowMatchingError.invalidArgument("particles: at least one training and one test population are needed")
        }
        try system.validate()
        let splits = [PopulationSplit](repeating: .training, count: trainingPopulations)
            + [PopulationSplit](repeating: .validation, count: validationPopulations)
            + [PopulationSplit](repeating: .test, count: testPopulations)
        var initial: [[Double]] = [], families: [Int] = [], parameters: [Double] = []
        for (p, split) in splits.enumerated() {
            var rng = Xoshiro256StarStar(seed: SplitMix64.derivedSeed(base: seed, index: p))
            let family = p % Self.families.count
            let (x, parameter) = try Self.initialPopulation(family: family, points: pointsPerPopulation, split: split, rng: &rng)
            initial.append(x)
            families.append(family)
            parameters.append(parameter)
        }
        let final = try system.simulate(initial, seed: SplitMix64.derivedSeed(base: seed, index: 1_000_003))
        let populations = splits.indices.map {
            Population(source: initial[$0], target: final[$0], label: families[$0], split: splits[$0], parameter: parameters[$0])
        }
        return try PopulationDataset(dimension: 2, populations: populations, labelNames: Self.families, benchmark: "interacting particles")
    }
}
