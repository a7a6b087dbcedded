#!/usr/bin/env bash
# The installed SDK is enough to write a rule: install to a temporary prefix,
# scaffold a plugin with `regaudit new-rule`, build and test it out of tree
# against the installed CMake package, load it with --plugin-dir, and find its
# finding in the report.
set -euo pipefail
build_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
cmake --install "$build_dir" --prefix "$prefix" >/dev/null
bin="$prefix/bin/regaudit"

"$bin" new-rule persons-without-name --dir "$work/rule"
cmake -S "$work/rule" -B "$work/rule/build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/rule/build" -j2
ctest --test-dir "$work/rule/build" --output-on-failure

"$bin" explain persons-without-name --plugin-dir "$work/rule/build" | grep -q 'missing_name'

db="$work/city.db"
sqlite3 "$db" <<'SQL'
CREATE TABLE streets (street_code TEXT PRIMARY KEY, name TEXT, district_code TEXT);
CREATE TABLE communities (community_code TEXT PRIMARY KEY, street_code TEXT, name TEXT);
CREATE TABLE persons (person_id INTEGER PRIMARY KEY, id_number TEXT, name TEXT, sex TEXT, birth_date TEXT, hukou_street TEXT, hukou_community TEXT, hukou_address TEXT, updated_at TEXT);
CREATE TABLE residences (residence_id INTEGER PRIMARY KEY, id_number TEXT, street TEXT, community TEXT, address TEXT, source TEXT, valid_from TEXT, valid_to TEXT);
CREATE TABLE person_phones (link_id INTEGER PRIMARY KEY, id_number TEXT, phone TEXT, source TEXT, recorded_at TEXT);
CREATE TABLE phone_subscriptions (subscription_id INTEGER PRIMARY KEY, phone TEXT, owner_id_number TEXT, owner_name TEXT, carrier TEXT, activated_at TEXT, deactivated_at TEXT);
CREATE TABLE assignments (assignment_id INTEGER PRIMARY KEY, list_id TEXT, category TEXT, issued_at TEXT, phone TEXT, id_number TEXT, name TEXT, assigned_street TEXT, source_agency TEXT);
CREATE TABLE inquiries (inquiry_id INTEGER PRIMARY KEY, assignment_id INTEGER, phone TEXT, id_number TEXT, agency TEXT, street TEXT, caller TEXT, called_at TEXT, duration_s INTEGER, outcome TEXT);
CREATE TABLE self_reports (report_id INTEGER PRIMARY KEY, id_number TEXT, phone TEXT, name TEXT, street TEXT, community TEXT, reported_at TEXT, arrived_at TEXT, origin TEXT, vehicle_no TEXT);
CREATE TABLE travel_records (travel_id INTEGER PRIMARY KEY, id_number TEXT, mode TEXT, vehicle_no TEXT, origin TEXT, departed_at TEXT, arrived_at TEXT, recorded_at TEXT);
CREATE TABLE vaccinations (vaccination_id INTEGER PRIMARY KEY, id_number TEXT, dose INTEGER, vaccinated_at TEXT);
CREATE TABLE checkins (checkin_id INTEGER PRIMARY KEY, id_number TEXT, phone TEXT, street TEXT, community TEXT, kind TEXT, team TEXT, team_size INTEGER, agency TEXT, checked_in_at TEXT, duration_min INTEGER, photo INTEGER);
CREATE TABLE checkin_fields (checkin_id INTEGER, field TEXT, value TEXT);
INSERT INTO persons (person_id, id_number, name, hukou_street) VALUES
  (1, '11010519491231002X', '张三', '440104001'), (2, '440104199001011234', ' ', '440104001');
INSERT INTO inquiries (inquiry_id, called_at) VALUES (1, '2022-04-03 09:00');
SQL
echo '<profile name="only-plugins"/>' >"$work/profile.xml"
"$bin" run -q --db "$db" --out "$work/out" --profile "$work/profile.xml" \
  --plugin-dir "$work/rule/build" >/dev/null
grep -q '<finding rule="persons-without-name" code="missing_name"' "$work/out/report.xml" \
  || { echo "the scaffolded rule's finding is not in the report"; cat "$work/out/report.xml"; exit 1; }
echo "scaffolded plugin built against the installed SDK and reported its finding"
