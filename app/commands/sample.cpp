// `ign sample`: its options and what it runs.
#include <filesystem>
#include <iostream>

#include "cli.h"
#include "ign/image_io.h"

namespace fs = std::filesystem;

namespace ign_cli {
namespace {

struct SampleArgs {
    Common common;
    std::string checkpoint, out = "samples.png", each_dir, norm_mode = "train";
    int count = 64, columns = 8, zoom = 2;
    uint64_t seed = 0;
};

int run_sample(const SampleArgs& a) {
    auto m = load(a.checkpoint, a.common);
    const auto images = ign::sample(m.model, m.info.noise_sampler(), a.count, a.seed, inference_options(a.norm_mode));
    ign::save_grid(images, a.out, a.columns, a.zoom);
    std::cout << a.out << "\n";
    if (!a.each_dir.empty()) {
        for (int i = 0; i < a.count; ++i) {
            const auto path = (fs::path(a.each_dir) / ("sample_" + std::to_string(a.seed) + "_" + std::to_string(i) + ".png")).string();
            ign::save_image(images[i], path, a.zoom);
        }
        std::cout << a.each_dir << " (" << a.count << " images)\n";
    }
    return kOk;
}

}  // namespace

void add_sample_command(CLI::App& app, CommandContext& context) {
    static SampleArgs sample;
    auto* s = add_model_command(app, context, "sample", "generate images in one step: f(z) for noise z from a seed", sample, run_sample);
    add_count(s, sample.count, 4096, "samples");
    add_seed(s, sample.seed, "the noise");
    s->add_option("--out,-o", sample.out, "grid PNG")->capture_default_str();
    s->add_option("--each", sample.each_dir, "also write each sample as its own PNG into this folder");
    s->add_option("--columns", sample.columns, "grid columns")->capture_default_str();
    s->add_option("--zoom", sample.zoom, "enlarge pixels this many times")->check(CLI::Range(1, 32))->capture_default_str();
}

}  // namespace ign_cli
