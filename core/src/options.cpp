#include "ign/options.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace ign {

std::string listed(const std::vector<std::string>& names) {
    std::string text;
    for (size_t i = 0; i < names.size(); ++i)
        text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return text;
}

namespace {

// The enum values in the order of their names' list.
constexpr Norm kNorms[] = {Norm::Batch, Norm::Group, Norm::None};
constexpr NoiseKind kNoises[] = {NoiseKind::Gaussian, NoiseKind::Spectral};

}  // namespace

const std::vector<std::string>& preset_names() {
    static const std::vector<std::string> names{"mnist28", "dcgan64"};
    return names;
}

const std::vector<std::string>& norm_names() {
    static const std::vector<std::string> names{"batch", "group", "none"};
    return names;
}

const std::vector<std::string>& noise_names() {
    static const std::vector<std::string> names{"gaussian", "spectral"};
    return names;
}

const std::vector<std::string>& precision_names() {
    static const std::vector<std::string> names{"auto", "fp32", "bf16"};
    return names;
}

const std::vector<std::string>& corruption_names() {
    static const std::vector<std::string> names{"noise", "gray", "sketch", "edges", "occlude"};
    return names;
}

std::string to_string(Norm norm) { return norm_names().at(size_t(norm)); }

Norm norm_from_string(const std::string& text) {
    for (size_t i = 0; i < std::size(kNorms); ++i)
        if (norm_names()[i] == text) return kNorms[i];
    throw std::invalid_argument("unknown norm '" + text + "' (expected " + listed(norm_names()) + ")");
}

std::string to_string(NoiseKind kind) { return noise_names().at(size_t(kind)); }

NoiseKind noise_kind_from_string(const std::string& text) {
    for (size_t i = 0; i < std::size(kNoises); ++i)
        if (noise_names()[i] == text) return kNoises[i];
    throw std::invalid_argument("unknown noise '" + text + "' (expected " + listed(noise_names()) + ")");
}

std::string to_string(TrainStatus status) {
    switch (status) {
        case TrainStatus::Completed: return "completed";
        case TrainStatus::Cancelled: return "cancelled";
        case TrainStatus::Diverged: return "diverged";
    }
    return "?";
}

std::string to_string(NormMode mode) { return mode == NormMode::Eval ? "eval" : "train"; }

NormMode norm_mode_from_string(const std::string& text) {
    if (text == "eval") return NormMode::Eval;
    if (text == "train") return NormMode::Train;
    throw std::invalid_argument("unknown normalisation mode '" + text + "' (expected eval or train)");
}

double LossRecord::term(const std::string& name) const {
    for (const auto& t : terms)
        if (t.name == name) return t.value;
    return std::nan("");
}

std::vector<std::string> loss_term_names(const std::vector<LossRecord>& history) {
    std::vector<std::string> names;
    for (const auto& record : history)
        for (const auto& term : record.terms)
            if (std::find(names.begin(), names.end(), term.name) == names.end()) names.push_back(term.name);
    return names;
}

const std::vector<std::string>& original_loss_term_names() {
    static const std::vector<std::string> names{"reconstruction", "idempotence", "tightness"};
    return names;
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
        throw std::invalid_argument("unknown preset '" + name + "' (expected " + listed(preset_names()) + ")");
    }
    return o;
}

// Every field, read from its JSON (options.h): a field added to the struct shows without a change here.
std::string ObjectiveOptions::to_string() const {
    std::ostringstream s;
    const nlohmann::json fields = *this;  // named: a temporary in the range expression would die before the loop
    for (const auto& [name, value] : fields.items()) {
        // Without the coverage term its settings mean nothing: the method's runs read as before.
        if (!coverage() && name.find("coverage") != std::string::npos) continue;
        if (s.tellp() > 0) s << " ";
        s << name << "=";
        if (value.is_boolean()) s << (value.get<bool>() ? "yes" : "no");
        else s << value.get<double>();
    }
    return s.str();
}

std::string OptimizerOptions::to_string() const {
    std::ostringstream s;
    s << "adam lr=" << lr << " betas=(" << beta1 << ", " << beta2 << ")";
    return s.str();
}

DataFit fit_to_data(int64_t images, const DataFit& given, FitOpen open) {
    DataFit fit = given;
    const bool small = images < kSmallDataImages;
    if (open.batch) fit.batch = int(small ? std::clamp<int64_t>(images, 1, 64) : 256);
    if (open.steps) {
        const int64_t five_epochs = 5 * images / std::max(1, fit.batch);
        fit.steps = small ? 1000 : std::clamp<int64_t>(five_epochs, 1000, 5000);
    }
    if (open.objective && small) {  // the two weights that choose the objective; its other options stay
        fit.objective.lambda_coverage = 20;
        fit.objective.lambda_tight = 0;
    }
    if (open.lr) fit.lr = small ? 5e-4 : OptimizerOptions{}.lr;
    if (!open.any()) return fit;
    std::ostringstream note;
    note << images << " training images (" << (small ? "fewer" : "not fewer") << " than " << kSmallDataImages << "):";
    if (open.batch) note << " batch " << fit.batch << ",";
    if (open.steps) note << " " << fit.steps << " steps,";
    if (open.objective)
        note << (small ? " reconstruction, idempotence and coverage λ 20 without tightness (on small data IGN's "
                         "tightness collapses the samples to one shape),"
                       : " the method's objective,");
    if (open.lr) note << " learning rate " << fit.lr << ",";
    fit.note = note.str();
    fit.note.back() = ';';
    fit.note += " chosen from the data's size";
    return fit;
}

}  // namespace ign
