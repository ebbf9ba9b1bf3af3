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
    apply_common(a.common);
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
    auto* c = app.add_subcommand("chain", "refine by applying f again: z, f(z), f^2(z) ... f^k(z), one row per sample");
    add_common(c, chain.common);
    add_device(c, chain.common);
    c->add_option("checkpoint", chain.checkpoint, kModelHelp)->required();
    c->add_option("--count,-n", chain.count, "number of samples")->check(CLI::Range(1, 1024))->capture_default_str();
    c->add_option("-k", chain.k, "applications of f")->check(CLI::Range(1, 64))->capture_default_str();
    c->add_option("--seed", chain.seed, "noise seed")->capture_default_str();
    c->add_option("--out,-o", chain.out, "grid PNG")->capture_default_str();
    c->add_option("--zoom", chain.zoom, "enlarge pixels")->check(CLI::Range(1, 32))->capture_default_str();
    add_norm_mode(c, chain.norm_mode);
    c->callback([=, &context] { context.rc = run_chain(chain); });
}

}  // namespace ign_cli
