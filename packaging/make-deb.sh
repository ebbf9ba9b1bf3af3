#!/usr/bin/env bash
# Builds the Debian package build/ign-studio_<version>_amd64.deb (CPack's DEB generator; Depends
# computed from the binaries by dpkg-shlibdeps). Installs the build dependencies first if needed.
#   bash packaging/make-deb.sh
#   sudo apt install ./build/ign-studio_*_amd64.deb
set -euo pipefail
cd "$(dirname "$0")/.."
bash packaging/setup.sh --no-launch
cmake --build build --target package
ls -l build/ign-studio_*_amd64.deb
