#!/usr/bin/env bash
# The main job on a fresh machine: installs what is missing, builds, generates
# a sample city (Guangzhou's real streets, synthetic people), audits its last
# month against the month before, and prints the path of the HTML report.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
bin=build/bin/regaudit
demo=out/demo
mkdir -p "$demo"
if [[ ! -f $demo/city.db ]]; then
  "$bin" synth --out "$demo/city.db" --persons "${REGAUDIT_DEMO_PERSONS:-50000}" --seed 2022 \
    --period 2022-04 --months 2
fi
"$bin" run -q --db "$demo/city.db" --period 2022-03 --out "$demo/2022-03" >/dev/null || [[ $? == 1 ]]
"$bin" run -q --db "$demo/city.db" --period 2022-04 --out "$demo/2022-04" >/dev/null || [[ $? == 1 ]]
realpath "$demo/2022-04/report.xml"
