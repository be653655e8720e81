#!/usr/bin/env bash
# Configure (or reconfigure) the meson build directory `build` and compile.
#
#   scripts/build.sh
#
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

builddir=build
opts=(--buildtype=debugoptimized)

if [[ -f $builddir/meson-private/coredata.dat ]]; then
  # A build directory made by another meson version cannot be reconfigured.
  made_by=$(grep -o '"meson_version": {"full": "[^"]*"' \
      "$builddir/meson-info/meson-info.json" 2>/dev/null | sed 's/.*"\([^"]*\)"$/\1/' || true)
  if [[ $made_by != "$(meson --version)" ]]; then
    echo "build: $builddir was made by meson ${made_by:-?}, wiping it"
    meson setup --wipe "${opts[@]}" "$builddir"
  else
    # --reconfigure also picks up dependencies installed since last time.
    meson setup --reconfigure "${opts[@]}" "$builddir"
  fi
else
  meson setup "${opts[@]}" "$builddir"
fi
ninja -C "$builddir"
