#!/usr/bin/env bash
# Install what virtual-window needs to build, run and test, on Debian 12.
#
#   scripts/install-deps.sh
#
# Idempotent: when every package is already installed it does not touch
# apt-get at all, so re-runs take well under a second.  Runs apt-get as root,
# through sudo when not root.  Ends by checking that the GStreamer elements the
# clients and the hub build at run time are really there.
set -euo pipefail

# Build.  gcc alone does not pull the C library headers with
# --no-install-recommends, hence libc6-dev.
build_packages=(
  meson ninja-build pkg-config gcc libc6-dev
  libglib2.0-dev libjson-glib-dev libsoup-3.0-dev libnice-dev libsqlite3-dev
  libcrypt-dev                    # libxcrypt: yescrypt password hashes (vw-admin, login)
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libgstreamer-plugins-bad1.0-dev
  libpango1.0-dev libcairo2-dev   # bench/legibility renders its test page
  # fuzz/: libFuzzer targets built with clang under ASan and UBSan
  # (compiler-rt brings libFuzzer and the sanitizers' run-time; llvm-14 the
  # symbolizer of their reports)
  clang-14 libclang-rt-14-dev llvm-14
)
# Run and test.
run_packages=(
  gstreamer1.0-plugins-base   # videotestsrc audiotestsrc opus videoconvert ...
  gstreamer1.0-plugins-good   # vpx (vp8enc/vp8dec), rtp, rtpmanager, autodetect
  gstreamer1.0-plugins-bad    # webrtcbin, dtls, srtp
  gstreamer1.0-nice           # nicesrc/nicesink, the ICE transport of webrtcbin
  gstreamer1.0-x              # on Debian the 'pango' plugin (clockoverlay on
                              # the test pattern) ships here, not in -base
  fonts-dejavu-core           # a font for that overlay ("Sans")
  gstreamer1.0-tools          # gst-inspect-1.0 (check below), gst-launch-1.0
  jq                          # scripts/demo.sh and scripts/run-tests.sh read JSON
  iproute2                    # ss: tests/test-front-door reads the listen backlog
  curl                        # scripts/demo.sh makes appointment slots through the API
  fonts-noto-cjk              # Chinese notes on annotated snapshots
  xvfb x11-xserver-utils      # screen sharing, tested on a virtual X display
  tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng   # bench/legibility
  chromium                    # tests/browser: the web pages in a real browser
  janus                       # bench/vw-bench-signal: the anchor (Janus 1.1.2 VideoCall)
  coturn                      # tests/test-firewall: a TURN server (turnserver);
                              # also what README "Firewalls and TURN" runs
  nftables                    # tests/test-firewall: UDP blocked in a namespace
)
# tests/browser runs on Node.js and npm (playwright-core wants Node >= 20).
# The machines bring NodeSource's nodejs, which includes npm and conflicts
# with Debian's npm package: Debian's pair only where there is no node.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  run_packages+=(nodejs npm)
fi
packages=("${build_packages[@]}" "${run_packages[@]}")

# Elements built at run time (pipelines/, server/hub/, client/).
elements=(
  webrtcbin nicesrc nicesink dtlssrtpenc dtlssrtpdec srtpenc srtpdec rtpbin
  vp8enc vp8dec rtpvp8pay rtpvp8depay opusenc opusdec rtpopuspay rtpopusdepay
  videotestsrc audiotestsrc clockoverlay videoconvert videoscale videorate
  audioconvert audioresample capsfilter queue tee identity fakesink
  ximagesrc imagefreeze pngdec pngenc jpegdec jpegenc textoverlay
)

say () { printf 'install-deps: %s\n' "$*"; }
die () { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

if [[ -r /etc/os-release ]]; then
  # shellcheck source=/dev/null
  . /etc/os-release
  if [[ ${ID:-} != debian || ${VERSION_ID:-} != 12 ]]; then
    say "warning: written for Debian 12, this is ${PRETTY_NAME:-unknown}; trying anyway"
  fi
fi

command -v dpkg-query >/dev/null 2>&1 \
  || die "dpkg-query not found: this script needs Debian 12 (or install the packages listed in $0 by hand)"

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ $status == ii* ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  say "all ${#packages[@]} packages already installed"
else
  command -v apt-get >/dev/null 2>&1 \
    || die "apt-get not found; install these packages by hand: ${missing[*]}"
  sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null 2>&1 \
      || die "not root and sudo not available; as root run: apt-get install ${missing[*]}"
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  say "installing ${#missing[@]} package(s): ${missing[*]}"
  # A fresh CI machine's mirror can be briefly unreachable: retry update.
  for attempt in 1 2 3; do
    if "${sudo[@]}" apt-get update -q; then
      break
    fi
    ((attempt < 3)) || die "apt-get update failed"
    say "apt-get update failed, retrying in 5 s"
    sleep 5
  done
  "${sudo[@]}" apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed"
  say "installed: ${missing[*]}"
fi

absent=()
for e in "${elements[@]}"; do
  gst-inspect-1.0 "$e" >/dev/null 2>&1 || absent+=("$e")
done
((${#absent[@]} == 0)) \
  || die "GStreamer elements missing after install: ${absent[*]} (see gst-inspect-1.0)"
say "GStreamer elements present: ${#elements[@]} checked"

# The browser tests' JavaScript dependencies, exactly as locked
# (tests/browser/package-lock.json), installed as whoever runs this script.
# Skipped while node_modules was made from this very lock file.
browser_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/browser" && pwd)
lock_sum=$(sha256sum "$browser_dir/package-lock.json" | cut -d' ' -f1)
stamp=$browser_dir/node_modules/.vw-lock-sha256
if [[ -f $stamp && $(<"$stamp") == "$lock_sum" \
      && -f $browser_dir/node_modules/playwright-core/package.json ]]; then
  say "tests/browser: node_modules up to date"
else
  say "tests/browser: npm ci"
  for attempt in 1 2 3; do
    if npm ci --prefix "$browser_dir" --no-audit --no-fund --loglevel=error; then
      break
    fi
    ((attempt < 3)) || die "npm ci in tests/browser failed"
    say "npm ci failed, retrying in 5 s"
    sleep 5
  done
  printf '%s\n' "$lock_sum" >"$stamp"
fi
