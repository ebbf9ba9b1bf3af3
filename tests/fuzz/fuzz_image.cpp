// Image files of any format (the name says PNG; OpenCV sniffs the content): an image or DataError.
#include "fuzz_support.h"
#include "ign/data.h"
#include "ign/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto path = ign::fuzzing::write_input("input.png", data, size);
    try {
        const auto image = ign::read_image_file(path);
        ign::conform_image(image, 1, 28);
    } catch (const ign::DataError&) {
    }
    return 0;
}
