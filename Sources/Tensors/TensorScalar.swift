import CBLAS
import Foundation

/// The element types a ``Tensor`` can hold: `Float` (Float32) and `Double` (Float64).
///
/// The BLAS entry points and the elementary functions are protocol requirements so that
/// generic code calls `cblas_sgemm`/`cblas_dgemm`, `expf`/`exp`, … directly once it is
/// specialised (the hot kernels in this module carry `@specialized` attributes for both types).
public protocol TensorScalar: BinaryFloatingPoint, Sendable, CustomStringConvertible
where RawSignificand: FixedWidthInteger {
    /// Row-major `C ← alpha·op(A)·op(B) + beta·C` (`cblas_?gemm`); `op(X)` is `Xᵀ` when the flag is set.
    static func blasGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    /// `y ← alpha·x + y` over `count` contiguous elements (`cblas_?axpy`).
    static func blasAxpy(count: Int, alpha: Self, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)
    /// `Σ xᵢ yᵢ` over `count` contiguous elements (`cblas_?dot`).
    static func blasDot(count: Int, x: UnsafePointer<Self>, y: UnsafePointer<Self>) -> Self
    /// `x ← alpha·x` over `count` contiguous elements (`cblas_?scal`).
    static func blasScal(count: Int, alpha: Self, x: UnsafeMutablePointer<Self>)

    static func mathExp(_ x: Self) -> Self
    /// e^x for x ≤ 0 without branches (so loops over it vectorise), 0 below the smallest normal's
    /// logarithm; within 2 ulp for Float. For the activations' sigmoid.
    static func mathExpNonPositive(_ x: Self) -> Self
    static func mathLog(_ x: Self) -> Self
    static func mathLog1p(_ x: Self) -> Self
    static func mathTanh(_ x: Self) -> Self
    static func mathErf(_ x: Self) -> Self
    static func mathPow(_ x: Self, _ y: Self) -> Self
}

@inline(__always) func blasInt(_ value: Int) -> blasint {
    precondition(value <= Int(blasint.max), "Tensors: dimension \(value) exceeds the BLAS integer range")
    return blasint(value)
}

extension Float: TensorScalar {
    public static func blasGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
    }
    public static func blasAxpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(blasInt(count), alpha, x, 1, y, 1)
    }
    public static func blasDot(count: Int, x: UnsafePointer<Float>, y: UnsafePointer<Float>) -> Float {
        cblas_sdot(blasInt(count), x, 1, y, 1)
    }
    public static func blasScal(count: Int, alpha: Float, x: UnsafeMutablePointer<Float>) {
        cblas_sscal(blasInt(count), alpha, x, 1)
    }
    @inline(__always) public static func mathExp(_ x: Float) -> Float { Foundation.exp(x) }
    /// x = k ln 2 + r, |r| ≤ ln 2 / 2: eʳ by its Taylor polynomial of degree 7 (truncation below
    /// 1.3e-7 relative), 2ᵏ assembled in the exponent bits.
    @inline(__always) public static func mathExpNonPositive(_ x: Float) -> Float {
        let clamped = Swift.max(x, -87)
        let shifter: Float = 0x1.8p23
        let kf = clamped * 1.44269504 + shifter
        let k = kf - shifter
        let r = (clamped - k * 0.693145751953125) - k * 1.42860677e-6
        var q: Float = 1.0 / 5040
        q = q * r + 1.0 / 720
        q = q * r + 1.0 / 120
        q = q * r + 1.0 / 24
        q = q * r + 1.0 / 6
        q = q * r + 0.5
        q = q * r + 1
        q = q * r + 1
        let scale = Float(bitPattern: (kf.bitPattern &+ 127) << 23)
        return x < -87 ? 0 : q * scale
    }
    @inline(__always) public static func mathLog(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) public static func mathLog1p(_ x: Float) -> Float { Foundation.log1p(x) }
    @inline(__always) public static func mathTanh(_ x: Float) -> Float { Foundation.tanh(x) }
    @inline(__always) public static func mathErf(_ x: Float) -> Float { Foundation.erf(x) }
    @inline(__always) public static func mathPow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}

extension Double: TensorScalar {
    public static func blasGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb), beta, c, blasInt(ldc))
    }
    public static func blasAxpy(count: Int, alpha: Double, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        cblas_daxpy(blasInt(count), alpha, x, 1, y, 1)
    }
    public static func blasDot(count: Int, x: UnsafePointer<Double>, y: UnsafePointer<Double>) -> Double {
        cblas_ddot(blasInt(count), x, 1, y, 1)
    }
    public static func blasScal(count: Int, alpha: Double, x: UnsafeMutablePointer<Double>) {
        cblas_dscal(blasInt(count), alpha, x, 1)
    }
    @inline(__always) public static func mathExp(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) public static func mathExpNonPositive(_ x: Double) -> Double { x < -708 ? 0 : Foundation.exp(x) }
    @inline(__always) public static func mathLog(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) public static func mathLog1p(_ x: Double) -> Double { Foundation.log1p(x) }
    @inline(__always) public static func mathTanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inline(__always) public static func mathErf(_ x: Double) -> Double { Foundation.erf(x) }
    @inline(__always) public static func mathPow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}
