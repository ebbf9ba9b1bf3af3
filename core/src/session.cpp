#include "ign/session.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "ign/checkpoint.h"
#include "ign/corrupt.h"
#include "ign/data.h"
#include "ign/engine_error.h"
#include "ign/image_io.h"
#include "ign/inference.h"
#include "ign/system.h"
#include "ign/trainer.h"

namespace ign {
namespace {

std::vector<Image8> to_images(const torch::Tensor& batch) {
    std::vector<Image8> images;
    for (int64_t i = 0; i < batch.size(0); ++i) images.push_back(to_image8(batch[i]));
    return images;
}

// 8-bit interleaved -> [1, C, H, W] in [-1, 1].
torch::Tensor to_tensor(const Image8& image) {
    auto t = torch::from_blob(const_cast<uint8_t*>(image.pixels.data()), {image.height, image.width, image.channels},
                              torch::kUInt8);
    return t.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32).div(127.5).sub(1.0).contiguous();
}

Latent to_latent(const torch::Tensor& chw) {
    auto t = chw.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    return {std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel())};
}


}  // namespace

// ------------------------------------------------------------------------------------- ModelSession
struct ModelSession::Impl {
    mutable LoadedCheckpoint checkpoint;  // mutable: a forward pass is not const for LibTorch
    CheckpointSummary summary;
    NoiseSampler noise;
    mutable std::mutex mutex;  // one forward pass at a time: train-mode inference touches BN buffers
    std::string device = "cpu", device_note;

    torch::Tensor latent_tensor(const Latent& latent) const {
        const auto& m = checkpoint.info.model;
        const int64_t expected = int64_t(m.channels) * m.image_size * m.image_size;
        if (int64_t(latent.values.size()) != expected)
            throw std::invalid_argument("latent has " + std::to_string(latent.values.size()) + " values, the model expects " +
                                        std::to_string(expected));
        return torch::from_blob(const_cast<float*>(latent.values.data()), {m.channels, m.image_size, m.image_size},
                                torch::kFloat32)
            .clone();
    }
    torch::Tensor f(const torch::Tensor& x) const {
        std::lock_guard<std::mutex> lock(mutex);
        return explain_torch_errors(
            [&] {
                std::ostringstream s;
                s << "applying the model " << checkpoint.path << " (" << checkpoint.info.model.to_string() << ") on "
                  << device << " to " << x.sizes();
                return s.str();
            },
            [&] { return apply_f(checkpoint.model, x); });
    }
};

ModelSession::ModelSession() : m(std::make_unique<Impl>()) {}
ModelSession::~ModelSession() = default;

std::shared_ptr<ModelSession> ModelSession::open(const std::string& checkpoint_path, const std::string& device) {
    std::shared_ptr<ModelSession> session(new ModelSession());
    auto& impl = *session->m;
    impl.checkpoint = load_checkpoint(checkpoint_path);
    impl.checkpoint.archive.reset();  // the optimizer state is not needed for inference
    impl.device = resolve_device(device, &impl.device_note);
    if (impl.device != "cpu") impl.checkpoint.model->to(torch::Device(impl.device));  // inputs follow, results come back
    const auto& info = impl.checkpoint.info;
    impl.noise = info.noise_sampler();
    impl.summary = info;  // the torch-free part
    return session;
}

CheckpointSummary summarize_checkpoint(const std::string& checkpoint_path) {
    return load_checkpoint(checkpoint_path).info;
}

const std::string& ModelSession::path() const { return m->checkpoint.path; }
const std::string& ModelSession::device() const { return m->device; }
const std::string& ModelSession::device_note() const { return m->device_note; }
const CheckpointSummary& ModelSession::summary() const { return m->summary; }
int ModelSession::channels() const { return m->summary.model.channels; }
int ModelSession::image_size() const { return m->summary.model.image_size; }

std::vector<Latent> ModelSession::noise(int count, uint64_t seed) const {
    const auto z = sample_noise(m->noise, count, seed);
    std::vector<Latent> latents;
    for (int64_t i = 0; i < z.size(0); ++i) latents.push_back(to_latent(z[i]));
    return latents;
}

std::vector<SampleChain> ModelSession::sample(int count, uint64_t seed, int k) const {
    if (count < 1 || k < 1) throw std::invalid_argument("sample needs count >= 1 and k >= 1");
    const auto z = sample_noise(m->noise, count, seed);
    std::vector<torch::Tensor> steps{m->f(z)};
    for (int i = 1; i < k; ++i) steps.push_back(m->f(steps.back()));
    std::vector<SampleChain> chains(static_cast<size_t>(count));
    for (int64_t n = 0; n < count; ++n) {
        auto& c = chains[size_t(n)];
        c.latent = to_latent(z[n]);
        for (size_t i = 0; i < steps.size(); ++i) {
            c.steps.push_back(to_image8(steps[i][n]));
            if (i > 0) c.change.push_back((steps[i][n] - steps[i - 1][n]).abs().mean().item<double>());
        }
    }
    return chains;
}

std::vector<Image8> ModelSession::generate(const std::vector<Latent>& latents) const {
    if (latents.empty()) return {};
    std::vector<torch::Tensor> z;
    for (const auto& latent : latents) z.push_back(m->latent_tensor(latent));
    return to_images(m->f(torch::stack(z)));
}

Latent ModelSession::blend(const Latent& a, const Latent& b, double t, bool spherical) const {
    const auto za = m->latent_tensor(a), zb = m->latent_tensor(b);
    return to_latent(spherical ? slerp(za, zb, t) : lerp(za, zb, t));
}

Latent ModelSession::blend2d(const Latent& top_left, const Latent& top_right, const Latent& bottom_left,
                             const Latent& bottom_right, double x, double y, bool spherical) const {
    const auto top = blend(top_left, top_right, x, spherical);
    const auto bottom = blend(bottom_left, bottom_right, x, spherical);
    return blend(top, bottom, y, spherical);
}

Image8 ModelSession::conform(const Image8& image) const { return conform_image(image, channels(), image_size()); }

std::vector<Image8> ModelSession::project(const Image8& image, int k) const {
    if (k < 1) throw std::invalid_argument("project needs k >= 1");
    const auto input = conform(image);
    std::vector<Image8> out{input};
    auto x = to_tensor(input);
    for (int i = 0; i < k; ++i) {
        x = m->f(x);
        out.push_back(to_image8(x[0]));
    }
    return out;
}

// -------------------------------------------------------------------------------------- free helpers
Image8 corrupt_image(const Image8& image, const std::string& kind, double sigma, uint64_t seed) {
    auto generator = make_generator(seed);
    CorruptionOptions options;
    options.sigma = sigma;
    return explain_torch_errors(
        [&] {
            return "corrupting a " + std::to_string(image.width) + "x" + std::to_string(image.height) + " image (" + kind +
                   ", sigma " + std::to_string(sigma) + ")";
        },
        [&] { return to_image8(corrupt(to_tensor(image), corruption_from_string(kind), options, generator)[0]); });
}

std::vector<Image8> dataset_images(const std::string& spec, int channels, int size, int first, int count) {
    const auto split = load_dataset(spec, channels, size);
    const auto& images = split.test.images;
    const int64_t n = images.size(0);
    std::vector<Image8> out;
    for (int64_t i = 0; i < count && n > 0; ++i) out.push_back(to_image8(images[(first + i) % n]));
    return out;
}

// ---------------------------------------------------------------------------------- TrainingSession
struct TrainingSession::Impl {
    TrainPlan plan;
    std::unique_ptr<Trainer> trainer;
};

TrainingSession::TrainingSession(const TrainRequest& request) : m(std::make_unique<Impl>()) {
    m->plan = plan_training(request);
    m->trainer = std::make_unique<Trainer>(m->plan.options, m->plan.data.train);
}

TrainingSession::~TrainingSession() = default;

const TrainOptions& TrainingSession::options() const { return m->plan.options; }
const std::string& TrainingSession::device_note() const { return m->plan.device_note; }
const std::string& TrainingSession::fit_note() const { return m->plan.fit_note; }
int64_t TrainingSession::train_images() const { return m->plan.data.train.size(); }
std::string TrainingSession::checkpoint_path() const { return m->trainer->checkpoint_path(); }
std::string TrainingSession::csv_path() const { return m->trainer->csv_path(); }
std::vector<LossRecord> TrainingSession::history() const { return m->trainer->info().history; }

TrainResult TrainingSession::run(const TrainCallbacks& callbacks, const std::atomic<bool>* cancel) {
    return m->trainer->run(callbacks, cancel);
}

}  // namespace ign
