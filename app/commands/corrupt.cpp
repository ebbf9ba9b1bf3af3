// `ign corrupt`: its options and what it runs.
#include <iostream>

#include "cli.h"
#include "ign/corrupt.h"
#include "ign/data.h"
#include "ign/image_io.h"

namespace ign_cli {
namespace {

struct CorruptArgs {
    Common common;
    std::string data = "digits", input, kind = "noise", out = "corrupted.png", checkpoint, norm_mode = "train";
    double sigma = 0.5, patch = 0.4;
    int count = 8, patches = 1, size = 28, channels = 1, zoom = 2;
    uint64_t seed = 0;
};

int run_corrupt(const CorruptArgs& a) {
    Loaded m;
    int channels = a.channels, size = a.size;
    if (!a.checkpoint.empty()) {
        m = load(a.checkpoint, a.common);
        channels = m.info.model.channels;
        size = m.info.model.image_size;
    }
    torch::Tensor clean;
    if (!a.input.empty()) {
        clean = ign::load_image(a.input, channels, size);
    } else {
        const auto split = ign::load_dataset(a.data, channels, size);
        // Evenly spaced over the test split, so ordered sets (digits by class) show variety.
        const int64_t n = std::min<int64_t>(a.count, split.test.size());
        clean = split.test.images.index_select(0, torch::arange(n) * (split.test.size() / n));
    }
    auto gen = ign::make_generator(a.seed);
    const auto corrupted = ign::corrupt(clean, ign::corruption_from_string(a.kind), {a.sigma, a.patches, a.patch}, gen);
    std::vector<torch::Tensor> rows{clean, corrupted};
    if (m.model) rows.push_back(ign::project(m.model, corrupted, 1, inference_options(a.norm_mode)));
    // One row per kind: clean, corrupted[, f(corrupted)].
    ign::save_grid(torch::cat(rows), a.out, int(clean.size(0)), a.zoom);
    std::cout << a.out << "\n";
    if (m.model)
        std::cout << "mean |f(corrupted) - clean| = " << (rows[2] - clean).abs().mean().item<double>()
                  << ", mean |corrupted - clean| = " << (corrupted - clean).abs().mean().item<double>() << "\n";
    return kOk;
}

}  // namespace

void add_corrupt_command(CLI::App& app, CommandContext& context) {
    static CorruptArgs corrupt;
    auto* cr = add_network_command(app, context, "corrupt", "make noisy, grayscale, sketch or occluded versions (and project them with --checkpoint)", corrupt, run_corrupt);
    cr->add_option("--kind", corrupt.kind, "noise, gray, sketch, edges or occlude")
        ->check(CLI::IsMember(ign::corruption_names()))->capture_default_str();
    cr->add_option("--data", corrupt.data, "data set whose test images to corrupt")->capture_default_str();
    cr->add_option("--input", corrupt.input, "an image file instead of a data set");
    cr->add_option("--checkpoint", corrupt.checkpoint, "also project the corrupted images with this model");
    add_count(cr, corrupt.count, 1024, "images");
    cr->add_option("--sigma", corrupt.sigma, "noise standard deviation in [-1, 1] units")->capture_default_str();
    cr->add_option("--patches", corrupt.patches, "occluding patches per image")->capture_default_str();
    cr->add_option("--patch-size", corrupt.patch, "patch side as a fraction of the image")->capture_default_str();
    cr->add_option("--channels", corrupt.channels, "channels without a checkpoint")->capture_default_str();
    cr->add_option("--size", corrupt.size, "size without a checkpoint")->capture_default_str();
    add_seed(cr, corrupt.seed, "the corruptions");
    add_image_output(cr, corrupt.out, corrupt.zoom, "PNG: rows clean, corrupted[, projected]");
    add_norm_mode(cr, corrupt.norm_mode);
}

}  // namespace ign_cli
