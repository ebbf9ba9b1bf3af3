#include "ign/model.h"

#include "ign/fast_forward.h"

#include <torch/version.h>

#include <atomic>
#include <cstdlib>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace ign {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(int in, int out, int kernel, int stride, int padding) {
    return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

nn::ConvTranspose2d deconv(int in, int out, int kernel, int stride, int padding) {
    return nn::ConvTranspose2d(
        nn::ConvTranspose2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}

// GroupNorm that also runs under bf16 autocast. LibTorch 1.13's CPU group_norm wants its input and its
// affine parameters in one dtype, and autocast hands it bfloat16 activations with float32 weights
// (BatchNorm takes the mix). So it normalises in the weights' dtype, float32, as autocast does for the
// other normalisations; the next convolution casts down again. Outside autocast nothing changes.
struct AutocastGroupNormImpl : nn::GroupNormImpl {
    using nn::GroupNormImpl::GroupNormImpl;
    torch::Tensor forward(const torch::Tensor& input) {
        return nn::GroupNormImpl::forward(input.scalar_type() == weight.scalar_type() ? input : input.to(weight.scalar_type()));
    }
};
TORCH_MODULE(AutocastGroupNorm);

void add_norm(nn::Sequential& seq, Norm norm, int channels) {
    switch (norm) {
        case Norm::Batch: seq->push_back(nn::BatchNorm2d(channels)); break;
        case Norm::Group: seq->push_back(AutocastGroupNorm(std::gcd(channels, 32), channels)); break;
        case Norm::None: break;
    }
}

void add_leaky(nn::Sequential& seq) {
    seq->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2).inplace(true)));
}

void add_relu(nn::Sequential& seq) { seq->push_back(nn::ReLU(nn::ReLUOptions().inplace(true))); }

bool is_power_of_two(int v) { return v > 0 && (v & (v - 1)) == 0; }

void validate(const ModelOptions& o) {
    std::ostringstream problem;
    if (o.channels != 1 && o.channels != 3) problem << "channels must be 1 or 3 (got " << o.channels << ")";
    else if (o.image_size != 28 && !(is_power_of_two(o.image_size) && o.image_size >= 16 && o.image_size <= 256))
        problem << "image size must be 28 or a power of two from 16 to 256 (got " << o.image_size << ")";
    else if (o.width < 1 || o.width > 1024) problem << "width must be 1..1024 (got " << o.width << ")";
    else if (o.latent < 1 || o.latent > 8192) problem << "latent must be 1..8192 (got " << o.latent << ")";
    if (!problem.str().empty()) throw std::invalid_argument("model options: " + problem.str());
}

// 1x28x28 -> 14 -> 7 -> 4 -> 1x1 bottleneck, and back (docs/method.md, mnist28).
void build_mnist28(const ModelOptions& o, nn::Sequential& enc, nn::Sequential& dec) {
    const int nf = o.width;
    enc->push_back(conv(o.channels, nf, 4, 2, 1));
    add_leaky(enc);
    enc->push_back(conv(nf, nf * 2, 4, 2, 1));
    add_norm(enc, o.norm, nf * 2);
    add_leaky(enc);
    enc->push_back(conv(nf * 2, nf * 4, 3, 2, 1));
    add_norm(enc, o.norm, nf * 4);
    add_leaky(enc);
    enc->push_back(conv(nf * 4, o.latent, 4, 1, 0));

    dec->push_back(deconv(o.latent, nf * 4, 4, 1, 0));
    add_norm(dec, o.norm, nf * 4);
    add_relu(dec);
    dec->push_back(deconv(nf * 4, nf * 2, 3, 2, 1));
    add_norm(dec, o.norm, nf * 2);
    add_relu(dec);
    dec->push_back(deconv(nf * 2, nf, 4, 2, 1));
    add_norm(dec, o.norm, nf);
    add_relu(dec);
    dec->push_back(deconv(nf, o.channels, 4, 2, 1));
    dec->push_back(nn::Tanh());
}

// DCGAN discriminator as encoder, DCGAN generator as decoder: S -> S/2 ... -> 4 -> 1x1 and back.
void build_dcgan(const ModelOptions& o, nn::Sequential& enc, nn::Sequential& dec) {
    int downs = 0;
    for (int s = o.image_size; s > 4; s /= 2) ++downs;
    const int nf = o.width;
    enc->push_back(conv(o.channels, nf, 4, 2, 1));
    add_leaky(enc);
    for (int i = 1; i < downs; ++i) {
        enc->push_back(conv(nf << (i - 1), nf << i, 4, 2, 1));
        add_norm(enc, o.norm, nf << i);
        add_leaky(enc);
    }
    const int top = nf << (downs - 1);
    enc->push_back(conv(top, o.latent, 4, 1, 0));

    dec->push_back(deconv(o.latent, top, 4, 1, 0));
    add_norm(dec, o.norm, top);
    add_relu(dec);
    for (int i = downs - 1; i >= 1; --i) {
        dec->push_back(deconv(nf << i, nf << (i - 1), 4, 2, 1));
        add_norm(dec, o.norm, nf << (i - 1));
        add_relu(dec);
    }
    dec->push_back(deconv(nf, o.channels, 4, 2, 1));
    dec->push_back(nn::Tanh());
}

// DCGAN initialisation: conv weights N(0, 0.02), norm scale N(1, 0.02), biases 0.
void initialise(torch::nn::Module& root) {
    torch::NoGradGuard no_grad;
    for (auto& module : root.modules(/*include_self=*/false)) {
        if (auto* c = module->as<nn::Conv2d>()) c->weight.normal_(0.0, 0.02);
        else if (auto* d = module->as<nn::ConvTranspose2d>()) d->weight.normal_(0.0, 0.02);
        else if (auto* b = module->as<nn::BatchNorm2d>()) { b->weight.normal_(1.0, 0.02); b->bias.zero_(); }
        else if (auto* g = module->as<nn::GroupNorm>()) { g->weight.normal_(1.0, 0.02); g->bias.zero_(); }
    }
}

}  // namespace

IgnNetImpl::IgnNetImpl(const ModelOptions& opts) : options(opts) {
    validate(options);
    encoder = nn::Sequential();
    decoder = nn::Sequential();
    if (options.image_size == 28) build_mnist28(options, encoder, decoder);
    else build_dcgan(options, encoder, decoder);
    register_module("encoder", encoder);
    register_module("decoder", decoder);
    initialise(*this);
    fast_forward = std::make_shared<FastForward>();
}

int64_t uniform_padding(const nn::detail::ConvNdOptions<2>& options) {
#if TORCH_VERSION_MAJOR >= 2
    const auto* padding = std::get_if<torch::ExpandingArray<2>>(&options.padding());  // LibTorch 2: std::variant
#else
    const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&options.padding());
#endif
    return padding && (*padding)->at(0) == (*padding)->at(1) ? (*padding)->at(0) : -1;
}

int64_t parameter_count(torch::nn::Module& module) {
    int64_t n = 0;
    for (const auto& p : module.parameters()) n += p.numel();
    return n;
}

void copy_state_in_place(torch::nn::Module& from, torch::nn::Module& to) {
    torch::NoGradGuard no_grad;
    auto src_params = from.parameters();
    auto dst_params = to.parameters();
    auto src_buffers = from.buffers();
    auto dst_buffers = to.buffers();
    TORCH_CHECK(src_params.size() == dst_params.size() && src_buffers.size() == dst_buffers.size(),
                "copy_state_in_place: modules differ in structure");
    for (size_t i = 0; i < src_params.size(); ++i) dst_params[i].copy_(src_params[i]);
    for (size_t i = 0; i < src_buffers.size(); ++i) dst_buffers[i].copy_(src_buffers[i]);
}

void check_input_shape(const ModelOptions& o, const torch::Tensor& x, const std::string& what) {
    const bool ok = x.dim() == 4 && x.size(1) == o.channels && x.size(2) == o.image_size &&
                    x.size(3) == o.image_size;
    if (!ok) {
        std::ostringstream s;
        s << what << ": expected a batch of shape [N, " << o.channels << ", " << o.image_size << ", "
          << o.image_size << "] for this model, got " << x.sizes();
        throw std::invalid_argument(s.str());
    }
}


namespace {
std::atomic<bool>& fast_paths_flag() {
    static std::atomic<bool> flag{[] {
        const char* env = std::getenv("IGN_FAST_PATHS");
        return !(env && std::string(env) == "0");
    }()};
    return flag;
}
}  // namespace

bool fast_paths_default() { return fast_paths_flag().load(); }
void set_fast_paths(bool enabled) { fast_paths_flag() = enabled; }

}  // namespace ign

