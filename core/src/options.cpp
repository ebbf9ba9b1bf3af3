#include "ign/options.h"

#include <sstream>
#include <stdexcept>

namespace ign {

std::string to_string(Norm norm) {
    switch (norm) {
        case Norm::Batch: return "batch";
        case Norm::Group: return "group";
        case Norm::None: return "none";
    }
    return "?";
}

Norm norm_from_string(const std::string& text) {
    if (text == "batch") return Norm::Batch;
    if (text == "group") return Norm::Group;
    if (text == "none") return Norm::None;
    throw std::invalid_argument("unknown norm '" + text + "' (expected batch, group or none)");
}

std::string to_string(NoiseKind kind) { return kind == NoiseKind::Gaussian ? "gaussian" : "spectral"; }

NoiseKind noise_kind_from_string(const std::string& text) {
    if (text == "gaussian") return NoiseKind::Gaussian;
    if (text == "spectral") return NoiseKind::Spectral;
    throw std::invalid_argument("unknown noise '" + text + "' (expected gaussian or spectral)");
}

std::string to_string(NormMode mode) { return mode == NormMode::Eval ? "eval" : "train"; }

NormMode norm_mode_from_string(const std::string& text) {
    if (text == "eval") return NormMode::Eval;
    if (text == "train") return NormMode::Train;
    throw std::invalid_argument("unknown normalisation mode '" + text + "' (expected eval or train)");
}

std::string ModelOptions::to_string() const {
    std::ostringstream s;
    s << "preset=" << preset << " channels=" << channels << " size=" << image_size << " width=" << width
      << " latent=" << latent << " norm=" << ign::to_string(norm);
    return s.str();
}

ModelOptions preset_options(const std::string& name) {
    ModelOptions o;
    o.preset = name;
    if (name == "mnist28") {
        o.channels = 1; o.image_size = 28; o.width = 64; o.latent = 512; o.norm = Norm::Batch;
    } else if (name == "dcgan64") {
        o.channels = 3; o.image_size = 64; o.width = 64; o.latent = 512; o.norm = Norm::Batch;
    } else {
        throw std::invalid_argument("unknown preset '" + name + "' (expected mnist28 or dcgan64)");
    }
    return o;
}

std::string ObjectiveOptions::to_string() const {
    std::ostringstream s;
    s << "lambda_rec=" << lambda_rec << " lambda_idem=" << lambda_idem << " lambda_tight=" << lambda_tight
      << " a=" << tight_clamp_a << " detach_clamp_reference=" << (detach_clamp_reference ? "yes" : "no");
    return s.str();
}

std::string OptimizerOptions::to_string() const {
    std::ostringstream s;
    s << "adam lr=" << lr << " betas=(" << beta1 << ", " << beta2 << ")";
    return s.str();
}

}  // namespace ign
