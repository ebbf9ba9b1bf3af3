#include "ign/run_folder.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ign/data.h"
#include "ign/files.h"

namespace ign {

namespace {

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError(path + ": cannot be read (" + (std::filesystem::exists(path) ? "permission?" : "no such file") + ")");
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

void write_run_status(const std::string& path, const RunStatus& s) {
    const nlohmann::json j = {{"state", s.state},         {"step", s.step},   {"total_steps", s.total_steps},
                              {"images_per_s", s.images_per_s}, {"eta_s", s.eta_s}, {"wall_s", s.wall_s},
                              {"updated_unix", s.updated_unix}, {"description", s.description},
                              {"message", s.message}};
    write_file_atomically(path, j.dump(2) + "\n");
}

RunStatus read_run_status(const std::string& path) {
    const auto text = read_text(path);
    try {
        const auto j = nlohmann::json::parse(text);
        RunStatus s;
        s.state = j.at("state").get<std::string>();
        s.step = j.at("step").get<int64_t>();
        s.total_steps = j.at("total_steps").get<int64_t>();
        s.images_per_s = j.value("images_per_s", 0.0);
        s.eta_s = j.value("eta_s", 0.0);
        s.wall_s = j.value("wall_s", 0.0);
        s.updated_unix = j.value("updated_unix", 0.0);
        s.description = j.value("description", std::string());
        s.message = j.value("message", std::string());
        return s;
    } catch (const nlohmann::json::exception& e) {
        throw DataError(path + ": not a run status file (" + e.what() + ")");
    }
}

std::vector<LossRecord> read_loss_csv(const std::string& path) {
    std::istringstream in(read_text(path));
    std::string line;
    if (!std::getline(in, line) || line.rfind("step,wall_s,total,reconstruction,idempotence,tightness", 0) != 0)
        throw DataError(path + ": not a losses.csv (expected the header step,wall_s,total,reconstruction,idempotence,tightness)");
    std::vector<LossRecord> records;
    for (int number = 2; std::getline(in, line); ++number) {
        if (line.empty()) continue;
        LossRecord r;
        char c[5];
        std::istringstream fields(line);
        if (!(fields >> r.step >> c[0] >> r.wall_s >> c[1] >> r.total >> c[2] >> r.reconstruction >> c[3] >>
              r.idempotence >> c[4] >> r.tightness) ||
            std::string(c, 5) != ",,,,,")
            throw DataError(path + ": line " + std::to_string(number) + " is not six comma-separated numbers");
        records.push_back(r);
    }
    return records;
}

RunFiles run_files(const std::string& folder) {
    const std::filesystem::path f(folder);
    return {(f / "checkpoint.pt").string(), (f / "losses.csv").string(), (f / "preview.png").string(),
            (f / "status.json").string()};
}

}  // namespace ign
