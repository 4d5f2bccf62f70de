import CHostMachine

/// What this binary's own code was compiled for.
///
/// `make` builds release binaries for the CPU it runs on (`CPU=native`: `-target-cpu native`
/// for Swift, `-march=native` for C); `make build CPU=x86-64` (or `haswell`, `skylake-avx512`, …)
/// builds for an older or common CPU, for a cluster whose login node differs from its compute
/// nodes. A binary built for vector units the CPU lacks stops at start with a message instead of
/// dying on an illegal instruction.
public struct BuildTarget: Sendable {
    /// The widest vector units the compiled code may use.
    public let vectorUnits: VectorUnits
    /// `"release"` or `"debug"`.
    public let configuration: String

    public static let current: BuildTarget = {
        #if DEBUG
        let configuration = "debug"
        #else
        let configuration = "release"
        #endif
        return BuildTarget(vectorUnits: VectorUnits(rawValue: Int(ndyn_build_vector_level())) ?? .sse,
                           configuration: configuration)
    }()
}
