// `ign project`: its options and what it runs.
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "cli.h"
#include "ign/data.h"
#include "ign/image_io.h"

namespace fs = std::filesystem;

namespace ign_cli {
namespace {

struct ProjectArgs {
    Common common;
    std::string checkpoint, out = "projected", norm_mode = "train";
    std::vector<std::string> inputs;
    int k = 3, zoom = 4;
};

int run_project(const ProjectArgs& a) {
    apply_common(a.common);
    auto m = load(a.checkpoint, a.common);
    std::vector<std::string> files;
    for (const auto& input : a.inputs) {
        if (fs::is_directory(input)) {
            for (const auto& e : fs::directory_iterator(input))
                if (e.is_regular_file()) files.push_back(e.path().string());
        } else {
            files.push_back(input);
        }
    }
    std::sort(files.begin(), files.end());
    int failed = 0;
    for (const auto& file : files) {
        try {
            const auto x = ign::load_image(file, m.info.model.channels, m.info.model.image_size);
            const auto steps = ign::chain(m.model, x, a.k, inference_options(a.norm_mode));
            const auto base = (fs::path(a.out) / fs::path(file).stem()).string();
            ign::save_image(steps.back(), base + "_projected.png", a.zoom);
            ign::save_grid(torch::cat(steps), base + "_chain.png", a.k + 1, a.zoom);  // input, f, ..., f^k
            std::cout << base << "_projected.png\n";
        } catch (const ign::DataError& e) {
            ++failed;
            spdlog::error("{}", e.what());
        }
    }
    if (files.empty()) {
        spdlog::error("no input images given");
        return kBadInput;
    }
    return failed ? kBadInput : kOk;
}

}  // namespace

void add_project_command(CLI::App& app, CommandContext& context) {
    static ProjectArgs project;
    auto* p = app.add_subcommand("project", "project images of any size onto what the model learned: f^k(image)");
    add_common(p, project.common);
    add_device(p, project.common);
    p->add_option("checkpoint", project.checkpoint, kModelHelp)->required();
    p->add_option("inputs", project.inputs, "image files or folders")->required();
    p->add_option("-k", project.k, "applications of f")->check(CLI::Range(1, 64))->capture_default_str();
    p->add_option("--out,-o", project.out, "output folder (NAME_projected.png, NAME_chain.png)")->capture_default_str();
    p->add_option("--zoom", project.zoom, "enlarge pixels")->check(CLI::Range(1, 32))->capture_default_str();
    add_norm_mode(p, project.norm_mode);
    p->callback([=, &context] { context.rc = run_project(project); });
}

}  // namespace ign_cli
