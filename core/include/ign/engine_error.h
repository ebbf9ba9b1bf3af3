#pragma once
// LibTorch's errors never reach a user raw: the engine catches them where it knows what it was doing
// and with which settings, and throws EngineError (errors.h) with that sentence in front.
#include <c10/util/Exception.h>

#include <string>

#include "ign/errors.h"

namespace ign {

// LibTorch's own message, first line only (no C++ backtrace, no "Exception raised from" tail).
inline std::string torch_message(const c10::Error& error) {
    const std::string text = error.what_without_backtrace();
    return text.substr(0, text.find('\n'));
}

// Runs `work()`; a LibTorch error comes out as EngineError("<doing()>: <LibTorch's message>"). `doing`
// is called only then, so describing the settings costs nothing on the good path.
template <class Doing, class Work>
auto explain_torch_errors(Doing&& doing, Work&& work) -> decltype(work()) {
    try {
        return work();
    } catch (const c10::Error& error) {
        throw EngineError(doing() + ": " + torch_message(error));
    }
}

}  // namespace ign
