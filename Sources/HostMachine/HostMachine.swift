import CHostMachine
import Foundation

/// The machine a run ran on, as recorded in `run.json`, `ndyn info --system` and BENCHMARKS.md:
/// the CPU and its vector units, the BLAS kernels and threads, FFTW, and the build's target.
public struct HostMachine: Sendable {
    public let processor: Processor
    public let blas: BLASKernels
    /// `fftw_version`, e.g. `"fftw-3.3.10-sse2-avx"`.
    public let fftwVersion: String
    /// Threads FFTW's planner gives new plans (`fftw_planner_nthreads`).
    public let fftwThreads: Int
    public let build: BuildTarget

    /// This process now (`fftwThreads` replaces FFTW's own count, for tests).
    public static func current(fftwThreads: Int? = nil) -> HostMachine {
        HostMachine(processor: .current, blas: .current, fftwVersion: fftwVersionString,
                    fftwThreads: fftwThreads ?? Int(ndyn_fftw_threads()), build: .current)
    }

    static var fftwVersionString: String { String(cString: ndyn_fftw_version()) }

    /// Name–value pairs in a fixed order (the keys of `run.json`'s `machine` object).
    public var fields: [(key: String, value: String)] {
        var fields: [(String, String)] = [
            ("cpu_model", processor.model.isEmpty ? "unknown" : processor.model),
            ("cpu_vendor", processor.vendor.isEmpty ? "unknown" : processor.vendor),
            ("cpu_vector_units", processor.vectorUnits?.description ?? "unknown"),
            ("cpu_features", processor.features.joined(separator: " ")),
            ("logical_processors", String(processor.activeProcessorCount)),
            ("openblas_version", blas.version),
            ("openblas_core", blas.core),
            ("openblas_core_vector_units", blas.coreVectorUnits?.description ?? "unknown"),
            ("openblas_core_selection", blas.selection.rawValue),
            ("openblas_threads", String(blas.threads)),
        ]
        if let detected = blas.detectedCore { fields.append(("openblas_detected_core", detected)) }
        if let warning = blas.warning { fields.append(("warning", warning)) }
        fields += [
            ("fftw_version", fftwVersion),
            ("fftw_threads", String(fftwThreads)),
            ("build", build.configuration),
            ("build_vector_units", build.vectorUnits.description),
        ]
        return fields
    }

    /// A few lines for people (`ndyn info --system`, the top of BENCHMARKS.md).
    public var summary: String {
        var lines = [
            "CPU:      \(processor.model.isEmpty ? "unknown model" : processor.model) (\(processor.vendor)), "
                + "\(processor.activeProcessorCount) logical processors, vector units \(processor.vectorUnits?.description ?? "unknown")",
            "features: \(processor.features.joined(separator: " "))",
            "OpenBLAS: \(blas.version), core \(blas.core) (\(blas.coreVectorUnits?.description ?? "unknown")), "
                + "\(blas.threads) thread\(blas.threads == 1 ? "" : "s"), \(selectionText)",
            "FFTW:     \(fftwVersion), \(fftwThreads) thread\(fftwThreads == 1 ? "" : "s")",
            "build:    \(build.configuration), compiled for \(build.vectorUnits)",
        ]
        if let warning = blas.warning { lines.append("warning:  \(warning)") }
        return lines.joined(separator: "\n")
    }

    var selectionText: String {
        switch blas.selection {
        case .detected: "chosen by OpenBLAS"
        case .corrected: "set by ndyn at start-up (OpenBLAS had chosen \(blas.detectedCore ?? "?"))"
        case .userChoice: "from the user's OPENBLAS_CORETYPE"
        case .uncorrected: "slower than this CPU allows (OpenBLAS chose it; could not restart)"
        }
    }
}
