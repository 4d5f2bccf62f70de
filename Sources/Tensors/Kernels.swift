// Hot loops. Every kernel is generic over the scalar and carries `@specialized` attributes
// for Float and Double, so calls from unspecialised generic code dispatch once per kernel
// call to a fully specialised body. The per-element operation is chosen by a `switch`
// outside the loop and applied through a static method of a caseless enum ("functor"),
// which the optimiser inlines — no closure is called per element.

// MARK: Unary elementwise functions

/// The elementwise functions, each with its derivative.
enum UnaryOp: Sendable {
    case negate, exp, log, sqrt, square, abs, tanh, sigmoid, relu, geluErf, geluTanh, silu, softplus
    case powScalar, addScalar, mulScalar
}

protocol UnaryFunctor {
    /// f(x); `p` is the scalar parameter of the parametrised functions (exponent, offset, factor).
    static func value<T: TensorScalar>(_ x: T, _ p: T) -> T
    /// f'(x), given x and y = f(x).
    static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T
}

@inline(__always) func stableSigmoid<T: TensorScalar>(_ x: T) -> T {
    // With z = e^−|x| ∈ (0, 1] nothing overflows: σ(|x|) = 1 / (1 + z) and σ(−|x|) = z / (1 + z).
    // Below ln(smallest normal) (−87.3 in Float, −708.4 in Double) z is returned as 0, which keeps
    // the arithmetic out of the subnormal range, whose slow paths made a U-Net forward pass 10x
    // slower. Branch-free, so the activation loops vectorise (Float).
    let z = T.mathExpNonPositive(-Swift.abs(x))
    let s = 1 / (1 + z)
    return x >= 0 ? s : z * s
}

enum NegateF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { -x }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T { -1 }
}
enum ExpF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { T.mathExp(x) }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T { y }
}
enum LogF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { T.mathLog(x) }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T { 1 / x }
}
enum SqrtF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { x.squareRoot() }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T { 1 / (2 * y) }
}
enum SquareF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { x * x }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T { 2 * x }
}
enum AbsF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { Swift.abs(x) }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T {
        x > 0 ? 1 : (x < 0 ? -1 : 0)
    }
}
enum TanhF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { T.mathTanh(x) }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T { 1 - y * y }
}
enum SigmoidF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { stableSigmoid(x) }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T { y * (1 - y) }
}
enum ReluF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { x > 0 ? x : 0 }
    /// The subgradient at 0 is taken as 0 (as in PyTorch).
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T { x > 0 ? 1 : 0 }
}
/// GELU, exact form: x·Φ(x) = ½x(1 + erf(x/√2)).
enum GeluErfF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T {
        let invSqrt2: T = 0.70710678118654752440
        return x * (1 + T.mathErf(x * invSqrt2)) / 2
    }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T {
        let invSqrt2: T = 0.70710678118654752440, invSqrt2Pi: T = 0.39894228040143267794
        return (1 + T.mathErf(x * invSqrt2)) / 2 + x * invSqrt2Pi * T.mathExp(-x * x / 2)
    }
}
/// GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
enum GeluTanhF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T {
        let c: T = 0.79788456080286535588, k: T = 0.044715
        return x * (1 + T.mathTanh(c * (x + k * x * x * x))) / 2
    }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T {
        let c: T = 0.79788456080286535588, k: T = 0.044715
        let t = T.mathTanh(c * (x + k * x * x * x))
        return (1 + t) / 2 + x * (1 - t * t) * c * (1 + 3 * k * x * x) / 2
    }
}
enum SiluF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { x * stableSigmoid(x) }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T {
        let s = stableSigmoid(x)
        return s * (1 + x * (1 - s))
    }
}
/// softplus(x) = log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|) so it never overflows.
enum SoftplusF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T {
        Swift.max(x, 0) + T.mathLog1p(T.mathExp(-Swift.abs(x)))
    }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T { stableSigmoid(x) }
}
enum PowScalarF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { T.mathPow(x, p) }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T {
        p == 0 ? 0 : p * T.mathPow(x, p - 1)
    }
}
enum AddScalarF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { x + p }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T { 1 }
}
enum MulScalarF: UnaryFunctor {
    @inline(__always) static func value<T: TensorScalar>(_ x: T, _ p: T) -> T { x * p }
    @inline(__always) static func derivative<T: TensorScalar>(_ x: T, _ y: T, _ p: T) -> T { p }
}

@inline(__always)
func unaryLoop<T: TensorScalar, F: UnaryFunctor>(_: F.Type, _ p: T, _ x: UnsafePointer<T>,
                                                  _ y: UnsafeMutablePointer<T>, _ n: Int) {
    for i in 0..<n { y[i] = F.value(x[i], p) }
}

@inline(__always)
func unaryGradLoop<T: TensorScalar, F: UnaryFunctor>(
    _: F.Type, _ p: T, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>, _ g: UnsafePointer<T>,
    _ dx: UnsafeMutablePointer<T>, _ n: Int
) {
    for i in 0..<n { dx[i] = g[i] * F.derivative(x[i], y[i], p) }
}

/// y[0..<n] = f(x[0..<n]).
@specialized(where T == Float)
@specialized(where T == Double)
func unaryKernel<T: TensorScalar>(_ op: UnaryOp, _ p: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
    switch op {
    case .negate: unaryLoop(NegateF.self, p, x, y, n)
    case .exp: unaryLoop(ExpF.self, p, x, y, n)
    case .log: unaryLoop(LogF.self, p, x, y, n)
    case .sqrt: unaryLoop(SqrtF.self, p, x, y, n)
    case .square: unaryLoop(SquareF.self, p, x, y, n)
    case .abs: unaryLoop(AbsF.self, p, x, y, n)
    case .tanh: unaryLoop(TanhF.self, p, x, y, n)
    case .sigmoid: unaryLoop(SigmoidF.self, p, x, y, n)
    case .relu: unaryLoop(ReluF.self, p, x, y, n)
    case .geluErf: unaryLoop(GeluErfF.self, p, x, y, n)
    case .geluTanh: unaryLoop(GeluTanhF.self, p, x, y, n)
    case .silu: unaryLoop(SiluF.self, p, x, y, n)
    case .softplus: unaryLoop(SoftplusF.self, p, x, y, n)
    case .powScalar: unaryLoop(PowScalarF.self, p, x, y, n)
    case .addScalar: unaryLoop(AddScalarF.self, p, x, y, n)
    case .mulScalar: unaryLoop(MulScalarF.self, p, x, y, n)
    }
}

/// dx[0..<n] = g · f'(x), given x and y = f(x).
@specialized(where T == Float)
@specialized(where T == Double)
func unaryGradKernel<T: TensorScalar>(_ op: UnaryOp, _ p: T, _ x: UnsafePointer<T>, _ y: UnsafePointer<T>,
                                      _ g: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>, _ n: Int) {
    switch op {
    case .negate: unaryGradLoop(NegateF.self, p, x, y, g, dx, n)
    case .exp: unaryGradLoop(ExpF.self, p, x, y, g, dx, n)
    case .log: unaryGradLoop(LogF.self, p, x, y, g, dx, n)
    case .sqrt: unaryGradLoop(SqrtF.self, p, x, y, g, dx, n)
    case .square: unaryGradLoop(SquareF.self, p, x, y, g, dx, n)
    case .abs: unaryGradLoop(AbsF.self, p, x, y, g, dx, n)
    case .tanh: unaryGradLoop(TanhF.self, p, x, y, g, dx, n)
    case .sigmoid: unaryGradLoop(SigmoidF.self, p, x, y, g, dx, n)
    case .relu: unaryGradLoop(ReluF.self, p, x, y, g, dx, n)
    case .geluErf: unaryGradLoop(GeluErfF.self, p, x, y, g, dx, n)
    case .geluTanh: unaryGradLoop(GeluTanhF.self, p, x, y, g, dx, n)
    case .silu: unaryGradLoop(SiluF.self, p, x, y, g, dx, n)
    case .softplus: unaryGradLoop(SoftplusF.self, p, x, y, g, dx, n)
    case .powScalar: unaryGradLoop(PowScalarF.self, p, x, y, g, dx, n)
    case .addScalar: unaryGradLoop(AddScalarF.self, p, x, y, g, dx, n)
    case .mulScalar: unaryGradLoop(MulScalarF.self, p, x, y, g, dx, n)
    }
}

// MARK: Binary elementwise functions

enum BinaryOp: Sendable {
    case add, subtract, multiply, divide, pow
}

protocol BinaryFunctor {
    static func value<T: TensorScalar>(_ a: T, _ b: T) -> T
}
enum AddF: BinaryFunctor { @inline(__always) static func value<T: TensorScalar>(_ a: T, _ b: T) -> T { a + b } }
enum SubF: BinaryFunctor { @inline(__always) static func value<T: TensorScalar>(_ a: T, _ b: T) -> T { a - b } }
enum MulF: BinaryFunctor { @inline(__always) static func value<T: TensorScalar>(_ a: T, _ b: T) -> T { a * b } }
enum DivF: BinaryFunctor { @inline(__always) static func value<T: TensorScalar>(_ a: T, _ b: T) -> T { a / b } }
enum PowF: BinaryFunctor { @inline(__always) static func value<T: TensorScalar>(_ a: T, _ b: T) -> T { T.mathPow(a, b) } }

/// One row: o[i] = f(a[i·sa], b[i·sb]) with contiguous and broadcast-scalar fast paths.
@inline(__always)
func binaryRow<T: TensorScalar, F: BinaryFunctor>(_: F.Type, _ a: UnsafePointer<T>, _ sa: Int,
                                                   _ b: UnsafePointer<T>, _ sb: Int,
                                                   _ o: UnsafeMutablePointer<T>, _ n: Int) {
    if sa == 1 && sb == 1 {
        for i in 0..<n { o[i] = F.value(a[i], b[i]) }
    } else if sa == 1 && sb == 0 {
        let bv = b[0]
        for i in 0..<n { o[i] = F.value(a[i], bv) }
    } else if sa == 0 && sb == 1 {
        let av = a[0]
        for i in 0..<n { o[i] = F.value(av, b[i]) }
    } else {
        for i in 0..<n { o[i] = F.value(a[i &* sa], b[i &* sb]) }
    }
}

@specialized(where T == Float)
@specialized(where T == Double)
func binaryRowKernel<T: TensorScalar>(_ op: BinaryOp, _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int,
                                      _ o: UnsafeMutablePointer<T>, _ n: Int) {
    switch op {
    case .add: binaryRow(AddF.self, a, sa, b, sb, o, n)
    case .subtract: binaryRow(SubF.self, a, sa, b, sb, o, n)
    case .multiply: binaryRow(MulF.self, a, sa, b, sb, o, n)
    case .divide: binaryRow(DivF.self, a, sa, b, sb, o, n)
    case .pow: binaryRow(PowF.self, a, sa, b, sb, o, n)
    }
}

// MARK: Strided iteration

/// An N-d iteration over an output of `dims` (row-major) with per-operand element strides,
/// after dropping size-1 dimensions and merging dimensions that are contiguous for every
/// operand. The last dimension is the inner loop; the rest are enumerated as "rows".
struct StridedPlan {
    var dims: [Int]
    var strides: [[Int]]   // one stride array per operand, each dims.count long

    init(dims rawDims: [Int], strides rawStrides: [[Int]]) {
        var dims: [Int] = []
        var strides = [[Int]](repeating: [], count: rawStrides.count)
        for d in 0..<rawDims.count where rawDims[d] != 1 {
            dims.append(rawDims[d])
            for k in 0..<rawStrides.count { strides[k].append(rawStrides[k][d]) }
        }
        // Merge from the back: dim i folds into i+1 when stride_i == stride_{i+1} * dim_{i+1} for all.
        var i = dims.count - 2
        while i >= 0 {
            let mergeable = (0..<strides.count).allSatisfy { strides[$0][i] == strides[$0][i + 1] * dims[i + 1] }
            if mergeable {
                dims[i] *= dims[i + 1]
                dims.remove(at: i + 1)
                for k in 0..<strides.count {
                    strides[k][i] = strides[k][i + 1]
                    strides[k].remove(at: i + 1)
                }
            }
            i -= 1
        }
        if dims.isEmpty {
            dims = [1]
            strides = strides.map { _ in [0] }
        }
        self.dims = dims
        self.strides = strides
    }

    var inner: Int { dims[dims.count - 1] }
    var rows: Int { ShapeUtil.count(Array(dims.dropLast())) }
    func innerStride(_ operand: Int) -> Int { strides[operand][dims.count - 1] }

    /// Calls `body(row, offsets)` for rows `start..<end`, with each operand's element offset.
    @inline(__always)
    func forEachRow(_ start: Int, _ end: Int, _ body: (Int, [Int]) -> Void) {
        let outer = dims.count - 1
        var index = [Int](repeating: 0, count: outer)
        var rem = start
        for d in stride(from: outer - 1, through: 0, by: -1) {
            index[d] = rem % dims[d]
            rem /= dims[d]
        }
        var offsets = [Int](repeating: 0, count: strides.count)
        for k in 0..<strides.count {
            for d in 0..<outer { offsets[k] += index[d] * strides[k][d] }
        }
        for row in start..<end {
            body(row, offsets)
            // Odometer increment.
            var d = outer - 1
            while d >= 0 {
                index[d] += 1
                for k in 0..<strides.count { offsets[k] += strides[k][d] }
                if index[d] < dims[d] { break }
                for k in 0..<strides.count { offsets[k] -= strides[k][d] * dims[d] }
                index[d] = 0
                d -= 1
            }
        }
    }
}

// MARK: Reductions

/// Σ over x[0..<n] in fixed blocks of `Parallelism.chunkSize`, partial sums added in block
/// order — the same bits whether the blocks ran in parallel or not.
@specialized(where T == Float)
@specialized(where T == Double)
func blockedSum<T: TensorScalar>(_ x: UnsafePointer<T>, _ n: Int) -> T {
    let chunk = Parallelism.chunkSize
    let blocks = (n + chunk - 1) / chunk
    if blocks <= 1 {
        var s: T = 0
        for i in 0..<n { s += x[i] }
        return s
    }
    var partials = [T](repeating: 0, count: blocks)
    partials.withUnsafeMutableBufferPointer { pb in
        let out = SendablePointer(pb.baseAddress!)
        let src = SendablePointer(UnsafeMutablePointer(mutating: x))
        forEachChunk(count: n, chunk: chunk) { start, end in
            var s: T = 0
            for i in start..<end { s += src.p[i] }
            out.p[start / chunk] = s
        }
    }
    var total: T = 0
    for s in partials { total += s }
    return total
}

/// out[o, i] = Σ_k x[o, k, i] for x viewed as [outer, n, inner].
@specialized(where T == Float)
@specialized(where T == Double)
func sumAxisKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>,
                                    outer: Int, n: Int, inner: Int) {
    let dst = SendablePointer(out)
    let src = SendablePointer(UnsafeMutablePointer(mutating: x))
    let perChunk = Swift.max(1, Parallelism.chunkSize / Swift.max(1, n * inner))
    forEachChunk(count: outer, chunk: perChunk, costPerItem: n * inner) { o0, o1 in
        for o in o0..<o1 {
            let y = dst.p + o * inner
            let base = src.p + o * n * inner
            if inner == 1 {
                var s: T = 0
                for k in 0..<n { s += base[k] }
                y[0] = s
            } else {
                for i in 0..<inner { y[i] = 0 }
                for k in 0..<n {
                    let row = base + k * inner
                    for i in 0..<inner { y[i] += row[i] }
                }
            }
        }
    }
}

/// out[o, i] = max_k x[o, k, i] and the first k attaining it, for x viewed as [outer, n, inner].
@specialized(where T == Float)
@specialized(where T == Double)
func maxAxisKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>,
                                    _ arg: UnsafeMutablePointer<Int>, outer: Int, n: Int, inner: Int) {
    for o in 0..<outer {
        let base = x + o * n * inner
        for i in 0..<inner {
            var best = base[i]
            var bestK = 0
            if !best.isNaN {
                for k in 1..<n {
                    let v = base[k * inner + i]
                    if v > best || v.isNaN {   // NaN propagates, as in NumPy
                        best = v
                        bestK = k
                        if v.isNaN { break }
                    }
                }
            }
            out[o * inner + i] = best
            arg[o * inner + i] = bestK
        }
    }
}

// MARK: Copies

/// dst[i] = src[i·s] for i in 0..<n.
@specialized(where T == Float)
@specialized(where T == Double)
func stridedCopyRow<T: TensorScalar>(_ src: UnsafePointer<T>, _ s: Int, _ dst: UnsafeMutablePointer<T>, _ n: Int) {
    if s == 1 {
        copyScalars(dst, from: src, count: n)
    } else if s == 0 {
        dst.update(repeating: src[0], count: n)
    } else {
        for i in 0..<n { dst[i] = src[i &* s] }
    }
}

/// Fills a contiguous tensor of `dims` from `src` read with element `strides` (0 = broadcast).
func gatherStrided<T: TensorScalar>(_ src: UnsafePointer<T>, strides: [Int], dims: [Int], into dst: UnsafeMutablePointer<T>) {
    let total = ShapeUtil.count(dims)
    guard total > 0 else { return }
    let plan = StridedPlan(dims: dims, strides: [ShapeUtil.strides(dims), strides])
    let inner = plan.inner, s = plan.innerStride(1)
    let ps = SendablePointer(UnsafeMutablePointer(mutating: src)), pd = SendablePointer(dst)
    forEachChunk(count: plan.rows, chunk: Swift.max(1, Parallelism.chunkSize / inner), costPerItem: inner) { r0, r1 in
        plan.forEachRow(r0, r1) { _, off in stridedCopyRow(ps.p + off[1], s, pd.p + off[0], inner) }
    }
}

/// y[0..<n] += x[0..<n].
@specialized(where T == Float)
@specialized(where T == Double)
func accumulateRow<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
    for k in 0..<n { y[k] += x[k] }
}

// MARK: Softmax and layer norm

/// Softmax (or log-softmax) along the middle axis of x viewed as [outer, n, inner],
/// shifted by the maximum so exp never overflows.
@specialized(where T == Float)
@specialized(where T == Double)
func softmaxKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                    outer: Int, n: Int, inner: Int, log: Bool) {
    let src = SendablePointer(UnsafeMutablePointer(mutating: x)), dst = SendablePointer(y)
    let perChunk = Swift.max(1, Parallelism.chunkSize / Swift.max(1, n * inner))
    forEachChunk(count: outer, chunk: perChunk, costPerItem: n * inner) { o0, o1 in
        for o in o0..<o1 {
            for i in 0..<inner {
                let xs = src.p + o * n * inner + i, ys = dst.p + o * n * inner + i
                var m = -T.infinity
                for k in 0..<n { m = Swift.max(m, xs[k * inner]) }
                var s: T = 0
                for k in 0..<n {
                    let e = T.mathExp(xs[k * inner] - m)
                    ys[k * inner] = e
                    s += e
                }
                if log {
                    let ls = T.mathLog(s)
                    for k in 0..<n { ys[k * inner] = xs[k * inner] - m - ls }
                } else {
                    let r = 1 / s
                    for k in 0..<n { ys[k * inner] *= r }
                }
            }
        }
    }
}

/// Gradient of softmax (`log == false`: dx = y ⊙ (g − Σ g⊙y)) or log-softmax
/// (`log == true`, y = log-probabilities: dx = g − softmax · Σ g) along the middle axis.
@specialized(where T == Float)
@specialized(where T == Double)
func softmaxGradKernel<T: TensorScalar>(_ y: UnsafePointer<T>, _ g: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>,
                                        outer: Int, n: Int, inner: Int, log: Bool) {
    for o in 0..<outer {
        for i in 0..<inner {
            let base = o * n * inner + i
            var s: T = 0
            if log {
                for k in 0..<n { s += g[base + k * inner] }
                for k in 0..<n { let j = base + k * inner; dx[j] = g[j] - T.mathExp(y[j]) * s }
            } else {
                for k in 0..<n { let j = base + k * inner; s += g[j] * y[j] }
                for k in 0..<n { let j = base + k * inner; dx[j] = y[j] * (g[j] - s) }
            }
        }
    }
}

/// Layer norm over rows of x viewed as [rows, d]: xhat = (x − mean)/√(var + ε) with the
/// biased variance, y = xhat·γ + β (γ, β of length d, or nil for 1 and 0).
@specialized(where T == Float)
@specialized(where T == Double)
func layerNormKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ gamma: UnsafePointer<T>?, _ beta: UnsafePointer<T>?,
                                      _ y: UnsafeMutablePointer<T>, _ xhat: UnsafeMutablePointer<T>,
                                      _ rstd: UnsafeMutablePointer<T>, rows: Int, d: Int, epsilon: T) {
    for r in 0..<rows {
        let xs = x + r * d, ys = y + r * d, hs = xhat + r * d
        var mean: T = 0
        for j in 0..<d { mean += xs[j] }
        mean /= T(d)
        var variance: T = 0
        for j in 0..<d { let c = xs[j] - mean; variance += c * c }
        variance /= T(d)
        let inv = 1 / (variance + epsilon).squareRoot()
        rstd[r] = inv
        for j in 0..<d {
            let h = (xs[j] - mean) * inv
            hs[j] = h
            ys[j] = h * (gamma?[j] ?? 1) + (beta?[j] ?? 0)
        }
    }
}

/// Layer norm gradients: dx = rstd·(ĝ − mean(ĝ) − xhat·mean(ĝ⊙xhat)) with ĝ = g⊙γ;
/// dγ = Σ_rows g⊙xhat; dβ = Σ_rows g (dγ, dβ accumulated into zeroed buffers when non-nil).
@specialized(where T == Float)
@specialized(where T == Double)
func layerNormGradKernel<T: TensorScalar>(_ g: UnsafePointer<T>, _ xhat: UnsafePointer<T>, _ rstd: UnsafePointer<T>,
                                          _ gamma: UnsafePointer<T>?, _ dx: UnsafeMutablePointer<T>?,
                                          _ dgamma: UnsafeMutablePointer<T>?, _ dbeta: UnsafeMutablePointer<T>?,
                                          rows: Int, d: Int) {
    for r in 0..<rows {
        let gs = g + r * d, hs = xhat + r * d
        if let dgamma { for j in 0..<d { dgamma[j] += gs[j] * hs[j] } }
        if let dbeta { for j in 0..<d { dbeta[j] += gs[j] } }
        guard let dx else { continue }
        var m1: T = 0, m2: T = 0
        for j in 0..<d {
            let gh = gs[j] * (gamma?[j] ?? 1)
            m1 += gh
            m2 += gh * hs[j]
        }
        m1 /= T(d)
        m2 /= T(d)
        let ds = dx + r * d
        for j in 0..<d {
            let gh = gs[j] * (gamma?[j] ?? 1)
            ds[j] = rstd[r] * (gh - m1 - hs[j] * m2)
        }
    }
}

// MARK: Convolution (im2col / col2im)

/// im2col for one sample: x `[C, H, W]` → cols `[C·KH·KW, Ho·Wo]`. `hIndex[i·Ho + oh]` and
/// `wIndex[j·Wo + ow]` give the (padded, possibly wrapped) input row/column or −1 for a zero.
@specialized(where T == Float)
@specialized(where T == Double)
func im2colKernel<T: TensorScalar>(_ x: UnsafePointer<T>, _ cols: UnsafeMutablePointer<T>,
                                   _ hIndex: UnsafePointer<Int>, _ wIndex: UnsafePointer<Int>,
                                   c: Int, h: Int, w: Int, kh: Int, kw: Int, ho: Int, wo: Int) {
    var row = cols
    for ch in 0..<c {
        let plane = x + ch * h * w
        for i in 0..<kh {
            for j in 0..<kw {
                for oh in 0..<ho {
                    let ih = hIndex[i * ho + oh]
                    let dst = row + oh * wo
                    if ih < 0 {
                        dst.update(repeating: 0, count: wo)
                        continue
                    }
                    let src = plane + ih * w
                    let map = wIndex + j * wo
                    for ow in 0..<wo {
                        let iw = map[ow]
                        dst[ow] = iw < 0 ? 0 : src[iw]
                    }
                }
                row += ho * wo
            }
        }
    }
}

/// The adjoint of im2col: scatter-adds cols `[C·KH·KW, Ho·Wo]` into dx `[C, H, W]`.
@specialized(where T == Float)
@specialized(where T == Double)
func col2imKernel<T: TensorScalar>(_ cols: UnsafePointer<T>, _ dx: UnsafeMutablePointer<T>,
                                   _ hIndex: UnsafePointer<Int>, _ wIndex: UnsafePointer<Int>,
                                   c: Int, h: Int, w: Int, kh: Int, kw: Int, ho: Int, wo: Int) {
    var row = cols
    for ch in 0..<c {
        let plane = dx + ch * h * w
        for i in 0..<kh {
            for j in 0..<kw {
                for oh in 0..<ho {
                    let ih = hIndex[i * ho + oh]
                    if ih < 0 { continue }
                    let src = row + oh * wo
                    let dst = plane + ih * w
                    let map = wIndex + j * wo
                    for ow in 0..<wo {
                        let iw = map[ow]
                        if iw >= 0 { dst[iw] += src[ow] }
                    }
                }
                row += ho * wo
            }
        }
    }
}

/// out[r, :] += bias[r] for out viewed as [rows, n].
@specialized(where T == Float)
@specialized(where T == Double)
func addRowBiasKernel<T: TensorScalar>(_ out: UnsafeMutablePointer<T>, _ bias: UnsafePointer<T>, rows: Int, n: Int) {
    for r in 0..<rows {
        let b = bias[r], y = out + r * n
        for i in 0..<n { y[i] += b }
    }
}
