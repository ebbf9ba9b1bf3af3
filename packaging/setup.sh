#!/usr/bin/env bash
# From a fresh Debian 12 machine: install every dependency, fetch the data sets, build, and open
# IGN Studio on the bundled digits model.
#   bash packaging/setup.sh              everything, then the studio (screenshots into demo/ without a display)
#   bash packaging/setup.sh --demo       everything, then a command-line demo of `ign` into demo/
#   bash packaging/setup.sh --no-launch  everything but launching (used by the test command)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=studio
case "${1:-}" in
  --demo) mode=demo ;;
  --no-launch|--no-demo) mode=none ;;
  "") ;;
  *) echo "usage: bash packaging/setup.sh [--demo | --no-launch]" >&2; exit 2 ;;
esac

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
PACKAGES=(build-essential cmake ninja-build ccache pkg-config
          qt6-base-dev libqcustomplot-dev libtorch-dev libdnnl-dev libopencv-dev libspdlog-dev
          nlohmann-json3-dev libcli11-dev zlib1g-dev libgif-dev libgloo-dev
          libopenblas0-openmp dataset-fashion-mnist
          xvfb xauth imagemagick)
command -v npm >/dev/null || PACKAGES+=(npm)
if ! dpkg -s "${PACKAGES[@]}" >/dev/null 2>&1; then
  echo "== installing dependencies (apt-get)"
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "${PACKAGES[@]}"
fi

echo "== fetching data sets into data/"
bash packaging/fetch-data.sh

echo "== building (Release) into build/"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DIGN_BUILD_GUI=ON >/dev/null
cmake --build build

[ $mode = none ] && exit 0
if [ $mode = studio ]; then
  if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "== opening IGN Studio on models/digits.pt"
    exec build/app/ign-studio models/digits.pt
  fi
  echo "== no display here: IGN Studio runs under a virtual display and saves a screenshot of each panel"
  xvfb-run -a -s "-screen 0 1400x950x24" build/app/ign-studio models/digits.pt --screenshots demo
  echo "== look at demo/studio-*.png; on a desktop, run: build/app/ign-studio"
  exit 0
fi

ign=build/app/ign
echo "== demo: a short training run on MNIST digits, then every inference command, into demo/"
$ign info --system | head -6
$ign train --preset mnist28 --width 32 --batch 64 --data digits --steps 600 --preview-every 100 --out demo/run
$ign sample demo/run/checkpoint.pt --count 64 --seed 1 -o demo/samples.png
$ign chain demo/run/checkpoint.pt --count 8 -k 4 -o demo/chain.png
$ign interpolate demo/run/checkpoint.pt --seeds 1,2 --frames 10 --method slerp -o demo/interpolation.png
$ign interpolate demo/run/checkpoint.pt --seeds 1,2,3,4 --grid 6 -o demo/grid.png
$ign corrupt --checkpoint demo/run/checkpoint.pt --data digits --kind noise --sigma 0.5 -o demo/projected-noise.png
$ign project demo/run/checkpoint.pt resources/examples -k 3 -o demo/projected
echo "== the bundled model models/digits.pt (5,000 steps; see models/digits.md) on the same commands"
$ign sample models/digits.pt --count 64 --seed 1 -o demo/bundled-samples.png
$ign chain models/digits.pt --count 8 -k 3 -o demo/bundled-chain.png
$ign corrupt --checkpoint models/digits.pt --data digits --kind noise --sigma 0.5 -o demo/bundled-projected-noise.png
$ign project models/digits.pt resources/examples -k 2 -o demo/bundled-projected
echo "== done: look at demo/*.png, demo/projected/ and demo/bundled-projected/ (losses: demo/run/losses.csv)"
