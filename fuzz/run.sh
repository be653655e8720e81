#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang-14 under ASan and UBSan
# and runs each for a bounded time; prints TAP (meson test runs it as the
# test "fuzz", suite "fuzz").
#
#   fuzz/run.sh [BUILD_DIR]          (default: build/fuzz-clang, as meson test)
#
#   VW_FUZZ_SECONDS   seconds per target (default 32)
#   VW_FUZZ_TARGETS   the targets to run (default: all five), e.g.
#                     "fuzz-protocol fuzz-transfer"
#
# BUILD_DIR is a meson build directory of the whole project with
# -Dfuzz=true, configured here once; only the fuzz targets are built in it.
# Each target keeps what it found in BUILD_DIR/fuzz-corpus/NAME (so later
# runs go on from there) and starts from its seeds: the protocol tables'
# examples and invalid rows (vw-fuzz-seeds, made at each run) or
# fuzz/corpus/NAME.  A crash, a sanitizer report or a broken promise of the
# target fails its TAP case with the input's path and the report; the input
# is kept in BUILD_DIR/fuzz-artifacts/NAME/.
set -uo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$src/build/fuzz-clang}
seconds=${VW_FUZZ_SECONDS:-32}
all_targets=(fuzz-protocol fuzz-json-check fuzz-transfer fuzz-api-query fuzz-api-body)
read -r -a targets <<<"${VW_FUZZ_TARGETS:-${all_targets[*]}}"

# The longest input each target tries: about a large message for the
# protocol, a header and a few chunks for transfers, a long query string.
declare -A max_len=(
  [fuzz-protocol]=4096 [fuzz-json-check]=4096
  [fuzz-transfer]=8192 [fuzz-api-query]=1024 [fuzz-api-body]=4096
)
# Where each target's seeds are ("seeds": made by vw-fuzz-seeds).
declare -A seed_dirs=(
  [fuzz-protocol]=seeds [fuzz-json-check]=seeds
  [fuzz-transfer]=$src/fuzz/corpus/transfer [fuzz-api-query]=$src/fuzz/corpus/api-query
  [fuzz-api-body]=$src/fuzz/corpus/api-body
)

diag () { sed 's/^/# /'; }
bail () {
  echo "Bail out! $1"
  [[ -n ${2:-} && -f $2 ]] && tail -n 40 "$2" | diag
  exit 1
}

[[ $seconds =~ ^[0-9]+$ ]] && ((seconds > 0)) \
  || bail "VW_FUZZ_SECONDS must be a number of seconds, not '$seconds'"
for t in "${targets[@]}"; do
  [[ -n ${max_len[$t]:-} ]] || bail "unknown target '$t' (known: ${all_targets[*]})"
done
command -v clang-14 >/dev/null 2>&1 \
  || bail "clang-14 not found (scripts/install-deps.sh installs it)"

mkdir -p "$build"
log=$build/fuzz-build.log
: >"$log"
if [[ ! -f $build/build.ninja ]]; then
  cc=clang-14
  command -v ccache >/dev/null 2>&1 && cc="ccache clang-14"
  # fuzzer-no-link: coverage for libFuzzer in every object; the targets
  # link -fsanitize=fuzzer (fuzz/meson.build).  UBSan aborts on its first
  # report, so that libFuzzer keeps the input.
  CC=$cc meson setup "$build" "$src" --buildtype=debugoptimized \
      -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
      -Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer" \
      -Dc_link_args="-fno-sanitize-recover=all" >>"$log" 2>&1 \
    || { rm -f "$build/build.ninja"; bail "meson setup of $build failed" "$log"; }
fi
ninja -C "$build" "${targets[@]/#/fuzz/}" fuzz/vw-fuzz-seeds >>"$log" 2>&1 \
  || bail "building the fuzz targets in $build failed" "$log"

seeds=$build/fuzz-seeds
rm -rf "$seeds"
"$build/fuzz/vw-fuzz-seeds" "$seeds" >>"$log" 2>&1 \
  || bail "making the seed corpus failed" "$log"

# GLib's allocator as plain malloc, so that ASan sees every block.
export G_SLICE=always-malloc G_DEBUG=gc-friendly
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/fuzz/lsan.supp:print_suppressions=0}
if command -v llvm-symbolizer-14 >/dev/null 2>&1; then
  export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer-14)
fi

echo "1..${#targets[@]}"
n=0 failed=0
for t in "${targets[@]}"; do
  ((n++))
  corpus=$build/fuzz-corpus/$t
  artifacts=$build/fuzz-artifacts/$t
  seed=${seed_dirs[$t]}
  [[ $seed == seeds ]] && seed=$seeds
  mkdir -p "$corpus" "$artifacts"
  tlog=$build/fuzz-$t.log
  start=$(date +%s)
  "$build/fuzz/$t" "$corpus" "$seed" -max_total_time="$seconds" \
      -max_len="${max_len[$t]}" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/" -print_final_stats=1 >"$tlog" 2>&1
  status=$?
  elapsed=$(($(date +%s) - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tlog" | tail -n 1)
  runs=${runs:-$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$tlog" | tail -n 1)}
  cov=$(grep -o 'cov: [0-9]*' "$tlog" | tail -n 1)
  if ((status == 0)); then
    echo "ok $n $t: ${runs:-?} runs in ${elapsed} s, ${cov:-cov: ?}, no crash"
    continue
  fi
  ((failed++))
  input=$(grep -o "Test unit written to [^ ]*" "$tlog" | tail -n 1 | sed 's/^Test unit written to //')
  echo "not ok $n $t: exit status $status, input ${input:-(none kept)}"
  [[ -n $input ]] && echo "# reproduce: $build/fuzz/$t $input"
  echo "# log: $tlog"
  # The report: from the first sanitizer or target line, at most 80 lines.
  awk '/^==[0-9]+==|runtime error:|^vw-fuzz:|ERROR: libFuzzer|^\*\*|GLib.*CRITICAL|WARNING \*\*/ && !p {p=1} p' \
      "$tlog" | head -n 80 | diag
done
exit $((failed > 0))
