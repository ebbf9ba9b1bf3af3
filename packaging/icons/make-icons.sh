#!/usr/bin/env bash
# Renders the icon's PNG sizes (committed, so building needs no SVG renderer) from the SVG.
# Needs librsvg2-bin (rsvg-convert).
set -euo pipefail
cd "$(dirname "$0")"
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert -w $size -h $size org.ignstudio.IgnStudio.svg -o org.ignstudio.IgnStudio-$size.png
done
ls -l *.png
