#!/usr/bin/env bash
# bench/legibility/selfcheck.sh: checks the benchmark's own tools, without a
# server or a call.
#
#   bench/legibility/selfcheck.sh [BUILD_DIR]
#
# Renders the page twice (the two must be the same bytes), then scores the page
# and degraded copies of it made with gst-launch-1.0: scaled to 1920 px (what
# the document camera profile sends), the same as a JPEG of quality 30, and
# scaled to fit 640x480 (the camera profile) as it is and scaled back up.  The
# scorer must tell the sharp ones from the small ones.  Prints a table; exits
# 1 if the page is not deterministic or a tool fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:-$here/../../build}
bin=$build/bench/legibility
for b in vw-legibility-page vw-legibility-score; do
  [[ -x $bin/$b ]] || { echo "selfcheck: $bin/$b not built" >&2; exit 1; }
done
command -v gst-launch-1.0 >/dev/null \
  || { echo "selfcheck: gst-launch-1.0 not found (gstreamer1.0-tools)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/vw-legibility-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

"$bin/vw-legibility-page" --output "$work/page.png" --truth "$work/page.txt"
"$bin/vw-legibility-page" --output "$work/again.png" --truth "$work/again.txt" >/dev/null
if ! cmp -s "$work/page.png" "$work/again.png" || ! cmp -s "$work/page.txt" "$work/again.txt"; then
  echo "selfcheck: two renderings of the page differ" >&2
  exit 1
fi
echo "deterministic: two renderings are the same bytes ($(sha256sum <"$work/page.png" | cut -c1-16)...)"
if cmp -s "$work/page.txt" "$here/page.txt"; then
  echo "ground truth: same as bench/legibility/page.txt"
else
  echo "ground truth: DIFFERS from bench/legibility/page.txt (other fonts or pango?)"
fi
if [[ $(sha256sum <"$work/page.png" | cut -d' ' -f1) == "$(cut -d' ' -f1 "$here/page.png.sha256")" ]]; then
  echo "page.png: same bytes as the reference rendering (page.png.sha256)"
else
  echo "page.png: differs from the reference rendering (other font or library versions)"
fi

degrade () {   # degrade OUT CAPS-AND-ELEMENTS...
  local out=$1
  shift
  gst-launch-1.0 -q filesrc location="$work/page.png" ! pngdec ! videoconvert \
    ! videoscale ! "$@" ! filesink location="$work/$out" >/dev/null
}
degrade 1920.png video/x-raw,height=1920,pixel-aspect-ratio=1/1 ! videoconvert ! pngenc
degrade 1920-q30.jpg video/x-raw,height=1920,pixel-aspect-ratio=1/1 ! jpegenc quality=30
degrade 640x480.png video/x-raw,height=480,pixel-aspect-ratio=1/1 ! videoconvert ! pngenc
degrade 640x480-up.png video/x-raw,height=480,pixel-aspect-ratio=1/1 ! videoscale \
  ! video/x-raw,width=1654,height=2339,pixel-aspect-ratio=1/1 ! videoconvert ! pngenc

started=$SECONDS
"$bin/vw-legibility-score" --save-text "$work/text" "$work/page.txt" "$work/page.png" \
  "$work/1920.png" "$work/1920-q30.jpg" "$work/640x480.png" "$work/640x480-up.png" \
  >"$work/scores.tsv"
"$bin/vw-legibility-score" --text --strict "$work/page.txt" "$work"/text/*.txt >"$work/strict.tsv"

printf '\n%-44s %9s %9s\n' "picture" "accuracy" "strict"
while IFS=$'\t' read -r acc _ _ _ path; do
  name=$(basename "$path")
  strict=$(awk -F'\t' -v p="$work/text/$name.txt" '$5 == p { print $1 }' "$work/strict.tsv")
  case $name in
    page.png) what="the page, 200 dpi" ;;
    1920.png) what="scaled to 1920 px high (document profile)" ;;
    1920-q30.jpg) what="the same, JPEG quality 30" ;;
    640x480.png) what="scaled to fit 640x480 (camera profile)" ;;
    640x480-up.png) what="the same, scaled back up to 200 dpi" ;;
  esac
  printf '%-44s %8s%% %8s%%\n' "$what" "$acc" "$strict"
done <"$work/scores.tsv"
printf '\nOCR %d s\n' "$((SECONDS - started))"
