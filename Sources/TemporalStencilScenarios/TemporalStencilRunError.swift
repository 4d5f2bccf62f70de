import Scenarios

/// A TSM training or rollout that cannot go on: reference or training data that is not an
/// `ns2d-dns` output of the right grid, a model file that does not match, a blow-up.
public struct TemporalStencilRunError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
