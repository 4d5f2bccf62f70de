// Start-up check: the CPU's vector units, the build's target, and OpenBLAS's kernel choice.
//
// Debian's OpenBLAS (DYNAMIC_ARCH) picks its kernels from the CPU *model* when the library loads.
// On a CPU model it does not know (a hypervisor that hides the model, a node newer than the
// library) it falls back to its SSE3 "Prescott" kernels: dgemm 3-5x slower, and silently. The
// variable OPENBLAS_CORETYPE overrides the choice, but it is read only while the library loads,
// before any code of ours runs. So this constructor, which runs after libopenblas's own (shared
// libraries a program needs are initialised before the program), compares the core OpenBLAS
// chose with what CPUID says the CPU supports, and if OpenBLAS chose worse, sets
// OPENBLAS_CORETYPE and re-executes the program once (same arguments, same PID). A user's own
// OPENBLAS_CORETYPE is respected. Nothing here allocates or runs before glibc is ready: glibc
// passes (argc, argv, envp) to constructors.
//
// The same constructor refuses, with a message, to run a binary built for vector units this CPU
// lacks (a `make CPU=native` build copied to an older node) instead of dying on SIGILL later.
#define _GNU_SOURCE
#include "host_machine.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

extern char *openblas_get_corename(void);
extern const char fftw_version[];

const char *ndyn_fftw_version(void) { return fftw_version; }

// fftw_planner_nthreads lives in libfftw3_threads, which only programs that use FFTW's threads
// link: look it up rather than link it (absent, plans are single-threaded).
int ndyn_fftw_threads(void) {
    int (*nthreads)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "fftw_planner_nthreads");
    return nthreads ? nthreads() : 1;
}

// Everything here must run on any x86-64 CPU, whatever this file was compiled for.
#if defined(__x86_64__) && defined(__clang__)
#pragma clang attribute push(__attribute__((target("arch=x86-64,no-avx"))), apply_to = function)
#endif

static int selection = 0;
static char detected_core[64] = "";
static char warning[512] = "";
static char brand[49] = "";
static char vendor[13] = "";
static char features[256] = "";
static int cpu_level = -2;  // -2: not yet read

static void append_feature(const char *name) {
    size_t used = strlen(features);
    if (used + strlen(name) + 2 < sizeof features) {
        if (used > 0) strcat(features, " ");
        strcat(features, name);
    }
}

static void read_cpu(void) {
    if (cpu_level != -2) return;
    cpu_level = -1;
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return;
    unsigned max_leaf = a;
    memcpy(vendor, &b, 4); memcpy(vendor + 4, &d, 4); memcpy(vendor + 8, &c, 4); vendor[12] = 0;
    if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000004) {
        unsigned regs[12];
        for (unsigned leaf = 0; leaf < 3; leaf++)
            __get_cpuid(0x80000002 + leaf, &regs[4 * leaf], &regs[4 * leaf + 1], &regs[4 * leaf + 2], &regs[4 * leaf + 3]);
        memcpy(brand, regs, 48); brand[48] = 0;
        // Trim the padding some CPUs put around the name.
        char *start = brand; while (*start == ' ') start++;
        memmove(brand, start, strlen(start) + 1);
        for (size_t n = strlen(brand); n > 0 && brand[n - 1] == ' '; n--) brand[n - 1] = 0;
    }
    if (max_leaf < 1 || !__get_cpuid(1, &a, &b, &c, &d)) return;
    unsigned leaf1c = c;
    unsigned leaf7b = 0, leaf71a = 0;
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d); leaf7b = b;
        unsigned subleaves = a;
        if (subleaves >= 1) { __cpuid_count(7, 1, a, b, c, d); leaf71a = a; }
    }
    // The OS must save the vector registers: XCR0 bits 1-2 (XMM, YMM), 5-7 (opmask, ZMM).
    unsigned long long xcr0 = 0;
    if (leaf1c & (1u << 27)) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = ((unsigned long long)hi << 32) | lo;
    }
    int ymm = (xcr0 & 0x6) == 0x6, zmm = ymm && (xcr0 & 0xe0) == 0xe0;
    int sse3 = leaf1c & 1, sse42 = (leaf1c >> 20) & 1, fma = (leaf1c >> 12) & 1, avx = (leaf1c >> 28) & 1;
    int avx2 = (leaf7b >> 5) & 1, avx512f = (leaf7b >> 16) & 1, avx512dq = (leaf7b >> 17) & 1,
        avx512cd = (leaf7b >> 28) & 1, avx512bw = (leaf7b >> 30) & 1, avx512vl = (leaf7b >> 31) & 1,
        avx512bf16 = (leaf71a >> 5) & 1;
    if (sse3) append_feature("sse3");
    if (sse42) append_feature("sse4_2");
    if (avx) append_feature("avx");
    if (fma) append_feature("fma");
    if (avx2) append_feature("avx2");
    if (avx512f) append_feature("avx512f");
    if (avx512cd) append_feature("avx512cd");
    if (avx512bw) append_feature("avx512bw");
    if (avx512dq) append_feature("avx512dq");
    if (avx512vl) append_feature("avx512vl");
    if (avx512bf16) append_feature("avx512_bf16");
    if (!ymm && avx) append_feature("(os-disabled-avx)");
    int level = NDYN_VECTOR_SSE;
    if (avx && ymm) level = NDYN_VECTOR_AVX;
    if (level == NDYN_VECTOR_AVX && avx2 && fma) level = NDYN_VECTOR_AVX2;
    if (level == NDYN_VECTOR_AVX2 && zmm && avx512f && avx512cd && avx512bw && avx512dq && avx512vl) level = NDYN_VECTOR_AVX512;
    // Tests take the CPU to be older than it is (never newer) to exercise the checks:
    // NDYN_HOST_ASSUME_CPU=sse|avx|avx2|avx512.
    const char *assumed = getenv("NDYN_HOST_ASSUME_CPU");
    if (assumed) {
        static const char *const names[] = {"sse", "avx", "avx2", "avx512"};
        for (int i = 0; i < 4; i++)
            if (strcasecmp(assumed, names[i]) == 0 && i < level) level = i;
    }
    cpu_level = level;
#endif
}

int ndyn_cpu_vector_level(void) { read_cpu(); return cpu_level; }
const char *ndyn_cpu_brand(void) { read_cpu(); return brand; }
const char *ndyn_cpu_vendor(void) { read_cpu(); return vendor; }
const char *ndyn_cpu_features(void) { read_cpu(); return features; }

int ndyn_openblas_core_level(const char *core) {
    static const char *const sse[] = {"Katmai", "Coppermine", "Northwood", "Prescott", "Banias", "Atom", "Core2",
        "Penryn", "Dunnington", "Nehalem", "Athlon", "Opteron", "Opteron_SSE3", "Barcelona", "Bobcat", "Nano", "Generic", 0};
    static const char *const avx[] = {"Sandybridge", "Bulldozer", "Piledriver", "Steamroller", "Excavator", 0};
    static const char *const avx2[] = {"Haswell", "Zen", 0};
    static const char *const avx512[] = {"SkylakeX", "Cooperlake", "SapphireRapids", 0};
    const char *const *tables[] = {sse, avx, avx2, avx512};
    if (!core) return -1;
    for (int level = 0; level < 4; level++)
        for (const char *const *name = tables[level]; *name; name++)
            if (strcasecmp(core, *name) == 0) return level;
    return -1;
}

const char *ndyn_best_openblas_core(void) {
    read_cpu();
    int amd = strcmp(vendor, "AuthenticAMD") == 0 || strcmp(vendor, "HygonGenuine") == 0;
    switch (cpu_level) {
    case NDYN_VECTOR_AVX512: return strstr(features, "avx512_bf16") ? "Cooperlake" : "SkylakeX";
    case NDYN_VECTOR_AVX2: return amd ? "Zen" : "Haswell";
    case NDYN_VECTOR_AVX: return amd ? "Bulldozer" : "Sandybridge";
    default: return NULL;
    }
}

int ndyn_build_vector_level(void) {
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512DQ__) && defined(__AVX512VL__)
    return NDYN_VECTOR_AVX512;
#elif defined(__AVX2__) && defined(__FMA__)
    return NDYN_VECTOR_AVX2;
#elif defined(__AVX__)
    return NDYN_VECTOR_AVX;
#else
    return NDYN_VECTOR_SSE;
#endif
}

int ndyn_openblas_selection(void) { return selection; }
const char *ndyn_openblas_detected_core(void) { return detected_core; }
const char *ndyn_openblas_warning(void) { return warning; }

static const char *level_name(int level) {
    static const char *const names[] = {"SSE", "AVX", "AVX2", "AVX-512"};
    return level >= 0 && level <= 3 ? names[level] : "unknown";
}

extern char *program_invocation_short_name;  // glibc: the program's name, for messages

static void warn(const char *message) {
    snprintf(warning, sizeof warning, "%s", message);
    fprintf(stderr, "%s: %s\n", program_invocation_short_name, message);
}

__attribute__((constructor(101))) static void ndyn_check_host(int argc, char **argv, char **envp) {
    (void)argc; (void)envp;
    if (getenv("NDYN_HOST_CHECK_OFF")) return;
    read_cpu();
    char message[512];
#if defined(__x86_64__)
    if (cpu_level < 0) {
        warn("cannot read this CPU's features (CPUID); OpenBLAS's kernel choice is not checked");
        return;
    }
    int built = ndyn_build_vector_level();
    if (built > cpu_level) {
        fprintf(stderr,
                "%s: this program was built for %s vector units, but this CPU (%s) has only %s.\n"
                "      Rebuild it on this machine (`make build`), or build a portable binary for mixed\n"
                "      clusters with `make build CPU=x86-64` (see README, Performance).\n",
                program_invocation_short_name, level_name(built), brand[0] ? brand : vendor, level_name(cpu_level));
        _exit(1);
    }
#else
    return;  // Only x86-64 OpenBLAS picks kernels by CPU model this way.
#endif
    const char *running = openblas_get_corename();
    int running_level = ndyn_openblas_core_level(running);
    const char *ours = getenv("NDYN_OPENBLAS_DETECTED_CORE");
    const char *requested = getenv("OPENBLAS_CORETYPE");
    const char *best = ndyn_best_openblas_core();

    // Kernels the CPU cannot run (a forced or inherited OPENBLAS_CORETYPE) would die on SIGILL later.
    if (requested && requested[0] && running_level > cpu_level) {
        fprintf(stderr, "%s: OpenBLAS runs %s kernels (OPENBLAS_CORETYPE=%s), which need %s; this CPU has %s. "
                        "Unset OPENBLAS_CORETYPE or use %s\n", program_invocation_short_name, running,
                requested, level_name(running_level), level_name(cpu_level),
                best ? best : "a generic core");
        _exit(2);
    }
    if (ours) {  // Re-executed by us: report what OpenBLAS had chosen by itself.
        snprintf(detected_core, sizeof detected_core, "%s", ours);
        selection = 1;
        // OpenBLAS has read the variable; programs this one starts decide for themselves (a user's
        // choice of theirs must not look like ours).
        unsetenv("NDYN_OPENBLAS_DETECTED_CORE");
        unsetenv("OPENBLAS_CORETYPE");
    } else if (requested && requested[0]) {  // The user's choice is respected, with a word if it hurts.
        selection = 2;
        if (strcasecmp(requested, running) != 0) {
            snprintf(message, sizeof message,
                     "OPENBLAS_CORETYPE=%s is not a core this OpenBLAS knows; it runs %s kernels instead "
                     "(this CPU's best: %s)", requested, running, best ? best : "its own choice");
            warn(message);
        } else if (running_level >= 0 && running_level < cpu_level) {
            snprintf(message, sizeof message,
                     "OPENBLAS_CORETYPE=%s runs %s kernels on a CPU with %s: BLAS-bound work will be %s "
                     "(unset it, or use %s)", requested, level_name(running_level), level_name(cpu_level),
                     running_level == NDYN_VECTOR_SSE ? "several times slower" : "slower",
                     best ? best : "the detected core");
            warn(message);
        }
        return;
    } else {
        // Tests exercise the re-execution on machines where detection works by naming the core
        // OpenBLAS should be taken to have chosen.
        const char *assumed = getenv("NDYN_OPENBLAS_ASSUME_DETECTED");
        int effective_level = assumed ? ndyn_openblas_core_level(assumed) : running_level;
        const char *effective = assumed ? assumed : running;
        // A core name this table does not know (a newer OpenBLAS) is left alone.
        if (best && effective_level >= 0 && effective_level < cpu_level) {
            setenv("OPENBLAS_CORETYPE", best, 1);
            setenv("NDYN_OPENBLAS_DETECTED_CORE", effective, 1);
            unsetenv("NDYN_OPENBLAS_ASSUME_DETECTED");
            execv("/proc/self/exe", argv);
            // Still here: exec failed. Carry on with the slow kernels, but say so.
            unsetenv("OPENBLAS_CORETYPE");
            unsetenv("NDYN_OPENBLAS_DETECTED_CORE");
            selection = 3;
            snprintf(detected_core, sizeof detected_core, "%s", effective);
            snprintf(message, sizeof message,
                     "OpenBLAS chose %s (%s) kernels on a CPU with %s and the program could not restart with "
                     "OPENBLAS_CORETYPE=%s; set it yourself before starting for full speed",
                     effective, level_name(effective_level), level_name(cpu_level), best);
            warn(message);
            return;
        }
    }
    if (running_level >= 0 && running_level < cpu_level) {
        snprintf(message, sizeof message,
                 "OpenBLAS runs %s (%s) kernels although this CPU has %s; BLAS-bound work will be several "
                 "times slower (this OpenBLAS may lack the %s core: check `OPENBLAS_VERBOSE=2`)",
                 running, level_name(running_level), level_name(cpu_level), best ? best : "right");
        warn(message);
    }
}

#if defined(__x86_64__) && defined(__clang__)
#pragma clang attribute pop
#endif

// Freed tensors back to the heap, not to the kernel. Training and integration allocate and free
// buffers of 1-30 MB at every step; glibc returns the top of the heap (trim threshold 128 kB,
// growing) and mmaps large blocks, so each step faulted in and zeroed fresh pages again (18 % of
// a GRAM-ODE epoch in clear_page). Keeping up to 1 GiB of free heap and mmapping only blocks above
// 32 MiB (glibc's largest threshold) measured 5 % off that epoch. A user's own malloc settings
// (GLIBC_TUNABLES, MALLOC_TRIM_THRESHOLD_, MALLOC_MMAP_THRESHOLD_, MALLOC_TOP_PAD_) win, and
// NDYN_MALLOC_DEFAULTS=1 leaves glibc's defaults.
#include <malloc.h>

__attribute__((constructor(102))) static void ndyn_keep_freed_memory(void) {
    if (getenv("NDYN_MALLOC_DEFAULTS") || getenv("GLIBC_TUNABLES") || getenv("MALLOC_TRIM_THRESHOLD_")
        || getenv("MALLOC_MMAP_THRESHOLD_") || getenv("MALLOC_TOP_PAD_")) return;
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
    mallopt(M_TOP_PAD, 64 * 1024 * 1024);
}
