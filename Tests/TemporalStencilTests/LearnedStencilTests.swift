import Foundation
import Randomness
import Tensors
import Testing
@testable import TemporalStencil

/// The learned-stencil finite-volume step of TSM: its stencil constraints, its agreement with
/// the classical scheme at zero coordinates, its hand-written gradient against finite
/// differences, and training that recovers a known better scheme.
@Suite struct LearnedStencilTests {
    func randomVelocity(m: Int, seed: UInt64) -> [Double] {
        // A smooth divergence-free field plus small noise on the faces.
        var rng = SplitMix64(seed: seed)
        let h = 2 * Double.pi / Double(m)
        var state = [Double](repeating: 0, count: 2 * m * m)
        let (a, b) = (Double.random(in: 0..<1, using: &rng) + 0.5, Double.random(in: 0..<1, using: &rng) + 0.5)
        for j in 0..<m {
            for i in 0..<m {
                state[j * m + i] = a * sin((Double(j) + 0.5) * h) + 0.1 * (Double.random(in: 0..<1, using: &rng) - 0.5)
                state[m * m + j * m + i] = b * cos((Double(i) + 0.5) * h * 2) + 0.1 * (Double.random(in: 0..<1, using: &rng) - 0.5)
            }
        }
        return state
    }

    @Test func stencilsAreExactForLinearFieldsAndTheBasisIsOrthonormal() {
        let basis = ConvectiveStencilBasis()
        var rng = SplitMix64(seed: 3)
        for family in ConvectiveFluxFamily.allCases {
            let c = (0..<13).map { _ in Double.random(in: 0..<1, using: &rng) * 2 - 1 }
            let w = basis.weights(family, coordinates: c)
            let dx = ConvectiveStencilBasis.offsets.map { Double($0.di) - (family.alongX ? 0.5 : 0) }
            let dy = ConvectiveStencilBasis.offsets.map { Double($0.dj) - (family.alongX ? 0 : 0.5) }
            #expect(abs(w.reduce(0, +) - 1) < 1e-12)
            #expect(abs(zip(w, dx).map { $0 * $1 }.reduce(0, +)) < 1e-12)
            #expect(abs(zip(w, dy).map { $0 * $1 }.reduce(0, +)) < 1e-12)
            let n = basis.nullSpace[family.rawValue]
            for r in 0..<13 {
                for q in 0..<13 {
                    let dot = (0..<16).reduce(0.0) { $0 + n[$1 * 13 + r] * n[$1 * 13 + q] }
                    #expect(abs(dot - (r == q ? 1 : 0)) < 1e-12)
                }
            }
        }
    }

    @Test(arguments: FaceInterpolation.allCases) func zeroCoordinatesReproduceTheClassicalScheme(scheme: FaceInterpolation) {
        let m = 12
        let solver = FiniteVolumeNavierStokes2D(m: m, viscosity: 0.01, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 2,
                                                interpolation: scheme)
        let state = randomVelocity(m: m, seed: 1)
        var u = Array(state[0..<(m * m)]), v = Array(state[(m * m)...])
        solver.step(u: &u, v: &v, dt: 0.05)
        let zeros = [Double](repeating: 0, count: 52 * m * m)
        let learned = state.withUnsafeBufferPointer { s in
            zeros.withUnsafeBufferPointer { c in
                solver.step(state: s, coordinates: c, geometry: StencilGeometry(m: m), basis: ConvectiveStencilBasis(),
                            correction: StencilCorrection(baseScheme: scheme, limit: scheme == .vanLeer ? .tvdRegion : .none), dt: 0.05)
            }
        }
        let difference = zip(learned, u + v).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-13)
        #expect(solver.maximumDivergence(u: Array(learned[0..<(m * m)]), v: Array(learned[(m * m)...])) < 1e-12)
    }

    @Test(arguments: [StencilCorrection.unbounded, .init(baseScheme: .vanLeer, limit: .none), .init(baseScheme: .vanLeer, limit: .tvdRegion),
                      .init(baseScheme: .vanLeer, limit: .vanLeerLimited), .init(baseScheme: .vanLeer, limit: .localVariation),
                      .init(baseScheme: .vanLeer, limit: .tvdRegion, learnsAdvectingVelocity: true)])
    func gradientMatchesFiniteDifferences(correction: StencilCorrection) throws {
        let m = 6, dt = 0.07
        let solver = FiniteVolumeNavierStokes2D(m: m, viscosity: 0.02, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 1,
                                                interpolation: .linear)
        let geometry = StencilGeometry(m: m), basis = ConvectiveStencilBasis()
        var rng = SplitMix64(seed: 9)
        let x = try Tensor(shape: [2, 2, m, m], scalars: randomVelocity(m: m, seed: 4) + randomVelocity(m: m, seed: 5))
        let channels = correction.coordinateChannels
        let c = try Tensor(shape: [2, channels, m, m], scalars: (0..<(2 * channels * m * m)).map { _ in 0.3 * (Double.random(in: 0..<1, using: &rng) - 0.5) })
        let probe = try Tensor(shape: [2, 2, m, m], scalars: (0..<(4 * m * m)).map { _ in Double.random(in: 0..<1, using: &rng) - 0.5 })
        func loss(_ x: Tensor<Double>, _ c: Tensor<Double>) throws -> Double {
            let y = try Variable.learnedStep(Variable(x), coordinates: Variable(c), solver: solver, geometry: geometry, basis: basis, correction: correction, dt: dt)
            return try (y.value * probe).sum().scalar!
        }
        let tape = Tape<Double>()
        let xv = tape.variable(x), cv = tape.variable(c)
        let y = try Variable.learnedStep(xv, coordinates: cv, solver: solver, geometry: geometry, basis: basis, correction: correction, dt: dt)
        let gradients = try (y * Variable(probe)).sum().backward()
        let gx = gradients[xv].scalars, gc = gradients[cv].scalars
        let eps = 1e-6
        var worst = 0.0
        for k in stride(from: 0, to: x.count, by: 7) {
            var plus = x.scalars, minus = x.scalars
            plus[k] += eps
            minus[k] -= eps
            let fd = (try loss(try Tensor(shape: x.shape, scalars: plus), c) - loss(try Tensor(shape: x.shape, scalars: minus), c)) / (2 * eps)
            worst = max(worst, abs(fd - gx[k]) / max(1, abs(fd)))
        }
        for k in stride(from: 0, to: c.count, by: 23) {
            var plus = c.scalars, minus = c.scalars
            plus[k] += eps
            minus[k] -= eps
            let fd = (try loss(x, try Tensor(shape: c.shape, scalars: plus)) - loss(x, try Tensor(shape: c.shape, scalars: minus))) / (2 * eps)
            worst = max(worst, abs(fd - gc[k]) / max(1, abs(fd)))
        }
        #expect(worst < 1e-6, "relative gradient error \(worst)")
        #expect(gc.contains { abs($0) > 1e-4 }, "the coordinates' gradient must not vanish")
    }

    /// What the convective interpolation sees at one flux point: its family, the 16 stencil
    /// values, the 13 learned coordinates, the advecting velocity and the limited face value.
    struct FluxPoint {
        var family: ConvectiveFluxFamily, values: [Double], coordinates: [Double], advecting: Double, advected: Double
        /// The upwind cell c, its far neighbour and the downwind cell along the flow.
        var upwindTriple: (far: Double, centre: Double, down: Double) {
            let a = ConvectiveStencilBasis.alignedPoints[family.rawValue], q = values
            return advecting >= 0 ? (q[a.0], q[a.1], q[a.2]) : (q[a.3], q[a.2], q[a.1])
        }
        /// `Σ_s w_s q_s` for the stencil `w = w₀ + N c` at coordinates `c` (`nil`: this point's own).
        func stencilValue(_ basis: ConvectiveStencilBasis, coordinates c: [Double]? = nil) -> Double {
            zip(basis.weights(family, coordinates: c ?? coordinates), values).reduce(0) { $0 + $1.0 * $1.1 }
        }
    }

    /// Every flux point of the van Leer based interpolation on a random 8 × 8 state with random
    /// coordinates (uniform in ±`coordinateScale`), limited by `limit`.
    func forEachFluxPoint(limit: CorrectionLimit, seed: UInt64, coordinateScale: Double, _ body: (FluxPoint) -> Void) {
        let m = 8
        let solver = FiniteVolumeNavierStokes2D(m: m, viscosity: 0.01, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 2,
                                                interpolation: .vanLeer)
        let geometry = StencilGeometry(m: m), basis = ConvectiveStencilBasis(), cells = m * m
        var rng = SplitMix64(seed: seed)
        let state = (0..<(2 * cells)).map { _ in Double.random(in: -1..<1, using: &rng) }
        let coordinates = (0..<(ConvectiveStencilBasis.channels * cells)).map { _ in coordinateScale * Double.random(in: -1..<1, using: &rng) }
        state.withUnsafeBufferPointer { x in
            coordinates.withUnsafeBufferPointer { c in
                solver.convect(state: x, coordinates: c, geometry: geometry, basis: basis,
                               correction: .init(baseScheme: .vanLeer, limit: limit)) { f, p, _, advecting, advected, _, _, _, _ in
                    body(FluxPoint(family: ConvectiveFluxFamily(rawValue: f)!,
                                   values: (0..<16).map { x[Int(geometry.points[(f * 16 + $0) * cells + p])] },
                                   coordinates: (0..<13).map { c[(f * 13 + $0) * cells + p] },
                                   advecting: advecting, advected: advected))
                }
            }
        }
    }

    /// The van-Leer-limited correction is JAX-CFD's `apply_tvd_limiter` around the learned
    /// stencil, computed here from its definition: upwind + φ(r)·(learned − upwind), with
    /// r = (c − far)/(down − c), φ = 2r/(1 + r) for r > 0 and 0 otherwise, and
    /// learned = Σ_s w_s q_s with the full stencil w = w₀ + N c.
    @Test func vanLeerLimitedCorrectionIsTheLimiterAroundTheLearnedStencil() {
        let basis = ConvectiveStencilBasis()
        var worst = 0.0, extrema = 0, outsideTVD = 0
        forEachFluxPoint(limit: .vanLeerLimited, seed: 31, coordinateScale: 0.4) { point in
            let learned = point.stencilValue(basis)
            let (far, centre, down) = point.upwindTriple
            let r = (centre - far) / (down - centre)
            let phi = r > 0 ? 2 * r / (1 + r) : 0
            let expected = centre + phi * (learned - centre)
            worst = max(worst, abs(point.advected - expected))
            if phi == 0 { extrema += 1 }
            let limit = 2 * centre - far   // Sweby's bound is at most this far from c
            let advected = point.advected
            if phi > 0 && (advected - centre) * (advected - limit) > 0 && (advected - centre) * (advected - down) > 0 { outsideTVD += 1 }
        }
        #expect(worst < 1e-12, "largest deviation from upwind + φ(r)(learned − upwind): \(worst)")
        #expect(extrema > 0, "the random field must have extrema, where the value is upwind")
        #expect(outsideTVD > 0, "unlike the TVD-region limit, the learned stencil may leave Sweby's region")
    }

    /// The local-variation limit, from its definition: van Leer + R·tanh(correction/R) with
    /// R = max(|down − c|, |c − far|) and correction = Σ (N c)_s q_s (the learned stencil minus
    /// the linear one). Unlike the other limits it corrects at extrema too.
    @Test func localVariationLimitSaturatesAtTheLargerNeighbouringJump() {
        let basis = ConvectiveStencilBasis(), linear = [Double](repeating: 0, count: 13)
        var worst = 0.0, correctedExtrema = 0, saturated = 0
        forEachFluxPoint(limit: .localVariation, seed: 37, coordinateScale: 2) { point in
            let correction = point.stencilValue(basis) - point.stencilValue(basis, coordinates: linear)
            let a = ConvectiveStencilBasis.alignedPoints[point.family.rawValue], q = point.values
            let base = FaceInterpolation.vanLeer.value(q[a.0], q[a.1], q[a.2], q[a.3], velocity: point.advecting)
            let (far, centre, down) = point.upwindTriple
            let room = max(abs(down - centre), abs(centre - far))
            worst = max(worst, abs(point.advected - (base + room * tanh(correction / room))))
            if (down - centre) * (centre - far) < 0 && abs(point.advected - base) > 1e-3 { correctedExtrema += 1 }
            if abs(correction) > 2 * room { saturated += 1 }
        }
        #expect(worst < 1e-12, "largest deviation from vanLeer + R·tanh(correction/R): \(worst)")
        #expect(correctedExtrema > 0, "the limit must leave room at local extrema")
        #expect(saturated > 0, "some corrections must be large enough to saturate")
    }

    /// The learned advecting velocity keeps the stencils' first-order accuracy: for linear
    /// velocity fields it is the exact velocity at every flux point, whatever the coordinates
    /// (which fails if a family's advecting stencil sat on the wrong points).
    @Test func learnedAdvectingVelocityIsExactForLinearFields() {
        let m = 10, h = 0.3, cells = m * m
        let solver = FiniteVolumeNavierStokes2D(m: m, viscosity: 0.01, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 2,
                                                interpolation: .vanLeer)
        let geometry = StencilGeometry(m: m), basis = ConvectiveStencilBasis()
        func u(_ x: Double, _ y: Double) -> Double { 0.3 + 0.7 * x - 0.4 * y }
        func v(_ x: Double, _ y: Double) -> Double { -0.2 + 0.5 * x + 0.9 * y }
        var state = [Double](repeating: 0, count: 2 * cells)
        for j in 0..<m {
            for i in 0..<m {
                state[j * m + i] = u((Double(i) + 1) * h, (Double(j) + 0.5) * h)
                state[cells + j * m + i] = v((Double(i) + 0.5) * h, (Double(j) + 1) * h)
            }
        }
        let correction = StencilCorrection(baseScheme: .vanLeer, limit: .tvdRegion, learnsAdvectingVelocity: true)
        var rng = SplitMix64(seed: 77)
        let coordinates = (0..<(correction.coordinateChannels * cells)).map { _ in Double.random(in: -1..<1, using: &rng) }
        var worst = 0.0, visited = 0, moved = 0.0
        state.withUnsafeBufferPointer { x in
            coordinates.withUnsafeBufferPointer { c in
                solver.convect(state: x, coordinates: c, geometry: geometry, basis: basis, correction: correction) { f, p, _, advecting, _, _, weights, _, _ in
                    let (i, j) = (p % m, p / m)
                    guard (1..<(m - 2)).contains(i), (1..<(m - 2)).contains(j) else { return }   // stencils that do not wrap
                    let (xi, yj) = (Double(i), Double(j))
                    let exact: Double
                    switch ConvectiveFluxFamily(rawValue: f)! {
                    case .uAlongX: exact = u((xi + 1.5) * h, (yj + 0.5) * h)
                    case .uAlongY: exact = v((xi + 1) * h, (yj + 1) * h)
                    case .vAlongY: exact = v((xi + 0.5) * h, (yj + 1.5) * h)
                    case .vAlongX: exact = u((xi + 1) * h, (yj + 1) * h)
                    }
                    worst = max(worst, abs(advecting - exact))
                    moved = max(moved, weights.map(abs).max()!)
                    visited += 1
                }
            }
        }
        #expect(visited == 4 * (m - 3) * (m - 3))
        #expect(moved > 0.1, "the coordinates must change the stencil")
        #expect(worst < 1e-12, "largest advecting-velocity error on a linear field: \(worst)")
    }

    @Test func memoryMatrixReproducesTheRecurrence() throws {
        let hippo = HiPPOMemory(size: 5)
        let (matrix, input) = hippo.discreteTransition
        var c = [0.3, -0.2, 0.5, 0.1, -0.4]
        var expected = c
        hippo.update(&expected, input: 0.7)
        let result = (0..<5).map { i in (0..<5).reduce(0.0) { $0 + matrix[i * 5 + $1] * c[$1] } + input[i] * 0.7 }
        #expect(zip(result, expected).allSatisfy { abs($0 - $1) < 1e-14 })
        c = expected
        // The model's tape version of the same update.
        let model = TemporalStencilModel(configuration: .init(grid: 4, memorySize: 5, width: 2, depth: 2, timeStep: 0.1,
                                                              viscosity: 0, drag: 0, forcingAmplitude: 0, forcingWavenumber: 1), seed: 0)
        let memory = try Tensor(shape: [1, 5], scalars: c)
        let next = try model.advanceMemory(Variable(memory), with: Variable(try Tensor(shape: [1], scalars: [-0.4]))).value.scalars
        hippo.update(&c, input: -0.4)
        #expect(zip(next, c).allSatisfy { abs($0 - $1) < 1e-14 })
        // A constant signal's memory converges to steadyState × signal.
        var constant = [Double](repeating: 0, count: 5)
        for _ in 0..<2000 { hippo.update(&constant, input: 1.5) }
        #expect(zip(constant, hippo.steadyState).allSatisfy { abs($0 - 1.5 * $1) < 1e-9 })
    }

    /// Reference data from the van Leer scheme on the model grid itself: the linear scheme
    /// drifts from it, and a few dozen Adam steps on the unrolled loss must close most of the gap.
    @Test(arguments: [0, 3]) func trainingLearnsTowardsAKnownScheme(memorySize: Int) throws {
        let m = 12, dt = 0.05
        let teacher = FiniteVolumeNavierStokes2D(m: m, viscosity: 0.005, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 2,
                                                 interpolation: .vanLeer)
        var trajectories: [[[Double]]] = []
        for seed in 0..<2 {
            let start = randomVelocity(m: m, seed: UInt64(10 + seed)).map { $0 * 2 }
            var u = Array(start[0..<(m * m)]), v = Array(start[(m * m)...])
            teacher.project(u: &u, v: &v)
            var frames: [[Double]] = []
            for _ in 0..<14 {
                frames.append(u + v)
                teacher.step(u: &u, v: &v, dt: dt)
            }
            trajectories.append(frames)
        }
        let data = ReferenceTrajectories(grid: m, trajectories: trajectories)
        var model = TemporalStencilModel(configuration: .init(grid: m, memorySize: memorySize, width: 8, depth: 3, timeStep: dt,
                                                              viscosity: 0.005, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 2,
                                                              baseScheme: .linear, correctionLimit: .none), seed: 1)
        let starts = data.windowStarts(history: 4, unroll: 4)
        #expect(starts.count == 2 * 7)
        let evaluation = try data.batch(starts: starts, history: 4, unroll: 4)
        let before = try model.unrolledLoss(evaluation, parameters: model.parameters.constants).value.scalar!
        var optimizer = Adam<Double>(learningRate: 3e-3)
        for iteration in 0..<60 {
            let batch = try data.batch(starts: [starts[iteration % starts.count], starts[(iteration * 5 + 3) % starts.count]],
                                       history: 4, unroll: 4)
            try model.trainingStep(on: batch, optimizer: &optimizer, gradientClip: 1)
        }
        let after = try model.unrolledLoss(evaluation, parameters: model.parameters.constants).value.scalar!
        #expect(after < 0.2 * before, "unrolled loss \(before) → \(after)")
    }

    /// Training runs each window on its own tape in parallel: the averaged loss and gradients
    /// must equal one tape over the whole batch.
    @Test func shardedGradientsEqualTheWholeBatchTape() throws {
        let m = 8, dt = 0.05
        let model = TemporalStencilModel(configuration: .init(grid: m, memorySize: 3, width: 6, depth: 2, timeStep: dt,
                                                              viscosity: 0.005, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 2),
                                         seed: 4)
        let frames = (0..<9).map { randomVelocity(m: m, seed: UInt64(40 + $0)) }
        let data = ReferenceTrajectories(grid: m, trajectories: [frames])
        let batch = try data.batch(starts: [(0, 0), (0, 3), (0, 1)], history: 3, unroll: 3)
        #expect(batch.windowCount == 3)
        let (loss, gradients) = try model.unrolledLossWithGradients(batch)
        let (wholeLoss, wholeGradients) = try model.network.valueWithGradients { _, p in try model.unrolledLoss(batch, parameters: p) }
        #expect(abs(loss - wholeLoss) <= 1e-13 * abs(wholeLoss))
        #expect(abs(try model.unrolledLoss(batch) - wholeLoss) <= 1e-13 * abs(wholeLoss))
        var worst = 0.0
        for (name, tensor) in wholeGradients {
            let sharded = try gradients.tensor(named: name).scalars
            for (a, b) in zip(sharded, tensor.scalars) { worst = max(worst, abs(a - b) / (wholeGradients.norm + 1e-300)) }
        }
        #expect(worst < 1e-12, "sharded gradients differ from the whole-batch tape by \(worst) of the norm")
    }

    /// The optional vorticity term of the loss is w·H² times the mean squared error of the corner
    /// vorticity (the metric's curl) along the rollout.
    @Test func vorticityWeightAddsTheCornerVorticityError() throws {
        let m = 8, dt = 0.05, unroll = 3
        let model = TemporalStencilModel(configuration: .init(grid: m, memorySize: 2, width: 6, depth: 2, timeStep: dt,
                                                              viscosity: 0.005, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 2),
                                         seed: 5)
        let frames = (0..<7).map { randomVelocity(m: m, seed: UInt64(60 + $0)) }
        let batch = try ReferenceTrajectories(grid: m, trajectories: [frames]).batch(starts: [(0, 1)], history: 3, unroll: unroll)
        let plain = try model.unrolledLoss(batch), weighted = try model.unrolledLoss(batch, vorticityWeight: 0.7)
        let cells = m * m, h = 2 * Double.pi / Double(m)
        var expected = 0.0
        try model.rollout(state: try Tensor(shape: [1, 2, m, m], scalars: batch.history.last!), history: batch.history, steps: unroll) { k, state in
            let x = state.scalars, target = batch.targets[k - 1].scalars
            let omega = StaggeredVelocity(m: m, u: Array(x[0..<cells]), v: Array(x[cells...])).cornerVorticity
            let reference = StaggeredVelocity(m: m, u: Array(target[0..<cells]), v: Array(target[cells...])).cornerVorticity
            expected += zip(omega, reference).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Double(cells) / Double(unroll)
        }
        expected *= 0.7 * h * h
        #expect(expected > 1e-6 * plain, "the test needs a visible vorticity error")
        #expect(abs((weighted - plain) - expected) <= 1e-10 * weighted, "\(weighted - plain) vs \(expected)")
    }

    /// One solver stepping several states on several threads at once gives what it gives serially
    /// (each caller borrows its own FFT workspace).
    @Test func oneSolverStepsConcurrentlyAsSerially() throws {
        let m = 16
        let solver = FiniteVolumeNavierStokes2D(m: m, viscosity: 0.01, drag: 0.1, forcingAmplitude: 1, forcingWavenumber: 2,
                                                interpolation: .vanLeer)
        let geometry = StencilGeometry(m: m), basis = ConvectiveStencilBasis()
        let states = (0..<8).map { randomVelocity(m: m, seed: UInt64(60 + $0)) }
        let coordinates = (0..<8).map { k in (0..<(ConvectiveStencilBasis.channels * m * m)).map { sin(Double($0 * (k + 1))) * 0.1 } }
        func advance(_ k: Int) -> [Double] {
            var state = states[k]
            for _ in 0..<20 {
                state = state.withUnsafeBufferPointer { x in
                    coordinates[k].withUnsafeBufferPointer { c in
                        solver.step(state: x, coordinates: c, geometry: geometry, basis: basis,
                                    correction: .init(baseScheme: .vanLeer, limit: .tvdRegion), dt: 0.02)
                    }
                }
            }
            return state
        }
        let concurrent = try Parallelism.shards(states.count) { advance($0) }
        for k in states.indices {
            #expect(concurrent[k] == advance(k), "state \(k)")
        }
    }
}
