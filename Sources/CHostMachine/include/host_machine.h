// What the CPU can do, which OpenBLAS kernels run, and what this build was compiled for.
// The start-up check (host_machine.c) runs before `main`; Swift reads its findings through
// these functions (module HostMachine).
#pragma once

/// Vector-unit levels, ordered: a CPU or a kernel set at a level can run everything below it.
enum ndyn_vector_level {
    NDYN_VECTOR_SSE = 0,      ///< SSE2/SSE3 only (OpenBLAS's generic x86-64 kernels: Prescott and older)
    NDYN_VECTOR_AVX = 1,      ///< AVX (Sandybridge, Bulldozer family)
    NDYN_VECTOR_AVX2 = 2,     ///< AVX2 + FMA (Haswell, Zen)
    NDYN_VECTOR_AVX512 = 3,   ///< AVX-512 F/CD/BW/DQ/VL (SkylakeX, Cooperlake, Zen 4)
};

/// The highest level this CPU *and* its operating system support (CPUID plus XGETBV), or -1
/// when the features cannot be read (not x86-64).
int ndyn_cpu_vector_level(void);
/// The level of an OpenBLAS core name (`openblas_get_corename()`), or -1 for a name not known here.
int ndyn_openblas_core_level(const char *core);
/// The OpenBLAS core (`OPENBLAS_CORETYPE` value) to ask for on this CPU, or NULL if none fits.
const char *ndyn_best_openblas_core(void);
/// The CPU's brand string from CPUID (for example "AMD EPYC 9R14 96-Core Processor"); "" if none.
const char *ndyn_cpu_brand(void);
/// The CPU's vendor string from CPUID ("GenuineIntel", "AuthenticAMD"); "" if none.
const char *ndyn_cpu_vendor(void);
/// Space-separated vector features found (e.g. "sse4_2 avx avx2 fma avx512f ...").
const char *ndyn_cpu_features(void);

/// The level this binary was compiled for (from the compiler's -march macros), and its name.
int ndyn_build_vector_level(void);

/// What the start-up check did about OpenBLAS's kernels:
/// 0 kept OpenBLAS's own choice; 1 re-executed the program with a better OPENBLAS_CORETYPE;
/// 2 the user's OPENBLAS_CORETYPE was respected; 3 a better core was needed but could not be set.
int ndyn_openblas_selection(void);
/// The core OpenBLAS picked by itself before any re-execution ("" if not re-executed).
const char *ndyn_openblas_detected_core(void);
/// A warning the start-up check printed on stderr ("" if none), for run records.
const char *ndyn_openblas_warning(void);

/// FFTW's version string (`fftw_version`), e.g. "fftw-3.3.10-sse2-avx".
const char *ndyn_fftw_version(void);
/// Threads FFTW's planner gives new plans (`fftw_planner_nthreads`; 1 until set).
int ndyn_fftw_threads(void);
