#!/usr/bin/env bash
# THE test command: install dependencies, build, run every test suite.
#
#   scripts/run-tests.sh [extra `meson test` arguments, e.g. --suite unit]
#
# The last line of output is exactly "N passed, N failed" (", N skipped" is
# added when some TAP cases were skipped).  Exit status 0 only when meson test
# succeeded, nothing failed and at least one case passed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

builddir=build
testlog=$builddir/meson-logs/testlog.json

summary () {  # passed failed skipped
  local line="$1 passed, $2 failed"
  (($3 > 0)) && line+=", $3 skipped"
  printf '%s\n' "$line"
}

# A set-up or build failure ran no test at all; it still counts as one
# failure, so the summary line never reads as a clean run.
if ! scripts/install-deps.sh; then
  echo "run-tests: installing dependencies failed" >&2
  summary 0 1 0
  exit 1
fi
if ! scripts/build.sh; then
  echo "run-tests: build failed" >&2
  summary 0 1 0
  exit 1
fi

# A stale log from an earlier run must not be counted.
rm -f "$testlog"
meson_status=0
meson test -C "$builddir" --print-errorlogs "$@" || meson_status=$?

if [[ ! -s $testlog ]]; then
  echo "run-tests: meson test wrote no $testlog (status $meson_status)" >&2
  summary 0 1 0
  exit 1
fi

# Counting.  We read testlog.json rather than the console or testlog.txt:
# it holds one JSON object per test program with the program's complete
# stdout (its TAP stream) and meson's verdict ("result"), with no
# decoration to strip and no interleaving between programs.  Per program:
#   * "ok N ..." passes; "ok N ... # SKIP ..." is skipped;
#   * "not ok N ..." fails; "not ok N ... # TODO ..." is an expected failure,
#     counted as skipped;
#   * a plan "1..N" with fewer than N case lines means the program died
#     part-way: each missing case is a failure;
#   * a program meson did not pass (FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS,
#     INTERRUPT) counts at least 1 failure, even when it crashed or timed
#     out before printing its plan or any case;
#   * a program without any TAP output that meson passed (a plain exit-code
#     test) counts as 1 case.
# Only unindented lines count, as TAP 13 requires (GLib 2.74 nests nothing).
# One line per program: name, passed, failed, skipped, meson's result.
counts=$(jq -r '
  def bad: (.result // "ERROR") | IN("OK", "SKIP", "EXPECTEDFAIL") | not;
  ((.stdout // "") | split("\n")) as $lines
  | [$lines[] | select(test("^(not )?ok\\b"))] as $cases
  | ([$lines[] | capture("^1\\.\\.(?<n>[0-9]+)") | .n | tonumber] | first) as $plan
  | ($cases | map(select(test("^ok\\b") and (test("^ok\\b[^#]*#\\s*skip"; "i") | not))) | length) as $ok
  | ($cases | map(select(test("^ok\\b[^#]*#\\s*skip"; "i"))) | length) as $skip
  | ($cases | map(select(test("^not ok\\b[^#]*#\\s*todo"; "i"))) | length) as $todo
  | ($cases | map(select(test("^not ok\\b") and (test("^not ok\\b[^#]*#\\s*todo"; "i") | not))) | length) as $notok
  | (if $plan != null and $plan > ($cases | length) then $plan - ($cases | length) else 0 end) as $missing
  | (if $plan == null and ($cases | length) == 0 and (bad | not) and .result != "SKIP"
     then [1, 0, 0] else [$ok, $notok + $missing, $skip + $todo] end) as $c
  | (if bad and $c[1] == 0 then [$c[0], 1, $c[2]] else $c end) as $c
  | (if .result == "SKIP" and ($cases | length) == 0 then [0, 0, 1] else $c end) as $c
  | [.name, $c[0], $c[1], $c[2], .result] | @tsv
' "$testlog") || {
  echo "run-tests: cannot read $testlog" >&2
  summary 0 1 0
  exit 1
}

passed=0 failed=0 skipped=0
echo
echo "TAP cases per test program:"
while IFS=$'\t' read -r name p f s result; do
  [[ -n $name ]] || continue
  printf "  %-36s %-6s %4d passed, %d failed, %d skipped\n" "${name#virtual-window:}" "$result" "$p" "$f" "$s"
  ((passed += p, failed += f, skipped += s)) || true
done <<<"$counts"

# meson failed for a reason the TAP streams do not show: never let the
# summary claim zero failures then.
if ((meson_status != 0 && failed == 0)); then
  failed=1
fi
status=0
((meson_status == 0 && failed == 0 && passed > 0)) || status=1
summary "$passed" "$failed" "$skipped"
exit "$status"
