-- The read floor: every column the four built-in rules (and the run's
-- metrics) read, each table once, with the cheapest aggregate that still
-- makes SQLite decode every value. bench/city_bench.sh times this in the
-- sqlite3 shell.
SELECT count(*), sum(length(street_code)), sum(length(name)) FROM streets;
SELECT count(*), sum(person_id), sum(length(id_number)), sum(length(name)),
       sum(length(hukou_street)) FROM persons;
SELECT count(*), sum(residence_id), sum(length(id_number)), sum(length(street)),
       sum(length(source)), sum(length(valid_from)), sum(length(valid_to)) FROM residences;
SELECT count(*), sum(link_id), sum(length(id_number)), sum(length(phone)), sum(length(source)),
       sum(length(recorded_at)) FROM person_phones;
SELECT count(*), sum(subscription_id), sum(length(phone)), sum(length(owner_id_number)),
       sum(length(owner_name)), sum(length(activated_at)), sum(length(deactivated_at))
  FROM phone_subscriptions;
SELECT count(*), sum(inquiry_id), sum(length(phone)), sum(length(id_number)), sum(length(agency)),
       sum(length(street)), sum(length(called_at)), sum(length(duration_s)), sum(length(outcome))
  FROM inquiries;
SELECT count(*), sum(report_id), sum(length(id_number)), sum(length(phone)),
       sum(length(reported_at)), sum(length(arrived_at)), sum(length(origin)),
       sum(length(vehicle_no)) FROM self_reports;
SELECT count(*), sum(checkin_id), sum(length(id_number)), sum(length(phone)), sum(length(street)),
       sum(length(kind)), sum(length(team)), sum(length(team_size)), sum(length(checked_in_at)),
       sum(length(duration_min)), sum(length(photo)) FROM checkins;
SELECT count(*), sum(checkin_id), sum(length(field)), sum(length(value)) FROM checkin_fields;
SELECT count(*), sum(travel_id), sum(length(id_number)), sum(length(vehicle_no)),
       sum(length(origin)), sum(length(arrived_at)), sum(length(recorded_at)) FROM travel_records;
SELECT count(*), sum(vaccination_id), sum(length(id_number)), sum(length(vaccinated_at))
  FROM vaccinations;
