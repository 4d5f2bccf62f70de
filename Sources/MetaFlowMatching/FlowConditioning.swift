/// What the vector field of a population flow is told about the population it moves.
public enum FlowConditioning: String, Sendable, CaseIterable, Codable {
    /// Flow matching (FM): nothing — one field for every population.
    case none = "fm"
    /// Conditional generative flow matching (CGFM): a learned vector per training population,
    /// looked up by the population's index. A population never seen in training has no vector of
    /// its own; it gets the mean of the learned ones (so CGFM cannot tell unseen populations apart).
    case populationIndex = "cgfm"
    /// Meta Flow Matching (MFM): a graph neural network's embedding of the source population
    /// itself (its k-nearest-neighbour graph), so unseen populations get their own condition.
    case populationEmbedding = "mfm"
}
