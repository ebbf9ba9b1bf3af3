#include "ign/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ign/version.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace ign {
namespace {

// The round of the coverage matching a checkpoint holds. Matchings saved under the older key numbered
// each image's own candidates, not the round's pool: they are not read (the resume matches again).
constexpr const char* kCoverageRoundKey = "coverage_pool_round";

void fsync_path(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

std::string temporary_name(const std::string& path) {
    return path + ".tmp-" + std::to_string(::getpid());
}

void commit_temporary(const std::string& tmp, const std::string& path) {
    fsync_path(tmp, O_RDONLY);
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw CheckpointError(path + ": cannot replace the file (" + ec.message() + ")");
    }
    const auto dir = fs::path(path).parent_path();
    fsync_path(dir.empty() ? "." : dir.string(), O_RDONLY | O_DIRECTORY);
}

}  // namespace

std::string TrainSettings::to_string() const {
    std::ostringstream s;
    s << "data=" << data << " batch=" << batch << " steps=" << steps << " seed=" << seed;
    return s.str();
}

std::string CheckpointSummary::card() const {
    std::ostringstream s;
    s << "IGN checkpoint (format " << format_version << ", " << created_by << ")\n"
      << "  model:      " << model.to_string() << "\n"
      << "  objective:  " << objective.to_string() << "\n"
      << "  optimizer:  " << optimizer.to_string() << "\n"
      << "  training:   " << train.to_string() << "\n"
      << "  noise:      " << to_string(noise) << "\n"
      << "  step:       " << step << " (" << wall_time_s << " s of training)\n";
    for (const auto& stage : stages)
        s << "  stage:      from step " << stage.from_step << ": " << stage.objective.to_string() << " lr=" << stage.lr << "\n";
    if (!history.empty()) {
        const auto& last = history.back();
        s << "  last loss:  total " << last.total;
        for (const auto& term : last.terms) s << "  " << term.name << " " << term.value;
        s << "\n";
    }
    return s.str();
}

namespace {

// Whether every element the tensor's sizes and strides reach lies inside its storage. LibTorch's
// loader does not check this: a damaged file can declare 512 elements over 9 bytes of data.
bool storage_holds(const torch::Tensor& t) {
    if (!t.defined()) return false;
    if (t.numel() == 0) return true;
    if (!t.has_storage()) return false;
    int64_t last = t.storage_offset();
    for (int64_t d = 0; d < t.dim(); ++d) {
        if (t.stride(d) < 0) return false;
        last += (t.size(d) - 1) * t.stride(d);
    }
    return t.storage_offset() >= 0 && (last + 1) * int64_t(t.element_size()) <= int64_t(t.storage().nbytes());
}

// Checks every tensor in an archive and its sub-archives before anything reads their data, and adds
// up the bytes their (distinct) storages declare.
void check_archive_tensors(torch::serialize::InputArchive& archive, const std::string& path, const std::string& prefix,
                           std::set<const void*>& storages, uint64_t& declared_bytes) {
    for (const auto& key : archive.keys()) {
        torch::Tensor tensor;
        torch::serialize::InputArchive child;
        if (archive.try_read(key, tensor)) {
            if (!storage_holds(tensor))
                throw CheckpointError(path + ": damaged checkpoint (record '" + prefix + key + "' is shorter than its shape)");
            if (tensor.numel() > 0 && storages.insert(tensor.storage().data()).second)
                declared_bytes += tensor.storage().nbytes();
        } else if (archive.try_read(key, child)) {
            check_archive_tensors(child, path, prefix + key + ".", storages, declared_bytes);
        }
    }
}

uint32_t le32(const std::string& b, size_t at) {
    return uint32_t(uint8_t(b[at])) | uint32_t(uint8_t(b[at + 1])) << 8 | uint32_t(uint8_t(b[at + 2])) << 16 |
           uint32_t(uint8_t(b[at + 3])) << 24;
}
uint32_t le16(const std::string& b, size_t at) { return uint32_t(uint8_t(b[at])) | uint32_t(uint8_t(b[at + 1])) << 8; }

// LibTorch 1.13 reads a checkpoint's zip records without checking their CRC-32s and sizes a tensor's
// storage by what the pickle declares, not by the record it reads: a damaged file can make later reads
// run past the data. So before LibTorch parses it: every record's CRC-32 is checked against the zip
// directory, and the tensor-data records' total size is returned (compared with what the tensors
// declare once loaded).
int64_t check_zip_records(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto damaged = [&path](const std::string& what) { return CheckpointError(path + ": damaged checkpoint (" + what + ")"); };
    if (b.size() < 22) throw CheckpointError(path + ": not an IGN checkpoint (too short), or truncated");
    size_t end = std::string::npos;
    for (size_t i = b.size() - 22 + 1; i-- > 0 && b.size() - i <= 22 + 65535;)
        if (le32(b, i) == 0x06054b50) {
            end = i;
            break;
        }
    if (end == std::string::npos) throw CheckpointError(path + ": not an IGN checkpoint (no zip directory), or truncated");
    const uint32_t entries = le16(b, end + 10), dir_size = le32(b, end + 12), dir_offset = le32(b, end + 16);
    // This program never writes zip64 (a checkpoint is far below 4 GB) nor compressed records.
    if (entries == 0xFFFF || dir_size == 0xFFFFFFFF || dir_offset == 0xFFFFFFFF)
        throw CheckpointError(path + ": not an IGN checkpoint (zip64 archive)");
    if (entries == 0) throw CheckpointError(path + ": not an IGN checkpoint (an empty zip archive)");
    if (uint64_t(dir_offset) + dir_size > end) throw damaged("zip directory out of bounds");
    int64_t data_bytes = 0;
    size_t at = dir_offset;
    for (uint32_t i = 0; i < entries; ++i) {
        if (at + 46 > end || le32(b, at) != 0x02014b50) throw damaged("zip directory entry " + std::to_string(i));
        const uint32_t method = le16(b, at + 10), crc = le32(b, at + 16), stored = le32(b, at + 20), size = le32(b, at + 24);
        const uint32_t name_length = le16(b, at + 28), extra = le16(b, at + 30), comment = le16(b, at + 32);
        const uint32_t local = le32(b, at + 42);
        if (at + 46 + name_length > end) throw damaged("zip directory entry " + std::to_string(i));
        const std::string name = b.substr(at + 46, name_length);
        if (uint64_t(local) + 30 > b.size() || le32(b, local) != 0x04034b50) throw damaged("record " + name + " missing");
        const uint64_t data = uint64_t(local) + 30 + le16(b, local + 26) + le16(b, local + 28);
        if (data + stored > b.size()) throw damaged("record " + name + " cut short");
        const bool tensor_data = name.find("/data/") != std::string::npos;
        std::string inflated;
        const char* content = b.data() + data;
        if (method == 8 && !tensor_data) {  // LibTorch deflates its small code records
            if (size > (64u << 20)) throw damaged("record " + name + " claims an absurd size");
            inflated.resize(size);
            z_stream z{};
            z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content));
            z.avail_in = stored;
            z.next_out = reinterpret_cast<Bytef*>(inflated.data());
            z.avail_out = size;
            const bool ok = inflateInit2(&z, -MAX_WBITS) == Z_OK && inflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out == size;
            inflateEnd(&z);
            if (!ok) throw damaged("record " + name + " does not inflate");
            content = inflated.data();
        } else if (method != 0 || stored != size) {
            throw damaged("record " + name + " is not stored the way this program writes it");
        }
        uLong actual = crc32(0L, Z_NULL, 0);
        if (size > 0) actual = crc32(actual, reinterpret_cast<const Bytef*>(content), uInt(size));
        if (actual != crc) throw damaged("record " + name + " fails its CRC-32");
        if (tensor_data) data_bytes += size;
        at += 46 + name_length + extra + comment;
    }
    return data_bytes;
}

}  // namespace

torch::Tensor text_to_tensor(const std::string& text) {
    auto t = torch::empty({int64_t(text.size())}, torch::kUInt8);
    std::memcpy(t.data_ptr<uint8_t>(), text.data(), text.size());
    return t;
}

std::string tensor_to_text(const torch::Tensor& tensor) {
    if (!storage_holds(tensor) || tensor.scalar_type() != torch::kUInt8 || tensor.dim() != 1)
        throw std::runtime_error("text record is damaged (not a byte vector that fits its storage)");
    const auto c = tensor.contiguous();
    return std::string(reinterpret_cast<const char*>(c.data_ptr<uint8_t>()), size_t(c.numel()));
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
    const auto tmp = temporary_name(path);
    {
        errno = 0;
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), std::streamsize(bytes.size()));
        out.flush();
        if (!out) {
            const std::string reason = errno ? std::strerror(errno) : "write failed";
            out.close();
            std::error_code ec;
            fs::remove(tmp, ec);
            throw CheckpointError(path + ": cannot write (" + reason + "; disk full or not writable?)");
        }
    }
    commit_temporary(tmp, path);
}

void write_loss_csv(const std::string& path, const std::vector<LossRecord>& history) {
    const auto names = history.empty() ? original_loss_term_names() : loss_term_names(history);
    std::ostringstream s;
    s.precision(9);
    s << "step,wall_s,total";
    for (const auto& name : names) s << ',' << name;
    s << '\n';
    for (const auto& r : history) {
        s << r.step << ',' << r.wall_s << ',' << r.total;
        for (const auto& name : names) s << ',' << r.term(name);
        s << '\n';
    }
    write_file_atomically(path, s.str());
}

namespace {

// [N, 3 + terms]: step, wall_s, total, then the terms named by `names` (NaN where a record lacks one).
torch::Tensor history_tensor(const std::vector<LossRecord>& records, const std::vector<std::string>& names) {
    auto history = torch::zeros({int64_t(records.size()), 3 + int64_t(names.size())}, torch::kFloat64);
    auto h = history.accessor<double, 2>();
    for (size_t i = 0; i < records.size(); ++i) {
        const auto& r = records[i];
        h[i][0] = double(r.step); h[i][1] = r.wall_s; h[i][2] = r.total;
        for (size_t t = 0; t < names.size(); ++t) h[i][3 + int64_t(t)] = r.term(names[t]);
    }
    return history;
}

std::vector<LossRecord> history_records(const torch::Tensor& history, const std::vector<std::string>& names,
                                        const std::string& path) {
    const auto h = history.to(torch::kFloat64).contiguous();
    if (h.dim() != 2 || (h.size(0) > 0 && h.size(1) != 3 + int64_t(names.size())))
        throw CheckpointError(path + ": malformed loss history (expected step, wall time, total and " +
                              std::to_string(names.size()) + " terms per row)");
    std::vector<LossRecord> records;
    const auto a = h.accessor<double, 2>();
    for (int64_t i = 0; i < h.size(0); ++i) {
        LossRecord r{int64_t(a[i][0]), a[i][1], a[i][2], {}};
        for (size_t t = 0; t < names.size(); ++t)
            if (!std::isnan(a[i][3 + int64_t(t)])) r.terms.push_back({names[t], a[i][3 + int64_t(t)]});
        records.push_back(std::move(r));
    }
    return records;
}

}  // namespace

void load_archive_checked(torch::serialize::InputArchive& archive, const std::string& path) {
    const int64_t record_bytes = check_zip_records(path);
    try {
        archive.load_from(path, torch::Device(torch::kCPU));  // whatever device it was trained on
    } catch (const c10::Error& e) {
        throw CheckpointError(path + ": not an IGN checkpoint, or truncated or damaged (" +
                              e.what_without_backtrace() + ")");
    } catch (const std::exception& e) {  // LibTorch's script parser throws its own kinds
        throw CheckpointError(path + ": not an IGN checkpoint, or damaged (" + std::string(e.what()).substr(0, 200) + ")");
    }
    std::set<const void*> storages;
    uint64_t declared_bytes = 0;
    check_archive_tensors(archive, path, "", storages, declared_bytes);
    if (declared_bytes != uint64_t(record_bytes))
        throw CheckpointError(path + ": damaged checkpoint (the tensors declare " + std::to_string(declared_bytes) +
                              " bytes, the file holds " + std::to_string(record_bytes) + ")");
}

uint32_t checkpoint_checksum(IgnNet& model, const torch::Tensor& history) {
    uLong crc = crc32(0L, Z_NULL, 0);
    auto add = [&crc](const torch::Tensor& tensor) {
        const auto t = tensor.detach().cpu().contiguous();
        if (t.numel() == 0) return;  // zlib: a null buffer would reset the CRC to its initial value
        crc = crc32(crc, static_cast<const Bytef*>(t.data_ptr()), uInt(t.numel() * t.element_size()));
    };
    for (const auto& p : model->named_parameters()) add(p.value());
    for (const auto& b : model->named_buffers()) add(b.value());
    add(history.to(torch::kFloat64));
    return uint32_t(crc);
}

void save_checkpoint(const std::string& path, const CheckpointInfo& info, IgnNet& model,
                     torch::optim::Optimizer* optimizer) {
    const auto term_names = loss_term_names(info.history);
    const auto history = history_tensor(info.history, term_names);
    json meta = {{"format", "ign-checkpoint"},
                 {"format_version", kCheckpointFormatVersion},
                 {"created_by", std::string("ign ") + kVersion},
                 {"model", info.model},
                 {"objective", info.objective},
                 {"optimizer", info.optimizer},
                 {"train", info.train},
                 {"noise", info.noise},
                 {"step", info.step},
                 {"wall_time_s", info.wall_time_s},
                 {"history_terms", term_names},
                 {"checksum_crc32", checkpoint_checksum(model, history)}};
    if (!info.stages.empty()) meta["stages"] = info.stages;
    if (info.coverage_matches.defined()) meta[kCoverageRoundKey] = info.coverage_round;
    torch::serialize::OutputArchive archive;
    archive.write("meta", text_to_tensor(meta.dump()));
    torch::serialize::OutputArchive model_archive;
    model->save(model_archive);
    archive.write("model", model_archive);
    if (optimizer) {
        torch::serialize::OutputArchive optimizer_archive;
        optimizer->save(optimizer_archive);
        archive.write("optimizer", optimizer_archive);
    }
    if (info.spectral.defined()) {
        archive.write("spectral_mean_real", info.spectral.mean_real);
        archive.write("spectral_std_real", info.spectral.std_real);
        archive.write("spectral_mean_imag", info.spectral.mean_imag);
        archive.write("spectral_std_imag", info.spectral.std_imag);
    }
    archive.write("history", history);
    if (info.coverage_matches.defined()) archive.write("coverage_matches", info.coverage_matches);

    // Serialised in memory first: LibTorch's file writer aborts the process when a write fails (its
    // error is thrown through C code), so the file is written by write_file_atomically, which reports a
    // full disk as an error and leaves the previous file untouched.
    std::ostringstream bytes;
    try {
        archive.save_to(bytes);
    } catch (const c10::Error& e) {
        throw CheckpointError(path + ": cannot serialise checkpoint (" + e.what_without_backtrace() + ")");
    }
    const auto parent = fs::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) fs::create_directories(parent, ec);
    write_file_atomically(path, bytes.str());
}

LoadedCheckpoint load_checkpoint(const std::string& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw CheckpointError(path + ": no such checkpoint file");
    if (fs::is_directory(path, ec)) throw CheckpointError(path + ": is a folder, expected a checkpoint file");
    LoadedCheckpoint loaded;
    loaded.path = path;
    loaded.archive = std::make_shared<torch::serialize::InputArchive>();
    auto& archive = *loaded.archive;
    CheckpointInfo& info = loaded.info;
    load_archive_checked(archive, path);
    try {
        torch::Tensor meta_tensor;
        if (!archive.try_read("meta", meta_tensor)) throw CheckpointError(path + ": not an IGN checkpoint (no metadata)");
        json meta = json::parse(tensor_to_text(meta_tensor));
        if (meta.value("format", "") != "ign-checkpoint") throw CheckpointError(path + ": not an IGN checkpoint");
        info.format_version = meta.at("format_version");
        if (info.format_version > kCheckpointFormatVersion)
            throw CheckpointError(path + ": checkpoint format " + std::to_string(info.format_version) +
                                  " is newer than this program reads (" + std::to_string(kCheckpointFormatVersion) +
                                  "); update IGN Studio");
        info.created_by = meta.value("created_by", "");
        rename_legacy_keys(meta);
        info.model = meta.at("model").get<ModelOptions>();
        info.objective = meta.at("objective").get<ObjectiveOptions>();
        info.optimizer = meta.at("optimizer").get<OptimizerOptions>();
        // Written only by runs resumed with a changed objective.
        info.stages = meta.value("stages", std::vector<TrainingStage>{});
        info.train = meta.at("train").get<TrainSettings>();
        info.noise = meta.at("noise").get<NoiseKind>();
        info.step = meta.at("step");
        info.wall_time_s = meta.at("wall_time_s");

        // A fresh tensor for each record: InputArchive::read into a defined tensor overwrites it in place.
        if (torch::Tensor t; archive.try_read("spectral_mean_real", t)) {
            info.spectral.mean_real = t;
            archive.read("spectral_std_real", info.spectral.std_real);
            archive.read("spectral_mean_imag", info.spectral.mean_imag);
            archive.read("spectral_std_imag", info.spectral.std_imag);
        }
        if (torch::Tensor t; meta.contains(kCoverageRoundKey) && archive.try_read("coverage_matches", t)) {
            info.coverage_round = meta.at(kCoverageRoundKey);
            info.coverage_matches = t;
        }
        torch::Tensor history;
        archive.read("history", history);
        const auto term_names = info.format_version >= 3 ? meta.at("history_terms").get<std::vector<std::string>>()
                                                         : original_loss_term_names();
        info.history = history_records(history, term_names, path);
        const auto h = history.to(torch::kFloat64);

        loaded.model = IgnNet(info.model);
        torch::serialize::InputArchive model_archive;
        archive.read("model", model_archive);
        loaded.model->load(model_archive);
        if (info.format_version >= 2) {
            const uint32_t expected = meta.at("checksum_crc32");
            if (checkpoint_checksum(loaded.model, h) != expected)
                throw CheckpointError(path + ": damaged checkpoint (checksum mismatch: the weights or loss history "
                                             "differ from what was saved)");
        }
        info.noise_sampler();  // validates the spectral statistics against the model
    } catch (const CheckpointError&) {
        throw;
    } catch (const c10::Error& e) {
        throw CheckpointError(path + ": damaged or inconsistent checkpoint (" + e.what_without_backtrace() + ")");
    } catch (const std::exception& e) {
        throw CheckpointError(path + ": damaged or inconsistent checkpoint (" + e.what() + ")");
    }
    return loaded;
}

void restore_optimizer(const LoadedCheckpoint& checkpoint, torch::optim::Optimizer& optimizer) {
    torch::serialize::InputArchive optimizer_archive;
    if (!checkpoint.archive->try_read("optimizer", optimizer_archive))
        throw CheckpointError(checkpoint.path +
                              ": holds no optimizer state (an exported model), so training cannot resume from it");
    optimizer.load(optimizer_archive);
}

}  // namespace ign
