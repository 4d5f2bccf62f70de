import CHostMachine

/// The widest family of x86-64 vector instructions a CPU supports, a build was compiled for,
/// or a set of OpenBLAS kernels uses. Ordered: each level runs everything below it.
public enum VectorUnits: Int, Comparable, Sendable, CustomStringConvertible {
    /// SSE2/SSE3 only: OpenBLAS's generic x86-64 kernels (`Prescott` and older cores).
    case sse = 0
    /// 256-bit AVX without FMA (`Sandybridge`, the Bulldozer family).
    case avx = 1
    /// AVX2 with FMA (`Haswell`, `Zen`).
    case avx2 = 2
    /// AVX-512 F/CD/BW/DQ/VL (`SkylakeX`, `Cooperlake`; Intel Xeon since Skylake-SP, AMD Zen 4).
    case avx512 = 3

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .sse: "SSE"
        case .avx: "AVX"
        case .avx2: "AVX2+FMA"
        case .avx512: "AVX-512"
        }
    }

    /// The level of an OpenBLAS core name (`Prescott`, `Haswell`, `SkylakeX`, …), or `nil` for a
    /// name this table does not know.
    public init?(openBLASCore name: String) {
        let level = ndyn_openblas_core_level(name)
        guard let units = VectorUnits(rawValue: Int(level)) else { return nil }
        self = units
    }
}
