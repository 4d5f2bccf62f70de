import CBLAS
import Foundation
import HostMachine
import Testing

/// The CPU's features as CPUID reports them agree with the kernel's view, OpenBLAS runs kernels
/// that match the CPU, and the record names them.
@Suite struct HostMachineTests {
    /// `flags` of the first processor in /proc/cpuinfo (Linux), or nil.
    static var procFlags: Set<String>? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    @Test func openBLASCoreNamesMapToTheirVectorUnits() {
        #expect(VectorUnits(openBLASCore: "Prescott") == .sse)
        #expect(VectorUnits(openBLASCore: "Nehalem") == .sse)
        #expect(VectorUnits(openBLASCore: "Sandybridge") == .avx)
        #expect(VectorUnits(openBLASCore: "Haswell") == .avx2)
        #expect(VectorUnits(openBLASCore: "zen") == .avx2)
        #expect(VectorUnits(openBLASCore: "SkylakeX") == .avx512)
        #expect(VectorUnits(openBLASCore: "Cooperlake") == .avx512)
        #expect(VectorUnits(openBLASCore: "NoSuchCore") == nil)
        #expect(VectorUnits.sse < .avx2 && VectorUnits.avx2 < .avx512)
    }

    #if arch(x86_64)
    @Test func cpuidFeaturesAgreeWithProcCpuinfo() throws {
        let processor = Processor.current
        let units = try #require(processor.vectorUnits)
        let flags = try #require(Self.procFlags, "no /proc/cpuinfo flags")
        for feature in ["avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl"] {
            #expect(processor.features.contains(feature) == flags.contains(feature), "\(feature)")
        }
        let expected: VectorUnits =
            ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"].allSatisfy(flags.contains) ? .avx512
            : ["avx2", "fma", "avx"].allSatisfy(flags.contains) ? .avx2
            : flags.contains("avx") ? .avx : .sse
        #expect(units == expected)
        #expect(!processor.model.isEmpty && !processor.vendor.isEmpty)
    }

    @Test func openBLASRunsKernelsThatMatchTheCPU() throws {
        let blas = BLASKernels.current
        let processor = Processor.current
        #expect(blas.core == String(cString: openblas_get_corename()))
        #expect(blas.version.hasPrefix("0.") || blas.version.first?.isNumber == true, "\(blas.configuration)")
        // A user's OPENBLAS_CORETYPE is theirs to choose; otherwise the start-up check guarantees
        // kernels at the CPU's level (never the generic fallback on an AVX2 CPU).
        if blas.selection != .userChoice {
            #expect(!blas.isSlowerThanCPU(processor), "core \(blas.core) on \(processor.vectorUnits?.description ?? "?")")
            if let cpu = processor.vectorUnits, cpu >= .avx2 {
                #expect(try #require(blas.coreVectorUnits) >= .avx2)
            }
        }
        #expect(blas.threads >= 1)
    }

    @Test func thisBuildRunsOnThisCPU() throws {
        #expect(BuildTarget.current.vectorUnits <= (try #require(Processor.current.vectorUnits)))
    }
    #endif

    @Test func recordNamesEveryFact() {
        let machine = HostMachine.current(fftwThreads: 3)
        let keys = machine.fields.map(\.key)
        for key in ["cpu_model", "cpu_vector_units", "openblas_version", "openblas_core", "openblas_core_selection",
                    "openblas_threads", "fftw_version", "fftw_threads", "build_vector_units"] {
            #expect(keys.contains(key), "\(key)")
        }
        #expect(machine.fields.first { $0.key == "fftw_threads" }?.value == "3")
        #expect(machine.fftwVersion.hasPrefix("fftw-3"))
        #expect(machine.summary.contains("OpenBLAS: \(machine.blas.version), core \(machine.blas.core)"))
    }
}

/// FFTW's thread count is read from FFTW itself (what a run's plans get).
@Suite struct FFTWThreadRecordTests {
    @Test func fftwThreadsComeFromThePlanner() {
        #expect(HostMachine.current().fftwThreads >= 1)
    }
}
