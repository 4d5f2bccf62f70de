import Scenarios

/// The scenario kinds of the Wavelet Diffusion Neural Operator: what `ndyn` registers from this domain.
public enum WaveletDiffusionScenarios {
    public static let kinds: [any ScenarioKind] = [BurgersControlDataKind(), DiffusionTrainKind(), FourierOperatorTrainKind(), DiffusionSimulateKind(), DiffusionControlKind()]
}

/// A Wavelet Diffusion run that cannot go on: a bad checkpoint, a simulation that failed.
public struct WaveletDiffusionRunError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
