#include "ign/run_folder.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
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

namespace {

std::vector<std::string> split_commas(const std::string& line) {
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, ',');) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    return fields;
}

}  // namespace

std::vector<LossRecord> read_loss_csv(const std::string& path) {
    std::istringstream in(read_text(path));
    std::string line;
    std::getline(in, line);
    const auto columns = split_commas(line);
    if (columns.size() < 3 || columns[0] != "step" || columns[1] != "wall_s" || columns[2] != "total")
        throw DataError(path + ": not a losses.csv (expected a header step,wall_s,total then one column per loss term)");
    std::vector<LossRecord> records;
    for (int number = 2; std::getline(in, line); ++number) {
        if (line.empty()) continue;
        const auto fields = split_commas(line);
        std::vector<double> numbers;
        for (const auto& field : fields) {
            char* end = nullptr;
            const double value = std::strtod(field.c_str(), &end);
            if (field.empty() || *end != '\0') break;
            numbers.push_back(value);
        }
        if (fields.size() != columns.size() || numbers.size() != columns.size())
            throw DataError(path + ": line " + std::to_string(number) + " is not " + std::to_string(columns.size()) +
                            " comma-separated numbers");
        LossRecord r{int64_t(numbers[0]), numbers[1], numbers[2], {}};
        for (size_t c = 3; c < columns.size(); ++c)
            if (!std::isnan(numbers[c])) r.terms.push_back({columns[c], numbers[c]});
        records.push_back(std::move(r));
    }
    return records;
}

RunFiles run_files(const std::string& folder) {
    const std::filesystem::path f(folder);
    return {(f / "checkpoint.pt").string(), (f / "losses.csv").string(), (f / "preview.png").string(),
            (f / "status.json").string()};
}

}  // namespace ign
