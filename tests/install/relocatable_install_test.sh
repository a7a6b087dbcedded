#!/usr/bin/env bash
# `cmake --install` gives a tree that works after being moved elsewhere:
# the binary finds its plugins and profile relative to itself.
set -euo pipefail
build_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/first" >/dev/null
mv "$work/first" "$work/moved"
bin="$work/moved/bin/regaudit"
"$bin" --version
rules=$("$bin" rules)
grep -q 'hukou-mismatch' <<<"$rules" || { echo "installed rules missing: $rules"; exit 1; }
grep -q "$work/moved/lib/regaudit/plugins" <<<"$rules" || { echo "plugins not from the moved tree"; exit 1; }
test -f "$work/moved/share/regaudit/rules/monthly.xml"
test -f "$work/moved/share/regaudit/reports/audit-report.xsd"
test -f "$work/moved/include/regaudit/rule.hpp"
echo "relocatable install OK"
