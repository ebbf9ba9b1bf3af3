#pragma once
// libFuzzer targets write the input to a file (the readers take paths, as users give them) and call a
// reader; the only acceptable outcomes are a value or the reader's documented error naming the file.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace ign::fuzzing {

inline std::string scratch(const std::string& name) {
    static const std::string dir = [] {
        char pattern[] = "/tmp/ign-fuzz-XXXXXX";
        const char* made = mkdtemp(pattern);
        if (!made) std::abort();
        return std::string(made);
    }();
    return dir + "/" + name;
}

inline std::string write_input(const std::string& name, const uint8_t* data, size_t size) {
    const auto path = scratch(name);
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data), std::streamsize(size));
    return path;
}

}  // namespace ign::fuzzing
