#pragma once
// Mixed precision: LibTorch's autocast (as torch.autocast in Python) running the forward passes in
// bfloat16 where the operation allows it, weights, gradients and the optimizer staying in float32.
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace ign {

// "fp32" or "bf16"; throws std::invalid_argument naming the text otherwise.
inline bool bf16_from_string(const std::string& precision) {
    if (precision == "fp32") return false;
    if (precision == "bf16") return true;
    throw std::invalid_argument("unknown precision '" + precision + "' (expected fp32 or bf16)");
}

// Autocast to bfloat16 on `device` for the guard's lifetime (nothing when `enabled` is false).
class BF16Autocast {
public:
    BF16Autocast(const torch::Device& device, bool enabled) : m_cuda(device.is_cuda()), m_enabled(enabled) {
        if (!m_enabled) return;
        if (m_cuda) {
            m_previous_enabled = at::autocast::is_enabled();
            m_previous_dtype = at::autocast::get_autocast_gpu_dtype();
            at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
            at::autocast::set_enabled(true);
        } else {
            m_previous_enabled = at::autocast::is_cpu_enabled();
            m_previous_dtype = at::autocast::get_autocast_cpu_dtype();
            at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
            at::autocast::set_cpu_enabled(true);
        }
        at::autocast::increment_nesting();
    }
    ~BF16Autocast() {
        if (!m_enabled) return;
        if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();  // cached casts of the weights
        if (m_cuda) {
            at::autocast::set_enabled(m_previous_enabled);
            at::autocast::set_autocast_gpu_dtype(m_previous_dtype);
        } else {
            at::autocast::set_cpu_enabled(m_previous_enabled);
            at::autocast::set_autocast_cpu_dtype(m_previous_dtype);
        }
    }
    BF16Autocast(const BF16Autocast&) = delete;
    BF16Autocast& operator=(const BF16Autocast&) = delete;

private:
    bool m_cuda, m_enabled, m_previous_enabled = false;
    at::ScalarType m_previous_dtype = at::kBFloat16;
};

}  // namespace ign
