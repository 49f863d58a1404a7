#!/usr/bin/env bash
# Renders the hicolor PNG icons from the scalable SVG (needs rsvg-convert, from
# librsvg2-bin). The PNGs are committed, so building lockscope does not need it;
# run this again after changing the SVG.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
icons=$here/data/icons/hicolor
id=io.github.lockscope.Lockscope

for size in 16 22 24 32 48 64 128 256; do
    mkdir -p "$icons/${size}x${size}/apps"
    rsvg-convert --width "$size" --height "$size" \
        "$icons/scalable/apps/$id.svg" -o "$icons/${size}x${size}/apps/$id.png"
done
