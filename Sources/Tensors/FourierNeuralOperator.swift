/// The shape of a ``FourierNeuralOperator2D``.
public struct FourierNeuralOperatorConfiguration: Sendable, Equatable, Codable {
    /// Input and output channels.
    public var inChannels: Int
    public var outChannels: Int
    /// Channels of the Fourier layers (the reference: 20–64).
    public var width: Int
    /// Kept wavenumbers per axis: the first and last `modesHeight` along the grid's rows, the
    /// first `modesWidth` along its columns (the reference: 12 and 12).
    public var modesHeight: Int
    public var modesWidth: Int
    /// Fourier layers (the reference: 4).
    public var layers: Int
    /// Zeros appended after the last row and column before the Fourier layers (and cropped
    /// after), for grids that are not periodic; the padded sides must be even.
    public var paddingHeight: Int
    public var paddingWidth: Int
    /// Hidden channels of the pointwise projection (the reference: 128).
    public var projectionWidth: Int

    public init(inChannels: Int, outChannels: Int, width: Int = 32, modesHeight: Int = 12, modesWidth: Int = 12, layers: Int = 4,
                paddingHeight: Int = 0, paddingWidth: Int = 0, projectionWidth: Int = 128) {
        (self.inChannels, self.outChannels, self.width) = (inChannels, outChannels, width)
        (self.modesHeight, self.modesWidth, self.layers) = (modesHeight, modesWidth, layers)
        (self.paddingHeight, self.paddingWidth, self.projectionWidth) = (paddingHeight, paddingWidth, projectionWidth)
    }

    /// - Throws: ``TensorError/invalidArgument(operation:message:)`` naming the first setting
    ///   that cannot work on an `height × width` grid.
    public func validate(height: Int, width gridWidth: Int) throws {
        let (h, w) = (height + paddingHeight, gridWidth + paddingWidth)
        func fail(_ message: String) -> TensorError { .invalidArgument(operation: "FourierNeuralOperator2D", message: message) }
        guard inChannels >= 1, outChannels >= 1, width >= 1, layers >= 1, projectionWidth >= 1 else {
            throw fail("channels, width, layers and projection width must be positive: \(self)")
        }
        guard paddingHeight >= 0, paddingWidth >= 0, h % 2 == 0, w % 2 == 0 else {
            throw fail("the padded grid \(h) x \(w) (\(height) x \(gridWidth) plus padding) must have even sides")
        }
        guard modesHeight >= 1, modesWidth >= 1, 2 * modesHeight <= h, modesWidth <= w / 2 else {
            throw fail("modes (\(modesHeight), \(modesWidth)) do not fit the padded grid \(h) x \(w) (need 2·modes_height <= \(h), modes_width <= \(w / 2))")
        }
    }
}

/// A 2-D Fourier Neural Operator (Li et al., ICLR 2021): a pointwise lift to `width` channels,
/// `layers` Fourier layers `v ← GELU(K v + W v)` (``SpectralConvolution2D`` K plus a 1×1
/// convolution W, no activation after the last), a pointwise projection through
/// `projectionWidth` channels. Input `[N, inChannels, H, W]` (the grid coordinates are the
/// caller's to include as channels), output `[N, outChannels, H, W]`; the Fourier layers run on
/// the grid padded with zeros, which lets a non-periodic field escape the periodicity of the
/// transform. Parameters: `lift.*`, `spectral.<l>.*`, `pointwise.<l>.*`, `project.0.*`,
/// `project.1.*`.
public struct FourierNeuralOperator2D<Scalar: TensorScalar>: Layer {
    public let configuration: FourierNeuralOperatorConfiguration
    var lift: Conv2D<Scalar>
    var spectral: [SpectralConvolution2D<Scalar>]
    var pointwise: [Conv2D<Scalar>]
    var hidden: Conv2D<Scalar>
    var output: Conv2D<Scalar>

    public init(_ configuration: FourierNeuralOperatorConfiguration, seed: UInt64) {
        self.configuration = configuration
        let c = configuration
        lift = Conv2D(inChannels: c.inChannels, outChannels: c.width, kernelSize: (1, 1), seed: seed)
        spectral = (0..<c.layers).map {
            SpectralConvolution2D(inChannels: c.width, outChannels: c.width, modes: (c.modesHeight, c.modesWidth), seed: seed &+ UInt64(10 + 2 * $0))
        }
        pointwise = (0..<c.layers).map {
            Conv2D(inChannels: c.width, outChannels: c.width, kernelSize: (1, 1), seed: seed &+ UInt64(11 + 2 * $0))
        }
        hidden = Conv2D(inChannels: c.width, outChannels: c.projectionWidth, kernelSize: (1, 1), seed: seed &+ 2)
        output = Conv2D(inChannels: c.projectionWidth, outChannels: c.outChannels, kernelSize: (1, 1), seed: seed &+ 3)
    }

    public var parameters: Parameters<Scalar> {
        get {
            var all = Parameters<Scalar>()
            all.merge(lift.parameters.prefixed("lift"))
            for l in 0..<spectral.count {
                all.merge(spectral[l].parameters.prefixed("spectral.\(l)"))
                all.merge(pointwise[l].parameters.prefixed("pointwise.\(l)"))
            }
            all.merge(hidden.parameters.prefixed("project.0"))
            all.merge(output.parameters.prefixed("project.1"))
            return all
        }
        set {
            lift.parameters = newValue.scoped("lift")
            for l in 0..<spectral.count {
                spectral[l].parameters = newValue.scoped("spectral.\(l)")
                pointwise[l].parameters = newValue.scoped("pointwise.\(l)")
            }
            hidden.parameters = newValue.scoped("project.0")
            output.parameters = newValue.scoped("project.1")
        }
    }

    public func callAsFunction(_ input: Variable<Scalar>, parameters p: ParameterVariables<Scalar>) throws -> Variable<Scalar> {
        let c = configuration
        guard input.rank == 4, input.shape[1] == c.inChannels else {
            throw TensorError.invalidArgument(operation: "FourierNeuralOperator2D",
                                              message: "expected an input [N, \(c.inChannels), H, W], got \(input.shape)")
        }
        let (n, h, w) = (input.shape[0], input.shape[2], input.shape[3])
        try c.validate(height: h, width: w)
        var v = try lift(input, parameters: p.scoped("lift"))
        if c.paddingHeight > 0 {
            v = try .concatenate([v, Variable(Tensor.zeros([n, c.width, c.paddingHeight, w]))], axis: 2)
        }
        if c.paddingWidth > 0 {
            v = try .concatenate([v, Variable(Tensor.zeros([n, c.width, h + c.paddingHeight, c.paddingWidth]))], axis: 3)
        }
        for l in 0..<c.layers {
            v = try spectral[l](v, parameters: p.scoped("spectral.\(l)")) + pointwise[l](v, parameters: p.scoped("pointwise.\(l)"))
            if l < c.layers - 1 { v = v.gelu() }
        }
        if c.paddingHeight > 0 { v = try v.sliced(axis: 2, 0..<h) }
        if c.paddingWidth > 0 { v = try v.sliced(axis: 3, 0..<w) }
        return try output(hidden(v, parameters: p.scoped("project.0")).gelu(), parameters: p.scoped("project.1"))
    }
}
