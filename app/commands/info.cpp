// `ign info`: its options and what it runs.
#include <iostream>

#include "cli.h"
#include "ign/system.h"

namespace ign_cli {
namespace {

struct InfoArgs {
    Common common;
    std::string checkpoint;
    bool system = false;
};

int run_info(const InfoArgs& a) {
    if (a.system) std::cout << ign::system_info() << "\n";
    if (!a.checkpoint.empty()) {
        auto m = load(a.checkpoint, a.common);
        std::cout << m.info.card() << "  parameters: " << ign::parameter_count(*m.model) << "\n";
    }
    if (!a.system && a.checkpoint.empty()) throw CLI::ValidationError("info", "give a checkpoint or --system");
    return kOk;
}

}  // namespace

void add_info_command(CLI::App& app, CommandContext& context) {
    static InfoArgs info;
    auto* in = add_command(app, context, "info", "print a checkpoint's model card, or the system's threads, BLAS and oneDNN", info, run_info);
    in->add_option("checkpoint", info.checkpoint, kModelHelp);
    in->add_flag("--system", info.system, "threads, BLAS core type, oneDNN, OpenMP");
}

}  // namespace ign_cli
