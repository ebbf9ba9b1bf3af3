#pragma once
// What every `ign` command shares: exit codes, the common options (threads, logging, device), loading a
// model by path or bundled name, and the table of commands main() registers.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "ign/checkpoint.h"
#include "ign/inference.h"

namespace ign_cli {

constexpr const char* kModelHelp = "checkpoint file, or the name of a bundled model (digits, fashion, emoji)";

// Exit codes (also in the README).
enum Exit { kOk = 0, kError = 1, kUsage = 2, kBadInput = 3, kDiverged = 4, kCancelled = 130 };

struct Common {
    int threads = 0;
    std::string log_level = "info";
    std::string log_file;
    std::string device = "auto";  // commands that run the network
};

void add_device(CLI::App* cmd, Common& c);
void add_common(CLI::App* cmd, Common& c);
// Logging and threads as the options say.
void apply_common(const Common& c);

struct Loaded {
    ign::CheckpointInfo info;
    ign::IgnNet model{nullptr};
};

// A checkpoint path, or the name of a bundled model ("digits") when no such file exists.
std::string resolve_model(const std::string& path_or_name);
// --device resolved; a GPU asked for but missing is said in the log.
std::string device_for(const Common& common);
// Loads onto the CPU, then moves the model to the device asked for.
Loaded load(const std::string& path_or_name, const Common& common);
ign::InferenceOptions inference_options(const std::string& norm_mode);
void add_norm_mode(CLI::App* cmd, std::string& norm_mode);

// What a command's registration gets: where to put its exit code, and the command line (for the ranks
// `ign train --nproc` starts).
struct CommandContext {
    int rc = kOk;
    std::vector<std::string> argv;  // after the program name
};

// One file per command in app/commands/: each adds its subcommand (options and the call of its run
// function) to `app`. main() walks this list.
using AddCommand = void (*)(CLI::App& app, CommandContext& context);
const std::vector<AddCommand>& commands();

// A subcommand with the options every command has (--threads, --log-level, --log-file); when chosen, they
// are applied (apply_common), then `run(args)` runs and its exit code becomes the program's. `args` is the
// command's options struct, a static of its add_<name>_command (it must outlive parsing).
template <class Args>
CLI::App* add_command(CLI::App& app, CommandContext& context, const char* name, const char* description, Args& args,
                      int (*run)(const Args&)) {
    auto* command = app.add_subcommand(name, description);
    add_common(command, args.common);
    command->callback([&args, &context, run] {
        apply_common(args.common);
        context.rc = run(args);
    });
    return command;
}
// The same for a command that runs a network: with --device.
template <class Args>
CLI::App* add_network_command(CLI::App& app, CommandContext& context, const char* name, const char* description,
                              Args& args, int (*run)(const Args&)) {
    auto* command = add_command(app, context, name, description, args, run);
    add_device(command, args.common);
    return command;
}
// The required first argument of the commands that use a model: a checkpoint file or a bundled model's name.
void add_model_argument(CLI::App* command, std::string& checkpoint);
// The same for a command that applies a model: the model as its first argument and --norm-mode (`Args` has
// `checkpoint` and `norm_mode`).
template <class Args>
CLI::App* add_model_command(CLI::App& app, CommandContext& context, const char* name, const char* description,
                            Args& args, int (*run)(const Args&)) {
    auto* command = add_network_command(app, context, name, description, args, run);
    add_model_argument(command, args.checkpoint);
    add_norm_mode(command, args.norm_mode);
    return command;
}
// Options several commands share, with one spelling, range and help each:
// -k, how many times f is applied (1..64);
void add_k(CLI::App* command, int& k);
// --count/-n, how many `what` (1..most); --seed, the seed of `what`.
void add_count(CLI::App* command, int& count, int most, const std::string& what);
void add_seed(CLI::App* command, uint64_t& seed, const std::string& what);
// --out/-o (`what` is written there) and --zoom 1..32: the options of every command that writes images.
void add_image_output(CLI::App* command, std::string& out, int& zoom, const std::string& what);

}  // namespace ign_cli
