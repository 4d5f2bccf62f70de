/// The four interpolations the staggered convection needs, one per velocity component and flux
/// direction (JAX-CFD's "control volume offsets" of `u` and `v`):
///
/// | family      | advected | flux point of index (i, j)                  | between              | advecting velocity        |
/// |-------------|----------|---------------------------------------------|----------------------|---------------------------|
/// | `uAlongX`   | u        | centre of cell i+1: ((i+3/2)H, (j+1/2)H)     | u(i, j), u(i+1, j)   | (u(i,j) + u(i+1,j))/2     |
/// | `uAlongY`   | u        | corner ((i+1)H, (j+1)H)                      | u(i, j), u(i, j+1)   | (v(i,j) + v(i+1,j))/2     |
/// | `vAlongY`   | v        | centre of cell j+1: ((i+1/2)H, (j+3/2)H)     | v(i, j), v(i, j+1)   | (v(i,j) + v(i,j+1))/2     |
/// | `vAlongX`   | v        | corner ((i+1)H, (j+1)H)                      | v(i, j), v(i+1, j)   | (u(i,j) + u(i,j+1))/2     |
public enum ConvectiveFluxFamily: Int, CaseIterable, Sendable {
    case uAlongX, uAlongY, vAlongY, vAlongX

    /// 0 for u, 1 for v.
    public var advectedComponent: Int { self == .uAlongX || self == .uAlongY ? 0 : 1 }
    /// Whether the flux runs along x (else y).
    public var alongX: Bool { self == .uAlongX || self == .vAlongX }

    /// The family whose advected stencil sits where this family's advecting velocity is
    /// interpolated: itself for `uAlongX` and `vAlongY` (a component carries itself), and for the
    /// corner fluxes the other corner family (v along x gives the advecting v of `uAlongY`, u
    /// along y that of `vAlongX`). TSM learns that interpolation too (its stencils tagged `u`).
    public var advectingFamily: ConvectiveFluxFamily {
        switch self {
        case .uAlongX: .uAlongX
        case .uAlongY: .vAlongX
        case .vAlongY: .vAlongY
        case .vAlongX: .uAlongY
        }
    }
}

/// A 4 × 4 interpolation stencil per flux family, constrained to be exact for polynomials of
/// degree ≤ 1 (first-order accuracy, as JAX-CFD's learned interpolation): weights
/// `w = w₀ + N c`, where `w₀` is the central two-point stencil and the 13 columns of `N` span
/// the weights with zero sum and zero first moments. A network outputs the 13 coordinates `c`
/// per flux point and family; `c = 0` is the classical linear scheme.
///
/// Stencil points: the 4 × 4 block of the advected component at index offsets
/// `di, dj ∈ {−1, 0, 1, 2}` from the flux point's index; along the flux direction the points
/// sit at −3/2, −1/2, 1/2, 3/2 cells from the flux point, across it at −1, 0, 1, 2 cells.
public struct ConvectiveStencilBasis: Sendable {
    /// Points per stencil (16).
    public static let points = 16
    /// Free coordinates per stencil (16 − 3 constraints).
    public static let freeCoordinates = 13
    /// Coordinates of one interpolation in all four families (52): the channels a stencil
    /// network outputs for the advected values, and as many again when it also learns the
    /// advecting velocities (``StencilCorrection/coordinateChannels``).
    public static let channels = 4 * freeCoordinates
    /// Index offsets (di, dj) of the stencil points (the same for every family).
    public static let offsets: [(di: Int, dj: Int)] = (0..<16).map { (di: $0 % 4 - 1, dj: $0 / 4 - 1) }

    /// Indices s of the four stencil points along each family's flux direction (q₋₁, q₀, q₁, q₂),
    /// from which a classical ``FaceInterpolation`` computes the base value.
    public static let alignedPoints: [(Int, Int, Int, Int)] = ConvectiveFluxFamily.allCases.map {
        $0.alongX ? (4, 5, 6, 7) : (1, 5, 9, 13)
    }

    /// `base[family][s]`: the central stencil.
    public let base: [[Double]]
    /// `nullSpace[family][s · 13 + r]`: orthonormal columns r of the constraint null space.
    public let nullSpace: [[Double]]

    public init() {
        var base: [[Double]] = [], nullSpace: [[Double]] = []
        for family in ConvectiveFluxFamily.allCases {
            // Positions (in cells) of the stencil points relative to the flux point.
            let along = family.alongX
            let dx = Self.offsets.map { Double($0.di) - (along ? 0.5 : 0) }
            let dy = Self.offsets.map { Double($0.dj) - (along ? 0 : 0.5) }
            var w0 = [Double](repeating: 0, count: 16)
            for s in 0..<16 where (along ? dy[s] == 0 && Swift.abs(dx[s]) == 0.5 : dx[s] == 0 && Swift.abs(dy[s]) == 0.5) {
                w0[s] = 0.5
            }
            base.append(w0)
            nullSpace.append(Self.nullSpace(constraints: [[Double](repeating: 1, count: 16), dx, dy]))
        }
        self.base = base
        self.nullSpace = nullSpace
    }

    /// An orthonormal basis (16 × 13, row-major) of the vectors orthogonal to the constraint rows.
    static func nullSpace(constraints: [[Double]]) -> [Double] {
        var basis: [[Double]] = []
        func orthogonalize(_ v: [Double], against vectors: [[Double]]) -> [Double] {
            var v = v
            for _ in 0..<2 {   // twice, for round-off
                for q in vectors {
                    let dot = zip(v, q).reduce(0) { $0 + $1.0 * $1.1 }
                    for k in 0..<v.count { v[k] -= dot * q[k] }
                }
            }
            return v
        }
        var rowSpace: [[Double]] = []
        for row in constraints {
            let v = orthogonalize(row, against: rowSpace)
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            rowSpace.append(v.map { $0 / norm })
        }
        for k in 0..<16 where basis.count < freeCoordinates {
            var e = [Double](repeating: 0, count: 16)
            e[k] = 1
            let v = orthogonalize(e, against: rowSpace + basis)
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-6 { basis.append(v.map { $0 / norm }) }
        }
        var matrix = [Double](repeating: 0, count: 16 * freeCoordinates)
        for (r, column) in basis.enumerated() { for s in 0..<16 { matrix[s * freeCoordinates + r] = column[s] } }
        return matrix
    }

    /// The stencil weights of `family` for coordinates `c` (13 values).
    public func weights(_ family: ConvectiveFluxFamily, coordinates c: [Double]) -> [Double] {
        let n = nullSpace[family.rawValue]
        return (0..<16).map { s in
            var w = base[family.rawValue][s]
            for r in 0..<Self.freeCoordinates { w += n[s * Self.freeCoordinates + r] * c[r] }
            return w
        }
    }
}

/// How the learned correction at a flux point is kept from destabilising long rollouts.
public enum CorrectionLimit: String, Sendable, CaseIterable {
    /// The correction is added as it is.
    case none
    /// The corrected value stays in Sweby's TVD region of the upwind cell c (far, c, down along
    /// the flow): between c and c + minmod(down − c, c − far), and exactly c at a local extremum,
    /// so the learned part acts as a learned flux limiter. The correction saturates smoothly,
    /// `base + room·tanh(correction/room)` with `room` the distance from the base value to the
    /// region's end it points to, so gradients never vanish inside the region.
    case tvdRegion = "tvd-region"
    /// TSM's and JAX-CFD's form (`apply_tvd_limiter` around the learned interpolation): the face
    /// value is `upwind + φ(r)·(learned − upwind)`, with `φ` van Leer's limiter of the ratio `r`
    /// of consecutive slopes and `learned` the stencil `w₀ + N c` (`w₀` linear). With the van Leer
    /// base scheme this is `vanLeer + φ(r)·Σ (N c)_s q_s`: van Leer at zero coordinates, no
    /// correction at an extremum, a correction that fades towards one, but not TVD (the learned
    /// stencil may leave Sweby's region where the flow is monotone).
    case vanLeerLimited = "van-leer-limited"
    /// The correction saturates smoothly at the local variation along the flow,
    /// `base + R·tanh(correction/R)` with `R = max(|down − c|, |c − far|)`: bounded by the
    /// neighbouring jumps like the TVD region, but with room on both sides, also at a local
    /// extremum (where the TVD-region and van-Leer-limited forms allow no correction). Not TVD.
    case localVariation = "local-variation"
}

/// How the learned coordinates enter the convective interpolation at a flux point.
public struct StencilCorrection: Sendable, Equatable {
    /// The classical interpolation from the four points along the flux direction; the learned
    /// stencil `Σ (N c)_s q_s` is added to it. ``CorrectionLimit/vanLeerLimited`` needs van Leer.
    public var baseScheme: FaceInterpolation
    /// How the correction is limited. Van Leer lies in the TVD region; unbounded corrections
    /// trained on short unrolls blew up in long rollouts, as the linear scheme does at 32².
    public var limit: CorrectionLimit
    /// Whether the advecting velocity at each flux point is learned too (TSM's `u` stencils):
    /// the linear average of its two neighbours plus `Σ (N c')_s p_s` over the 4 × 4 stencil of
    /// ``ConvectiveFluxFamily/advectingFamily``, unlimited, as in TSM.
    public var learnsAdvectingVelocity: Bool

    public init(baseScheme: FaceInterpolation, limit: CorrectionLimit, learnsAdvectingVelocity: Bool = false) {
        precondition(limit != .vanLeerLimited || baseScheme == .vanLeer,
                     "the van-leer-limited correction is defined around the van Leer base scheme")
        self.baseScheme = baseScheme
        self.limit = limit
        self.learnsAdvectingVelocity = learnsAdvectingVelocity
    }

    /// Stencil coordinates per cell: 52 for the advected values (family-major, 13 per family),
    /// then 52 for the advecting velocities when they are learned.
    public var coordinateChannels: Int { ConvectiveStencilBasis.channels * (learnsAdvectingVelocity ? 2 : 1) }

    /// The plain learned stencil `w₀ + N c` (linear base, no limit).
    public static let unbounded = StencilCorrection(baseScheme: .linear, limit: .none)
}
