#!/usr/bin/env bash
# bench/legibility/run.sh: how legible a printed page is at the agent's side.
#
#   bench/legibility/run.sh [BUILD_DIR] [--bitrate BPS] [--settle S]
#                           [--frames N] [--keep DIR] [--lang L] [--strict]
#
# Renders the test page (营业执照 + 企业设立登记申请表, A4 at 200 dpi), starts
# a vw-server on loopback and, for each variant, a clerk (李华, 嘉善县行政服务
# 中心) who shows the page and an agent (张敏, 黄浦区政务服务中心) who looks
# at it, then reads what the agent got with OCR and prints a table:
#   (a) the page itself (the reference);
#   (b) the document camera (高拍仪) track: frames saved at the agent;
#   (c) the same page through the generic camera profile (640x480@30) at the
#       same bitrate;
#   (d) a lossless full-resolution snapshot the agent asks for.
# A benchmark: it prints figures and whether the targets are met; its exit
# status says only whether it could measure (0), or not (1; 2: bad usage).
# See bench/legibility/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

build=""
bitrate=2000000        # bits per second, for the document and camera tracks
settle=3               # seconds after the first frame before saving frames
frames=3               # frames saved per variant, one a second
keep=""
lang=chi_sim           # tesseract languages
strict=0               # 1: no width folding in the main figure
first_frame_timeout=45 # s: call set-up plus encoder start at full page size
event_timeout=20       # s: a saved frame, hang-up
snapshot_timeout=60    # s: encode, send and receive a lossless page

usage () {   # usage STATUS: the comment at the top of this file
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "$1"
}
value () {   # value OPTION VALUE: VALUE, which must be there
  [[ -n ${2:-} ]] || { echo "run.sh: $1 needs a value" >&2; exit 2; }
  printf '%s' "$2"
}

while (($#)); do
  case $1 in
    --bitrate) bitrate=$(value "$@"); shift 2 ;;
    --settle) settle=$(value "$@"); shift 2 ;;
    --frames) frames=$(value "$@"); shift 2 ;;
    --keep) keep=$(value "$@"); shift 2 ;;
    --lang) lang=$(value "$@"); shift 2 ;;
    --strict) strict=1; shift ;;
    -h|--help) usage 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; usage 2 >&2 ;;
    *) [[ -z $build ]] || usage 2 >&2; build=$1; shift ;;
  esac
done
[[ -n $build ]] || build=$root/build
if ! [[ $bitrate =~ ^[0-9]+$ ]] || ((bitrate < 32000)); then
  echo "run.sh: --bitrate is bits per second, at least 32000" >&2
  exit 2
fi
[[ $settle =~ ^[0-9]+$ && $frames =~ ^[1-9][0-9]*$ ]] \
  || { echo "run.sh: --settle and --frames are whole numbers (frames >= 1)" >&2; exit 2; }

say () { printf 'legibility: %s\n' "$*" >&2; }
die () { printf 'legibility: error: %s\n' "$*" >&2; exit 1; }

build_dir=$(cd "$build" 2>/dev/null && pwd) || die "no build directory $build (run scripts/build.sh)"
build=$build_dir
server_bin=$build/server/vw-server
client_bin=$build/client/vw-client
page_bin=$build/bench/legibility/vw-legibility-page
score_bin=$build/bench/legibility/vw-legibility-score
pixdiff_bin=$build/bench/legibility/vw-legibility-pixdiff
for b in "$server_bin" "$client_bin"; do
  [[ -x $b ]] || die "$b not built (run scripts/build.sh)"
done
for b in "$page_bin" "$score_bin" "$pixdiff_bin"; do
  [[ -x $b ]] || die "$b not built: bench/legibility needs pango and cairo (apt-get install libpango1.0-dev libcairo2-dev, then scripts/build.sh)"
done
command -v jq >/dev/null || die "jq not found (scripts/install-deps.sh installs it)"
command -v tesseract >/dev/null || die "tesseract not found (apt-get install tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng)"
langs=$(tesseract --list-langs 2>/dev/null | tail -n +2)
grep -qx chi_sim <<<"$langs" || die "tesseract has no chi_sim (apt-get install tesseract-ocr-chi-sim)"

# ---- work directory, child processes, clean-up ----

if [[ -n $keep ]]; then
  mkdir -p "$keep" || die "cannot create $keep"
  work=$(cd "$keep" && pwd)
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/vw-legibility.XXXXXX")
fi

pids=()           # every process this script started
declare -A reaped=()  # ... and those of them already waited for
agent_fd=""       # write end of the agent's command pipe

stop_pid () {     # stop_pid PID: TERM, then KILL after 5 s
  local pid=$1 i
  [[ -z ${reaped[$pid]:-} ]] || return 0
  reaped[$pid]=1
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup () {
  local status=$?
  trap - EXIT INT TERM
  [[ -z $agent_fd ]] || exec {agent_fd}>&- || true
  local i
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    stop_pid "${pids[i]}"
  done
  if [[ -z $keep ]]; then
    if ((status == 0)); then
      rm -rf "$work"
    else
      say "kept the logs in $work"
    fi
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- events ----

# Lines of FILE after line SKIP as compact JSON objects (a half-written last
# line or a line that is not JSON is skipped).
events_after () {
  tail -n "+$(($2 + 1))" "$1" 2>/dev/null | jq -cR 'fromjson? | objects' 2>/dev/null || true
}

lines_of () { wc -l <"$1" | tr -d ' '; }

# wait_event FILE SKIP FILTER TIMEOUT PID WHAT: prints the first event after
# line SKIP of FILE for which the jq FILTER is true; dies on timeout, if PID
# exits first, or on an error event (reported with WHAT).
wait_event () {
  local file=$1 skip=$2 filter=$3 timeout=$4 pid=$5 what=$6 found err
  local deadline=$((SECONDS + timeout))
  local alive=1
  while :; do
    kill -0 "$pid" 2>/dev/null || alive=0   # (then one last look at its events)
    found=$(events_after "$file" "$skip" | jq -c "select($filter)" | head -n 1)
    [[ -z $found ]] || { printf '%s\n' "$found"; return 0; }
    err=$(events_after "$file" "$skip" \
      | jq -r 'select(.event == "error") | "\(.code): \(.message)"' | head -n 1)
    [[ -z $err ]] || die "waiting for $what: the client reported $err (see $work)"
    ((alive)) \
      || die "waiting for $what: the client exited; its last words: $(tail -n 3 "${file%.out}.err" 2>/dev/null | tr '\n' ' ')"
    ((SECONDS < deadline)) || die "no $what within $timeout s (see $work)"
    sleep 0.2
  done
}

send () {   # send JSON: one command to the agent
  printf '%s\n' "$1" >&"$agent_fd" || die "cannot send $1 to the agent"
}

# What the agent received of TRACK, from the stats events after line SKIP of
# FILE: "KBPS PEAK FPS", the mean bitrate in kbit/s (RTP bytes * 8 / ms) from
# the first to the last event, the highest between two consecutive events,
# and the mean rate of decoded frames; "- - -" if there are fewer than two.
received () {
  events_after "$1" "$2" | jq -rs --arg track "$3" '
    def kbps(a; b): if b.t > a.t then (b.b - a.b) * 8 / (b.t - a.t) else 0 end;
    [.[] | select(.event == "stats")
         | [.tracks[]? | select(.track == $track)] as $tr
         | {t, b: ([$tr[].bytes] | add // 0), f: ([$tr[].frames] | add // 0)}]
    | if length < 2 or .[-1].t <= .[0].t then "- - -"
      else . as $s
        | "\(kbps($s[0]; $s[-1]) | round) \([range(1; length) | kbps($s[. - 1]; $s[.])] | max | round) \((($s[-1].f - $s[0].f) * 1000 / ($s[-1].t - $s[0].t)) * 10 | round / 10)"
      end'
}

png_size () {   # WxH from the PNG header
  local w h
  read -r w h < <(od -An -tu1 -j16 -N8 "$1" \
    | awk '{ print $1*16777216 + $2*65536 + $3*256 + $4, $5*16777216 + $6*65536 + $7*256 + $8 }')
  printf '%sx%s' "$w" "$h"
}

# ---- the page ----

say "work directory $work"
"$page_bin" --output "$work/page.png" --truth "$work/page.txt" >/dev/null \
  || die "cannot render the page"
if ! cmp -s "$work/page.txt" "$here/page.txt"; then
  say "warning: the page's text differs from bench/legibility/page.txt (other fonts or pango?): figures are not comparable with earlier runs"
fi
if [[ $(sha256sum <"$work/page.png" | cut -d' ' -f1) != "$(cut -d' ' -f1 "$here/page.png.sha256")" ]]; then
  say "note: page.png differs from the reference rendering (other font or library versions)"
fi
page_res=$(png_size "$work/page.png")

# ---- the server ----

mkdir -p "$work/server"
"$server_bin" --port 0 --address 127.0.0.1 --ice-address 127.0.0.1 \
  --data-dir "$work/server/data" >"$work/server/server.out" 2>"$work/server/server.err" &
server_pid=$!
pids+=("$server_pid")
url=""
for ((i = 0; i < 150; i++)); do
  url=$(sed -n 's|^listening on \(http://[^ ]*\).*|\1|p' "$work/server/server.out" | head -n 1)
  [[ -z $url ]] || break
  kill -0 "$server_pid" 2>/dev/null \
    || die "vw-server exited: $(tail -n 3 "$work/server/server.err" | tr '\n' ' ')"
  sleep 0.1
done
[[ -n $url ]] || die "vw-server did not say where it listens within 15 s"
say "server $url"

# ---- one call ----

# run_call NAME TRACK SNAPSHOT CLERK-SOURCE-ARGS...: a clerk showing the page
# on TRACK (document or camera) and an agent saving its frames; SNAPSHOT=1:
# the agent asks for a snapshot too.  Sets call_res, call_kbps, call_peak,
# call_fps, call_frames (paths), snap_path, snap_res, snap_sha_ok.
run_call () {
  local name=$1 track=$2 want_snapshot=$3
  shift 3
  local dir=$work/$name
  mkdir -p "$dir/agent" "$dir/clerk"
  call_frames=() call_res="" call_kbps="-" call_peak="-" call_fps="-" snap_path="" snap_res="" snap_sha_ok=""

  mkfifo "$dir/agent.in"
  exec {agent_fd}<>"$dir/agent.in"   # read-write: opening never blocks
  (exec {agent_fd}>&-; cd "$dir/agent" && exec "$client_bin" --server "$url" --role agent --name 张敏 \
      --province shanghai --center 黄浦区政务服务中心 --headless \
      --ice-address 127.0.0.1 --max-sessions 1) \
    <"$dir/agent.in" >"$dir/agent.out" 2>"$dir/agent.err" &
  local agent_pid=$!
  pids+=("$agent_pid")
  wait_event "$dir/agent.out" 0 '.event == "registered"' "$event_timeout" \
    "$agent_pid" "the agent's registration" >/dev/null

  (exec {agent_fd}>&-; cd "$dir/clerk" && exec "$client_bin" --server "$url" --role clerk --name 李华 \
      --province zhejiang --center 嘉善县行政服务中心 --item 企业设立 \
      --handled-in shanghai --headless --ice-address 127.0.0.1 "$@") \
    </dev/null >"$dir/clerk.out" 2>"$dir/clerk.err" &
  local clerk_pid=$!
  pids+=("$clerk_pid")

  local ev
  ev=$(wait_event "$dir/agent.out" 0 ".event == \"first-frame\" and .track == \"$track\"" \
    "$first_frame_timeout" "$agent_pid" "the first $track frame at the agent")
  say "$name: first $track frame $(jq -r '"\(.width)x\(.height)"' <<<"$ev"), settling ${settle} s"
  local from i path before
  from=$(lines_of "$dir/agent.out")   # the bitrate is measured from here on
  sleep "$settle"

  for ((i = 1; i <= frames; i++)); do
    ((i == 1)) || sleep 1
    path=$dir/$name-frame-$i.png
    before=$(lines_of "$dir/agent.out")
    send "$(jq -cn --arg t "$track" --arg p "$path" '{command: "save-frame", track: $t, path: $p}')"
    ev=$(wait_event "$dir/agent.out" "$before" \
      ".event == \"frame-saved\" and .path == $(jq -n --arg p "$path" '$p')" "$event_timeout" \
      "$agent_pid" "frame $i of $track")
    [[ -s $path ]] || die "the agent said it saved $path, but it is not there"
    call_frames+=("$path")
    call_res=$(jq -r '"\(.width)x\(.height)"' <<<"$ev")
  done

  if ((want_snapshot)); then
    before=$(lines_of "$dir/agent.out")
    send '{"command":"snapshot"}'
    ev=$(wait_event "$dir/agent.out" "$before" '.event == "snapshot-saved"' \
      "$snapshot_timeout" "$agent_pid" "the snapshot")
    local src sha
    src=$(jq -r '.path' <<<"$ev")
    [[ $src == /* ]] || src=$dir/agent/$src
    [[ -s $src ]] || die "the agent said it saved the snapshot as $src, but it is not there"
    snap_path=$dir/$name-snapshot.${src##*.}
    cp "$src" "$snap_path"
    snap_res=$(jq -r '"\(.width)x\(.height)"' <<<"$ev")
    sha=$(sha256sum <"$snap_path" | cut -d' ' -f1)
    [[ $sha == "$(jq -r '.sha256' <<<"$ev")" ]] && snap_sha_ok=yes || snap_sha_ok=no
  fi

  # The received bitrate swings between 1 s stats (a frame the size of a
  # page arrives in bursts): at least 6 s of stats to average over.
  local t0
  t0=$(events_after "$dir/agent.out" "$from" | jq -s '[.[] | select(.event == "stats")][0].t // empty')
  if [[ -n $t0 ]]; then
    wait_event "$dir/agent.out" "$from" ".event == \"stats\" and .t >= $t0 + 6000" \
      "$event_timeout" "$agent_pid" "stats over 6 s" >/dev/null
  fi
  read -r call_kbps call_peak call_fps < <(received "$dir/agent.out" "$from" "$track")

  before=$(lines_of "$dir/agent.out")
  send '{"command":"hangup"}'
  wait_event "$dir/agent.out" "$before" '.event == "ended"' "$event_timeout" \
    "$agent_pid" "the end of the call" >/dev/null
  exec {agent_fd}>&-
  agent_fd=""
  local deadline=$((SECONDS + 10))
  while kill -0 "$agent_pid" 2>/dev/null || kill -0 "$clerk_pid" 2>/dev/null; do
    ((SECONDS < deadline)) || { say "$name: a client did not exit after the hang-up; stopping it"; break; }
    sleep 0.2
  done
  stop_pid "$agent_pid"
  stop_pid "$clerk_pid"
}

started=$SECONDS
page=$work/page.png

run_call document document 1 --camera none --document-camera "$page" \
  --document-bitrate "$bitrate"
b_res=$call_res b_kbps=$call_kbps b_peak=$call_peak b_fps=$call_fps b_frames=("${call_frames[@]}")
d_path=$snap_path d_res=$snap_res d_sha_ok=$snap_sha_ok

run_call camera camera 0 --camera "$page" --camera-bitrate "$bitrate" \
  --document-camera none
c_res=$call_res c_kbps=$call_kbps c_peak=$call_peak c_fps=$call_fps c_frames=("${call_frames[@]}")

stop_pid "$server_pid"
media_s=$((SECONDS - started))

# ---- OCR ----

say "reading $((2 + ${#b_frames[@]} + ${#c_frames[@]})) pictures with tesseract ($lang)"
started=$SECONDS
images=("$page" "${b_frames[@]}" "$d_path" "${c_frames[@]}")
score_args=(--lang "$lang")
((strict)) && score_args+=(--strict)
"$score_bin" "${score_args[@]}" --save-text "$work/text" "$work/page.txt" "${images[@]}" \
  >"$work/scores.tsv" || die "scoring failed (see above)"
ocr_s=$((SECONDS - started))
# The same texts without width folding (the figure of --strict), no new OCR.
texts=()
for p in "${images[@]}"; do texts+=("$work/text/$(basename "$p").txt"); done
"$score_bin" --text --strict "$work/page.txt" "${texts[@]}" >"$work/scores-strict.tsv" \
  || die "scoring failed (see above)"

acc_of () {   # acc_of TSV INPUT: accuracy % of one input
  awk -F'\t' -v p="$2" '$5 == p { print $1 }' "$1"
}
mean_of () {  # mean_of TSV INPUT...: mean accuracy %
  local tsv=$1 p
  shift
  for p in "$@"; do acc_of "$tsv" "$p"; done | awk '{ s += $1 } END { printf "%.2f", s / NR }'
}
text_of () { local p; for p in "$@"; do printf '%s\n' "$work/text/$(basename "$p").txt"; done; }
mapfile -t b_texts < <(text_of "${b_frames[@]}")
mapfile -t c_texts < <(text_of "${c_frames[@]}")
S=$work/scores.tsv T=$work/scores-strict.tsv

a_acc=$(acc_of "$S" "$page")
b_acc=$(mean_of "$S" "${b_frames[@]}")
c_acc=$(mean_of "$S" "${c_frames[@]}")
d_acc=$(acc_of "$S" "$d_path")
a_strict=$(acc_of "$T" "$(text_of "$page")")
b_strict=$(mean_of "$T" "${b_texts[@]}")
c_strict=$(mean_of "$T" "${c_texts[@]}")
d_strict=$(acc_of "$T" "$(text_of "$d_path")")
b_each=$(for p in "${b_frames[@]}"; do acc_of "$S" "$p"; done | paste -sd' ')
c_each=$(for p in "${c_frames[@]}"; do acc_of "$S" "$p"; done | paste -sd' ')
d_pixels=$("$pixdiff_bin" "$page" "$d_path" 2>&1) && d_identical=1 || d_identical=0
cmp -s "$(text_of "$page")" "$(text_of "$d_path")" && d_same_text=1 || d_same_text=0

# ---- the table ----

if ((strict)); then how="strict"; else how="full/half-width forms folded"; fi
printf '\nLegibility of a printed page at the agent: A4, 10.5-12 pt, %s characters;\n' \
  "$(awk -F'\t' 'NR == 1 { print $3 }' "$S")"
printf 'character accuracy of tesseract -l %s --psm 6 (%s; strict: not folded)\n\n' "$lang" "$how"
row () { printf '%-40s %-10s %7s %5s %9s %9s\n' "$@"; }
row "variant" "resolution" "kbit/s" "fps" "accuracy" "strict"
row "(a) the page itself" "$page_res" "-" "-" "$a_acc%" "$a_strict%"
row "(b) document camera, ${frames} frames (mean)" "$b_res" "$b_kbps" "$b_fps" "$b_acc%" "$b_strict%"
row "(c) camera profile, ${frames} frames (mean)" "$c_res" "$c_kbps" "$c_fps" "$c_acc%" "$c_strict%"
row "(d) snapshot (lossless)" "$d_res" "-" "-" "$d_acc%" "$d_strict%"
printf '\nper frame: (b) %s; (c) %s\n' "$b_each" "$c_each"
printf 'kbit/s, fps: RTP received and frames decoded by the agent, mean from the\n'
printf 'first frame to the hang-up (kbit/s over 1 s at most: (b) %s, (c) %s);\n' "$b_peak" "$c_peak"
printf 'both tracks configured for %s kbit/s\n' "$((bitrate / 1000))"
printf '(d) pixels: %s; sha256 as announced: %s\n' "$d_pixels" "$d_sha_ok"

b_ok=$(awk -v a="$a_acc" -v b="$b_acc" -v k="$b_kbps" \
  'BEGIN { print (k != "-" && k + 0 <= 2000 && b + 0 >= a - 2) ? "met" : "NOT met" }')
if ((d_identical && d_same_text)); then d_ok=met; else d_ok="NOT met"; fi
printf '\ntargets:\n'
printf '  (b) within 2 points of (a) at <= 2000 kbit/s: %s (%+.2f points at %s kbit/s)\n' \
  "$b_ok" "$(awk -v a="$a_acc" -v b="$b_acc" 'BEGIN { print b - a }')" "$b_kbps"
printf '  (d) identical to (a): %s (%s; %s)\n' "$d_ok" \
  "$( ((d_identical)) && echo "same pixels" || echo "pixels differ")" \
  "$( ((d_same_text)) && echo "same text read" || echo "different text read")"
printf '\ncalls %d s, OCR %d s\n' "$media_s" "$ocr_s"
