// Elementary functions the Swift standard library does not provide (`pow`, `log`, `exp`).
// Taken from the platform C library so the integrator core needs no Foundation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// `x` raised to the power `y` (platform libm).
@inlinable @inline(__always)
func power(_ x: Double, _ y: Double) -> Double {
    pow(x, y)
}

/// Natural logarithm (platform libm).
@inlinable @inline(__always)
func naturalLog(_ x: Double) -> Double {
    log(x)
}

/// Exponential function (platform libm).
@inlinable @inline(__always)
func exponential(_ x: Double) -> Double {
    exp(x)
}

/// Sine (platform libm).
@inlinable @inline(__always)
func sine(_ x: Double) -> Double { sin(x) }

/// Cosine (platform libm).
@inlinable @inline(__always)
func cosine(_ x: Double) -> Double { cos(x) }
