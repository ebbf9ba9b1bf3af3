#pragma once
// A torch-free face of the engine for interactive clients (the studio): images are 8-bit pixel
// buffers, latents are plain float vectors, models and training runs are opaque handles. Everything
// here goes through the same core functions the command line uses (inference.h, trainer.h, corrupt.h).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ign/options.h"

namespace ign {

// Pixels row by row, channels interleaved (1: gray, 3: RGB), 0..255.
struct Image8 {
    int width = 0, height = 0, channels = 0;
    std::vector<uint8_t> pixels;
    bool empty() const { return pixels.empty(); }
};

// One noise z (or any input) of the model's shape [C, H, W], flattened.
struct Latent {
    std::vector<float> values;
};

// One generated sample: its latent and f(z), f^2(z) ... f^k(z).
struct SampleChain {
    Latent latent;
    std::vector<Image8> steps;       // steps[0] = f(z)
    std::vector<double> change;      // change[i] = mean |steps[i+1] - steps[i]| in [-1, 1] units
};

// The summary alone (a resume form fills itself from it). Throws CheckpointError naming the file.
CheckpointSummary summarize_checkpoint(const std::string& checkpoint_path);

// A loaded model. Methods may be called from any thread; calls are serialised internally.
class ModelSession {
public:
    // Throws CheckpointError naming the file (missing, damaged, not a checkpoint). `device`: cpu, cuda or
    // auto (CUDA when present; a missing GPU falls back to the CPU and device_note() says so).
    static std::shared_ptr<ModelSession> open(const std::string& checkpoint_path, const std::string& device = "cpu");
    ~ModelSession();

    const std::string& path() const;
    const std::string& device() const;       // where the forward passes run: "cpu" or "cuda"
    const std::string& device_note() const;  // non-empty when the device asked for was not available
    const CheckpointSummary& summary() const;
    int channels() const;
    int image_size() const;

    // The noise of sample `index` among `count` drawn from `seed` (as `ign sample --seed` draws them).
    std::vector<Latent> noise(int count, uint64_t seed) const;
    // f^1 .. f^k of `count` samples from `seed` (k >= 1).
    std::vector<SampleChain> sample(int count, uint64_t seed, int k) const;
    // f(z) for the given latents.
    std::vector<Image8> generate(const std::vector<Latent>& latents) const;
    // Noise between two latents (lerp or slerp) at t in [0, 1].
    Latent blend(const Latent& a, const Latent& b, double t, bool spherical) const;
    // Four corners (top left, top right, bottom left, bottom right) at x, y in [0, 1].
    Latent blend2d(const Latent& top_left, const Latent& top_right, const Latent& bottom_left,
                   const Latent& bottom_right, double x, double y, bool spherical) const;

    // An image of any size and channel count conformed to the model (shorter side resized, centre crop,
    // channels converted) as the model sees it.
    Image8 conform(const Image8& image) const;
    // [conformed input, f(x), f^2(x) ... f^k(x)].
    std::vector<Image8> project(const Image8& image, int k) const;

    ModelSession(const ModelSession&) = delete;
    ModelSession& operator=(const ModelSession&) = delete;

private:
    ModelSession();
    struct Impl;
    std::unique_ptr<Impl> m;
};

// The shipped model models/NAME.pt: under $IGN_MODELS_DIR, ./models, or next to the executable
// (../models, ../../models, ../share/ign-studio/models). Empty when not found.
std::string find_bundled_model(const std::string& name);

// Image files. Throws DataError naming the file when it is missing or not an image.
Image8 read_image_file(const std::string& path);
// Any size and channel count -> channels x size x size (shorter side resized, centre crop).
Image8 conform_image(const Image8& image, int channels, int size);
// Tiles equal-sized images `columns` per row with a light 2-pixel border.
Image8 tile_images(const std::vector<Image8>& images, int columns);
// Nearest-neighbour enlargement (small model images stay crisp on screen and in exports).
Image8 enlarge(const Image8& image, int zoom);
// Frames to a video (.avi: Motion JPEG; .mp4 where OpenCV's backend can) or an animated GIF (.gif).
// Throws std::runtime_error naming the file on failure.
void write_animation(const std::string& path, const std::vector<Image8>& frames, double fps);

// Corruptions (corrupt.h) of an image conformed to the model: noise (sigma), gray, sketch, edges, occlude.
Image8 corrupt_image(const Image8& image, const std::string& kind, double sigma, uint64_t seed);

// Images of a data set by name or path (data.h), conformed to `channels` and `size`, from its test
// split: `count` of them starting at `first`. Throws DataError.
std::vector<Image8> dataset_images(const std::string& spec, int channels, int size, int first, int count);

// ------------------------------------------------------------------------------------------ training

// What a training run reports as it goes: the one callbacks struct of training (Trainer, trainer.h, and
// TrainingSession take it). Called on the training thread.
struct TrainCallbacks {
    std::function<void(const TrainProgress&)> on_step;
    // The fixed-noise samples f(z) and f(f(z)), each tiled into one grid (the default inference normalisation).
    std::function<void(int64_t step, const Image8& samples, const Image8& refined)> on_preview;
    std::function<void(int64_t step, const std::string& path)> on_checkpoint;
    // Something went wrong that training survives (a checkpoint that could not be written).
    std::function<void(const std::string& message)> on_warning;
};

// A training run for an interactive client: plan_training() + Trainer behind a torch-free handle (as
// ModelSession is a loaded model behind one).
class TrainingSession {
public:
    // Loads the data (and the checkpoint on resume). Throws DataError / CheckpointError.
    explicit TrainingSession(const TrainRequest& request);
    ~TrainingSession();

    const TrainOptions& options() const;  // resolved: steps, data, out_dir, device
    const std::string& device_note() const;
    const std::string& fit_note() const;  // what was chosen from the data's size (TrainRequest::fit_*), or ""
    int64_t train_images() const;
    std::string checkpoint_path() const;
    std::string csv_path() const;
    // The loss history so far (a resumed run starts with the checkpoint's).
    std::vector<LossRecord> history() const;

    // Runs until done, cancelled (the last state is saved) or diverged.
    TrainResult run(const TrainCallbacks& callbacks, const std::atomic<bool>* cancel);

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

}  // namespace ign
