// Checkpoint files: a model or ign::CheckpointError, never a crash or a half-loaded model.
#include "fuzz_support.h"
#include "ign/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = ign::fuzzing::write_input("input.pt", data, size);
    try {
        ign::load_checkpoint(path);
    } catch (const ign::CheckpointError&) {
    }
    return 0;
}
