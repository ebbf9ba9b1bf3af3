#pragma once
// Process-wide settings that change speed several-fold: thread count and OpenBLAS's kernel choice.
#include <string>

namespace ign {

// OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded, and on some CPUs detects an old core
// ("Prescott", no AVX). If the variable is unset and the CPU has AVX-512 or AVX2, this sets it and
// re-executes the program so the library loads with the right kernels. Call first thing in main().
// Does nothing when IGN_NO_REEXEC is set or the variable is already set.
void ensure_blas_core_type(int argc, char** argv);

// Whether this CPU computes bfloat16 products in hardware (AVX512-BF16 or AMX-BF16), where
// `--precision auto` trains under bfloat16 autocast.
bool cpu_computes_bf16();

// Threads for LibTorch's intra-op pool (and OpenMP). 0 means all cores. Returns the count set.
int configure_threads(int threads);

// "cpu", "cuda" or "auto" -> the device to use. A CUDA request without a CUDA device falls back to the
// CPU; `note` then says so (for the log).
std::string resolve_device(const std::string& requested, std::string* note = nullptr);

// The libraries this build uses, one per line: "LibTorch 1.13.0", "OpenCV 4.6.0", "OpenBLAS ...".
std::string library_versions();

// Threads, BLAS core, oneDNN, OpenMP and LibTorch versions as text (ign info --system).
std::string system_info();

// A short form for the status bar and logs: "2 threads, OpenBLAS SkylakeX, oneDNN on".
std::string system_summary();

}  // namespace ign
