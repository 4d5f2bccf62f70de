/// Which part of a study a population belongs to.
public enum PopulationSplit: Int, Sendable, CaseIterable, Codable {
    case training = 0, validation = 1, test = 2

    public var name: String {
        switch self {
        case .training: return "training"
        case .validation: return "validation"
        case .test: return "test"
        }
    }
}

/// One observed population: its points before (`source`, x₀) and after (`target`, x₁) the
/// process, `count × dimension` each, point-major. Points are paired by index (point i of the
/// source became point i of the target) where the data has such pairs.
public struct Population: Sendable, Equatable {
    /// x₀, `count × dimension`.
    public var source: [Double]
    /// x₁, `count × dimension`.
    public var target: [Double]
    /// What the population is (a letter's index, an initial-condition family, ...); see the
    /// data set's `labelNames`.
    public var label: Int
    public var split: PopulationSplit
    /// A free-form number that identifies the population's draw (a rotation angle in radians for
    /// letters, a family parameter for particles).
    public var parameter: Double

    public init(source: [Double], target: [Double], label: Int, split: PopulationSplit, parameter: Double = 0) {
        self.source = source
        self.target = target
        self.label = label
        self.split = split
        self.parameter = parameter
    }
}

/// Many populations of equal size in one space: the data a Meta Flow Matching model learns from.
public struct PopulationDataset: Sendable, Equatable {
    /// The dimension d of the points.
    public let dimension: Int
    /// The number of points in every population.
    public let pointsPerPopulation: Int
    public let populations: [Population]
    /// What each label means ("A", ..., "Z"; "gaussian mixture", "ring", ...).
    public let labelNames: [String]
    /// What the data is ("letters", "interacting particles").
    public let benchmark: String

    /// Checks the populations: the same dimension and size for all, at least two points each,
    /// finite coordinates, labels inside `labelNames`.
    public init(dimension: Int, populations: [Population], labelNames: [String], benchmark: String) throws {
        guard dimension >= 1 else { throw MetaFlowMatchingError.invalidData("the populations' dimension is \(dimension); it must be ≥ 1") }
        guard let first = populations.first else { throw MetaFlowMatchingError.invalidData("the data set holds no population") }
        let size = first.source.count
        guard size % dimension == 0, size / dimension >= 2 else {
            throw MetaFlowMatchingError.invalidData(
                "population 0 has \(size) source coordinates: it needs at least two points of dimension \(dimension)")
        }
        for (p, population) in populations.enumerated() {
            guard population.source.count == size, population.target.count == size else {
                throw MetaFlowMatchingError.invalidData(
                    "population \(p) has \(population.source.count) source and \(population.target.count) target coordinates; "
                        + "every population needs \(size / dimension) points of dimension \(dimension) (\(size) coordinates)")
            }
            if let bad = population.source.firstIndex(where: { !$0.isFinite }) {
                throw MetaFlowMatchingError.invalidData("population \(p): source point \(bad / dimension) has a NaN or infinite coordinate")
            }
            if let bad = population.target.firstIndex(where: { !$0.isFinite }) {
                throw MetaFlowMatchingError.invalidData("population \(p): target point \(bad / dimension) has a NaN or infinite coordinate")
            }
            guard labelNames.indices.contains(population.label) else {
                throw MetaFlowMatchingError.invalidData("population \(p) has label \(population.label); the data set names \(labelNames.count) labels")
            }
        }
        self.dimension = dimension
        pointsPerPopulation = size / dimension
        self.populations = populations
        self.labelNames = labelNames
        self.benchmark = benchmark
    }

    /// The indices of the populations in `split`, in data-set order.
    public func indices(in split: PopulationSplit) -> [Int] {
        populations.indices.filter { populations[$0].split == split }
    }
}
