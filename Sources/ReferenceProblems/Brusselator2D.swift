import Foundation
import Integrators
import Spectral

/// The 2-D Brusselator reaction–diffusion system by the method of lines, in the setup of the
/// SciMLBenchmarks ("Brusselator 2D"; Hairer–Wanner II, IV.10): on a periodic `N × N` grid over
/// `[0, 1]²` with `x_i = i/(N-1)`, `Δx = 1/(N-1)`,
///
///     u' = α Δ_h u + B + u²v - (A + 1)u + f(x, y, t)
///     v' = α Δ_h v + A u - u²v
///
/// `A = 3.4`, `B = 1`, `α = 10/Δx²` (`Δ_h` the 5-point Laplacian with periodic neighbours), and the
/// forcing `f = 5` inside the disc `(x - 0.3)² + (y - 0.6)² ≤ 0.1²` from `t = 1.1` on (0 before).
/// Initial state `u = 22 (y(1 - y))^{3/2}`, `v = 27 (x(1 - x))^{3/2}`; span `[0, 11.5]`.
///
/// State layout: `2N²` values, per grid point `(i, j)` (x index `i`, y index `j`) the pair
/// `u = y[2(i + N j)]`, `v = y[2(i + N j) + 1]`.
public struct Brusselator2D: Sendable {
    /// Grid points per side `N`.
    public let gridSize: Int
    public var a = 3.4
    public var b = 1.0
    /// Diffusion coefficient before the `1/Δx²` scaling.
    public var diffusion = 10.0
    public var forcingAmplitude = 5.0
    public var forcingStart = 1.1
    /// The benchmark's end time.
    public var end = 11.5

    public init(gridSize: Int) {
        self.gridSize = gridSize
    }

    /// `2N²`.
    public var unknowns: Int { 2 * gridSize * gridSize }
    /// `Δx = 1/(N - 1)`.
    public var spacing: Double { 1 / Double(gridSize - 1) }
    /// `α = diffusion/Δx²`.
    public var alpha: Double { diffusion / (spacing * spacing) }

    /// The grid coordinate `x_i` (or `y_j`).
    public func coordinate(_ i: Int) -> Double { Double(i) * spacing }

    public var initialState: [Double] {
        let n = gridSize
        var y = [Double](repeating: 0, count: unknowns)
        for j in 0..<n {
            for i in 0..<n {
                let (x, yy) = (coordinate(i), coordinate(j))
                y[2 * (i + n * j)] = 22 * pow(yy * (1 - yy), 1.5)
                y[2 * (i + n * j) + 1] = 27 * pow(x * (1 - x), 1.5)
            }
        }
        return y
    }

    /// Whether grid point `(i, j)` lies in the forcing disc.
    func forced(_ i: Int, _ j: Int) -> Bool {
        let (dx, dy) = (coordinate(i) - 0.3, coordinate(j) - 0.6)
        return dx * dx + dy * dy <= 0.01
    }

    /// Grid points in the forcing disc (indices `i + N j`).
    var forcedPoints: [Int] {
        (0..<(gridSize * gridSize)).filter { forced($0 % gridSize, $0 / gridSize) }
    }

    /// `α Δ_h` applied to both species (the linear, stiff part), added to `out` scaled by `scale`
    /// after setting `out = 0` if `overwrite`.
    static func diffuse(_ y: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>, n: Int,
                        alpha: Double, overwrite: Bool) {
        for j in 0..<n {
            let up = (j + 1) % n, down = (j + n - 1) % n
            for i in 0..<n {
                let right = (i + 1) % n, left = (i + n - 1) % n
                let p = 2 * (i + n * j)
                let e = 2 * (right + n * j), w = 2 * (left + n * j), north = 2 * (i + n * up), south = 2 * (i + n * down)
                let lu = y[e] + y[w] + y[north] + y[south] - 4 * y[p]
                let lv = y[e + 1] + y[w + 1] + y[north + 1] + y[south + 1] - 4 * y[p + 1]
                if overwrite {
                    out[p] = alpha * lu
                    out[p + 1] = alpha * lv
                } else {
                    out[p] += alpha * lu
                    out[p + 1] += alpha * lv
                }
            }
        }
    }

    /// The reaction and forcing terms (the non-stiff part).
    func react(_ t: Double, _ y: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>,
               forcedPoints: [Int], overwrite: Bool) {
        let (a, b) = (self.a, self.b)
        for p in 0..<(gridSize * gridSize) {
            let (u, v) = (y[2 * p], y[2 * p + 1])
            let uuv = u * u * v
            let du = b + uuv - (a + 1) * u, dv = a * u - uuv
            if overwrite {
                out[2 * p] = du
                out[2 * p + 1] = dv
            } else {
                out[2 * p] += du
                out[2 * p + 1] += dv
            }
        }
        if t >= forcingStart { for p in forcedPoints { out[2 * p] += forcingAmplitude } }
    }

    /// The whole right-hand side.
    public var rhs: ODEFunction {
        let (n, alpha, forced) = (gridSize, alpha, forcedPoints)
        let model = self
        return { t, y, dy in
            Brusselator2D.diffuse(y, into: dy, n: n, alpha: alpha, overwrite: true)
            model.react(t, y, into: dy, forcedPoints: forced, overwrite: false)
        }
    }

    /// The diffusion term alone (linear; implicit in IMEX methods).
    public var diffusionTerm: ODEFunction {
        let (n, alpha) = (gridSize, alpha)
        return { _, y, dy in Brusselator2D.diffuse(y, into: dy, n: n, alpha: alpha, overwrite: true) }
    }

    /// Reaction and forcing alone (explicit in IMEX methods).
    public var reactionTerm: ODEFunction {
        let forced = forcedPoints
        let model = self
        return { t, y, dy in model.react(t, y, into: dy, forcedPoints: forced, overwrite: true) }
    }

    /// The problem on `[0, end]` (default the benchmark's `11.5`), without Jacobian information.
    public func problem(to end: Double? = nil) -> ODEProblem {
        ODEProblem(initial: initialState, timeSpan: 0...(end ?? self.end), rhs: rhs)
    }

    /// The Jacobian's contributions: `(row, column, kind)`; kinds: 0 `∂u'/∂u` at the point,
    /// 1 `α` (a neighbour), 2 `∂v'/∂u = A - 2uv`, 3 `∂v'/∂v = -4α - u²`, 4 `∂u'/∂v = u²`.
    var jacobianContributions: [(row: Int, column: Int, kind: Int)] {
        let n = gridSize
        var entries: [(Int, Int, Int)] = []
        entries.reserveCapacity(12 * n * n)
        for j in 0..<n {
            for i in 0..<n {
                let p = 2 * (i + n * j)
                let neighbours = [2 * ((i + 1) % n + n * j), 2 * ((i + n - 1) % n + n * j),
                                  2 * (i + n * ((j + 1) % n)), 2 * (i + n * ((j + n - 1) % n))]
                entries.append((p, p, 0))
                entries.append((p + 1, p, 2))
                entries.append((p + 1, p + 1, 3))
                entries.append((p, p + 1, 4))
                for q in neighbours {
                    entries.append((p, q, 1))
                    entries.append((p + 1, q + 1, 1))
                }
            }
        }
        return entries
    }

    /// The Jacobian's sparsity pattern (6 entries per column; `12N²` in all).
    public var sparsity: SparsityPattern {
        try! SparsityPattern(dimension: unknowns, entries: jacobianContributions.map { ($0.row, $0.column) })
    }

    /// The analytic Jacobian on ``sparsity`` (values in its order).
    public var sparseJacobian: SparseJacobianFunction {
        let pattern = sparsity
        let contributions = jacobianContributions
        // Where each contribution goes in the pattern's value array.
        let positions = contributions.map { c -> Int in
            let lo = pattern.columnStarts[c.column], hi = pattern.columnStarts[c.column + 1]
            return lo + pattern.rowIndices[lo..<hi].firstIndex(of: c.row)! - lo
        }
        let (alpha, a) = (alpha, self.a)
        return { _, y, values in
            for k in values.indices { values[k] = 0 }
            for (c, position) in zip(contributions, positions) {
                let point = c.column & ~1  // every derivative is taken at the column's grid point
                let (u, v) = (y[point], y[point + 1])
                switch c.kind {
                case 0: values[position] += -4 * alpha + 2 * u * v - (a + 1)
                case 1: values[position] += alpha
                case 2: values[position] += a - 2 * u * v
                case 3: values[position] += -4 * alpha - u * u
                default: values[position] += u * u
                }
            }
        }
    }

    /// The problem with its sparsity pattern and analytic sparse Jacobian (for `.sparse`).
    public func sparseProblem(to end: Double? = nil) -> ODEProblem {
        problem(to: end).withSparseJacobian(sparsity, values: sparseJacobian)
    }

    /// A preconditioner `P = a·I - b·αΔ_h` (the diffusion part of the iteration matrix), solved
    /// exactly by 2-D FFTs: the periodic 5-point Laplacian is diagonal in Fourier space. `N` must
    /// be even.
    public func diffusionPreconditioner() -> any Preconditioner {
        BrusselatorDiffusionPreconditioner(gridSize: gridSize, alpha: alpha)
    }
}

/// See ``Brusselator2D/diffusionPreconditioner()``.
final class BrusselatorDiffusionPreconditioner: Preconditioner {
    let n: Int
    let fft: RealFFT2D
    /// `α λ(k)` of the 5-point Laplacian for each half-spectrum coefficient.
    let symbol: [Double]
    var a = 1.0
    var b = 0.0

    init(gridSize n: Int, alpha: Double) {
        self.n = n
        fft = RealFFT2D(nx: n, ny: n)
        let columns = n / 2 + 1
        var s = [Double](repeating: 0, count: n * columns)
        for ky in 0..<n {
            for kx in 0..<columns {
                s[ky * columns + kx] = alpha * (2 * cos(2 * .pi * Double(kx) / Double(n))
                    + 2 * cos(2 * .pi * Double(ky) / Double(n)) - 4)
            }
        }
        symbol = s
    }

    func setup(t: Double, y: UnsafeBufferPointer<Double>, fy: UnsafeBufferPointer<Double>, a: Double, b: Double) -> Bool {
        self.a = a
        self.b = b
        return a.isFinite && b.isFinite
    }

    func solve(_ r: UnsafeBufferPointer<Double>, into z: UnsafeMutableBufferPointer<Double>) {
        let points = n * n
        for species in 0..<2 {
            for p in 0..<points { fft.physical[p] = r[2 * p + species] }
            fft.forward()
            for k in 0..<symbol.count {
                let scale = 1 / (a - b * symbol[k])
                fft.spectrum[k].0 *= scale
                fft.spectrum[k].1 *= scale
            }
            fft.inverse()
            for p in 0..<points { z[2 * p + species] = fft.physical[p] }
        }
    }
}
