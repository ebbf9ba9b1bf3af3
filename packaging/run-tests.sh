#!/usr/bin/env bash
# The whole test suite: sets up what is missing (dependencies, data, build), runs ctest, builds the
# Debian package and tests it installed, then runs the unit suites under the sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/setup.sh --no-launch
ctest --test-dir build --output-on-failure -j2 "$@"
echo "== the Debian package: build, install, use, remove"
bash packaging/test-deb.sh
echo "== the unit suites again under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
bash packaging/sanitize.sh -j2
