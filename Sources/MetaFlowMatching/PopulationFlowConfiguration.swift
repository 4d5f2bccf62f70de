/// The sizes of a ``PopulationFlowModel``. Defaults are this suite's reduced scale; the paper's
/// letters model is k = 50, three GraphConv layers of width 64 and a 4 × 512 field.
public struct PopulationFlowConfiguration: Sendable, Equatable, Codable {
    /// The dimension d of the points.
    public var dimension: Int
    public var conditioning: FlowConditioning
    /// k of the population encoder's k-nearest-neighbour graph (MFM).
    public var neighbours: Int
    /// Width of the encoder's GraphConv layers (MFM).
    public var encoderWidth: Int
    /// Number of GraphConv layers (MFM).
    public var encoderLayers: Int
    /// Dimension of CGFM's learned vectors (MFM's condition is the encoder's width).
    public var conditionDimension: Int
    /// Number of training populations (CGFM's lookup table has one row each).
    public var trainingPopulations: Int
    /// Dimension of the sinusoidal embedding of t.
    public var timeDimension: Int
    /// Width of the field's hidden layers.
    public var fieldWidth: Int
    /// Number of hidden layers of the field.
    public var fieldDepth: Int

    public init(dimension: Int = 2, conditioning: FlowConditioning = .populationEmbedding, neighbours: Int = 10, encoderWidth: Int = 64,
                encoderLayers: Int = 3, conditionDimension: Int = 32, trainingPopulations: Int = 0, timeDimension: Int = 16,
                fieldWidth: Int = 128, fieldDepth: Int = 3) {
        self.dimension = dimension
        self.conditioning = conditioning
        self.neighbours = neighbours
        self.encoderWidth = encoderWidth
        self.encoderLayers = encoderLayers
        self.conditionDimension = conditionDimension
        self.trainingPopulations = trainingPopulations
        self.timeDimension = timeDimension
        self.fieldWidth = fieldWidth
        self.fieldDepth = fieldDepth
    }

    /// Checks every size; the message names the first one out of range.
    public func validate() throws {
        func need(_ ok: Bool, _ message: String) throws { if !ok { throw MetaFlowMatchingError.invalidArgument(message) } }
        try need(dimension >= 1, "the points' dimension is \(dimension); it must be ≥ 1")
        try need(timeDimension >= 2 && timeDimension % 2 == 0, "time_dimension is \(timeDimension); it must be even and ≥ 2")
        try need(fieldWidth >= 1 && fieldDepth >= 1, "field_width and field_depth must be ≥ 1")
        switch conditioning {
        case .none: break
        case .populationIndex:
            try need(trainingPopulations >= 1, "CGFM needs the number of training populations (≥ 1), got \(trainingPopulations)")
            try need(conditionDimension >= 1, "condition_dimension is \(conditionDimension); it must be ≥ 1")
        case .populationEmbedding:
            try need(neighbours >= 1, "neighbours (k) is \(neighbours); it must be ≥ 1")
            try need(encoderWidth >= 1 && encoderLayers >= 1, "encoder_width and encoder_layers must be ≥ 1")
        }
    }

    /// The width of the condition the field reads (0 for FM).
    var conditionWidth: Int {
        switch conditioning {
        case .none: return 0
        case .populationIndex: return conditionDimension
        case .populationEmbedding: return encoderWidth
        }
    }
}
