// IDX images and labels (raw and gzip): any bytes give tensors or ign::DataError.
#include "fuzz_support.h"
#include "ign/data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = ign::fuzzing::write_input("input-idx3-ubyte", data, size);
    try {
        ign::read_idx_images(path);
    } catch (const ign::DataError&) {
    }
    try {
        ign::read_idx_labels(path);
    } catch (const ign::DataError&) {
    }
    return 0;
}
