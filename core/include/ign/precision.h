#pragma once
// Mixed precision: LibTorch's autocast (as torch.autocast in Python) running the forward passes in
// bfloat16 where the operation allows it, weights, gradients and the optimizer staying in float32.
#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include "ign/model.h"
#include "ign/system.h"

#include <stdexcept>
#include <string>

namespace ign {

// "fp32" or "bf16" (after resolve_precision); throws std::invalid_argument naming the text otherwise.
inline bool bf16_from_string(const std::string& precision) {
    if (precision == "fp32") return false;
    if (precision == "bf16") return true;
    throw std::invalid_argument("unknown precision '" + precision + "' (expected auto, fp32 or bf16)");
}

// "auto", "fp32" or "bf16" -> "fp32" or "bf16". auto is bf16 autocast where it is a fast path: on a CPU
// that computes bfloat16 in hardware, with the fast paths on (IGN_FAST_PATHS=0 or --precision fp32 turn
// it off); float32 elsewhere (CUDA included, for now: not yet measured there).
inline std::string resolve_precision(const std::string& requested, const torch::Device& device) {
    if (requested != "auto") {
        bf16_from_string(requested);  // refuses an unknown name
        return requested;
    }
    return device.is_cpu() && cpu_computes_bf16() && fast_paths_default() ? "bf16" : "fp32";
}

// Autocast to bfloat16 on `device` for the guard's lifetime (nothing when `enabled` is false).
class BF16Autocast {
public:
    BF16Autocast(const torch::Device& device, bool enabled) : m_type(device.type()), m_enabled(enabled) {
        if (!m_enabled) return;
        m_previous_enabled = is_enabled(m_type);
        m_previous_dtype = dtype(m_type);
        set(m_type, true, at::kBFloat16);
        at::autocast::increment_nesting();
    }
    ~BF16Autocast() {
        if (!m_enabled) return;
        if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();  // cached casts of the weights
        set(m_type, m_previous_enabled, m_previous_dtype);
    }
    BF16Autocast(const BF16Autocast&) = delete;
    BF16Autocast& operator=(const BF16Autocast&) = delete;

private:
    // LibTorch 2.4 made these per device type; 1.x had a CPU and a GPU flavour of each.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    static bool is_enabled(at::DeviceType t) { return at::autocast::is_autocast_enabled(t); }
    static at::ScalarType dtype(at::DeviceType t) { return at::autocast::get_autocast_dtype(t); }
    static void set(at::DeviceType t, bool enabled, at::ScalarType type) {
        at::autocast::set_autocast_dtype(t, type);
        at::autocast::set_autocast_enabled(t, enabled);
    }
#else
    static bool is_enabled(at::DeviceType t) {
        return t == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
    }
    static at::ScalarType dtype(at::DeviceType t) {
        return t == at::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
    }
    static void set(at::DeviceType t, bool enabled, at::ScalarType type) {
        if (t == at::kCUDA) {
            at::autocast::set_autocast_gpu_dtype(type);
            at::autocast::set_enabled(enabled);
        } else {
            at::autocast::set_autocast_cpu_dtype(type);
            at::autocast::set_cpu_enabled(enabled);
        }
    }
#endif
    at::DeviceType m_type;
    bool m_enabled, m_previous_enabled = false;
    at::ScalarType m_previous_dtype = at::kBFloat16;
};

}  // namespace ign
