#!/usr/bin/env bash
# The main job in one command: one cross-province session through vw-server,
# then the service left running for a person to try in a browser.
#
#   scripts/demo.sh [--once | --stop] [--port PORT]
#
# Installs the dependencies, builds, starts vw-server on loopback, then a
# test agent (帮办专员 张敏, 黄浦区政务服务中心, Shanghai) and a test clerk
# (李华, 嘉善县行政服务中心, Zhejiang) who asks for help with 企业设立 under
# Shanghai's rules.  Both send a test pattern and a tone, receive each
# other's tracks through the hub, and hang up after 8 s.  Then it prints what
# flowed and the session's recording, checked chunk by chunk.
#
# Afterwards vw-server keeps running with a native agent (张敏) available:
# open the join page it prints (http://127.0.0.1:PORT/join.html) in a
# browser to be served by that agent; the agent console and the supervisor
# page are there too, with the accounts it prints.
#
#   --once       stop everything after the demo call instead
#   --stop       stop what an earlier run left running
#   --port PORT  listen on PORT (default 8080; 0 picks a free one)
#
# Exit status: 0 when both sides connected, received frames and the
# recording checked out.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

keep_server=true
port=8080
state="${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}}/vw-demo.state"

# Stops the server and agent an earlier run left, listed in $state.
stop_left () {
  [[ -f $state ]] || return 0
  local pid
  while read -r pid; do
    [[ $pid =~ ^[0-9]+$ ]] && kill -TERM "$pid" 2>/dev/null || true
  done < <(sed -n 's/^pid=//p' "$state")
  rm -f "$state"
}

while (($#)); do
  case $1 in
    --once) keep_server=false ;;
    --keep-server) keep_server=true ;;   # the default; kept for old scripts
    --stop) stop_left; echo "demo: stopped"; exit 0 ;;
    --port) port=${2:?--port needs a number}; shift ;;
    -h | --help) sed -n '2,/^[^#]/{/^#/!q;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "demo: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $port =~ ^[0-9]+$ ]] || { echo "demo: --port must be a number" >&2; exit 2; }
stop_left   # one demo at a time

duration=8          # seconds the clerk stays connected
start_timeout=15    # seconds for the server to listen, the agent to register
call_slack=45       # seconds beyond $duration before the clerk is stopped

say () { printf 'demo: %s\n' "$*"; }
die () { printf 'demo: error: %s\n' "$*" >&2; exit 1; }

scripts/install-deps.sh
scripts/build.sh >/dev/null || { scripts/build.sh; die "build failed"; }
server_bin=build/server/vw-server
client_bin=build/client/vw-client
admin_bin=build/server/vw-admin
[[ -x $server_bin && -x $client_bin ]] || die "build did not produce $server_bin and $client_bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/vw-demo.XXXXXX")
server_pid='' agent_pid='' clerk_pid='' keep_work=false

# Stop a child with SIGTERM, give it $2 seconds, then SIGKILL.
stop () {
  local pid=$1 grace=${2:-5}
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait_exit "$pid" "$grace" || kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Wait up to $2 seconds for process $1 to exit; 1 if it is still running.
wait_exit () {
  local pid=$1 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

cleanup () {
  local status=$?
  trap - EXIT INT TERM
  stop "$clerk_pid"
  stop "$agent_pid"
  stop "$server_pid" 10
  if [[ $keep_work == true || $status -ne 0 ]]; then
    say "logs kept in $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo; say interrupted; exit 130' INT
trap 'say terminated; exit 143' TERM

# ---- vw-server on a free port ----
setsid "$server_bin" --port "$port" --address 127.0.0.1 --ice-address 127.0.0.1 \
  --data-dir "$work/data" >"$work/server.out" 2>"$work/server.log" &
server_pid=$!
url=''
deadline=$((SECONDS + start_timeout))
while [[ -z $url ]]; do
  kill -0 "$server_pid" 2>/dev/null \
    || { cat "$work/server.log" >&2; die "vw-server exited before listening"; }
  ((SECONDS < deadline)) || die "vw-server did not print 'listening on' within ${start_timeout}s"
  sleep 0.1
  url=$(sed -n 's/^listening on //p' "$work/server.out" | head -n 1)
done
say "vw-server listening on $url (pid $server_pid)"

common=(--server "$url" --headless --ice-address 127.0.0.1)

# ---- accounts: agents and supervisors sign in (clerks are guests) ----
demo_password=demo-2026-vw
printf '%s\n' "$demo_password" >"$work/password"
chmod 600 "$work/password"
"$admin_bin" --data-dir "$work/data" --username zhangmin --role agent --name 张敏 \
  --province shanghai --center 黄浦区政务服务中心 --password-file "$work/password" \
  add-account >/dev/null || die "cannot create the agent's account"
"$admin_bin" --data-dir "$work/data" --username wangfang --role supervisor --name 王芳 \
  --province shanghai --center 黄浦区政务服务中心 --password-file "$work/password" \
  add-account >/dev/null || die "cannot create the supervisor's account"
"$admin_bin" --data-dir "$work/data" --username chenjing --role agent --name 陈静 \
  --province shanghai --center 黄浦区政务服务中心 --password-file "$work/password" \
  add-account >/dev/null || die "cannot create the console agent's account"
say "accounts: agents zhangmin and chenjing, supervisor wangfang (password $demo_password)"

# ---- appointments (我要约): slots at 黄浦 for today and tomorrow ----
# Made by the centre's supervisor through the HTTP API (POST /api/slots):
# the next three half hours that are still today, and four tomorrow (CST).
center=黄浦区政务服务中心
token=$(jq -n --arg p "$demo_password" '{username: "wangfang", password: $p}' \
  | curl -fsS -H 'Content-Type: application/json' --data @- "${url}api/login" | jq -r .token) \
  || die "the supervisor wangfang could not sign in"
half=$((30 * 60 * 1000)) day=$((24 * 3600 * 1000)) cst=$((8 * 3600 * 1000))
now_ms=$(($(date +%s) * 1000))
tomorrow=$(((now_ms + cst) / day * day - cst + day))   # 00:00 CST
slots=()
for s in $(((now_ms / half + 2) * half)) $(((now_ms / half + 3) * half)) $(((now_ms / half + 4) * half)); do
  if ((s + half <= tomorrow)); then slots+=("$s QY-SL-001"); fi
done
slots+=("$((tomorrow + 19 * half)) QY-SL-001" "$((tomorrow + 20 * half)) QY-SL-001"
  "$((tomorrow + 28 * half)) SP-JY-004" "$((tomorrow + 31 * half)) QY-BG-002")
for slot in "${slots[@]}"; do
  read -r starts item <<<"$slot"
  jq -n --arg c "$center" --arg i "$item" --argjson s "$starts" --argjson h "$half" \
    '{center: $c, province: "shanghai", item: $i, starts_at: $s, ends_at: ($s + $h), capacity: 3}' \
    | curl -fsS -o /dev/null -H 'Content-Type: application/json' \
      -H "Authorization: Bearer $token" --data @- "${url}api/slots" \
    || die "cannot create the slot of $item at $starts"
done
say "appointments: ${#slots[@]} slots of 3 places at $center, today and tomorrow (${url}api/slots)"

# ---- the agent: 帮办专员 in Shanghai, one session then exit ----
"$client_bin" "${common[@]}" --role agent --user zhangmin --password-file "$work/password" \
  --max-sessions 1 --save-dir "$work/agent-snapshots" \
  >"$work/agent.jsonl" 2>"$work/agent.log" &
agent_pid=$!
deadline=$((SECONDS + start_timeout))
until grep -q '"event":"registered"' "$work/agent.jsonl"; do
  kill -0 "$agent_pid" 2>/dev/null \
    || { cat "$work/agent.jsonl" "$work/agent.log" >&2; die "the agent exited before registering"; }
  ((SECONDS < deadline)) || die "the agent did not register within ${start_timeout}s"
  sleep 0.1
done
say "agent 张敏 (黄浦区政务服务中心) registered and available"

# ---- the clerk: Zhejiang, a Shanghai matter ----
"$client_bin" "${common[@]}" --role clerk --name 李华 --province zhejiang \
  --center 嘉善县行政服务中心 --item QY-SL-001 --handled-in shanghai \
  --document-camera test --save-dir "$work/clerk-snapshots" \
  --duration "$duration" \
  >"$work/clerk.jsonl" 2>"$work/clerk.log" &
clerk_pid=$!
say "clerk 李华 (嘉善县行政服务中心) asks for 企业设立 under Shanghai rules; call lasts ${duration}s"

clerk_status=0 agent_status=0
if ! wait_exit "$clerk_pid" $((duration + call_slack)); then
  say "the clerk is still running after $((duration + call_slack))s: stopping it"
  stop "$clerk_pid"
fi
wait "$clerk_pid" || clerk_status=$?
clerk_pid=''
# The agent exits on its own once its one session has ended.
if ! wait_exit "$agent_pid" 10; then
  say "the agent did not exit after the session: stopping it"
  stop "$agent_pid"
fi
wait "$agent_pid" || agent_status=$?
agent_pid=''

# ---- what flowed ----
# The clients' event lines -> one readable block per side.  Times are
# counted from the clerk's "requested" event.
names=(张敏 李华)
report=$(jq -rn \
  --rawfile agent "$work/agent.jsonl" --rawfile clerk "$work/clerk.jsonl" \
  --arg agent_status "$agent_status" --arg clerk_status "$clerk_status" \
  --arg agent_name "${names[0]}" --arg clerk_name "${names[1]}" '
  def events: [split("\n")[] | select(length > 0) | (try fromjson catch empty)];
  def ev($name): map(select(.event == $name));
  def first_t($name): (ev($name) | first | .t?) // null;
  def rpad($n): tostring | if length < $n then . + (" " * ($n - length)) else . end;
  def lpad($n): tostring | if length < $n then (" " * ($n - length)) + . else . end;
  def ms($from; $to): if $from == null or $to == null then "never" else "\($to - $from) ms" end;
  def dec1: (. * 10 | round) as $d | (if $d < 0 then -$d else $d end) as $m
    | (if $d < 0 then "-" else "" end) + "\($m / 10 | floor).\($m % 10)";
  def kb: (. / 1000 | dec1) + " kB";
  def db: dec1 + " dB";

  ($agent | events) as $a
  | ($clerk | events) as $c
  | ({} | .[($a | ev("registered") | first | .peer_id?) // "-"] = $agent_name
        | .[($c | ev("registered") | first | .peer_id?) // "-"] = $clerk_name) as $names
  | ($c | first_t("requested")) as $request
  | def side($title; $ev; $status):
      ($ev | ev("paired") | first) as $p
      | ($ev | ev("stats")) as $stats
      | ($stats | last) as $s
      | ($ev | ev("first-frame")) as $ff
      | ($ev | ev("first-audio") | first) as $fa
      | ($ev | ev("latency") | map(.ms) | sort) as $lat
      | [ $title,
          "  paired with        " + (if $p then "\($p.peer.name) (\($p.peer.role), \($p.peer.province), \($p.peer.center)), session \($p.session)" else "nobody" end),
          "  request → connected     " + ms($request; $ev | first_t("connected")),
          "  request → first frame   " + ms($request; $ff | first | .t?),
          "  connected → ended       " + ms($ev | first_t("connected"); $ev | first_t("ended")),
          "  first frames       " + (if ($ff | length) > 0 then [$ff[] | "\(.track) \(.width)x\(.height)"] | join(", ") else "none" end),
          "  audio              " + (if $fa then "first " + ($fa.peak_db | db) else "none" end)
            + ([$stats[] | .tracks[]? | select(.track == "audio") | .peak_db] | if length > 0 then ", loudest " + (max | db) else "" end),
          "  received (last stats event):",
          (if $s == null or ($s.tracks | length) == 0 then "    nothing"
           else $s.tracks[] | "    " + (.track | rpad(9)) + " from " + ($names[.peer] // .peer | rpad(4))
             + (.frames | lpad(7)) + " frames" + (.bytes | kb | lpad(11))
             + (if .track == "audio" then "   peak " + (.peak_db | db) else "   \(.width)x\(.height)" end)
           end),
          (($s.sent? // []) | select(length > 0)
            | "  sent               " + (map("\(.track) \(.frames) frames" + (if .keyframes then " (\(.keyframes) keyframes)" else "" end)) | join(", "))),
          ($lat | select(length > 0)
            | "  glass-to-glass     median \(.[length / 2 | floor]) ms over \(length) frames"),
          "  ended              " + (($ev | ev("ended") | first | .reason) // "no"),
          ($ev | ev("error")[] | "  error              \(.code): \(.message)"),
          ($ev | ev("disconnected")[] | "  disconnected       close code \(.code)"),
          "  exit status        \($status)"
        ] | join("\n");
    # A side is fine when it connected and received video frames.
    def verdict($ev):
      if ($ev | ev("connected") | length) == 0 then "did not connect"
      elif ($ev | ev("first-frame") | length) == 0
        or ([$ev | ev("stats") | last | .tracks[]? | .frames] | add // 0) == 0
      then "received no frames"
      else "ok" end;
    side("帮办专员 agent \($agent_name) (shanghai, 黄浦区政务服务中心)"; $a; $agent_status),
    "",
    side("clerk \($clerk_name) (zhejiang, 嘉善县行政服务中心), 企业设立 under shanghai rules"; $c; $clerk_status),
    "",
    "VERDICT\tagent\t" + verdict($a),
    "VERDICT\tclerk\t" + verdict($c)
')

echo
grep -v '^VERDICT' <<<"$report"
failed=false
while IFS=$'\t' read -r _ who verdict; do
  if [[ $verdict != ok ]]; then
    say "FAILED: the $who $verdict"
    failed=true
  fi
done < <(grep '^VERDICT' <<<"$report")
if [[ $failed == true ]]; then
  say "server log: $work/server.log; client events: $work/agent.jsonl, $work/clerk.jsonl"
  exit 1
fi
say "call connected and media flowed both ways through the hub"

# ---- the recording the hub kept ----
session=$(jq -r 'select(.event == "paired") | .session' "$work/clerk.jsonl" | head -n 1)
manifest="$work/data/sessions/$session/manifest.json"
for _ in $(seq 50); do   # the last chunks close once both have left
  [[ -f $manifest ]] && jq -e '[.tracks[].ended_at] | all(. > 0)' "$manifest" >/dev/null && break
  sleep 0.2
done
[[ -f $manifest ]] || die "no recording manifest for session $session"
bad=0
while read -r path sha; do
  [[ $(sha256sum "$work/data/$path" | cut -d' ' -f1) == "$sha" ]] || bad=$((bad + 1))
done < <(jq -r '.tracks[].chunks[] | "\(.path) \(.sha256)"' "$manifest")
echo
jq -r '(.participants | map({(.peer_id): .name}) | add) as $names
  | "recording of case \(.case) (\(.state)):",
  (.tracks[] | "  \(.kind | . + " " * (9 - length)) of \($names[.peer_id] // .peer_id)  from +\(.offset_ms) ms  "
    + "\(.chunks | length) chunk(s), \([.chunks[].size] | add // 0) bytes, \([.chunks[].duration_ms] | add // 0) ms")' \
  "$manifest"
((bad == 0)) || die "$bad recorded chunk(s) do not match their SHA-256"
say "every recorded chunk matches its SHA-256 ($manifest)"

if [[ $keep_server == true ]]; then
  # A native agent stays available for whoever opens the join page.
  setsid "$client_bin" "${common[@]}" --role agent --user zhangmin \
    --password-file "$work/password" --save-dir "$work/agent-snapshots" \
    </dev/null >"$work/served.jsonl" 2>"$work/served.log" &
  served_pid=$!
  deadline=$((SECONDS + start_timeout))
  until grep -q '"event":"registered"' "$work/served.jsonl" 2>/dev/null; do
    kill -0 "$served_pid" 2>/dev/null || die "the standing agent exited: $(cat "$work/served.log")"
    ((SECONDS < deadline)) || die "the standing agent did not register"
    sleep 0.1
  done
  keep_work=true
  printf 'pid=%s\npid=%s\nwork=%s\n' "$served_pid" "$server_pid" "$work" >"$state"
  server_pid=''   # cleanup leaves them alone
  echo
  say "vw-server keeps running on $url with agent 张敏 (zhangmin) available:"
  say "  join page (enterprise or clerk):  ${url}join.html  — choose 上海 and an item"
  say "  agent console:                    ${url}agent.html  (chenjing / $demo_password)"
  say "  supervisor page:                  ${url}supervisor.html  (wangfang / $demo_password)"
  say "  appointments (我要约), to book:     ${url}api/slots  (POST /api/appointments, server/API.md)"
  say "logs and data in $work; stop with: scripts/demo.sh --stop"
else
  kill -TERM "$server_pid" 2>/dev/null || true
  wait_exit "$server_pid" 10 || die "vw-server did not stop within 10 s of SIGTERM"
  server_status=0
  wait "$server_pid" || server_status=$?
  server_pid=''
  ((server_status == 0)) || die "vw-server exited with status $server_status on SIGTERM"
  say "vw-server stopped cleanly (SIGTERM)"
fi
