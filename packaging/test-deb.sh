#!/usr/bin/env bash
# Builds the .deb, installs it on this machine, uses the installed programs as a user would (outside
# any source or build tree), then removes the package and checks that nothing is left. Part of the
# test command (packaging/run-tests.sh); needs root or sudo, since it installs a package.
#   bash packaging/test-deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if ! sudo -n true 2>/dev/null; then echo "test-deb: SKIPPED (installing a package needs root or sudo)"; exit 0; fi
  SUDO=sudo
fi
fail() { echo "test-deb: FAILED: $*" >&2; exit 1; }
app_id=org.ignstudio.IgnStudio

if ! command -v desktop-file-validate >/dev/null || ! command -v appstreamcli >/dev/null || ! command -v lintian >/dev/null; then
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y desktop-file-utils appstream lintian >/dev/null
fi

echo "== building the package"
rm -f build/ign-studio_*_amd64.deb
cmake --build build --target package >/dev/null
deb=$(ls build/ign-studio_*_amd64.deb)
echo "$deb: $(du -h "$deb" | cut -f1)"
dpkg-deb -f "$deb" Depends | grep -q libtorch || fail "Depends does not name LibTorch: $(dpkg-deb -f "$deb" Depends)"
lintian --fail-on error --allow-root "$deb" || fail "lintian reports errors"

echo "== installing it"
dpkg -s ign-studio >/dev/null 2>&1 && $SUDO apt-get purge -y ign-studio >/dev/null
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y "./$deb" >/dev/null
[ "$(command -v ign)" = /usr/bin/ign ] || fail "ign is not /usr/bin/ign"
[ "$(command -v ign-studio)" = /usr/bin/ign-studio ] || fail "ign-studio is not /usr/bin/ign-studio"
desktop-file-validate /usr/share/applications/$app_id.desktop || fail "desktop entry invalid"
appstreamcli validate --no-net /usr/share/metainfo/$app_id.metainfo.xml || fail "metainfo invalid"
for size in 16x16 32x32 48x48 64x64 128x128 256x256 512x512 scalable; do
  ls /usr/share/icons/hicolor/$size/apps/$app_id.* >/dev/null || fail "no $size icon"
done
gzip -t /usr/share/man/man1/ign.1.gz /usr/share/man/man1/ign-studio.1.gz || fail "man pages"
zcat /usr/share/man/man1/ign.1.gz | grep -q '^\.SS bench' || fail "ign(1) lacks the bench command"
[ -s /usr/share/doc/ign-studio/copyright ] || fail "no copyright file"

# A user's shell: a fresh home, an empty working folder, no data or models folder beside it.
user_dir=$(mktemp -d)
trap 'rm -rf "$user_dir"' EXIT
cd "$user_dir"
export HOME=$user_dir XDG_CONFIG_HOME=$user_dir/.config
unset IGN_MODELS_DIR IGN_DATA_DIR

echo "== ign --version"
ign --version | tee version.txt
for library in "ign " LibTorch OpenCV Qt; do grep -q "^$library" version.txt || fail "ign --version lacks $library"; done

echo "== ign sample digits (the installed model, by name)"
ign sample digits --count 16 --seed 3 -o samples.png --log-level warn
file samples.png | grep -q "PNG image data" || fail "samples.png is not a PNG"
ign info emoji | grep -q "preset=dcgan64" || fail "ign info emoji"

echo "== ign-studio, offscreen, for 4 seconds"
QT_QPA_PLATFORM=offscreen timeout 120 ign-studio --quit-after 4000 2> studio.log || { cat studio.log; fail "ign-studio exited with $?"; }
cat studio.log
grep -q "opened /usr/share/ign-studio/models/digits.pt" studio.log || fail "the studio did not open the installed digits model"

echo "== removing it"
cd /
$SUDO apt-get purge -y ign-studio >/dev/null
! dpkg -s ign-studio >/dev/null 2>&1 || fail "still installed"
for path in /usr/bin/ign /usr/bin/ign-studio /usr/share/ign-studio /usr/share/applications/$app_id.desktop \
            /usr/share/metainfo/$app_id.metainfo.xml /usr/share/man/man1/ign.1.gz /usr/share/doc/ign-studio; do
  [ ! -e "$path" ] || fail "$path left behind"
done
echo "test-deb: PASSED"
