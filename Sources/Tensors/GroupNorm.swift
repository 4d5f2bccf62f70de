/// Group normalisation (Wu & He 2018) of `[N, C, ...]`: the channels split into `groups`
/// groups, each normalised over its channels and all spatial positions (biased variance, as
/// PyTorch's `GroupNorm`), then a learned per-channel `"scale"` (initially 1) and `"offset"`
/// (initially 0). One group is layer normalisation over `(C, ...)`; `C` groups is instance
/// normalisation. The normaliser of diffusion U-Nets (it does not depend on the batch).
public struct GroupNorm<Scalar: TensorScalar>: Layer {
    public var parameters: Parameters<Scalar>
    public let groups: Int
    public let channels: Int
    public let epsilon: Scalar

    /// `channels` must be a positive multiple of `groups` (a programmer error otherwise).
    public init(groups: Int, channels: Int, epsilon: Scalar = 1e-5) {
        precondition(groups > 0 && channels > 0 && channels % groups == 0,
                     "Tensors: GroupNorm needs channels (\(channels)) divisible by groups (\(groups))")
        self.groups = groups
        self.channels = channels
        self.epsilon = epsilon
        parameters = Parameters()
        parameters["scale"] = Tensor.ones([channels])
        parameters["offset"] = Tensor.zeros([channels])
    }

    public func callAsFunction(_ input: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        try input.groupNormalized(groups: groups, scale: p.variable("scale", layer: "GroupNorm"),
                                  offset: p.variable("offset", layer: "GroupNorm"), epsilon: epsilon)
    }
}

extension Variable {
    /// Group normalisation of `[N, C, ...]` with per-channel `scale` and `offset` (`[C]` each);
    /// see ``GroupNorm``.
    /// - Throws: ``TensorError`` when the input has rank < 2, `C` is not a multiple of `groups`,
    ///   or `scale`/`offset` are not `[C]`.
    public func groupNormalized(groups: Int, scale: Variable, offset: Variable, epsilon: Scalar = 1e-5) throws -> Variable {
        let shape = self.shape
        guard shape.count >= 2, groups > 0, shape[1] % groups == 0 else {
            throw TensorError.invalidArgument(operation: "groupNormalized",
                                              message: "input \(shape) must be [N, C, ...] with C divisible by \(groups) groups")
        }
        let c = shape[1]
        guard scale.shape == [c], offset.shape == [c] else {
            throw TensorError.shapeMismatch(operation: "groupNormalized", lhs: scale.shape, rhs: offset.shape,
                                            reason: "scale and offset must both be [\(c)]")
        }
        let perGroup = shape.dropFirst().reduce(1, *) / groups
        let normalized = try reshaped([shape[0], groups, perGroup]).layerNormalized(normalizedRank: 1, epsilon: epsilon).reshaped(shape)
        let channelShape = [1, c] + [Int](repeating: 1, count: shape.count - 2)
        return try normalized * scale.reshaped(channelShape) + offset.reshaped(channelShape)
    }
}
