#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) into build-fuzz/ and runs each for a bounded
# time, starting from the committed corpus tests/corpus/<kind>. Crashes and their inputs land in
# build-fuzz/artifacts/; the run fails if any target crashed.
#   bash packaging/fuzz.sh            60 s per target
#   FUZZ_SECONDS=600 bash packaging/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
command -v clang++ >/dev/null || { SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo; $SUDO apt-get install -y clang; }
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DIGN_FUZZ=ON -DIGN_BUILD_GUI=OFF -DIGN_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz --target fuzz_idx fuzz_digits_json fuzz_image fuzz_checkpoint fuzz_settings
mkdir -p build-fuzz/artifacts
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1  # LibTorch's static pools are not leaks
failed=0
for pair in idx:idx json:digits_json image:image checkpoint:checkpoint settings:settings; do
  kind=${pair%%:*}; target=fuzz_${pair##*:}
  work=build-fuzz/corpus-$kind
  mkdir -p "$work"
  cp -n tests/corpus/$kind/* "$work"/ 2>/dev/null || true
  echo "== $target for ${seconds}s (corpus $work)"
  if ! build-fuzz/tests/fuzz/$target "$work" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 \
       -max_len=262144 -artifact_prefix=build-fuzz/artifacts/$target- -print_final_stats=1 \
       2> build-fuzz/$target.log; then
    failed=1
    echo "!! $target found a failure: see build-fuzz/$target.log and build-fuzz/artifacts/"
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" build-fuzz/$target.log | tr '\n' ' '; echo
done
exit $failed
