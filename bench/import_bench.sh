#!/usr/bin/env bash
# Measures `regaudit import` against the sqlite3 shell's `.import` (the
# baseline) in the same run, on the same generated CSV: ROWS rows of
# inquiries-like data (plain UTF-8, Chinese text in some columns).
#
#   bench/import_bench.sh [REGAUDIT_BINARY] [ROWS]
#
# REGAUDIT_BINARY defaults to build/bin/regaudit; any binary with the import
# subcommand works (e.g. build-import/bin/regaudit_import_driver). ROWS
# defaults to 2000000. Needs sqlite3 and awk. Prints rows/s for both and the
# ratio; the work directory is removed at the end.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
regaudit="${1:-$here/build/bin/regaudit}"
rows="${2:-2000000}"
[[ -x "$regaudit" ]] || { echo "no regaudit binary at $regaudit (pass one as argument 1)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "sqlite3 shell not found" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/regaudit-import-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
csv="$work/inquiries.csv"

echo "generating $rows rows..."
awk -v rows="$rows" 'BEGIN {
  srand(42)
  split("confirmed_local not_local already_reported no_answer empty_number wrong_person refused", outcome, " ")
  split("街道办 派出所 卫健委 社区工作站", agency, " ")
  print "inquiry_id,assignment_id,phone,id_number,agency,street,caller,called_at,duration_s,outcome"
  for (i = 1; i <= rows; i++) {
    printf "%d,%d,1%010d,44010519%02d%02d%02d%03d%d,%s,4401050%02d,话务员%03d,2022-04-%02d %02d:%02d:%02d,%d,%s\n",
      i, int(i / 3) + 1, int(rand() * 9999999999), 60 + int(rand() * 40), 1 + int(rand() * 12),
      1 + int(rand() * 28), int(rand() * 1000), int(rand() * 10), agency[1 + int(rand() * 4)],
      int(rand() * 20), int(rand() * 300), 1 + int(rand() * 30), int(rand() * 24),
      int(rand() * 60), int(rand() * 60), int(rand() * 600), outcome[1 + int(rand() * 7)]
  }
}' > "$csv"
bytes=$(stat -c %s "$csv")
echo "csv: $rows rows, $bytes bytes"

now() { date +%s.%N; }

# Both registries start with the same schema: regaudit creates it from a
# header-only file, so the baseline inserts into the very same table.
head -n 1 "$csv" > "$work/header.csv"
"$regaudit" import --db "$work/baseline.db" --table inquiries "$work/header.csv" > /dev/null
"$regaudit" import --db "$work/regaudit.db" --table inquiries "$work/header.csv" > /dev/null

# CPU seconds (user + sys) too: on a shared machine the wall time also
# measures the neighbours.
cpu() { awk '{ printf "%.2f", $1 + $2 }' "$1"; }
timed() { local out="$1"; shift; if [[ -x /usr/bin/time ]]; then /usr/bin/time -o "$out" -f "%U %S" "$@"; else echo "0 0" > "$out"; "$@"; fi; }

sync
t0=$(now)
timed "$work/base.cpu" sqlite3 "$work/baseline.db" "PRAGMA cache_size = -524288;" \
  ".import --csv --skip 1 $csv inquiries"
t1=$(now)
sync
t2=$(now)
timed "$work/ours.cpu" "$regaudit" import --db "$work/regaudit.db" --table inquiries "$csv" \
  > "$work/regaudit.out"
t3=$(now)

base_rows=$(sqlite3 "$work/baseline.db" "SELECT count(*) FROM inquiries")
our_rows=$(sqlite3 "$work/regaudit.db" "SELECT count(*) FROM inquiries")
[[ "$base_rows" == "$rows" && "$our_rows" == "$rows" ]] ||
  { echo "row counts differ: baseline $base_rows, regaudit $our_rows, expected $rows" >&2; exit 1; }

awk -v rows="$rows" -v b0="$t0" -v b1="$t1" -v r0="$t2" -v r1="$t3" \
    -v bc="$(cpu "$work/base.cpu")" -v rc="$(cpu "$work/ours.cpu")" 'BEGIN {
  base = rows / (b1 - b0); ours = rows / (r1 - r0)
  printf "sqlite3 .import : %6.2f s wall %10.0f rows/s | %6.2f s cpu\n", b1 - b0, base, bc
  printf "regaudit import : %6.2f s wall %10.0f rows/s | %6.2f s cpu\n", r1 - r0, ours, rc
  printf "ratio (wall)    : %6.2f x (regaudit / sqlite3)\n", ours / base
  if (rc > 0 && bc > 0) printf "ratio (cpu)     : %6.2f x; regaudit %.0f rows per cpu-second\n", bc / rc, rows / rc
}'
