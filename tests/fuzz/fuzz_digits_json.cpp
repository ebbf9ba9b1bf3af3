// The digits JSON set: the fuzzed bytes are 0.json beside nine valid files.
#include "fuzz_support.h"
#include "ign/data.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const bool others = [] {
        for (int d = 1; d <= 9; ++d) std::ofstream(ign::fuzzing::scratch(std::to_string(d) + ".json")) << "{\"data\": []}";
        return true;
    }();
    (void)others;
    ign::fuzzing::write_input("0.json", data, size);
    try {
        ign::read_digits_json(ign::fuzzing::scratch(""));
    } catch (const ign::DataError&) {
    }
    return 0;
}
