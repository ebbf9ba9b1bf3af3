// `ign chain`: its options and what it runs.
#include <iostream>

#include "cli.h"
#include "ign/image_io.h"

namespace ign_cli {
namespace {

struct ChainArgs {
    Common common;
    std::string checkpoint, out = "chain.png", norm_mode = "train";
    int count = 8, k = 4, zoom = 2;
    uint64_t seed = 0;
};

int run_chain(const ChainArgs& a) {
    auto m = load(a.checkpoint, a.common);
    const auto z = ign::sample_noise(m.info.noise_sampler(), a.count, a.seed);
    const auto steps = ign::chain(m.model, z, a.k, inference_options(a.norm_mode));
    // One row per sample: z, f(z), f^2(z), ..., f^k(z).
    ign::save_grid(torch::stack(steps, 1).flatten(0, 1), a.out, a.k + 1, a.zoom);
    std::cout << a.out << "\n";
    for (int i = 1; i + 1 < int(steps.size()); ++i)
        std::cout << "mean |f^" << i + 1 << " - f^" << i << "| = " << (steps[i + 1] - steps[i]).abs().mean().item<double>()
                  << "\n";
    return kOk;
}

}  // namespace

void add_chain_command(CLI::App& app, CommandContext& context) {
    static ChainArgs chain;
    auto* c = add_model_command(app, context, "chain", "refine by applying f again: z, f(z), f^2(z) ... f^k(z), one row per sample", chain, run_chain);
    add_count(c, chain.count, 1024, "samples");
    add_k(c, chain.k);
    add_seed(c, chain.seed, "the noise");
    add_image_output(c, chain.out, chain.zoom, "grid PNG");
}

}  // namespace ign_cli
