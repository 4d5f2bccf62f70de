// swift-tools-version: 6.0
// NeuralDynamics — neural ODE/PDE and dynamical-systems simulation suite.
// No Swift package dependencies: only the toolchain and Debian's C libraries (found by pkg-config).
import PackageDescription

let package = Package(
    name: "NeuralDynamics",
    products: [
        .executable(name: "ndyn", targets: ["ndyn"]),
        .executable(name: "integrator-bench", targets: ["integrator-bench"]),
        .executable(name: "learning-bench", targets: ["learning-bench"]),
        .executable(name: "fluids-bench", targets: ["fluids-bench"]),
        .executable(name: "wavelet-bench", targets: ["wavelet-bench"]),
        .executable(name: "transport-bench", targets: ["transport-bench"]),
        .library(name: "NetCDF", targets: ["NetCDF"]),
        .library(name: "Integrators", targets: ["Integrators"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "NeuralODE", targets: ["NeuralODE"]),
        .library(name: "Scenarios", targets: ["Scenarios"]),
        .library(name: "IntegratorScenarios", targets: ["IntegratorScenarios"]),
        .library(name: "NeuralODEScenarios", targets: ["NeuralODEScenarios"]),
        .library(name: "CellFlowScenarios", targets: ["CellFlowScenarios"]),
        .library(name: "FluidsScenarios", targets: ["FluidsScenarios"]),
        .library(name: "WaveletDiffusionScenarios", targets: ["WaveletDiffusionScenarios"]),
        .library(name: "TemporalStencilScenarios", targets: ["TemporalStencilScenarios"]),
        .library(name: "MPI", targets: ["MPI"]),
        .library(name: "CellFlow", targets: ["CellFlow"]),
        .library(name: "Fluids", targets: ["Fluids"]),
        .library(name: "WaveletDiffusion", targets: ["WaveletDiffusion"]),
        .library(name: "Transport", targets: ["Transport"]),
        .library(name: "MetaFlowMatching", targets: ["MetaFlowMatching"]),
        .library(name: "MetaFlowMatchingScenarios", targets: ["MetaFlowMatchingScenarios"]),
        .library(name: "TrafficODE", targets: ["TrafficODE"]),
        .library(name: "TrafficODEScenarios", targets: ["TrafficODEScenarios"]),
    ],
    targets: [
        // System libraries: one shim per C library, found through pkg-config.
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CNetCDF", pkgConfig: "netcdf", providers: [.apt(["libnetcdf-dev"])]),
        .systemLibrary(name: "CKLU", providers: [.apt(["libsuitesparse-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

        // The machine: CPU features, OpenBLAS's kernel choice (corrected at start-up), build target.
        .target(name: "CHostMachine", dependencies: ["CBLAS", "CFFTW"]),
        .target(name: "HostMachine", dependencies: ["CHostMachine", "CBLAS"]),

        // Core modules.
        .target(name: "Randomness"),
        .target(name: "NetCDF", dependencies: ["CNetCDF"]),
        .target(name: "Integrators", dependencies: ["Randomness", "NetCDF", "CLAPACKE", "CKLU", "HostMachine"]),
        .target(name: "Tensors", dependencies: ["Randomness", "CBLAS", "NetCDF", "HostMachine", "Spectral"]),
        .target(name: "ReferenceProblems", dependencies: ["Integrators", "Spectral"]),
        .target(name: "Transport", dependencies: ["CBLAS"]),
        .target(name: "NeuralODE", dependencies: ["Integrators", "Tensors", "Randomness", "NetCDF"]),
        .target(name: "MPI", dependencies: ["CMPI"]),

        .target(name: "Spectral", dependencies: ["CFFTW"]),

        // Domain modules.
        .target(name: "Fluids", dependencies: ["Spectral", "CFFTW", "Integrators", "NetCDF"]),
        .target(name: "WaveletDiffusion", dependencies: ["Fluids", "Spectral", "Tensors", "Integrators", "NetCDF", "Randomness"]),
        .target(name: "MetaFlowMatching", dependencies: ["Transport", "Tensors", "Integrators", "Randomness", "NetCDF"]),
        .target(name: "TrafficODE", dependencies: ["Tensors", "Integrators", "NeuralODE", "Randomness", "NetCDF"]),
        .target(name: "TemporalStencil", dependencies: ["Spectral", "Tensors", "NetCDF"]),
        .target(name: "CellFlow", dependencies: ["Randomness", "CLAPACKE", "NetCDF", "HostMachine"]),

        // The scenario core (schema, JSON, validation, runner, checkpoints, sweeps, the ScenarioKind
        // protocol and registry) knows no domain; each domain's adapter maps parameters onto its API.
        .target(name: "Scenarios", dependencies: ["NetCDF", "MPI", "Randomness", "HostMachine"]),
        .target(name: "IntegratorScenarios", dependencies: ["Scenarios", "Integrators", "ReferenceProblems", "NetCDF"]),
        .target(name: "NeuralODEScenarios", dependencies: ["Scenarios", "NeuralODE", "Integrators", "Tensors", "Randomness", "NetCDF", "MPI"]),
        .target(name: "CellFlowScenarios", dependencies: ["Scenarios", "CellFlow", "NetCDF"]),
        .target(name: "FluidsScenarios", dependencies: ["Scenarios", "Fluids", "Spectral", "NetCDF"]),
        .target(name: "WaveletDiffusionScenarios", dependencies: ["Scenarios", "WaveletDiffusion", "Fluids", "NetCDF", "Randomness", "Tensors", "Spectral"]),
        .target(name: "TemporalStencilScenarios", dependencies: ["Scenarios", "TemporalStencil", "Tensors", "Randomness", "NetCDF"]),
        .target(name: "MetaFlowMatchingScenarios", dependencies: ["Scenarios", "MetaFlowMatching", "Tensors", "Integrators", "NetCDF"]),
        .target(name: "TrafficODEScenarios", dependencies: ["Scenarios", "TrafficODE", "Tensors", "NetCDF"]),
        // The thin CLI joins the adapters' kinds.
        .executableTarget(name: "ndyn", dependencies: ["Scenarios", "IntegratorScenarios", "NeuralODEScenarios", "CellFlowScenarios",
                                                       "FluidsScenarios", "TemporalStencilScenarios", "WaveletDiffusionScenarios", "MetaFlowMatchingScenarios", "TrafficODEScenarios", "MPI", "HostMachine"]),

        // Benchmarks (release builds only; see Benchmarks/README.md).
        .executableTarget(name: "integrator-bench", dependencies: ["Integrators", "ReferenceProblems"],
                          path: "Benchmarks/IntegratorBenchmarks"),
        .executableTarget(name: "fluids-bench", dependencies: ["Fluids", "Spectral", "HostMachine"], path: "Benchmarks/FluidsBenchmarks"),
        .executableTarget(name: "transport-bench", dependencies: ["Transport", "MetaFlowMatching", "Tensors"], path: "Benchmarks/TransportBenchmarks"),
        .executableTarget(name: "traffic-bench", dependencies: ["TrafficODE", "Tensors"], path: "Benchmarks/TrafficBenchmarks"),
        .executableTarget(name: "wavelet-bench", dependencies: ["Spectral", "Tensors", "Integrators", "WaveletDiffusion"], path: "Benchmarks/WaveletBenchmarks"),
        .executableTarget(name: "learning-bench", dependencies: ["Integrators", "Tensors", "NeuralODE", "HostMachine", "CBLAS"],
                          path: "Benchmarks/LearningBenchmarks"),

        // Tests: one target per module, plus end-to-end CLI tests, sharing small helpers.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SystemLibrariesTests", dependencies: ["CFFTW", "CBLAS", "CLAPACKE"]),
        .testTarget(name: "HostMachineTests", dependencies: ["HostMachine", "CBLAS"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "Randomness", "NetCDF", "TestSupport", "Spectral"]),
        .testTarget(name: "IntegratorsTests", dependencies: ["Integrators", "Randomness", "ReferenceProblems", "NetCDF", "TestSupport"]),
        .testTarget(name: "NeuralODETests", dependencies: ["NeuralODE", "Integrators", "Tensors"]),
        .testTarget(name: "SpectralTests", dependencies: ["Spectral", "CFFTW"]),
        .testTarget(name: "FluidsTests", dependencies: ["Fluids", "Spectral", "Integrators"]),
        .testTarget(name: "WaveletDiffusionTests", dependencies: ["WaveletDiffusion", "Fluids", "Spectral", "Tensors", "Integrators"]),
        .testTarget(name: "TemporalStencilTests", dependencies: ["TemporalStencil", "Fluids", "Spectral", "CLAPACKE", "Tensors", "Randomness"]),
        .testTarget(name: "CellFlowTests", dependencies: ["CellFlow", "Integrators", "Randomness", "NetCDF", "TestSupport"]),
        .testTarget(name: "NetCDFTests", dependencies: ["NetCDF", "TestSupport"]),
        .testTarget(name: "TransportTests", dependencies: ["Transport", "Randomness"]),
        .testTarget(name: "TrafficODETests", dependencies: ["TrafficODE", "Randomness"]),
        .testTarget(name: "MetaFlowMatchingTests", dependencies: ["MetaFlowMatching", "Transport", "Tensors", "Integrators", "Randomness"]),
        .target(name: "ScenarioTestSupport", dependencies: ["Scenarios", "IntegratorScenarios", "NeuralODEScenarios", "CellFlowScenarios",
                                                         "FluidsScenarios", "TemporalStencilScenarios", "WaveletDiffusionScenarios", "MetaFlowMatchingScenarios", "TrafficODEScenarios"],
                path: "Tests/ScenarioTestSupport"),
        .testTarget(name: "ScenariosTests", dependencies: ["Scenarios", "ScenarioTestSupport", "NetCDF", "TestSupport"]),
        .testTarget(name: "IntegratorScenariosTests", dependencies: ["IntegratorScenarios", "Scenarios", "ScenarioTestSupport", "Integrators", "NetCDF", "TestSupport"]),
        .testTarget(name: "NeuralODEScenariosTests", dependencies: ["NeuralODEScenarios", "Scenarios", "ScenarioTestSupport", "NeuralODE", "Tensors", "Randomness", "NetCDF", "TestSupport"]),
        .testTarget(name: "CellFlowScenariosTests", dependencies: ["CellFlowScenarios", "Scenarios", "ScenarioTestSupport", "CellFlow", "NetCDF", "TestSupport"]),
        .testTarget(name: "FluidsScenariosTests", dependencies: ["FluidsScenarios", "Scenarios", "ScenarioTestSupport", "Fluids", "NetCDF", "TestSupport"]),
        .testTarget(name: "WaveletDiffusionScenariosTests", dependencies: ["WaveletDiffusionScenarios", "Scenarios", "ScenarioTestSupport", "WaveletDiffusion", "NetCDF", "TestSupport", "Randomness"]),
        .testTarget(name: "TemporalStencilScenariosTests", dependencies: ["TemporalStencilScenarios", "Scenarios", "ScenarioTestSupport", "TemporalStencil", "Tensors", "NetCDF", "TestSupport"]),
        .testTarget(name: "TrafficODEScenariosTests", dependencies: ["TrafficODEScenarios", "TrafficODE", "Scenarios", "ScenarioTestSupport", "NetCDF", "TestSupport"]),
        .testTarget(name: "MetaFlowMatchingScenariosTests", dependencies: ["MetaFlowMatchingScenarios", "MetaFlowMatching", "Scenarios", "ScenarioTestSupport", "NetCDF", "TestSupport"]),
        .testTarget(name: "ndynTests", dependencies: ["ndyn", "NetCDF", "Scenarios", "TestSupport"]),
    ]
)
