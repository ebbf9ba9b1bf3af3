#pragma once
// Value types that say how a model is built, trained and run. Plain structs with defaults,
// a to_string() for logs and JSON round trips for checkpoints. No torch here.
#include <cstdint>
#include <string>

namespace ign {

enum class Norm { Batch, Group, None };
enum class NoiseKind { Gaussian, Spectral };

std::string to_string(Norm norm);
Norm norm_from_string(const std::string& text);  // throws std::invalid_argument
std::string to_string(NoiseKind kind);
NoiseKind noise_kind_from_string(const std::string& text);

// The network. `preset` only records where the numbers came from; the fields decide.
struct ModelOptions {
    std::string preset = "mnist28";
    int channels = 1;
    int image_size = 28;  // 28 (mnist28 layout) or a power of two 16..256 (dcgan layout)
    int width = 64;       // nf: channels of the first encoder layer
    int latent = 512;     // L: bottleneck channels at 1x1
    Norm norm = Norm::Batch;
    std::string to_string() const;
};

// Presets exactly as in docs/ign-method.md. Throws std::invalid_argument for an unknown name.
ModelOptions preset_options(const std::string& name);

// The objective of docs/ign-method.md.
struct ObjectiveOptions {
    double lambda_rec = 20.0;
    double lambda_idem = 20.0;
    double lambda_tight = 2.5;
    double tight_clamp_a = 1.5;
    bool detach_clamp_reference = false;  // detach R_i inside the tanh clamp
    double eps = 1e-8;
    std::string to_string() const;
};

struct OptimizerOptions {
    double lr = 1e-4;
    double beta1 = 0.5;
    double beta2 = 0.999;
    std::string to_string() const;
};

// How inference treats normalisation layers. Eval uses running statistics (a result does not depend
// on what else is in the batch); Train uses the batch's own statistics, like training does.
enum class NormMode { Eval, Train };
std::string to_string(NormMode mode);
NormMode norm_mode_from_string(const std::string& text);

}  // namespace ign
