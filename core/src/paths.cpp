// Where the bundled models are, wherever the programs run from (no torch, no OpenCV).
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "ign/session.h"

namespace ign {

std::string find_bundled_model(const std::string& name) {
    namespace fs = std::filesystem;
    std::vector<fs::path> folders;
    if (const char* env = std::getenv("IGN_MODELS_DIR"); env && *env) folders.emplace_back(env);
    folders.push_back(fs::current_path() / "models");
    std::error_code ec;
    const auto exe = fs::read_symlink("/proc/self/exe", ec).parent_path();
    if (!ec)
        for (const auto& relative : {"../models", "../../models", "../share/ign-studio/models"})
            folders.push_back(exe / relative);
    for (const auto& folder : folders) {
        const auto file = folder / (name + ".pt");
        if (fs::is_regular_file(file, ec)) return fs::weakly_canonical(file, ec).string();
    }
    return {};
}

}  // namespace ign
