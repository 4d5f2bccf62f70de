/// How a convolution extends its input beyond the edges.
public enum PaddingMode: Sendable, Equatable {
    /// Zeros outside the input.
    case zero
    /// The input wraps around (periodic grids): index −1 is the last element, and so on.
    case circular
}

/// The sizes of a 2-D convolution (strided, no dilation), NCHW layout.
struct ConvGeometry {
    let n, c, h, w, co, kh, kw, ph, pw, sh, sw, ho, wo: Int
    let mode: PaddingMode
    /// `hIndex[i·ho + oh]`: input row read by kernel row i at output row oh, or −1 (zero padding).
    let hIndex: [Int]
    let wIndex: [Int]

    init(x: [Int], weight: [Int], padding: (Int, Int), stride: (Int, Int) = (1, 1), mode: PaddingMode) {
        (n, c, h, w) = (x[0], x[1], x[2], x[3])
        (co, kh, kw) = (weight[0], weight[2], weight[3])
        (ph, pw) = padding
        (sh, sw) = stride
        let (spanH, spanW) = (h + 2 * ph - kh, w + 2 * pw - kw)
        ho = spanH >= 0 ? spanH / sh + 1 : 0
        wo = spanW >= 0 ? spanW / sw + 1 : 0
        self.mode = mode
        func table(k: Int, out: Int, size: Int, pad: Int, stride: Int) -> [Int] {
            var t = [Int](repeating: -1, count: k * out)
            for i in 0..<k {
                for o in 0..<out {
                    let p = o * stride + i - pad
                    switch mode {
                    case .zero: t[i * out + o] = (p >= 0 && p < size) ? p : -1
                    case .circular: t[i * out + o] = ((p % size) + size) % size
                    }
                }
            }
            return t
        }
        hIndex = table(k: kh, out: ho, size: h, pad: ph, stride: sh)
        wIndex = table(k: kw, out: wo, size: w, pad: pw, stride: sw)
    }

    var ckk: Int { c * kh * kw }
    var hw: Int { ho * wo }
}

extension Tensor {
    /// 1-D convolution (cross-correlation, as in PyTorch), stride 1: input `[N, C, L]`,
    /// weight `[Cout, C, K]`, optional bias `[Cout]`, `padding` elements on each side filled
    /// by `mode`; output `[N, Cout, L + 2·padding − K + 1]`. Runs as im2col + gemm.
    public func conv1d(weight: Tensor, bias: Tensor? = nil, padding: Int = 0, mode: PaddingMode = .zero) throws -> Tensor {
        let (x4, w4) = try Tensor.conv1dAs2d(self, weight: weight, bias: bias, padding: padding)
        let y = try Tensor.conv2dForward(x4, weight: w4, bias: bias, padding: (0, padding), mode: mode, operation: "conv1d")
        return try y.reshaped([y.shape[0], y.shape[1], y.shape[3]])
    }

    /// 2-D convolution (cross-correlation): input `[N, C, H, W]`, weight `[Cout, C, KH, KW]`,
    /// optional bias `[Cout]`, `padding` rows/columns on each side filled by `mode`, `stride`
    /// between output positions; output `[N, Cout, ⌊(H + 2·ph − KH)/sh⌋ + 1, ⌊(W + 2·pw − KW)/sw⌋ + 1]`
    /// (PyTorch's `Conv2d`). im2col + gemm.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, padding: (height: Int, width: Int) = (0, 0),
                       stride: (height: Int, width: Int) = (1, 1), mode: PaddingMode = .zero) throws -> Tensor {
        try Tensor.conv2dForward(self, weight: weight, bias: bias, padding: (padding.height, padding.width),
                                 stride: (stride.height, stride.width), mode: mode, operation: "conv2d")
    }

    static func conv1dAs2d(_ x: Tensor, weight: Tensor, bias: Tensor?, padding: Int) throws -> (Tensor, Tensor) {
        guard x.rank == 3, weight.rank == 3 else {
            throw TensorError.shapeMismatch(operation: "conv1d", lhs: x.shape, rhs: weight.shape,
                                            reason: "input must be [N, C, L] and weight [Cout, C, K]")
        }
        guard x.shape[1] == weight.shape[1] else {
            throw TensorError.shapeMismatch(operation: "conv1d", lhs: x.shape, rhs: weight.shape,
                                            reason: "the input has \(x.shape[1]) channels but the weight expects \(weight.shape[1])")
        }
        guard padding >= 0, x.shape[2] + 2 * padding - weight.shape[2] + 1 >= 1 else {
            throw TensorError.shapeMismatch(operation: "conv1d", lhs: x.shape, rhs: weight.shape,
                                            reason: "kernel length \(weight.shape[2]) does not fit length \(x.shape[2]) with padding \(padding)")
        }
        return (try x.reshaped([x.shape[0], x.shape[1], 1, x.shape[2]]),
                try weight.reshaped([weight.shape[0], weight.shape[1], 1, weight.shape[2]]))
    }

    static func conv2dGeometry(_ x: Tensor, weight: Tensor, bias: Tensor?, padding: (Int, Int), stride: (Int, Int) = (1, 1),
                               mode: PaddingMode, operation: String) throws -> ConvGeometry {
        guard x.rank == 4, weight.rank == 4 else {
            throw TensorError.shapeMismatch(operation: operation, lhs: x.shape, rhs: weight.shape,
                                            reason: "input must be [N, C, H, W] and weight [Cout, C, KH, KW]")
        }
        guard x.shape[1] == weight.shape[1] else {
            throw TensorError.shapeMismatch(operation: operation, lhs: x.shape, rhs: weight.shape,
                                            reason: "the input has \(x.shape[1]) channels but the weight expects \(weight.shape[1])")
        }
        guard padding.0 >= 0, padding.1 >= 0 else {
            throw TensorError.invalidArgument(operation: operation, message: "negative padding \(padding)")
        }
        guard stride.0 >= 1, stride.1 >= 1 else {
            throw TensorError.invalidArgument(operation: operation, message: "stride \(stride) must be at least 1 along both axes")
        }
        if let bias, bias.shape != [weight.shape[0]] {
            throw TensorError.shapeMismatch(operation: operation, lhs: weight.shape, rhs: bias.shape,
                                            reason: "the bias must have shape [\(weight.shape[0])] (one per output channel)")
        }
        let g = ConvGeometry(x: x.shape, weight: weight.shape, padding: padding, stride: stride, mode: mode)
        guard g.ho >= 1, g.wo >= 1, g.h > 0, g.w > 0 else {
            throw TensorError.shapeMismatch(operation: operation, lhs: x.shape, rhs: weight.shape,
                                            reason: "the kernel does not fit the input with padding \(padding)")
        }
        return g
    }

    static func conv2dForward(_ x: Tensor, weight: Tensor, bias: Tensor?, padding: (Int, Int), stride: (Int, Int) = (1, 1),
                              mode: PaddingMode, operation: String) throws -> Tensor {
        let g = try conv2dGeometry(x, weight: weight, bias: bias, padding: padding, stride: stride, mode: mode, operation: operation)
        let result = Tensor(uninitializedShape: [g.n, g.co, g.ho, g.wo])
        // Scratch for one sample's columns, written in full by im2col before every read.
        let cols = TensorStorage<Scalar>(uninitializedCount: g.ckk * g.hw)
        withExtendedLifetime((x, weight, bias, cols)) {
            let colPtr = cols.base
            for s in 0..<g.n {
                g.hIndex.withUnsafeBufferPointer { hi in
                    g.wIndex.withUnsafeBufferPointer { wi in
                        im2colKernel(x.storage.base + s * g.c * g.h * g.w, colPtr, hi.baseAddress!, wi.baseAddress!,
                                     c: g.c, h: g.h, w: g.w, kh: g.kh, kw: g.kw, ho: g.ho, wo: g.wo)
                    }
                }
                let out = result.storage.base + s * g.co * g.hw
                Scalar.blasGemm(transposeA: false, transposeB: false, m: g.co, n: g.hw, k: g.ckk,
                                alpha: 1, a: weight.storage.base, lda: g.ckk, b: colPtr, ldb: g.hw,
                                beta: 0, c: out, ldc: g.hw)
                if let bias { addRowBiasKernel(out, bias.storage.base, rows: g.co, n: g.hw) }
            }
        }
        return result
    }

    /// Gradients of conv2d for upstream `gy` `[N, Cout, Ho, Wo]`: dx = col2im(Wᵀ·gy),
    /// dW = Σₙ gyₙ·colsₙᵀ (im2col recomputed, not stored), db = Σ gy over N, Ho, Wo.
    static func conv2dGradients(_ x: Tensor, weight: Tensor, upstream gy: Tensor, padding: (Int, Int), stride: (Int, Int) = (1, 1),
                                mode: PaddingMode, needX: Bool, needWeight: Bool, needBias: Bool) throws -> (Tensor?, Tensor?, Tensor?) {
        let g = try conv2dGeometry(x, weight: weight, bias: nil, padding: padding, stride: stride, mode: mode, operation: "conv gradient")
        precondition(gy.shape == [g.n, g.co, g.ho, g.wo], "Tensors: conv upstream gradient shape \(gy.shape) is wrong")
        let dx: Tensor? = needX ? Tensor(shape: x.shape, repeating: 0) : nil
        let dw: Tensor? = needWeight ? Tensor(shape: weight.shape, repeating: 0) : nil
        // Scratch for one sample's columns, written in full (by im2col or a β = 0 GEMM) before every read.
        let cols = TensorStorage<Scalar>(uninitializedCount: g.ckk * g.hw)
        withExtendedLifetime((x, weight, gy, dx, dw, cols)) {
            let colPtr = cols.base
            g.hIndex.withUnsafeBufferPointer { hi in
                g.wIndex.withUnsafeBufferPointer { wi in
                    for s in 0..<g.n {
                        let gs = gy.storage.base + s * g.co * g.hw
                        if let dw {
                            im2colKernel(x.storage.base + s * g.c * g.h * g.w, colPtr, hi.baseAddress!, wi.baseAddress!,
                                         c: g.c, h: g.h, w: g.w, kh: g.kh, kw: g.kw, ho: g.ho, wo: g.wo)
                            Scalar.blasGemm(transposeA: false, transposeB: true, m: g.co, n: g.ckk, k: g.hw,
                                            alpha: 1, a: gs, lda: g.hw, b: colPtr, ldb: g.hw,
                                            beta: 1, c: dw.storage.base, ldc: g.ckk)
                        }
                        if let dx {
                            Scalar.blasGemm(transposeA: true, transposeB: false, m: g.ckk, n: g.hw, k: g.co,
                                            alpha: 1, a: weight.storage.base, lda: g.ckk, b: gs, ldb: g.hw,
                                            beta: 0, c: colPtr, ldc: g.hw)
                            col2imKernel(colPtr, dx.storage.base + s * g.c * g.h * g.w, hi.baseAddress!, wi.baseAddress!,
                                         c: g.c, h: g.h, w: g.w, kh: g.kh, kw: g.kw, ho: g.ho, wo: g.wo)
                        }
                    }
                }
            }
        }
        var db: Tensor?
        if needBias {
            db = try gy.reshaped([g.n, g.co, g.hw]).sumAlong(2).sumAlong(0).reshaped([g.co])
        }
        return (dx, dw, db)
    }
}
