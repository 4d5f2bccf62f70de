/// Versions recorded in every output file and `run.json`.
public enum NeuralDynamicsVersion {
    /// The suite's version (semantic versioning).
    public static let current = "0.1.0"
}
