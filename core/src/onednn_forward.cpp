#include "ign/onednn_forward.h"

#include "ign/build_config.h"

#ifdef IGN_WITH_ONEDNN
#include <ATen/autocast_mode.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include <torch/version.h>

#include "ign/model.h"

namespace ign {
namespace {

namespace nn = torch::nn;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

// LibTorch 2 holds convolution options in std::variant, 1.x in c10::variant.
#if TORCH_VERSION_MAJOR >= 2
using std::get_if;
#else
using c10::get_if;
#endif

// The layers of f in order: the encoder's, then the decoder's.
std::vector<std::shared_ptr<nn::Module>> layers_of(IgnNetImpl& model) {
    std::vector<std::shared_ptr<nn::Module>> layers;
    for (auto* seq : {&model.encoder, &model.decoder})
        for (auto& layer : **seq) layers.push_back(layer.ptr());
    return layers;
}

bool square_and_plain(const nn::detail::ConvNdOptions<2>& o) {
    const auto& k = *o.kernel_size();
    const auto& s = *o.stride();
    const auto& d = *o.dilation();
    return k[0] == k[1] && s[0] == s[1] && d[0] == 1 && d[1] == 1 && o.groups() == 1 && !o.bias() &&
           get_if<torch::enumtype::kZeros>(&o.padding_mode()) && uniform_padding(o) >= 0;
}

dnnl::engine& cpu_engine() {
    static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

dnnl::memory::dims dims_of(const torch::Tensor& t) { return dnnl::memory::dims(t.sizes().begin(), t.sizes().end()); }

// A tensor of the model (a weight, a norm parameter or statistic) seen by oneDNN in place.
dnnl::memory user_memory(const torch::Tensor& t, tag layout, dnnl::memory::dims dims) {
    return dnnl::memory({dims, dt::f32, layout}, cpu_engine(), t.data_ptr());
}

// One primitive of the chain with its arguments.
struct Step {
    dnnl::primitive primitive;
    std::unordered_map<int, dnnl::memory> args;
    std::string name;  // for profiles: "onednn::convolution 64x14x14 -> 128x7x7"
};

std::string describe(const std::string& kind, const dnnl::memory::dims& in, const dnnl::memory::dims& out) {
    auto image = [](const dnnl::memory::dims& d) {
        std::string text = std::to_string(d[1]);
        for (size_t i = 2; i < d.size(); ++i) text += "x" + std::to_string(d[i]);
        return text;
    };
    return "onednn::" + kind + " " + image(in) + (out == in ? "" : " -> " + image(out));
}

// The channel-blocked layout oneDNN's kernels use on this CPU (16 floats per vector with AVX-512, else 8).
tag blocked_layout() {
    static const tag layout = [] {
        switch (dnnl::get_effective_cpu_isa()) {
            case dnnl::cpu_isa::sse41:
            case dnnl::cpu_isa::avx:
            case dnnl::cpu_isa::avx2:
            case dnnl::cpu_isa::avx2_vnni: return tag::nChw8c;
            default: return tag::nChw16c;
        }
    }();
    return layout;
}

// Per-primitive wall time of every run while on: where one inference spends its time.
struct Profile {
    std::mutex mutex;
    std::atomic<bool> on{false};
    std::map<std::string, std::pair<double, int64_t>> by_name;  // name -> (ms, calls)
};
Profile& profile() {
    static Profile p;
    return p;
}

}  // namespace

// Plans kept for the next call hold their activations' buffers; a batch that needs more than this is
// run once and its plan dropped.
constexpr size_t kMaxCachedPlanBytes = size_t(256) << 20;

struct OneDnnForward::Impl {
    // A weight in the layout its primitive chose, reordered from the module's tensor when that changes.
    struct PackedWeight {
        torch::Tensor source;
        tag source_layout;
        dnnl::memory::dims dims;
        dnnl::memory packed;
        const void* data = nullptr;
        uint32_t version = 0;
    };
    // A norm parameter or statistic read in place: its memory is pointed at the tensor on every run.
    struct Bound {
        dnnl::memory memory;
        torch::Tensor tensor;
    };
    struct Plan {
        std::vector<int64_t> input_shape;
        bool training = false;
        const void* model = nullptr;
        dnnl::memory input, output;
        std::vector<int64_t> output_shape;
        std::vector<Step> steps;
        std::vector<PackedWeight> weights;
        std::vector<Bound> bound;
        size_t scratch_bytes = 0;  // intermediate activations and packed weights it holds
    };

    std::mutex mutex;
    std::deque<Plan> plans;  // most recent first; a few batch sizes (live projection, grids, evaluation)
    dnnl::stream stream{cpu_engine()};

    struct Builder;
    Plan build(IgnNetImpl& model, const torch::Tensor& x);
    void run(Plan& plan, const torch::Tensor& x, torch::Tensor& y);
};

namespace {

// Reorders `current` into `wanted` when the next primitive wants another layout.
dnnl::memory in_layout(dnnl::memory current, const dnnl::memory::desc& wanted,
                       std::vector<Step>& steps) {
    if (current.get_desc() == wanted) return current;
    dnnl::memory converted(wanted, cpu_engine());
    const dnnl::memory::dims dims = wanted.dims();
    steps.push_back({dnnl::reorder(current, converted), {{DNNL_ARG_FROM, current}, {DNNL_ARG_TO, converted}},
                     describe("reorder", dims, dims)});
    return converted;
}

// The same plain-layout buffer seen with other dimensions.
dnnl::memory reshaped(const dnnl::memory& m, const dnnl::memory::dims& dims) {
    return dnnl::memory(m.get_desc().reshape(dims), cpu_engine(), m.get_data_handle());
}

// The activation that follows layer i, fused into it as a post-op where one is; advances i past it.
dnnl::primitive_attr fused_activation(const std::vector<std::shared_ptr<nn::Module>>& layers, size_t& i) {
    dnnl::post_ops ops;
    if (i + 1 < layers.size()) {
        const auto& next = layers[i + 1];
        if (auto* leaky = next->as<nn::LeakyReLU>()) {
            ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, float(leaky->options.negative_slope()), 0.f);
            ++i;
        } else if (next->as<nn::ReLU>()) {
            ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
            ++i;
        } else if (next->as<nn::Tanh>()) {
            ops.append_eltwise(1.f, dnnl::algorithm::eltwise_tanh, 0.f, 0.f);
            ++i;
        }
    }
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    return attr;
}

}  // namespace

// Builds a plan layer by layer; `h` holds the activations so far and `shape` their dimensions.
struct OneDnnForward::Impl::Builder {
    Plan& plan;
    const std::vector<std::shared_ptr<nn::Module>>& layers;
    dnnl::memory h;
    dnnl::memory::dims shape;

    static dnnl::memory::desc any(const dnnl::memory::dims& d) { return dnnl::memory::desc(d, dt::f32, tag::any); }

    // Adds a primitive with a weight: its input reordered into the layout it wants, its weight packed.
    template <class PrimitiveDesc>
    dnnl::memory add_weighted(const PrimitiveDesc& pd, dnnl::primitive primitive, const std::string& kind,
                              const torch::Tensor& weight, tag user_layout, const dnnl::memory::dims& wdims) {
        h = in_layout(h, pd.src_desc(), plan.steps);
        dnnl::memory packed(pd.weights_desc(), cpu_engine());
        plan.weights.push_back({weight, user_layout, wdims, packed});
        dnnl::memory dst(pd.dst_desc(), cpu_engine());
        plan.steps.push_back({primitive, {{DNNL_ARG_SRC, h}, {DNNL_ARG_WEIGHTS, packed}, {DNNL_ARG_DST, dst}},
                              describe(kind, shape, dst.get_desc().dims())});
        return dst;
    }

    // Layer i and, fused into it, the activation after it (i then points at that activation).
    void convolution(nn::Conv2dImpl* c, size_t& i) {
        const int64_t k = c->options.kernel_size()->at(0), s = c->options.stride()->at(0);
        const int64_t p = uniform_padding(c->options), out_channels = c->options.out_channels();
        const dnnl::memory::dims wdims{out_channels, shape[1], k, k};
        const auto attr = fused_activation(layers, i);
        if (k == shape[2] && k == shape[3] && s == 1 && p == 0) {
            // The kernel covers the whole input (the bottleneck): a matrix product, which oneDNN's inner
            // product runs 4x faster than its convolution for a batch of 64.
            const dnnl::memory::dims out{shape[0], out_channels};
            dnnl::inner_product_forward::primitive_desc pd(
                {dnnl::prop_kind::forward_inference, any(shape), any(wdims), {out, dt::f32, tag::nc}}, attr, cpu_engine());
            const auto dst = add_weighted(pd, dnnl::inner_product_forward(pd), "inner_product", c->weight, tag::oihw, wdims);
            shape = {shape[0], out_channels, 1, 1};
            h = reshaped(dst, shape);
            return;
        }
        const dnnl::memory::dims out{shape[0], out_channels, (shape[2] + 2 * p - k) / s + 1,
                                     (shape[3] + 2 * p - k) / s + 1};
        dnnl::convolution_forward::primitive_desc pd(
            {dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, any(shape), any(wdims),
             any(out), {s, s}, {p, p}, {p, p}},
            attr, cpu_engine());
        h = add_weighted(pd, dnnl::convolution_forward(pd), "convolution", c->weight, tag::oihw, wdims);
        shape = out;
    }

    void deconvolution(nn::ConvTranspose2dImpl* d, size_t& i) {
        const int64_t k = d->options.kernel_size()->at(0), s = d->options.stride()->at(0);
        const int64_t p = uniform_padding(d->options), extra = d->options.output_padding()->at(0);
        const int64_t out_channels = d->options.out_channels();
        const auto attr = fused_activation(layers, i);
        if (shape[2] == 1 && shape[3] == 1 && p == 0 && extra == 0) {
            // One input pixel (the decoder's start): a matrix product [N, Cin] x [Cin, Cout*k*k], the
            // weight read in place of LibTorch's [Cin, Cout, k, k].
            const dnnl::memory::dims wdims{out_channels * k * k, shape[1]};
            h = reshaped(in_layout(h, {shape, dt::f32, tag::nchw}, plan.steps), {shape[0], shape[1]});
            dnnl::inner_product_forward::primitive_desc pd(
                {dnnl::prop_kind::forward_inference, h.get_desc(), any(wdims),
                 {{shape[0], out_channels * k * k}, dt::f32, tag::nc}},
                attr, cpu_engine());
            const auto dst = add_weighted(pd, dnnl::inner_product_forward(pd), "inner_product", d->weight, tag::ba, wdims);
            shape = {shape[0], out_channels, k, k};
            h = reshaped(dst, shape);
            return;
        }
        const dnnl::memory::dims out{shape[0], out_channels, (shape[2] - 1) * s - 2 * p + k + extra,
                                     (shape[3] - 1) * s - 2 * p + k + extra};
        const dnnl::memory::dims wdims{out_channels, shape[1], k, k};  // LibTorch stores [in, out, k, k]: iohw
        // oneDNN's blocked kernels pad the output channels to a block of 16: for fewer (the image layer)
        // the plain layout's kernel is 6x faster (64 -> 1 channels, 14 -> 28 pixels: 0.021 vs 0.126 ms).
        const auto dst_desc = out_channels < 16 ? dnnl::memory::desc(out, dt::f32, tag::nchw) : any(out);
        dnnl::deconvolution_forward::primitive_desc pd(
            {dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct, any(shape), any(wdims),
             dst_desc, {s, s}, {p, p}, {p - extra, p - extra}},
            attr, cpu_engine());
        h = add_weighted(pd, dnnl::deconvolution_forward(pd), "deconvolution", d->weight, tag::iohw, wdims);
        shape = out;
    }

    void batch_norm(nn::BatchNorm2dImpl* b, size_t& i) {
        auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
        if (!b->is_training()) flags = flags | dnnl::normalization_flags::use_global_stats;
        const bool fuse_relu = i + 1 < layers.size() && layers[i + 1]->as<nn::ReLU>();
        if (fuse_relu) {
            flags = flags | dnnl::normalization_flags::fuse_norm_relu;
            ++i;
        }
        // After the decoder's first matrix product the activations are plain (NCHW), where oneDNN's
        // normalisation is 20x slower than channel-blocked (64 images: 1.1 vs 0.05 ms); the next
        // convolution wants them blocked anyway. Other layouts (NHWC from a convolution) stay.
        const dnnl::memory::desc plain(shape, dt::f32, tag::nchw);
        if (h.get_desc() == plain && shape[1] >= 16) h = in_layout(h, {shape, dt::f32, blocked_layout()}, plan.steps);
        dnnl::batch_normalization_forward::primitive_desc pd(
            {dnnl::prop_kind::forward_inference, h.get_desc(), float(b->options.eps()), flags}, cpu_engine());
        const dnnl::memory::dims channel{shape[1]};
        Step step{dnnl::batch_normalization_forward(pd), {{DNNL_ARG_SRC, h}},
                  describe(fuse_relu ? "batch_norm+relu" : "batch_norm", shape, shape)};
        auto bind = [&](int arg, const torch::Tensor& t) {
            auto m = user_memory(t, tag::a, channel);
            plan.bound.push_back({m, t});
            step.args[arg] = m;
        };
        bind(DNNL_ARG_SCALE, b->weight);
        bind(DNNL_ARG_SHIFT, b->bias);
        if (b->is_training()) {  // this batch's statistics, into scratch memory
            step.args[DNNL_ARG_MEAN] = dnnl::memory(pd.mean_desc(), cpu_engine());
            step.args[DNNL_ARG_VARIANCE] = dnnl::memory(pd.variance_desc(), cpu_engine());
        } else {
            bind(DNNL_ARG_MEAN, b->running_mean);
            bind(DNNL_ARG_VARIANCE, b->running_var);
        }
        dnnl::memory dst(pd.dst_desc(), cpu_engine());
        step.args[DNNL_ARG_DST] = dst;
        plan.steps.push_back(std::move(step));
        h = dst;
    }

    // An activation that could not be fused into the layer before it, in place.
    void activation(const nn::Module& layer) {
        dnnl::algorithm algorithm = dnnl::algorithm::eltwise_relu;
        float alpha = 0.f;
        std::string kind = "relu";
        if (auto* leaky = layer.as<nn::LeakyReLU>()) alpha = float(leaky->options.negative_slope()), kind = "leaky_relu";
        else if (layer.as<nn::Tanh>()) algorithm = dnnl::algorithm::eltwise_tanh, kind = "tanh";
        else TORCH_CHECK(layer.as<nn::ReLU>(), "oneDNN forward: unsupported layer ", layer.name());
        dnnl::eltwise_forward::primitive_desc pd({dnnl::prop_kind::forward_inference, algorithm, h.get_desc(), alpha, 0.f},
                                                cpu_engine());
        plan.steps.push_back({dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, h}, {DNNL_ARG_DST, h}},  // in place
                              describe(kind, shape, shape)});
    }

    // The output in the caller's plain layout, and the memory the plan holds.
    void finish() {
        plan.output_shape = std::vector<int64_t>(shape.begin(), shape.end());
        plan.output = dnnl::memory({shape, dt::f32, tag::nchw}, cpu_engine(), nullptr);
        plan.steps.push_back({dnnl::reorder(h, plan.output), {{DNNL_ARG_FROM, h}, {DNNL_ARG_TO, plan.output}},
                              describe("reorder", shape, shape)});
        std::set<dnnl_memory_t> not_owned{plan.input.get(), plan.output.get()};  // the caller's and the model's tensors
        for (const auto& b : plan.bound) not_owned.insert(b.memory.get());
        std::set<void*> owned;
        for (const auto& step : plan.steps)
            for (const auto& [arg, m] : step.args)
                if (!not_owned.count(m.get()) && owned.insert(m.get_data_handle()).second)
                    plan.scratch_bytes += m.get_desc().get_size();
    }
};

OneDnnForward::Impl::Plan OneDnnForward::Impl::build(IgnNetImpl& model, const torch::Tensor& x) {
    Plan plan;
    plan.input_shape = x.sizes().vec();
    plan.training = model.is_training();
    plan.model = &model;
    plan.input = dnnl::memory({dims_of(x), dt::f32, tag::nchw}, cpu_engine(), nullptr);
    const auto layers = layers_of(model);
    Builder builder{plan, layers, plan.input, dims_of(x)};
    for (size_t i = 0; i < layers.size(); ++i) {
        const auto& layer = layers[i];
        if (auto* c = layer->as<nn::Conv2d>()) builder.convolution(c, i);
        else if (auto* d = layer->as<nn::ConvTranspose2d>()) builder.deconvolution(d, i);
        else if (auto* b = layer->as<nn::BatchNorm2d>()) builder.batch_norm(b, i);
        else builder.activation(*layer);
    }
    builder.finish();
    return plan;
}

void OneDnnForward::Impl::run(Plan& plan, const torch::Tensor& x, torch::Tensor& y) {
    for (auto& w : plan.weights) {
        if (w.data == w.source.data_ptr() && w.version == w.source._version()) continue;
        auto source = w.source.contiguous();
        auto user = user_memory(source, w.source_layout, w.dims);
        dnnl::reorder(user, w.packed).execute(stream, user, w.packed);
        w.data = w.source.data_ptr();
        w.version = w.source._version();
    }
    for (auto& b : plan.bound) b.memory.set_data_handle(b.tensor.data_ptr());
    plan.input.set_data_handle(x.data_ptr());
    plan.output.set_data_handle(y.data_ptr());
    if (!profile().on) {
        for (auto& step : plan.steps) step.primitive.execute(stream, step.args);
        stream.wait();
        return;
    }
    for (auto& step : plan.steps) {
        const auto start = std::chrono::steady_clock::now();
        step.primitive.execute(stream, step.args);
        stream.wait();
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        std::lock_guard<std::mutex> lock(profile().mutex);
        auto& entry = profile().by_name[step.name];
        entry.first += ms;
        entry.second += 1;
    }
}

void OneDnnForward::start_profile() {
    std::lock_guard<std::mutex> lock(profile().mutex);
    profile().by_name.clear();
    profile().on = true;
}

std::vector<OneDnnForward::PrimitiveTime> OneDnnForward::stop_profile() {
    std::lock_guard<std::mutex> lock(profile().mutex);
    profile().on = false;
    std::vector<PrimitiveTime> times;
    for (const auto& [name, v] : profile().by_name) times.push_back({name, v.first, v.second});
    std::sort(times.begin(), times.end(), [](const auto& a, const auto& b) { return a.ms > b.ms; });
    return times;
}

OneDnnForward::OneDnnForward() : m_impl(std::make_unique<Impl>()) {}
OneDnnForward::~OneDnnForward() = default;

bool OneDnnForward::applies(IgnNetImpl& model, const torch::Tensor& x) {
    if (torch::GradMode::is_enabled() || !x.device().is_cpu() || x.scalar_type() != torch::kFloat || x.dim() != 4 ||
        at::autocast::is_cpu_enabled())
        return false;
    for (const auto& layer : layers_of(model)) {
        bool supported = false;
        if (auto* c = layer->as<nn::Conv2d>()) supported = square_and_plain(c->options);
        else if (auto* d = layer->as<nn::ConvTranspose2d>()) supported = square_and_plain(d->options);
        else if (auto* b = layer->as<nn::BatchNorm2d>())
            supported = b->options.affine() && b->options.track_running_stats();
        else supported = layer->as<nn::LeakyReLU>() || layer->as<nn::ReLU>() || layer->as<nn::Tanh>();
        if (!supported) return false;
    }
    for (const auto& p : model.parameters())
        if (!p.device().is_cpu() || p.scalar_type() != torch::kFloat || !p.is_contiguous()) return false;
    return true;
}

size_t OneDnnForward::cached_plans() const {
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    return m_impl->plans.size();
}

torch::Tensor OneDnnForward::forward(IgnNetImpl& model, const torch::Tensor& x) {
    const auto input = x.contiguous();
    std::lock_guard<std::mutex> lock(m_impl->mutex);
    auto& plans = m_impl->plans;
    auto found = std::find_if(plans.begin(), plans.end(), [&](const Impl::Plan& p) {
        return p.input_shape == input.sizes().vec() && p.training == model.is_training() && p.model == &model;
    });
    if (found == plans.end()) {
        auto plan = m_impl->build(model, input);
        if (plan.scratch_bytes > kMaxCachedPlanBytes) {  // a one-off large batch: its buffers go with it
            auto y = torch::empty(plan.output_shape, input.options());
            m_impl->run(plan, input, y);
            return y;
        }
        plans.push_front(std::move(plan));
        if (plans.size() > 4) plans.pop_back();
    } else if (found != plans.begin()) {
        std::rotate(plans.begin(), found, found + 1);
    }
    auto& plan = plans.front();
    auto y = torch::empty(plan.output_shape, input.options());
    m_impl->run(plan, input, y);
    return y;
}

}  // namespace ign

#else  // a build without oneDNN's headers: LibTorch's path does all inference

namespace ign {
struct OneDnnForward::Impl {};
OneDnnForward::OneDnnForward() = default;
OneDnnForward::~OneDnnForward() = default;
bool OneDnnForward::applies(IgnNetImpl&, const torch::Tensor&) { return false; }
size_t OneDnnForward::cached_plans() const { return 0; }
torch::Tensor OneDnnForward::forward(IgnNetImpl&, const torch::Tensor&) {
    throw std::logic_error("this build has no oneDNN inference (built without libdnnl-dev)");
}
void OneDnnForward::start_profile() {}
std::vector<OneDnnForward::PrimitiveTime> OneDnnForward::stop_profile() { return {}; }
}  // namespace ign

#endif
