#include "ign/fast_forward.h"

#include "ign/model.h"

namespace ign {
namespace {
namespace nn = torch::nn;
}  // namespace

torch::Tensor run_network(IgnNetImpl& model, const torch::Tensor& x) {
    return model.fast_paths && model.fast_forward ? model.fast_forward->run(model, x) : model.forward(x);
}

torch::Tensor FastForward::run(IgnNetImpl& model, const torch::Tensor& x) {
    if (OneDnnForward::applies(model, x)) return m_onednn.forward(model, x);
    return run_layers(model.decoder, run_layers(model.encoder, x, 0), model.encoder->size());
}

// The fast paths, each exact (tests/test_fast_paths.cpp):
// - a convolution whose kernel covers its whole input (the 4x4 -> 1x1 bottleneck) is a matrix product;
// - a transposed convolution of a 1x1 input (the 1x1 -> 4x4 decoder start) is a matrix product;
//   for a single image both are matrix-vector products (BLAS gemv is far faster there than gemm);
// - a strided transposed convolution runs as regular convolutions on oneDNN (sub-pixel or per phase);
// - inference on the CPU (no gradients, float32) runs every other convolution on oneDNN with its weight
//   packed once into oneDNN's layout, until the weight changes: LibTorch reorders the weight on every call,
//   which for one image costs more than the convolution itself.
// Inference that OneDnnForward takes (CPU float32 without gradients, no GroupNorm) never gets here.
torch::Tensor FastForward::run_layers(torch::nn::Sequential& layers, torch::Tensor h, size_t first_key) {
    const bool inference = !torch::GradMode::is_enabled();
    const bool packed = inference && h.device().is_cpu() && h.scalar_type() == torch::kFloat && at::hasMKLDNN();
    size_t key = first_key;
    for (auto& layer : *layers) {
        const size_t layer_key = key++ * 16;  // room for the parts of one layer
        const auto module = layer.ptr();
        if (auto* c = module->as<nn::Conv2d>()) {
            const auto& w = c->weight;
            const int64_t stride = c->options.stride()->at(0), padding = uniform_padding(c->options);
            if (h.size(2) == w.size(2) && h.size(3) == w.size(3) && stride == 1 && padding == 0) {
                const auto matrix = w.view({w.size(0), -1});  // [Cout, Cin*k*k]
                h = (h.size(0) == 1 ? torch::mv(matrix, h.flatten()) : torch::matmul(h.flatten(1), matrix.t()))
                        .view({h.size(0), w.size(0), 1, 1});
                continue;
            }
            if (packed && !c->options.bias()) {
                h = packed_conv2d(h, layer_key, w, [&] { return w; }, stride, padding);
                continue;
            }
        } else if (auto* b = module->as<nn::BatchNorm2d>(); b && inference && b->is_training()) {
            // This batch's statistics, as the module would use, without touching the running statistics.
            h = torch::batch_norm(h, b->weight, b->bias, {}, {}, /*training=*/true, 0.0, b->options.eps(), false);
            continue;
        } else if (auto* d = module->as<nn::ConvTranspose2d>()) {
            const auto& w = d->weight;
            const int64_t stride = d->options.stride()->at(0), padding = uniform_padding(d->options);
            if (h.size(2) == 1 && h.size(3) == 1 && padding == 0) {
                const auto matrix = w.view({w.size(0), -1});  // [Cin, Cout*k*k]
                h = (h.size(0) == 1 ? torch::mv(matrix.t(), h.flatten()) : torch::matmul(h.flatten(1), matrix))
                        .view({h.size(0), w.size(1), w.size(2), w.size(3)});
                continue;
            }
            if (stride > 1) {
                if (!packed) {
                    // Training: per phase where the kernel is not a multiple of the stride (2.8 times fewer
                    // multiplications for mnist28's 3x3 layer); one convolution otherwise.
                    h = w.size(2) % stride != 0 ? phase_conv_transpose2d(h, w, stride, padding)
                                                : subpixel_conv_transpose2d(h, w, stride, padding);
                } else {
                    // Inference: always one packed convolution; for one image one call beats four.
                    h = subpixel_conv_transpose2d(h, w, stride, padding,
                                                  [&](const torch::Tensor& in, int part, const auto& make, int64_t pad) {
                                                      return packed_conv2d(in, layer_key + part, w, make, 1, pad);
                                                  });
                }
                continue;
            }
        }
        h = layer.forward(h);
    }
    return h;
}

torch::Tensor FastForward::packed_conv2d(const torch::Tensor& input, size_t key, const torch::Tensor& source,
                                         const std::function<torch::Tensor()>& make_weight, int64_t stride,
                                         int64_t padding) {
    auto& entry = m_packed[key];
    if (!entry.weight.defined() || entry.data != source.data_ptr() || entry.version != source._version()) {
        entry.weight = at::mkldnn_reorder_conv2d_weight(make_weight().contiguous().to_mkldnn(), {padding, padding},
                                                        {stride, stride}, {1, 1}, 1);
        entry.data = source.data_ptr();
        entry.version = source._version();
    }
    return at::mkldnn_convolution(input.contiguous().to_mkldnn(), entry.weight, {}, {padding, padding},
                                  {stride, stride}, {1, 1}, 1)
        .to_dense();
}

torch::Tensor plain_part_conv(const torch::Tensor& input, int, const std::function<torch::Tensor()>& make_weight,
                              int64_t padding) {
    return torch::conv2d(input, make_weight(), {}, 1, padding);
}

namespace {

// weight: [Cin, Cout, k, k]. Output pixel o = i*s - p + t takes input i through tap t. Grouping
// outputs by phase r = (o + p) mod s, phase r sees taps r, r + s, r + 2s ... : a regular
// convolution with K = ceil(k / s) taps per phase (the kernel zero-padded to s*K taps).
torch::Tensor subpixel_weight(const torch::Tensor& weight, int64_t s) {
    const int64_t cin = weight.size(0), cout = weight.size(1), k = weight.size(2);
    const int64_t K = (k + s - 1) / s;
    auto w = weight;
    if (s * K != k) w = torch::constant_pad_nd(w, {0, s * K - k, 0, s * K - k});
    // [Cin, Cout, (j, r), (j, r)] -> flip j -> [Cout, r_h, r_w, Cin, j_h, j_w]
    return w.view({cin, cout, K, s, K, s}).flip({2, 4}).permute({1, 3, 5, 0, 2, 4}).reshape({cout * s * s, cin, K, K});
}

// Output size of a transposed convolution along one dimension.
int64_t transposed_size(int64_t in, int64_t k, int64_t s, int64_t p) { return (in - 1) * s - 2 * p + k; }

}  // namespace

torch::Tensor subpixel_conv_transpose2d(const torch::Tensor& x, const torch::Tensor& weight, int64_t s, int64_t p,
                                        const PartConv& conv) {
    const int64_t k = weight.size(2);
    const int64_t K = (k + s - 1) / s;
    auto y = torch::pixel_shuffle(conv(x, 0, [&] { return subpixel_weight(weight, s); }, K - 1), s);
    const int64_t h_out = transposed_size(x.size(2), k, s, p), w_out = transposed_size(x.size(3), k, s, p);
    // Contiguous: the normalisation that follows is several times slower on a strided view.
    return y.slice(2, p, p + h_out).slice(3, p, p + w_out).contiguous();
}

torch::Tensor phase_conv_transpose2d(const torch::Tensor& x, const torch::Tensor& weight, int64_t s, int64_t p,
                                     const PartConv& conv) {
    // Output pixel o = i*s - p + t. Split outputs by o mod s = r (a phase); o = m*s + r takes taps
    // t = (r + p) mod s + s*j through input i = m + (r + p) div s - j. Each phase is then an ordinary
    // convolution with exactly its own taps, so no multiplication by a zero-padded tap is ever done.
    const int64_t k = weight.size(2);
    struct Phase { int64_t first_tap, taps, pad_before, pad_after; };
    auto phase = [&](int64_t r, int64_t in_size, int64_t out_phase_size) {
        const int64_t first_tap = (r + p) % s, shift = (r + p) / s;
        const int64_t taps = (k - first_tap + s - 1) / s;
        return Phase{first_tap, taps, taps - 1 - shift, out_phase_size + shift - in_size};
    };
    const int64_t h_out = transposed_size(x.size(2), k, s, p), w_out = transposed_size(x.size(3), k, s, p);
    const int64_t mh = (h_out + s - 1) / s, mw = (w_out + s - 1) / s;
    std::vector<torch::Tensor> phases;
    for (int64_t ry = 0; ry < s; ++ry) {
        const auto py = phase(ry, x.size(2), mh);
        for (int64_t rx = 0; rx < s; ++rx) {
            const auto px = phase(rx, x.size(3), mw);
            const auto make_weight = [&] {  // [Cout, Cin, taps_y, taps_x] in convolution order (reversed)
                return weight.slice(2, py.first_tap, k, s).slice(3, px.first_tap, k, s).flip({2, 3}).transpose(0, 1);
            };
            const auto padded = torch::constant_pad_nd(x, {px.pad_before, px.pad_after, py.pad_before, py.pad_after});
            phases.push_back(conv(padded, int(ry * s + rx), make_weight, 0));
        }
    }
    const auto stacked = torch::stack(phases, 2).flatten(1, 2);  // [N, Cout*s*s, mh, mw], phase-minor
    return torch::pixel_shuffle(stacked, s).slice(2, 0, h_out).slice(3, 0, w_out).contiguous();
}

}  // namespace ign
