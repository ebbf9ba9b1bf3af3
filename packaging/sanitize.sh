#!/usr/bin/env bash
# The unit suites built with AddressSanitizer + UndefinedBehaviorSanitizer (leak detection on) into
# build-asan/, and run. Any report fails the run. run-tests.sh (and so CI) calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIGN_SANITIZE=ON -DIGN_BUILD_GUI=OFF >/dev/null
cmake --build build-asan
# fast_unwind_on_malloc=0: full stacks through the uninstrumented LibTorch, so suppressions can name a function
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:fast_unwind_on_malloc=0
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# test_combinations is left out here: its 36 rows start `ign` 72 times and train 108 times, past ctest's
# 10 minutes under the sanitizers (measured: timed out at 600 s); the code it drives runs under them in
# test_trainer, test_distributed and test_inference.
ctest --test-dir build-asan -L unit -E test_combinations --output-on-failure "$@"
