import Foundation
import Tensors

/// Neighbour tables of the learned convection on an `m × m` staggered grid (see
/// ``ConvectiveFluxFamily``); indices are into a state `[u (m²), v (m²)]`.
public struct StencilGeometry: Sendable {
    public let m: Int
    /// `points[(family · 16 + s) · m² + p]`: state index of stencil point s of flux point p.
    let points: [Int32]
    /// The two state indices averaged into the advecting velocity at flux point p.
    let advecting0: [Int32], advecting1: [Int32]
    /// State index of the momentum cell downstream of flux point p (the flux leaves cell p
    /// and enters this one).
    let downstream: [Int32]

    public init(m: Int) {
        precondition(m >= 4, "StencilGeometry needs m ≥ 4")
        self.m = m
        let cells = m * m
        func wrap(_ i: Int, _ j: Int) -> Int { ((j % m + m) % m) * m + (i % m + m) % m }
        var points = [Int32](repeating: 0, count: 4 * 16 * cells)
        var a0 = [Int32](repeating: 0, count: 4 * cells), a1 = a0, down = a0
        for family in ConvectiveFluxFamily.allCases {
            let f = family.rawValue, source = family.advectedComponent * cells
            for j in 0..<m {
                for i in 0..<m {
                    let p = j * m + i
                    for (s, o) in ConvectiveStencilBasis.offsets.enumerated() {
                        points[(f * 16 + s) * cells + p] = Int32(source + wrap(i + o.di, j + o.dj))
                    }
                    let (first, second): (Int, Int)
                    switch family {
                    case .uAlongX: (first, second) = (wrap(i, j), wrap(i + 1, j))
                    case .uAlongY: (first, second) = (cells + wrap(i, j), cells + wrap(i + 1, j))
                    case .vAlongY: (first, second) = (cells + wrap(i, j), cells + wrap(i, j + 1))
                    case .vAlongX: (first, second) = (wrap(i, j), wrap(i, j + 1))
                    }
                    a0[f * cells + p] = Int32(first)
                    a1[f * cells + p] = Int32(second)
                    down[f * cells + p] = Int32(source + (family.alongX ? wrap(i + 1, j) : wrap(i, j + 1)))
                }
            }
        }
        self.points = points
        advecting0 = a0
        advecting1 = a1
        downstream = down
    }
}

extension FiniteVolumeNavierStokes2D {
    /// One step with learned convective stencils: the convection of ``step(u:v:dt:)`` with each
    /// flux point's advected value given by `scheme` (the classical interpolation from the four
    /// points along the flux direction) plus the learned correction `Σ (N c)_s q_s` over the
    /// 4 × 4 stencil of ``ConvectiveStencilBasis``, then the same forcing, drag, implicit
    /// diffusion and projection. With the linear scheme the stencil is `w₀ + N c`; with zero
    /// coordinates the step is the classical scheme's.
    ///
    /// - Parameters:
    ///   - state: `[u (m²), v (m²)]` at the staggered faces (row-major, `j·m + i`).
    ///   - coordinates: `[C, m, m]` stencil coordinates, C = ``StencilCorrection/coordinateChannels``
    ///     (52 advected-value coordinates, family-major with 13 per family, then 52 advecting-velocity ones if learned).
    /// - Returns: the state after `dt`.
    public func step(state: UnsafeBufferPointer<Double>, coordinates: UnsafeBufferPointer<Double>,
                     geometry: StencilGeometry, basis: ConvectiveStencilBasis, correction: StencilCorrection = .unbounded,
                     dt: Double) -> [Double] {
        let cells = m * m
        precondition(geometry.m == m && state.count == 2 * cells && coordinates.count == correction.coordinateChannels * cells,
                     "learned step: shapes do not match the \(m)x\(m) grid")
        var tendency = [Double](repeating: 0, count: 2 * cells)
        tendency.withUnsafeMutableBufferPointer { tendency in
        geometry.points.withUnsafeBufferPointer { points in
        geometry.downstream.withUnsafeBufferPointer { downstream in
            convect(state: state, coordinates: coordinates, geometry: geometry, basis: basis, correction: correction) { f, p, flux, _, _, _, _, _, _ in
                tendency[Int(points[(f * 16 + Self.ownCell) * cells + p])] -= flux
                tendency[Int(downstream[f * cells + p])] += flux
            }
        }}}
        var u = [Double](repeating: 0, count: cells), v = u
        let h = spacing
        for k in 0..<cells {
            u[k] = state[k] + dt * (tendency[k] / h + forcing[k] - drag * state[k])
            v[k] = state[cells + k] + dt * (tendency[cells + k] / h - drag * state[cells + k])
        }
        diffuse(&u, dt: dt)
        diffuse(&v, dt: dt)
        project(u: &u, v: &v)
        return u + v
    }

    /// The vector–Jacobian product of ``step(state:coordinates:geometry:basis:correction:dt:)``: given the
    /// gradient `upstream` of a loss with respect to the new state, the gradients with respect
    /// to the old state and to the stencil coordinates. Diffusion and projection are symmetric,
    /// so their adjoints are themselves (applied in reverse order).
    public func stepGradient(state: UnsafeBufferPointer<Double>, coordinates: UnsafeBufferPointer<Double>,
                             upstream: UnsafeBufferPointer<Double>, geometry: StencilGeometry,
                             basis: ConvectiveStencilBasis, correction: StencilCorrection = .unbounded,
                             dt: Double) -> (state: [Double], coordinates: [Double]) {
        let cells = m * m, h = spacing
        var gu = Array(upstream[0..<cells]), gv = Array(upstream[cells..<(2 * cells)])
        project(u: &gu, v: &gv)
        diffuse(&gu, dt: dt)
        diffuse(&gv, dt: dt)
        let gz = gu + gv
        var gState = gz.map { $0 * (1 - dt * drag) }
        var gCoordinates = [Double](repeating: 0, count: correction.coordinateChannels * cells)
        let learnsAdvecting = correction.learnsAdvectingVelocity
        let r = ConvectiveStencilBasis.freeCoordinates, scaleFlux = dt / h
        let aligned = ConvectiveStencilBasis.alignedPoints
        // Raw buffers: the visitor runs once per flux point, so array bounds and uniqueness checks,
        // and the retains of per-family arrays, would cost more than the arithmetic.
        gz.withUnsafeBufferPointer { gz in
        gState.withUnsafeMutableBufferPointer { gState in
        gCoordinates.withUnsafeMutableBufferPointer { gCoordinates in
        geometry.points.withUnsafeBufferPointer { points in
        geometry.downstream.withUnsafeBufferPointer { downstream in
        geometry.advecting0.withUnsafeBufferPointer { advecting0 in
        geometry.advecting1.withUnsafeBufferPointer { advecting1 in
        basis.nullSpace.withUnsafeBufferPointer { nullSpaces in
            convect(state: state, coordinates: coordinates, geometry: geometry, basis: basis,
                    correction: correction) { f, p, _, advecting, advected, weights, advectingWeights, partials, scale in
                // flux enters the tendency as −flux/h at the flux point's own cell, +flux/h downstream.
                let row = (f * 16) * cells + p
                let own = Int(points[row + Self.ownCell * cells])
                let gFlux = scaleFlux * (gz[Int(downstream[f * cells + p])] - gz[own])
                let gAdvectingTotal = gFlux * advected, gAdvecting = 0.5 * gAdvectingTotal, gAdvected = gFlux * advecting
                gState[Int(advecting0[f * cells + p])] += gAdvecting
                gState[Int(advecting1[f * cells + p])] += gAdvecting
                let a = aligned[f]
                gState[Int(points[row + a.0 * cells])] += gAdvected * partials.0
                gState[Int(points[row + a.1 * cells])] += gAdvected * partials.1
                gState[Int(points[row + a.2 * cells])] += gAdvected * partials.2
                gState[Int(points[row + a.3 * cells])] += gAdvected * partials.3
                // ∂/∂c = Nᵀ (∂/∂w), summed in registers and stored once per coordinate.
                withUnsafeTemporaryAllocation(of: Double.self, capacity: 16) { gWeight in
                    for s in 0..<16 {
                        let index = Int(points[row + s * cells])
                        gState[index] += gAdvected * weights[s]
                        gWeight[s] = gAdvected * scale * state[index]
                    }
                    // ∂/∂c = Nᵀ gWeight for the family whose null space is `family`, stored at `channel`.
                    func storeCoordinateGradient(family: Int, channel: Int) {
                        nullSpaces[family].withUnsafeBufferPointer { nullSpace in
                            let gc = gCoordinates.baseAddress! + channel * cells + p
                            for c in 0..<r {
                                var sum = 0.0
                                for s in 0..<16 { sum += nullSpace[s * r + c] * gWeight[s] }
                                gc[c * cells] = sum
                            }
                        }
                    }
                    storeCoordinateGradient(family: f, channel: f * r)
                    guard learnsAdvecting else { return }
                    // The learned advecting velocity: its stencil sits on the advecting family's points.
                    let g = ConvectiveFluxFamily(rawValue: f)!.advectingFamily.rawValue
                    let rowG = (g * 16) * cells + p
                    for s in 0..<16 {
                        let index = Int(points[rowG + s * cells])
                        gState[index] += gAdvectingTotal * advectingWeights[s]
                        gWeight[s] = gAdvectingTotal * state[index]
                    }
                    storeCoordinateGradient(family: g, channel: ConvectiveStencilBasis.channels + f * r)
                }
            }
        }}}}}}}}
        return (gState, gCoordinates)
    }

    /// Index s of the stencil point at offset (0, 0), the momentum cell the flux point leaves
    /// (offsets are (di, dj) = (s % 4 − 1, s / 4 − 1)).
    static let ownCell = 5

    /// Visits every flux point: `body(family, p, flux, advectingVelocity, advectedValue,
    /// correctionWeights, advectingWeights, basePartials, correctionSlope)`. The advected value is the base
    /// scheme's value from the four points along the flux direction plus the learned correction
    /// `Σ (N c)_s q_s`, limited as ``StencilCorrection/limit`` says. `correctionWeights` are the
    /// stencil weights times ∂(advected value)/∂(correction); `basePartials` are the derivatives
    /// through the base value and the limit (the TVD region's bounds, the limiter φ(r), or the
    /// local variation R).
    /// With ``StencilCorrection/learnsAdvectingVelocity`` the advecting velocity adds
    /// `Σ advectingWeights_s p_s` over the points of its ``ConvectiveFluxFamily/advectingFamily``
    /// (the weights `N c'`; otherwise zero).
    func convect(state: UnsafeBufferPointer<Double>, coordinates: UnsafeBufferPointer<Double>,
                 geometry: StencilGeometry, basis: ConvectiveStencilBasis, correction: StencilCorrection,
                 _ body: (Int, Int, Double, Double, Double, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Double>,
                          (Double, Double, Double, Double), Double) -> Void) {
        let cells = m * m, r = ConvectiveStencilBasis.freeCoordinates
        let scheme = correction.baseScheme, limit = correction.limit, learnsAdvecting = correction.learnsAdvectingVelocity
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 32) { scratch in
            let weights = UnsafeMutableBufferPointer(rebasing: scratch[0..<16])
            let advectingWeights = UnsafeMutableBufferPointer(rebasing: scratch[16..<32])
            advectingWeights.initialize(repeating: 0)
            geometry.points.withUnsafeBufferPointer { points in
            geometry.advecting0.withUnsafeBufferPointer { advecting0 in
            geometry.advecting1.withUnsafeBufferPointer { advecting1 in
                for f in 0..<4 {
                    let aligned = ConvectiveStencilBasis.alignedPoints[f]
                    let g = ConvectiveFluxFamily(rawValue: f)!.advectingFamily.rawValue
                    basis.nullSpace[f].withUnsafeBufferPointer { nullSpace in
                    basis.nullSpace[g].withUnsafeBufferPointer { advectingNullSpace in
                    for p in 0..<cells {
                        @inline(__always) func q(_ s: Int) -> Double { state[Int(points[(f * 16 + s) * cells + p])] }
                        var advecting = 0.5 * (state[Int(advecting0[f * cells + p])] + state[Int(advecting1[f * cells + p])])
                        if learnsAdvecting {
                            let offset = ConvectiveStencilBasis.channels + f * r
                            for s in 0..<16 {
                                var w = 0.0
                                for c in 0..<r { w += advectingNullSpace[s * r + c] * coordinates[(offset + c) * cells + p] }
                                advectingWeights[s] = w
                                advecting += w * state[Int(points[(g * 16 + s) * cells + p])]
                            }
                        }
                        var (advected, partials) = scheme.valueAndPartials(q(aligned.0), q(aligned.1), q(aligned.2), q(aligned.3),
                                                                           velocity: advecting)
                        var correction = 0.0
                        for s in 0..<16 {
                            var w = 0.0
                            for c in 0..<r { w += nullSpace[s * r + c] * coordinates[(f * r + c) * cells + p] }
                            weights[s] = w
                            correction += w * q(s)
                        }
                        var scale = 1.0   // ∂(advected value)/∂(correction)
                        // The upwind cell c, its far neighbour and the downwind cell along the flow, and the two slopes.
                        let upwind = advecting >= 0
                        let (far, centre, down) = upwind ? (q(aligned.0), q(aligned.1), q(aligned.2))
                                                         : (q(aligned.3), q(aligned.2), q(aligned.1))
                        let forward = down - centre, backward = centre - far
                        switch limit {
                        case .tvdRegion:
                            // Sweby's TVD region around the upwind cell c: q − c between 0 and
                            // minmod(down − c, c − far); a local extremum (slopes of opposite sign) allows only c.
                            let monotone = forward * backward > 0
                            let limitIsDown = Swift.abs(forward) <= Swift.abs(backward)
                            let sweby = !monotone ? centre : (limitIsDown ? down : 2 * centre - far)
                            // The bound on the side the correction points to, and its partials in (q₋₁, q₀, q₁, q₂) order.
                            let towardsHigh = correction >= 0
                            let boundIsCentre = (centre >= sweby) == towardsHigh || !monotone
                            let bound = boundIsCentre ? centre : sweby
                            let boundPartials: (Double, Double, Double, Double)
                            if boundIsCentre {
                                boundPartials = upwind ? (0, 1, 0, 0) : (0, 0, 1, 0)
                            } else if limitIsDown {
                                boundPartials = upwind ? (0, 0, 1, 0) : (0, 1, 0, 0)
                            } else {
                                boundPartials = upwind ? (-1, 2, 0, 0) : (0, 0, 2, -1)
                            }
                            // Smooth saturation towards the bound: q = base + room·tanh(correction/room)
                            // (slope 1 at zero correction, never past the bound, gradients everywhere inside).
                            let room = Swift.abs(bound - advected)
                            if room > 1e-12 * (1 + Swift.abs(advected)) && (bound - advected >= 0) == towardsHigh {
                                let t = Swift.abs(correction) / room, tanhT = tanh(t)
                                let g = tanhT - t * (1 - tanhT * tanhT)   // ∂q/∂room
                                advected += (towardsHigh ? 1 : -1) * room * tanhT
                                scale = 1 - tanhT * tanhT
                                partials = ((1 - g) * partials.0 + g * boundPartials.0, (1 - g) * partials.1 + g * boundPartials.1,
                                            (1 - g) * partials.2 + g * boundPartials.2, (1 - g) * partials.3 + g * boundPartials.3)
                            } else {
                                scale = 0   // no room on that side (e.g. a local extremum): the base value stays
                            }
                        case .vanLeerLimited:
                            // upwind + φ(r)(linear + correction − upwind) = van Leer + φ(r)·correction,
                            // φ = 2b/(f + b) for slopes f = down − c, b = c − far of one sign, else 0.
                            if forward * backward > 0 {
                                let sum = forward + backward
                                let phi = 2 * backward / sum
                                let dForward = -2 * backward / (sum * sum), dBackward = 2 * forward / (sum * sum)
                                let (dFar, dCentre, dDown) = (-dBackward * correction, (dBackward - dForward) * correction,
                                                              dForward * correction)
                                advected += phi * correction
                                scale = phi
                                partials = upwind
                                    ? (partials.0 + dFar, partials.1 + dCentre, partials.2 + dDown, partials.3)
                                    : (partials.0, partials.1 + dDown, partials.2 + dCentre, partials.3 + dFar)
                            } else {
                                scale = 0   // a local extremum: upwind, van Leer's value there
                            }
                        case .localVariation:
                            // q = base + R·tanh(correction/R), R = max(|forward|, |backward|).
                            let forwardIsLarger = Swift.abs(forward) >= Swift.abs(backward)
                            let room = forwardIsLarger ? Swift.abs(forward) : Swift.abs(backward)
                            if room > 1e-12 * (1 + Swift.abs(centre)) {
                                let t = correction / room, tanhT = tanh(t)
                                let g = tanhT - t * (1 - tanhT * tanhT)   // ∂q/∂R
                                advected += room * tanhT
                                scale = 1 - tanhT * tanhT
                                let sign: Double = forwardIsLarger ? (forward >= 0 ? 1 : -1) : (backward >= 0 ? 1 : -1)
                                let (dFar, dCentre, dDown) = forwardIsLarger ? (0, -g * sign, g * sign) : (-g * sign, g * sign, 0)
                                partials = upwind
                                    ? (partials.0 + dFar, partials.1 + dCentre, partials.2 + dDown, partials.3)
                                    : (partials.0, partials.1 + dDown, partials.2 + dCentre, partials.3 + dFar)
                            } else {
                                scale = 0   // no variation along the flow: the base value stays
                            }
                        case .none:
                            advected += correction
                        }
                        for s in 0..<16 { weights[s] *= scale }
                        body(f, p, advecting * advected, advecting, advected, weights, advectingWeights, partials, scale)
                    }
                    }
                    }
                }
            }}}
        }
    }
}

extension Variable where Scalar == Double {
    /// The learned finite-volume step on the tape: `state` `[B, 2, m, m]` (u, v), `coordinates`
    /// `[B, C, m, m]` (C = ``StencilCorrection/coordinateChannels``); returns the state after `dt`, `[B, 2, m, m]`.
    public static func learnedStep(_ state: Variable, coordinates: Variable, solver: FiniteVolumeNavierStokes2D,
                                   geometry: StencilGeometry, basis: ConvectiveStencilBasis, correction: StencilCorrection = .unbounded,
                                   dt: Double) throws -> Variable {
        let m = solver.m, cells = m * m, channels = correction.coordinateChannels
        guard state.rank == 4, state.shape[1] == 2, state.shape[2] == m, state.shape[3] == m,
              coordinates.shape == [state.shape[0], channels, m, m] else {
            throw TensorError.shapeMismatch(operation: "learnedStep", lhs: state.shape, rhs: coordinates.shape,
                                            reason: "expected state [B, 2, \(m), \(m)] and coordinates [B, \(channels), \(m), \(m)]")
        }
        let batch = state.shape[0]
        let x = state.value, c = coordinates.value
        var next = [Double]()
        next.reserveCapacity(batch * 2 * cells)
        x.withUnsafeBufferPointer { xs in
            c.withUnsafeBufferPointer { cs in
                for b in 0..<batch {
                    next += solver.step(state: UnsafeBufferPointer(rebasing: xs[(b * 2 * cells)..<((b + 1) * 2 * cells)]),
                                        coordinates: UnsafeBufferPointer(rebasing: cs[(b * channels * cells)..<((b + 1) * channels * cells)]),
                                        geometry: geometry, basis: basis, correction: correction, dt: dt)
                }
            }
        }
        let y = try Tensor(shape: state.shape, scalars: next)
        return .recording("learnedStep", value: y, inputs: [state, coordinates]) { g, _ in
            var gx = [Double](), gc = [Double]()
            gx.reserveCapacity(x.count)
            gc.reserveCapacity(c.count)
            x.withUnsafeBufferPointer { xs in
                c.withUnsafeBufferPointer { cs in
                    g.withUnsafeBufferPointer { gs in
                        for b in 0..<batch {
                            let (dx, dc) = solver.stepGradient(
                                state: UnsafeBufferPointer(rebasing: xs[(b * 2 * cells)..<((b + 1) * 2 * cells)]),
                                coordinates: UnsafeBufferPointer(rebasing: cs[(b * channels * cells)..<((b + 1) * channels * cells)]),
                                upstream: UnsafeBufferPointer(rebasing: gs[(b * 2 * cells)..<((b + 1) * 2 * cells)]),
                                geometry: geometry, basis: basis, correction: correction, dt: dt)
                            gx += dx
                            gc += dc
                        }
                    }
                }
            }
            return [try Tensor(shape: x.shape, scalars: gx), try Tensor(shape: c.shape, scalars: gc)]
        }
    }
}
