// `ign train-classifier`: its options and what it runs.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "cli.h"
#include "ign/classifier.h"
#include "ign/data.h"

namespace fs = std::filesystem;

namespace ign_cli {
namespace {

struct ClassifierArgs {
    Common common;
    std::string data = "digits", out;
    int channels = 1, size = 28;
    ign::ClassifierTraining training;
};

int run_train_classifier(const ClassifierArgs& a) {
    const auto split = ign::load_dataset(a.data, a.channels, a.size);
    spdlog::info("{}: {} training images, {} test images", a.data, split.train.size(), split.test.size());
    double accuracy = 0;
    auto model = ign::train_classifier(split.train, split.test, a.training, &accuracy, [](int epoch, double loss) {
        spdlog::info("epoch {}: mean cross-entropy {:.4f}", epoch, loss);
    });
    const auto out = a.out.empty() ? "models/" + fs::path(a.data).filename().string() + "-classifier.pt" : a.out;
    ign::save_classifier(out, model, accuracy);
    std::cout << out << ": test accuracy " << accuracy << "\n";
    return kOk;
}

}  // namespace

void add_train_classifier_command(CLI::App& app, CommandContext& context) {
    static ClassifierArgs cls;
    auto* tc = add_command(app, context, "train-classifier", "train the small CNN whose features ign eval uses (labelled sets)", cls, run_train_classifier);
    tc->add_option("--data", cls.data, "labelled data set")->capture_default_str();
    tc->add_option("--channels", cls.channels, "image channels")->capture_default_str();
    tc->add_option("--size", cls.size, "image size")->capture_default_str();
    tc->add_option("--epochs", cls.training.epochs, "epochs")->capture_default_str();
    tc->add_option("--out,-o", cls.out, "output (default models/<data>-classifier.pt)");
}

}  // namespace ign_cli
