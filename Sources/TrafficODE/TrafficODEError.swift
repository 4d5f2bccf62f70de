/// Why traffic data, a graph or a forecasting setup cannot be used; each case names the file (or
/// the input) and what was wrong with it.
public struct TrafficODEError: Error, CustomStringConvertible, Equatable {
    /// The file or input the problem is in (empty when it is a programming argument).
    public var source: String
    /// What was wrong, in words.
    public var problem: String

    public init(_ source: String, _ problem: String) {
        self.source = source
        self.problem = problem
    }

    public var description: String { source.isEmpty ? problem : "\(source): \(problem)" }
}
