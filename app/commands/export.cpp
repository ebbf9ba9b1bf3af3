// `ign export`: its options and what it runs.
#include <filesystem>
#include <iostream>

#include "cli.h"

namespace fs = std::filesystem;

namespace ign_cli {
namespace {

struct ExportArgs {
    Common common;
    std::string checkpoint, out;
};

// A model for shipping or sharing: weights, options, noise statistics and loss history, without the
// optimizer state (a third of the size). Every inference command reads it; training cannot resume from it.
int run_export(const ExportArgs& a) {
    auto m = load(a.checkpoint, a.common);
    ign::save_checkpoint(a.out, m.info, m.model, nullptr);
    std::cout << a.out << " (" << fs::file_size(a.out) / 1024 << " KiB)\n";
    return kOk;
}

}  // namespace

void add_export_command(CLI::App& app, CommandContext& context) {
    static ExportArgs exp;
    auto* ex = add_command(app, context, "export", "write a model for shipping: a checkpoint without optimizer state", exp, run_export);
    add_model_argument(ex, exp.checkpoint);
    ex->add_option("out", exp.out, "output file")->required();
}

}  // namespace ign_cli
