import Foundation
import Testing
import TestSupport

/// `ndyn info --system`, the start-up choice of OpenBLAS kernels, and the machine in `run.json`.
@Suite struct MachineRecordTests {
    /// The value of `key:` in `ndyn info --system`'s output.
    static func line(_ key: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(key + ":") }.map(String.init)
    }

    @Test func infoSystemNamesCPUAndKernels() throws {
        let result = try CLI.run(["info", "--system"])
        #expect(result.status == 0, "\(result.stderr)")
        let blas = try #require(Self.line("OpenBLAS", in: result.stdout))
        #expect(blas.contains("core "))
        #expect(Self.line("CPU", in: result.stdout) != nil && Self.line("FFTW", in: result.stdout) != nil)
        #expect(Self.line("build", in: result.stdout)?.contains("compiled for") == true)
        let usage = try CLI.run(["info", "--system", "x.nc"])
        #expect(usage.status == 2 && usage.stderr.contains("--system takes no file"))
    }

    #if arch(x86_64)
    /// Where OpenBLAS's detection falls short (simulated: the check is told OpenBLAS chose
    /// Prescott), ndyn restarts itself with the best core for the CPU and says so.
    @Test func genericKernelsAreReplacedAtStartUp() throws {
        let result = try CLI.run(["info", "--system"], environment: ["NDYN_OPENBLAS_ASSUME_DETECTED": "Prescott",
                                                                     "OPENBLAS_CORETYPE": nil])
        #expect(result.status == 0, "\(result.stderr)")
        let blas = try #require(Self.line("OpenBLAS", in: result.stdout))
        #expect(blas.contains("set by ndyn at start-up (OpenBLAS had chosen Prescott)"), "\(blas)")
        #expect(!blas.contains("core Prescott"))
        // On a CPU taken to have only AVX2, the choice is an AVX2 core.
        let avx2 = try CLI.run(["info", "--system"], environment: ["NDYN_OPENBLAS_ASSUME_DETECTED": "Prescott",
                                                                   "NDYN_HOST_ASSUME_CPU": "avx2", "OPENBLAS_CORETYPE": nil])
        let avx2Line = try #require(Self.line("OpenBLAS", in: avx2.stdout))
        #expect(avx2Line.contains("core Haswell (AVX2+FMA)") || avx2Line.contains("core Zen (AVX2+FMA)"), "\(avx2Line)")
    }

    @Test func usersCoreTypeIsRespectedWithAWarning() throws {
        let slow = try CLI.run(["info", "--system"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(slow.status == 0)
        #expect(Self.line("OpenBLAS", in: slow.stdout)?.contains("core Prescott (SSE)") == true)
        #expect(slow.stderr.contains("OPENBLAS_CORETYPE=Prescott runs SSE kernels on a CPU with"), "\(slow.stderr)")
        let unknown = try CLI.run(["info", "--system"], environment: ["OPENBLAS_CORETYPE": "Pentium9"])
        #expect(unknown.stderr.contains("OPENBLAS_CORETYPE=Pentium9 is not a core this OpenBLAS knows"), "\(unknown.stderr)")
        // A core the CPU cannot run is refused before it can crash.
        let tooNew = try CLI.run(["info", "--system"], environment: ["OPENBLAS_CORETYPE": "SkylakeX", "NDYN_HOST_ASSUME_CPU": "avx2"])
        #expect(tooNew.status == 2 && tooNew.stderr.contains("(OPENBLAS_CORETYPE=SkylakeX), which need AVX-512; this CPU has AVX2"),
                "\(tooNew.stderr)")
    }

    @Test func runJSONRecordsTheMachine() throws {
        let directory = TemporaryDirectory()
        let scenario = CLI.repository.appendingPathComponent("Scenarios/quickstart.json").path
        let result = try CLI.run(["run", scenario, "--output", directory.path, "--quiet"],
                                 environment: ["NDYN_OPENBLAS_ASSUME_DETECTED": "Prescott", "OPENBLAS_CORETYPE": nil])
        #expect(result.status == 0, "\(result.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.path + "/quickstart/run.json"))
        let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let machine = try #require(record["machine"] as? [String: Any])
        #expect(machine["openblas_core_selection"] as? String == "corrected")
        #expect(machine["openblas_detected_core"] as? String == "Prescott")
        let core = try #require(machine["openblas_core"] as? String)
        #expect(core != "Prescott")
        let cpuUnits = try #require(machine["cpu_vector_units"] as? String)
        if cpuUnits == "AVX2+FMA" || cpuUnits == "AVX-512" {
            #expect(machine["openblas_core_vector_units"] as? String == cpuUnits)
        }
        #expect((machine["openblas_threads"] as? Int ?? 0) >= 1)
        #expect((machine["fftw_version"] as? String)?.hasPrefix("fftw-3") == true)
    }
    #endif
}
