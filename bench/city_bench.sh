#!/usr/bin/env bash
# City-scale benchmark (issue 8). For each city size it measures, in one run:
#   (a) the read floor: the sqlite3 shell reading every column the four
#       built-in rules use, with a cheap aggregate (bench/read_floor.sql);
#   (b) `regaudit run`: the four rules, XML and HTML reports;
#   (c) the analyst's version: the same rules as plain SQL in the sqlite3
#       shell (bench/analyst_rules.sql);
# and prints wall times, the ratios b/a and c/b, and peak memory (maximum
# resident set size from /usr/bin/time -v).
#
# Usage: bench/city_bench.sh [--with-10m] [--skip-analyst] [--runs N]
#   --runs N  runs (a) and (b) N times each, alternately, and keeps the fastest
#             of each (and the highest peak); wall times on a shared machine
#             vary by 5 to 10 % between runs. Default 1.
# Env:   REGAUDIT_BENCH_DIR  where cities and reports are cached (/tmp/regaudit-bench)
#        REGAUDIT            the binary (default: build/bin/regaudit, the default preset's)
#        REGAUDIT_JOBS       --jobs for regaudit run (default: nproc)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dir=${REGAUDIT_BENCH_DIR:-/tmp/regaudit-bench}
regaudit=${REGAUDIT:-$root/build/bin/regaudit}
[[ -x ${regaudit:-} ]] || { echo "city_bench: no regaudit binary; build first or set REGAUDIT" >&2; exit 2; }
jobs=${REGAUDIT_JOBS:-$(nproc)}
sizes=(1000000)
analyst=1
runs=1
while (( $# > 0 )); do
  case $1 in
    --with-10m) sizes+=(10000000) ;;
    --skip-analyst) analyst=0 ;;
    --runs)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "city_bench: --runs needs a positive count" >&2; exit 2; }
      runs=$2
      shift
      ;;
    *) echo "city_bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$dir"
declare -A run_seconds  # (b) by city size

# Runs a command under /usr/bin/time -v; prints "<seconds> <max RSS KiB>".
measure() {
  local log
  log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
    /Maximum resident set size/ { rss = $2 }
    END { printf "%.2f %d\n", s, rss }' "$log"
  rm -f "$log"
}

for persons in "${sizes[@]}"; do
  db="$dir/city-$persons.db"
  if [[ ! -f $db ]]; then
    echo "city_bench: generating $db" >&2
    "$regaudit" synth --out "$db.tmp" --persons "$persons" --seed 2022 --period 2022-04 >/dev/null
    mv "$db.tmp" "$db"
  fi
  out="$dir/out-$persons"
  rm -rf "$out"
  # Both (a) and (b) read the file from the page cache, whatever ran before
  # (generating the 10 M city evicts the 1 M one).
  cat "$db" >/dev/null
  a='' b='' a_rss=0 b_rss=0
  for (( run = 1; run <= runs; run++ )); do
    rm -rf "$out"
    read -r t rss < <(measure sqlite3 -readonly "$db" < "$here/read_floor.sql")
    if [[ -z $a ]] || awk -v t="$t" -v a="$a" 'BEGIN { exit !(t < a) }'; then a=$t; fi
    if (( rss > a_rss )); then a_rss=$rss; fi
    read -r t rss < <(measure "$regaudit" run --db "$db" --period 2022-04 --out "$out" \
                              --jobs "$jobs" --quiet)
    if [[ -z $b ]] || awk -v t="$t" -v b="$b" 'BEGIN { exit !(t < b) }'; then b=$t; fi
    if (( rss > b_rss )); then b_rss=$rss; fi
  done
  findings=$(grep -c '<finding ' "$out/report.xml" || true)
  fastest=''
  if (( runs > 1 )); then fastest=", fastest of $runs runs of (a) and (b)"; fi
  printf '%s persons (%s, %s MB)%s\n' "$persons" "$db" "$(( $(stat -c %s "$db") / 1000000 ))" \
    "$fastest"
  printf '  (a) read floor, sqlite3       %8.2f s   peak %6d MiB\n' "$a" $((a_rss / 1024))
  printf '  (b) regaudit run (XML+HTML)   %8.2f s   peak %6d MiB   %s findings, --jobs %s\n' \
    "$b" $((b_rss / 1024)) "$findings" "$jobs"
  if (( analyst )); then
    read -r c c_rss < <(measure sqlite3 -readonly "$db" < "$here/analyst_rules.sql")
    printf '  (c) analyst SQL, sqlite3      %8.2f s   peak %6d MiB\n' "$c" $((c_rss / 1024))
  fi
  run_seconds[$persons]=$b
  awk -v a="$a" -v b="$b" 'BEGIN { printf "  b/a = %.2f\n", b / a }'
  if (( analyst )); then awk -v b="$b" -v c="$c" 'BEGIN { printf "  c/b = %.2f\n", c / b }'; fi
done
if [[ -n ${run_seconds[10000000]:-} ]]; then
  awk -v big="${run_seconds[10000000]}" -v small="${run_seconds[1000000]}" \
    'BEGIN { printf "(b) at 10 M / (b) at 1 M = %.2f\n", big / small }'
fi
