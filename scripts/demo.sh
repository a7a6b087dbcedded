#!/usr/bin/env bash
# The main job on a fresh machine: installs what is missing, builds, generates
# a sample city (Guangzhou's real streets, synthetic people), audits its last
# two months — April against March as the baseline — and prints the path of
# April's HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh default
bin=build/bin/regaudit
demo=out/demo
persons=${REGAUDIT_DEMO_PERSONS:-50000}
mkdir -p "$demo"
if [[ ! -f $demo/city-$persons.db ]]; then
  "$bin" synth --out "$demo/city-$persons.db" --persons "$persons" --seed 2022 \
    --period 2022-04 --months 2 >/dev/null
fi
"$bin" run -q --db "$demo/city-$persons.db" --period 2022-03 --out "$demo/2022-03" >/dev/null
"$bin" run -q --db "$demo/city-$persons.db" --period 2022-04 --out "$demo/2022-04" \
  --baseline "$demo/2022-03/report.xml" --history "$demo/2022-03/report.xml"
