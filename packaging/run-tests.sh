#!/usr/bin/env bash
# The whole test suite: sets up what is missing (dependencies, data, build), then runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/setup.sh --no-launch
ctest --test-dir build --output-on-failure -j2 "$@"
