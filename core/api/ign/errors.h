#pragma once
// The errors the engine promises its callers, torch-free so that the studio can catch them by type.
// Every message says what was being done, with which file or settings, and what went wrong.
#include <stdexcept>
#include <string>

namespace ign {

// A data set, image or run file that cannot be read (names the file and, where it applies, the line).
struct DataError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A checkpoint that is missing, damaged or not a checkpoint (names the file).
struct CheckpointError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A peer died, hung past the timeout, or could not be reached. The message says which and when.
struct DistributedError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// LibTorch refused an operation (a dtype, shape or memory problem): the message says what the engine
// was doing and with which settings, then LibTorch's own first line.
struct EngineError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace ign
