// ign: the command-line client of ign_core. Every subcommand is a thin wrapper over the core API, one
// file each in app/commands/; main() registers them from the list below and maps errors to exit codes.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <csignal>

#include "cli.h"
#include "ign/engine_error.h"
#include "ign/errors.h"
#include "ign/system.h"
#include "ign/version.h"

namespace ign_cli {

void add_train_command(CLI::App& app, CommandContext& context);
void add_sample_command(CLI::App& app, CommandContext& context);
void add_chain_command(CLI::App& app, CommandContext& context);
void add_interpolate_command(CLI::App& app, CommandContext& context);
void add_project_command(CLI::App& app, CommandContext& context);
void add_corrupt_command(CLI::App& app, CommandContext& context);
void add_info_command(CLI::App& app, CommandContext& context);
void add_export_command(CLI::App& app, CommandContext& context);
void add_train_classifier_command(CLI::App& app, CommandContext& context);
void add_eval_command(CLI::App& app, CommandContext& context);
void add_bench_command(CLI::App& app, CommandContext& context);

const std::vector<AddCommand>& commands() {
    static const std::vector<AddCommand> list{&add_train_command,
                                                  &add_sample_command,
                                                  &add_chain_command,
                                                  &add_interpolate_command,
                                                  &add_project_command,
                                                  &add_corrupt_command,
                                                  &add_info_command,
                                                  &add_export_command,
                                                  &add_train_classifier_command,
                                                  &add_eval_command,
                                                  &add_bench_command};
    return list;
}

}  // namespace ign_cli

namespace {

std::string version_text() {
    std::string text = std::string("ign ") + ign::kVersion + "\n" + ign::library_versions();
#ifdef IGN_QT_VERSION
    text += "\nQt " IGN_QT_VERSION " (ign-studio)";
#endif
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace ign_cli;
    ign::ensure_blas_core_type(argc, argv);
    // Past a file-size limit (ulimit -f) writes fail with EFBIG, reported like a full disk, instead of
    // the signal killing the process mid-save.
    std::signal(SIGXFSZ, SIG_IGN);
    CLI::App app{"ign: train and use Idempotent Generative Networks from the terminal"};
    app.set_version_flag("--version", version_text());
    app.require_subcommand(1);
    CommandContext context;
    context.argv.assign(argv + 1, argv + argc);
    for (const auto add : commands()) add(app, context);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kOk : kUsage;
    } catch (const ign::DataError& e) {
        spdlog::error("{}", e.what());
        return kBadInput;
    } catch (const ign::CheckpointError& e) {
        spdlog::error("{}", e.what());
        return kBadInput;
    } catch (const std::invalid_argument& e) {
        spdlog::error("{}", e.what());
        return kUsage;
    } catch (const c10::Error& e) {
        // The last resort: the engine explains LibTorch's errors where it knows more (EngineError).
        std::string command_line = "ign";
        for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
        spdlog::error("{} failed inside LibTorch: {}", command_line, ign::torch_message(e));
        return kError;
    } catch (const std::exception& e) {
        spdlog::error("{}", e.what());
        return kError;
    }
    return context.rc;
}
