#!/usr/bin/env bash
# Copies the header-only libraries a headless build needs (spdlog, fmt, nlohmann/json, CLI11, zlib's
# header, Gloo's headers) from this machine's Debian packages into DEST, for a GPU server that has only
# a compiler, CMake and LibTorch:
#   bash packaging/headless-headers.sh third_party
#   cmake -S . -B build-gpu -DIGN_HEADLESS=ON -DIGN_THIRD_PARTY=$PWD/third_party \
#         -DCMAKE_PREFIX_PATH=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
set -euo pipefail
dest=${1:?usage: bash packaging/headless-headers.sh DEST}
mkdir -p "$dest"
for dir in spdlog fmt nlohmann CLI gloo; do
  [ -d /usr/include/$dir ] || { echo "/usr/include/$dir missing: run packaging/setup.sh first" >&2; exit 1; }
  cp -r /usr/include/$dir "$dest/"
done
cp /usr/include/zlib.h /usr/include/zconf.h "$dest/"
du -sh "$dest"
