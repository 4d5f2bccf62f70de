import CBLAS
import CHostMachine

/// Which OpenBLAS kernels this process runs, and how they were chosen.
///
/// Debian's OpenBLAS picks its kernels from the CPU model when the library loads, and falls back
/// to generic SSE3 kernels (`Prescott`) on models it does not know, several times slower. A
/// start-up check (`CHostMachine`, before `main`) compares that choice with the CPU's features
/// and, when OpenBLAS chose worse, restarts the program once with `OPENBLAS_CORETYPE` set to the
/// best core. A user's own `OPENBLAS_CORETYPE` is respected.
public struct BLASKernels: Sendable {
    /// How the running kernels were chosen.
    public enum Selection: String, Sendable {
        /// OpenBLAS's own detection, which matched the CPU.
        case detected
        /// OpenBLAS's detection was worse than the CPU allows; the program restarted itself with
        /// `OPENBLAS_CORETYPE` set (``BLASKernels/detectedCore`` is what OpenBLAS had chosen).
        case corrected
        /// The user's `OPENBLAS_CORETYPE`.
        case userChoice = "user"
        /// A better core was needed but the program could not restart (a warning was printed).
        case uncorrected
    }

    /// `openblas_get_config()`, e.g. `"OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64"`.
    public let configuration: String
    /// The library version, e.g. `"0.3.21"` (from ``configuration``).
    public var version: String {
        let words = configuration.split(separator: " ")
        return words.count > 1 && words[0] == "OpenBLAS" ? String(words[1]) : configuration
    }
    /// The kernel set running now (`openblas_get_corename()`), e.g. `"SkylakeX"`.
    public let core: String
    /// The vector units of ``core``, `nil` for a core name not known here.
    public let coreVectorUnits: VectorUnits?
    /// OpenBLAS's threads for one call (the shards of a parallel loop hold it at 1).
    public let threads: Int
    public let selection: Selection
    /// The core OpenBLAS had chosen by itself before the program restarted (``Selection/corrected``
    /// and ``Selection/uncorrected`` only).
    public let detectedCore: String?
    /// The start-up warning printed on stderr, if any (slow kernels that could not be fixed, an
    /// unknown or unsuitable `OPENBLAS_CORETYPE`, unreadable CPU features).
    public let warning: String?

    /// The kernels of this process now.
    public static var current: BLASKernels {
        let core = String(cString: openblas_get_corename())
        let selection: Selection = switch ndyn_openblas_selection() {
        case 1: .corrected
        case 2: .userChoice
        case 3: .uncorrected
        default: .detected
        }
        let detected = String(cString: ndyn_openblas_detected_core())
        let warning = String(cString: ndyn_openblas_warning())
        return BLASKernels(configuration: String(cString: openblas_get_config()).trimmingTrailingSpaces, core: core,
                           coreVectorUnits: VectorUnits(openBLASCore: core), threads: Int(openblas_get_num_threads()),
                           selection: selection, detectedCore: detected.isEmpty ? nil : detected,
                           warning: warning.isEmpty ? nil : warning)
    }

    /// Whether the running kernels are below what `processor` supports (the generic fallback on
    /// an AVX2 or AVX-512 CPU, for example).
    public func isSlowerThanCPU(_ processor: Processor = .current) -> Bool {
        guard let cpu = processor.vectorUnits, let kernels = coreVectorUnits else { return false }
        return kernels < cpu
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
