import CHostMachine
import Foundation

/// The CPU this process runs on, as CPUID reports it (and the operating system enables it).
public struct Processor: Sendable {
    /// The brand string, e.g. `"AMD EPYC 9R14 96-Core Processor"` or `"Intel(R) Xeon(R) …"`.
    public let model: String
    /// `"GenuineIntel"`, `"AuthenticAMD"`, …
    public let vendor: String
    /// The vector features found, in CPUID's names (`avx2`, `fma`, `avx512f`, …).
    public let features: [String]
    /// The widest vector units usable here, or `nil` when the features cannot be read (not x86-64).
    public let vectorUnits: VectorUnits?
    /// Logical processors this process may use.
    public let activeProcessorCount: Int

    /// The CPU of this process.
    public static let current: Processor = {
        let level = ndyn_cpu_vector_level()
        return Processor(model: String(cString: ndyn_cpu_brand()), vendor: String(cString: ndyn_cpu_vendor()),
                         features: String(cString: ndyn_cpu_features()).split(separator: " ").map(String.init),
                         vectorUnits: VectorUnits(rawValue: Int(level)),
                         activeProcessorCount: ProcessInfo.processInfo.activeProcessorCount)
    }()

    /// The OpenBLAS core (`OPENBLAS_CORETYPE` value) that fits this CPU best, if any is better
    /// than the generic kernels.
    public var bestOpenBLASCore: String? {
        guard let name = ndyn_best_openblas_core() else { return nil }
        return String(cString: name)
    }
}
