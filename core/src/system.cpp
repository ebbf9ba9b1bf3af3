#include "ign/system.h"
#include "ign/build_config.h"

#include <ATen/Parallel.h>
#include <cpuid.h>
#include <dlfcn.h>
#include <torch/torch.h>
#ifdef IGN_WITH_OPENCV
#include <opencv2/core/utility.hpp>
#endif
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <thread>

#include "ign/version.h"

namespace ign {
namespace {

const char* detected_core_type() {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
    return nullptr;
}

// OpenBLAS's own report, found at run time so nothing links against OpenBLAS directly.
std::string openblas_query(const char* symbol) {
    using Fn = char* (*)();
    if (auto fn = reinterpret_cast<Fn>(dlsym(RTLD_DEFAULT, symbol))) {
        const char* text = fn();
        return text ? text : "";
    }
    return "";
}

std::string opencv_version() {
#ifdef IGN_WITH_OPENCV
    return cv::getVersionString();
#else
    return "none (headless build)";
#endif
}

}  // namespace

void ensure_blas_core_type(int argc, char** argv) {
    (void)argc;
    if (std::getenv("IGN_NO_REEXEC") || std::getenv("OPENBLAS_CORETYPE")) return;
    const char* core = detected_core_type();
    if (!core) return;
    setenv("OPENBLAS_CORETYPE", core, 1);
    setenv("IGN_NO_REEXEC", "1", 1);  // never loop
    execv("/proc/self/exe", argv);
    // execv failed: carry on with the detected kernels; only speed is affected.
}

int configure_threads(int threads) {
    const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
    const int n = threads > 0 ? threads : cores;
    at::set_num_threads(n);
    return at::get_num_threads();
}

bool cpu_computes_bf16() {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx512f")) return false;  // also says the OS saves the AVX-512 state
    unsigned a = 0, b = 0, c = 0, d = 0;
    const bool avx512_bf16 = __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & (1u << 5));
    const bool amx_bf16 = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (d & (1u << 22));
    return avx512_bf16 || amx_bf16;
}

std::string resolve_device(const std::string& requested, std::string* note) {
    if (requested != "cpu" && requested != "cuda" && requested != "auto")
        throw std::invalid_argument("unknown device '" + requested + "' (expected cpu, cuda or auto)");
    const bool cuda = torch::cuda::is_available();
    if (requested == "cuda" && !cuda && note)
        *note = "no CUDA device is available to this LibTorch build; using the CPU";
    return (requested != "cpu" && cuda) ? "cuda" : "cpu";
}

std::string library_versions() {
    const auto blas = openblas_query("openblas_get_config");
    return std::string("LibTorch ") + TORCH_VERSION + "\n" + "OpenCV " + opencv_version() + "\n" +
           (blas.empty() ? std::string("BLAS: not OpenBLAS") : blas);  // "OpenBLAS 0.3.21 ..."
}

std::string system_info() {
    std::ostringstream s;
    s << "ign " << kVersion << "\n"
      << "LibTorch:   " << TORCH_VERSION << " (C++ API)\n"
      << "OpenCV:     " << opencv_version() << "\n"
      << "threads:    " << at::get_num_threads() << " intra-op (" << std::thread::hardware_concurrency()
      << " cores)\n";
    const char* coretype = std::getenv("OPENBLAS_CORETYPE");
    const auto core = openblas_query("openblas_get_corename");
    const auto config = openblas_query("openblas_get_config");
    s << "BLAS:       " << (config.empty() ? "not OpenBLAS (install libopenblas0-openmp)" : "OpenBLAS " + config) << "\n"
      << "BLAS core:  " << (core.empty() ? "?" : core)
      << (coretype ? std::string(" (OPENBLAS_CORETYPE=") + coretype + ")" : std::string(" (detected by OpenBLAS)"))
      << "\n"
      << "oneDNN:     " << (at::hasMKLDNN() ? "available" : "not available") << "\n"
      << "bfloat16:   " << (cpu_computes_bf16() ? "in hardware (--precision auto trains in bf16)" : "not in hardware (--precision auto trains in fp32)") << "\n"
      << "CUDA:       " << (torch::cuda::is_available() ? "available" : "not available") << "\n"
      << "\n" << at::get_parallel_info();
    return s.str();
}

std::string system_summary() {
    std::ostringstream s;
    const auto core = openblas_query("openblas_get_corename");
    s << at::get_num_threads() << " threads, " << (core.empty() ? "BLAS ?" : "OpenBLAS " + core) << ", oneDNN "
      << (at::hasMKLDNN() ? "on" : "off");
    return s.str();
}

}  // namespace ign
