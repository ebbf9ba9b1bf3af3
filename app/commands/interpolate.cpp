// `ign interpolate`: its options and what it runs.
#include <iostream>

#include "cli.h"
#include "ign/image_io.h"

namespace ign_cli {
namespace {

struct InterpolateArgs {
    Common common;
    std::string checkpoint, out = "interpolation.png", method = "slerp", norm_mode = "train";
    std::vector<uint64_t> seeds{0, 1};
    int frames = 10, grid = 0, zoom = 2;
};

int run_interpolate(const InterpolateArgs& a) {
    auto m = load(a.checkpoint, a.common);
    const auto noise = m.info.noise_sampler();
    const bool spherical = a.method == "slerp";
    auto z = [&](size_t i) { return ign::sample_noise(noise, 1, a.seeds.at(i))[0]; };
    torch::Tensor images;
    int columns;
    if (a.grid > 0) {
        if (a.seeds.size() != 4) throw CLI::ValidationError("--seeds", "a 2-D grid needs four corner seeds");
        images = ign::apply_f(m.model, ign::grid_path(z(0), z(1), z(2), z(3), a.grid, spherical),
                              inference_options(a.norm_mode));
        columns = a.grid;
    } else {
        if (a.seeds.size() != 2) throw CLI::ValidationError("--seeds", "interpolation needs two seeds (four with --grid)");
        images = ign::interpolate(m.model, z(0), z(1), a.frames, spherical, inference_options(a.norm_mode));
        columns = a.frames;
    }
    ign::save_grid(images, a.out, columns, a.zoom);
    std::cout << a.out << "\n";
    return kOk;
}

}  // namespace

void add_interpolate_command(CLI::App& app, CommandContext& context) {
    static InterpolateArgs interp;
    auto* ip = add_model_command(app, context, "interpolate", "walk the latent space: f(lerp/slerp(z_a, z_b, t)), or a 2-D grid of four seeds", interp, run_interpolate);
    ip->add_option("--seeds", interp.seeds, "two seeds (four corner seeds with --grid)")->delimiter(',');
    ip->add_option("--frames", interp.frames, "frames from t = 0 to 1")->check(CLI::Range(2, 512))->capture_default_str();
    ip->add_option("--method", interp.method, "lerp or slerp")->check(CLI::IsMember({"lerp", "slerp"}))->capture_default_str();
    ip->add_option("--grid", interp.grid, "n x n grid among four seeds")->check(CLI::Range(2, 64));
    add_image_output(ip, interp.out, interp.zoom, "PNG strip or grid");
}

}  // namespace ign_cli
