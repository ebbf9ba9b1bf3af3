// `ign eval`: its options and what it runs.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "cli.h"
#include "ign/classifier.h"
#include "ign/data.h"
#include "ign/evaluation.h"
#include "ign/image_io.h"
#include "ign/session.h"

namespace fs = std::filesystem;

namespace ign_cli {
namespace {

struct EvalArgs {
    Common common;
    std::string checkpoint, data, classifier, json_out, report = "eval.png", norm_mode = "train";
    ign::EvalOptions options;
};

// The model's own training images, for the copy measure: undefined (and said why) when there are more
// than the limit or its data can no longer be read.
torch::Tensor copy_reference(const ign::CheckpointInfo& info, const std::string& data, const ign::TrainTestSplit& split,
                             int limit) {
    const auto& trained_on = info.train.data;
    ign::Dataset own;
    try {
        own = trained_on == data ? split.train
                                 : ign::load_dataset(trained_on, info.model.channels, info.model.image_size).train;
    } catch (const std::exception& e) {
        spdlog::warn("copies not measured: the model's training data could not be read ({})", e.what());
        return {};
    }
    if (own.size() > limit || own.size() < 2) {
        spdlog::info("copies not measured: the model's training data '{}' has {} images (measured for 2 to {}, "
                     "--copy-limit)", trained_on, own.size(), limit);
        return {};
    }
    return own.images;
}

int run_eval(const EvalArgs& a) {
    auto m = load(a.checkpoint, a.common);
    const auto data = a.data.empty() ? m.info.train.data : a.data;
    const auto split = ign::load_dataset(data, m.info.model.channels, m.info.model.image_size);
    std::string classifier_path = a.classifier;
    // The data set's classifier beside the bundled models (in the source tree or where they are installed).
    const auto classifier_name = fs::path(data).filename().string() + "-classifier";
    const auto default_classifier = "models/" + classifier_name + ".pt";
    if (classifier_path.empty()) classifier_path = ign::find_bundled_model(classifier_name);
    ign::ClassifierNet classifier{nullptr};
    double classifier_accuracy = NAN;
    if (!classifier_path.empty()) {
        classifier = ign::load_classifier(classifier_path, &classifier_accuracy);
        if (classifier->options.channels != m.info.model.channels || classifier->options.image_size != m.info.model.image_size)
            throw ign::CheckpointError(classifier_path + ": classifier for " + std::to_string(classifier->options.channels) +
                                       " channels at " + std::to_string(classifier->options.image_size) +
                                       " px does not match the model");
    } else {
        spdlog::warn("no classifier (--classifier, or {}): Fréchet distance, coverage and accuracies are skipped",
                     default_classifier);
    }
    auto options = a.options;
    options.inference = inference_options(a.norm_mode);
    const auto report = ign::evaluate(m.model, m.info, split, classifier ? &classifier : nullptr, classifier_accuracy,
                                      options, copy_reference(m.info, data, split, options.copy_reference_limit));
    const auto json = report.to_json(a.checkpoint, data);
    std::cout << json << std::endl;
    if (!a.json_out.empty()) ign::write_file_atomically(a.json_out, json + "\n");
    std::vector<std::pair<std::string, torch::Tensor>> sections{
        {"f(z): first 64 of " + std::to_string(options.samples) + " samples", ign::make_grid(report.samples, 16)},
        {"f(f(z))", ign::make_grid(report.refined, 16)}};
    for (size_t i = 0; i < report.projection.size(); ++i) {
        const auto& p = report.projection[i];
        char title[200];
        if (classifier)
            std::snprintf(title, sizeof title, "%s: clean / corrupted / projected   L1 %.3f -> %.3f   accuracy %.3f -> %.3f (clean %.3f)",
                          p.corruption.c_str(), p.l1_corrupted, p.l1_projected, p.accuracy_corrupted, p.accuracy_projected,
                          p.accuracy_clean);
        else  // no labels, no classifier: distances only
            std::snprintf(title, sizeof title, "%s: clean / corrupted / projected   L1 %.3f -> %.3f", p.corruption.c_str(),
                          p.l1_corrupted, p.l1_projected);
        sections.push_back({title, ign::make_grid(report.projection_examples[i], 10)});
    }
    ign::save_report(a.report, sections, m.info.model.image_size <= 32 ? 2 : 1);
    spdlog::info("report sheet: {}", a.report);
    return kOk;
}

}  // namespace

void add_eval_command(CLI::App& app, CommandContext& context) {
    static EvalArgs ev;
    auto* e = add_model_command(app, context, "eval", "measure a model: FD of f, f2, f3, class coverage, projection fidelity, idempotence", ev, run_eval);
    e->add_option("--data", ev.data, "data set (default: the one the model was trained on)");
    e->add_option("--classifier", ev.classifier, "classifier from train-classifier (default: <data>-classifier.pt beside the bundled models)");
    e->add_option("--samples", ev.options.samples, "generated samples")->check(CLI::Range(64, 100000))->capture_default_str();
    e->add_option("--projection-images", ev.options.projection_images, "test images to corrupt")->check(CLI::Range(10, 100000))->capture_default_str();
    e->add_option("--projection-batch", ev.options.projection_batch,
                  "images per application of f when projecting and reconstructing: 1 as users project (with BatchNorm "
                  "in train mode a result depends on its batch)")
        ->check(CLI::Range(1, 4096))
        ->capture_default_str();
    e->add_option("--copy-limit", ev.options.copy_reference_limit,
                  "look for copies of training images among the samples when the model's training data has at most "
                  "this many images")
        ->check(CLI::Range(0, 1000000))
        ->capture_default_str();
    add_seed(e, ev.options.seed, "the noise and the corruptions");
    e->add_option("--json", ev.json_out, "also write the JSON here");
    e->add_option("--report", ev.report, "PNG report sheet")->capture_default_str();
}

}  // namespace ign_cli
