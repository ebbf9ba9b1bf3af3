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
    auto* p = add_model_command(app, context, "project", "project images of any size onto what the model learned: f^k(image)", project, run_project);
    p->add_option("inputs", project.inputs, "image files or folders")->required();
    add_k(p, project.k);
    add_image_output(p, project.out, project.zoom, "output folder (NAME_projected.png, NAME_chain.png)");
}

}  // namespace ign_cli
