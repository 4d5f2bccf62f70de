import Tensors

/// The learned coarse solver of Temporal Stencil Modeling (Sun et al. 2023): at every step a
/// periodic CNN reads the velocity and, per cell, a ``HiPPOMemory`` of the velocity's history,
/// and outputs the coordinates of the 4 × 4 convective stencils (``ConvectiveStencilBasis``)
/// the finite-volume step then uses (``FiniteVolumeNavierStokes2D/step(state:coordinates:geometry:basis:correction:dt:)``)
/// as a learned correction to a classical interpolation (van Leer by default, so an untrained
/// model is the classical baseline).
/// With ``Configuration/memorySize`` 0 the CNN sees the current velocity only — Kochkov et al.'s
/// learned interpolation, TSM's ablation without temporal features.
///
/// Shapes: a batch of states is `[B, 2, m, m]` (u then v at the staggered faces); the memory
/// is `[B · 2 · m², N]` (one row of HiPPO coefficients per face value).
public struct TemporalStencilModel: Sendable {
    /// What a trained model needs to be rebuilt (stored with its checkpoint).
    public struct Configuration: Sendable, Equatable {
        /// Model grid m.
        public var grid: Int
        /// HiPPO coefficients N per face value (0: no temporal memory).
        public var memorySize: Int
        /// HiPPO's discretisation step (TSM: 0.1, in units of frames).
        public var memoryStep: Double = 0.1
        /// Channels of the hidden convolutions.
        public var width: Int
        /// Number of 3 × 3 convolutions (≥ 2; ReLU between them).
        public var depth: Int
        /// Model time step Δt (the spacing of the training frames).
        public var timeStep: Double
        public var viscosity: Double
        public var drag: Double
        public var forcingAmplitude: Double
        public var forcingWavenumber: Int
        /// The classical interpolation the learned stencils correct (zero coordinates: this scheme).
        public var baseScheme: FaceInterpolation
        /// How the correction is limited (``StencilCorrection/limit``).
        public var correctionLimit: CorrectionLimit
        /// Whether the advecting velocities are learned too (``StencilCorrection/learnsAdvectingVelocity``).
        public var learnsAdvectingVelocity: Bool
        /// Feed the CNN the memory minus the memory of a constant signal at the current value
        /// (`c − s·v`, `s` = ``HiPPOMemory/steadyState``): only what the history adds to the present.
        public var memoryAnomaly: Bool

        public init(grid: Int, memorySize: Int, memoryStep: Double = 0.1, width: Int, depth: Int, timeStep: Double,
                    viscosity: Double, drag: Double, forcingAmplitude: Double, forcingWavenumber: Int,
                    baseScheme: FaceInterpolation = .vanLeer, correctionLimit: CorrectionLimit = .tvdRegion, learnsAdvectingVelocity: Bool = false,
                    memoryAnomaly: Bool = true) {
            self.memoryAnomaly = memoryAnomaly
            self.baseScheme = baseScheme
            self.correctionLimit = correctionLimit
            self.learnsAdvectingVelocity = learnsAdvectingVelocity
            self.grid = grid
            self.memorySize = memorySize
            self.memoryStep = memoryStep
            self.width = width
            self.depth = depth
            self.timeStep = timeStep
            self.viscosity = viscosity
            self.drag = drag
            self.forcingAmplitude = forcingAmplitude
            self.forcingWavenumber = forcingWavenumber
        }

        /// How the learned coordinates enter the finite-volume step.
        public var correction: StencilCorrection {
            StencilCorrection(baseScheme: baseScheme, limit: correctionLimit, learnsAdvectingVelocity: learnsAdvectingVelocity)
        }

        /// Input channels of the CNN: u, v and N memory coefficients of each.
        public var inputChannels: Int { 2 + 2 * memorySize }
    }

    public let configuration: Configuration
    /// The CNN: `depth` circular 3 × 3 convolutions with ReLU between them.
    public var network: Chain<Double>
    public let solver: FiniteVolumeNavierStokes2D
    public let geometry: StencilGeometry
    public let basis: ConvectiveStencilBasis
    public let memory: HiPPOMemory?
    /// Āᵀ `[N, N]` and B̄ `[1, N]` of the memory update.
    let memoryTransition: Tensor<Double>?
    let memoryInput: Tensor<Double>?
    /// ``HiPPOMemory/steadyState`` `[1, N]`.
    let memorySteadyState: Tensor<Double>?

    /// A model with freshly initialised weights (Kaiming uniform; the output layer scaled by
    /// 0.01, so training starts near the base scheme).
    public init(configuration c: Configuration, seed: UInt64) {
        precondition(c.depth >= 2 && c.width >= 1 && c.grid >= 4 && c.memorySize >= 0 && c.timeStep > 0,
                     "TemporalStencilModel: bad configuration \(c)")
        configuration = c
        var layers: [any Layer<Double>] = []
        for k in 0..<c.depth {
            let last = k == c.depth - 1
            layers.append(Conv2D<Double>(inChannels: k == 0 ? c.inputChannels : c.width,
                                         outChannels: last ? c.correction.coordinateChannels : c.width,
                                         kernelSize: (3, 3), padding: (1, 1), mode: .circular,
                                         initialization: .kaimingUniform, seed: seed &+ UInt64(k)))
            if !last { layers.append(ActivationLayer<Double>(.relu)) }
        }
        network = Chain(layers)
        let lastWeight = "\(2 * (c.depth - 1)).weight"
        var parameters = network.parameters
        parameters[lastWeight] = parameters[lastWeight]! * 0.01
        network.parameters = parameters
        solver = FiniteVolumeNavierStokes2D(m: c.grid, viscosity: c.viscosity, drag: c.drag, forcingAmplitude: c.forcingAmplitude,
                                            forcingWavenumber: c.forcingWavenumber, interpolation: .linear)
        geometry = StencilGeometry(m: c.grid)
        basis = ConvectiveStencilBasis()
        if c.memorySize > 0 {
            let hippo = HiPPOMemory(size: c.memorySize, step: c.memoryStep)
            let (matrix, input) = hippo.discreteTransition
            memory = hippo
            memoryTransition = try! Tensor(shape: [c.memorySize, c.memorySize], scalars: matrix).transposed()
            memoryInput = try! Tensor(shape: [1, c.memorySize], scalars: input)
            memorySteadyState = try! Tensor(shape: [1, c.memorySize], scalars: hippo.steadyState)
        } else {
            memorySteadyState = nil
            memory = nil
            memoryTransition = nil
            memoryInput = nil
        }
    }

    /// The trainable weights (named `"<layer>.weight"`, `"<layer>.bias"`).
    public var parameters: Parameters<Double> {
        get { network.parameters }
        set { network.parameters = newValue }
    }

    /// The memory after reading `history` (oldest first; each frame a batch of states,
    /// `B · 2 · m²` values) from the zero state; nil without memory.
    public func encodeMemory(history: [[Double]]) throws -> Tensor<Double>? {
        guard let memory, let first = history.first else { return nil }
        return try Tensor(shape: [first.count, memory.size], scalars: memory.encode(frames: history))
    }

    /// The memory after reading one more state.
    public func advanceMemory(_ memory: Variable<Double>, with state: Variable<Double>) throws -> Variable<Double> {
        guard let transition = memoryTransition, let input = memoryInput else { return memory }
        return try memory.matmul(Variable(transition)) + (try state.reshaped([state.value.count, 1]) * Variable(input))
    }

    /// The stencil coordinates `[B, C, m, m]` (C = ``StencilCorrection/coordinateChannels``) for a batch of states and their memory.
    public func stencilCoordinates(state: Variable<Double>, memory: Variable<Double>?,
                                   parameters p: ParameterVariables<Double>) throws -> Variable<Double> {
        let batch = state.shape[0], m = configuration.grid
        var features = state
        if var memory, let size = self.memory?.size {
            if configuration.memoryAnomaly, let steady = memorySteadyState {
                memory = try memory - (try state.reshaped([state.value.count, 1]) * Variable(steady))
            }
            let channels = try memory.reshaped([batch, 2, m * m, size]).permuted([0, 1, 3, 2]).reshaped([batch, 2 * size, m, m])
            features = try Variable.concatenate([state, channels], axis: 1)
        }
        return try network(features, parameters: p)
    }

    /// One model step: the new state and memory.
    public func step(state: Variable<Double>, memory: Variable<Double>?,
                     parameters p: ParameterVariables<Double>) throws -> (state: Variable<Double>, memory: Variable<Double>?) {
        let coordinates = try stencilCoordinates(state: state, memory: memory, parameters: p)
        let next = try Variable.learnedStep(state, coordinates: coordinates, solver: solver, geometry: geometry, basis: basis,
                                            correction: configuration.correction,
                                            dt: configuration.timeStep)
        return (next, try memory.map { try advanceMemory($0, with: next) })
    }

    /// Inference: `steps` steps from a batch of states `[B, 2, m, m]` after `history` (the
    /// frames up to and including `state`, oldest first; ignored without memory), calling
    /// `observe(k, state)` after every step k = 1…steps.
    public func rollout(state: Tensor<Double>, history: [[Double]], steps: Int,
                        observe: (Int, Tensor<Double>) throws -> Void) throws {
        var x = Variable(state)
        var c = try encodeMemory(history: history).map { Variable($0) }
        let p = parameters.constants
        for k in 1...max(steps, 1) where steps > 0 {
            (x, c) = try step(state: x, memory: c, parameters: p)
            try observe(k, x.value)
        }
    }
}
