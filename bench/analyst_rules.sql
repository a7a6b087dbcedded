-- The four built-in rules as an analyst would write them in plain SQL, for
-- bench/city_bench.sh's comparison (c). SQLite built-ins only, so the normal
-- forms of SPEC section 2 are approximated: trim(), upper(), replace() of
-- spaces and hyphens, no NFKC, no 15-digit widening, no check character, no
-- Traditional->Simplified; times are compared as text after replacing '/'
-- and 'T' (other SPEC forms are missed). Each statement prints a count per
-- code, which is all the timing needs. Parameters: P = 2022-04, A =
-- '2022-05-01 00:00:00', W = 7 days, arrival tolerance 60 minutes.

CREATE TEMP VIEW pp AS
  SELECT link_id, upper(replace(replace(trim(id_number), ' ', ''), '-', '')) AS id,
         replace(replace(replace(trim(phone), ' ', ''), '-', ''), '+86', '') AS phone,
         replace(replace(trim(recorded_at), '/', '-'), 'T', ' ') AS at
    FROM person_phones;
CREATE TEMP VIEW subs AS
  SELECT subscription_id, replace(replace(replace(trim(phone), ' ', ''), '-', ''), '+86', '') AS phone,
         upper(replace(trim(owner_id_number), ' ', '')) AS owner,
         replace(replace(trim(activated_at), '/', '-'), 'T', ' ') AS act,
         replace(replace(trim(deactivated_at), '/', '-'), 'T', ' ') AS deact
    FROM phone_subscriptions WHERE activated_at IS NOT NULL;
-- The subscription in force at A per number: activated last, ties highest id.
CREATE TEMP TABLE in_force AS
  SELECT phone, owner, act, subscription_id FROM (
    SELECT s.*, row_number() OVER (PARTITION BY phone ORDER BY act DESC, subscription_id DESC) AS rn
      FROM subs s WHERE act < '2022-05-01 00:00:00' AND (deact IS NULL OR deact >= '2022-05-01 00:00:00'))
   WHERE rn = 1;
CREATE INDEX temp.in_force_phone ON in_force(phone);
CREATE TEMP TABLE counted AS SELECT DISTINCT phone FROM subs;
CREATE TEMP TABLE links AS SELECT * FROM pp;
CREATE INDEX temp.links_id ON links(id, phone);
CREATE TEMP TABLE feedback AS
  SELECT replace(replace(replace(trim(phone), ' ', ''), '-', ''), '+86', '') AS phone,
         replace(replace(trim(called_at), '/', '-'), 'T', ' ') AS at
    FROM inquiries WHERE lower(trim(outcome)) IN ('empty_number', 'wrong_person');
CREATE INDEX temp.feedback_phone ON feedback(phone, at);
CREATE TEMP TABLE people AS
  SELECT upper(replace(trim(id_number), ' ', '')) AS id, replace(name, ' ', '') AS name FROM persons;
CREATE INDEX temp.people_id ON people(id, name);
CREATE TEMP TABLE travel AS
  SELECT upper(replace(trim(id_number), ' ', '')) AS id,
         upper(replace(replace(vehicle_no, ' ', ''), '-', '')) AS vehicle,
         rtrim(replace(origin, ' ', ''), '市') AS origin, arrived_at, recorded_at
    FROM travel_records;
CREATE INDEX temp.travel_id ON travel(id);
CREATE TEMP TABLE doses AS
  SELECT upper(replace(trim(id_number), ' ', '')) AS id, vaccinated_at AS at FROM vaccinations;
CREATE INDEX temp.doses_id ON doses(id, at);

-- hukou-mismatch
SELECT 'invalid_id_number', count(*) FROM persons
 WHERE id_number IS NULL OR length(upper(replace(trim(id_number), ' ', ''))) <> 18
    OR substr(upper(replace(trim(id_number), ' ', '')), 1, 17) GLOB '*[^0-9]*';
SELECT 'residence_elsewhere', count(*) FROM persons p
  JOIN (SELECT id, street FROM (
          SELECT upper(replace(trim(id_number), ' ', '')) AS id, trim(street) AS street,
                 row_number() OVER (PARTITION BY upper(replace(trim(id_number), ' ', ''))
                                    ORDER BY valid_from DESC, residence_id DESC) AS rn
            FROM residences
           WHERE valid_from < '2022-05-01 00:00:00'
             AND (valid_to IS NULL OR valid_to >= '2022-05-01 00:00:00'))
         WHERE rn = 1) r ON r.id = upper(replace(trim(p.id_number), ' ', ''))
 WHERE r.street <> trim(p.hukou_street);
SELECT 'phone_holder_mismatch', count(*) FROM pp JOIN in_force f ON f.phone = pp.phone
 WHERE pp.at < '2022-05-01 00:00:00' AND f.owner IS NOT NULL AND f.owner <> pp.id
   AND f.act <= pp.at;

-- stale-phone
SELECT 'deactivated', count(*) FROM pp
 WHERE pp.at < '2022-05-01 00:00:00' AND pp.phone IN (SELECT phone FROM counted)
   AND pp.phone NOT IN (SELECT phone FROM in_force);
SELECT 'reassigned', count(*) FROM pp JOIN in_force f ON f.phone = pp.phone
 WHERE pp.at < '2022-05-01 00:00:00' AND f.owner IS NOT NULL AND f.owner <> pp.id
   AND f.act > pp.at;
SELECT 'unfixed_after_feedback', count(*) FROM pp
 WHERE pp.at < '2022-05-01 00:00:00' AND EXISTS (
   SELECT 1 FROM feedback q
    WHERE q.phone = pp.phone AND q.at > pp.at AND q.at < '2022-05-01 00:00:00');

-- duplicate-inquiry: entity = the id when 18 characters, else the phone (the
-- analyst does not resolve phones to persons).
CREATE TEMP TABLE calls AS
  SELECT inquiry_id,
         coalesce(nullif(upper(replace(trim(id_number), ' ', '')), ''),
                  'phone:' || replace(replace(trim(phone), ' ', ''), '-', '')) AS entity,
         replace(replace(trim(called_at), '/', '-'), 'T', ' ') AS at,
         lower(trim(outcome)) AS outcome
    FROM inquiries WHERE called_at IS NOT NULL;
CREATE INDEX temp.calls_entity ON calls(entity, at);
CREATE TEMP TABLE reports AS
  SELECT coalesce(nullif(upper(replace(trim(id_number), ' ', '')), ''),
                  'phone:' || replace(replace(trim(phone), ' ', ''), '-', '')) AS entity,
         replace(replace(trim(reported_at), '/', '-'), 'T', ' ') AS at
    FROM self_reports;
CREATE INDEX temp.reports_entity ON reports(entity, at);
SELECT 'after_conclusive_call', count(*) FROM calls c
 WHERE c.at >= '2022-04-01 00:00:00' AND c.at < '2022-05-01 00:00:00' AND EXISTS (
   SELECT 1 FROM calls e WHERE e.entity = c.entity
      AND e.outcome IN ('confirmed_local', 'not_local', 'already_reported')
      AND e.at >= datetime(c.at, '-7 days') AND e.at < c.at);
SELECT 'after_self_report', count(*) FROM calls c
 WHERE c.at >= '2022-04-01 00:00:00' AND c.at < '2022-05-01 00:00:00' AND EXISTS (
   SELECT 1 FROM reports r WHERE r.entity = c.entity
      AND r.at >= datetime(c.at, '-7 days') AND r.at < c.at);

-- checkin-redundancy
CREATE TEMP TABLE visits AS
  SELECT checkin_id, upper(replace(trim(id_number), ' ', '')) AS person, trim(team) AS team,
         replace(replace(trim(checked_in_at), '/', '-'), 'T', ' ') AS at, trim(photo) AS photo
    FROM checkins WHERE checked_in_at IS NOT NULL;
CREATE INDEX temp.visits_person ON visits(person, at);
CREATE TEMP TABLE fields AS
  SELECT f.checkin_id, lower(trim(f.field)) AS field, trim(f.value) AS value, v.person, v.at
    FROM checkin_fields f JOIN visits v USING (checkin_id)
   WHERE v.at >= '2022-04-01 00:00:00' AND v.at < '2022-05-01 00:00:00';
CREATE TEMP TABLE known AS
  SELECT checkin_id, CASE field
    WHEN 'id_number' THEN upper(replace(value, ' ', '')) = person
         AND EXISTS (SELECT 1 FROM people p WHERE p.id = person)
    WHEN 'name' THEN EXISTS (SELECT 1 FROM people p
         WHERE p.id = person AND p.name = replace(value, ' ', ''))
    WHEN 'phone' THEN EXISTS (SELECT 1 FROM links l WHERE l.id = person
         AND l.phone = replace(replace(value, ' ', ''), '-', '') AND l.at < fields.at)
    WHEN 'vehicle_no' THEN EXISTS (SELECT 1 FROM travel t WHERE t.id = person
           AND t.vehicle = upper(replace(replace(value, ' ', ''), '-', '')) AND t.recorded_at < fields.at)
    WHEN 'origin' THEN EXISTS (SELECT 1 FROM travel t WHERE t.id = person
           AND t.origin = rtrim(replace(value, ' ', ''), '市') AND t.recorded_at < fields.at)
    WHEN 'arrived_at' THEN EXISTS (SELECT 1 FROM travel t WHERE t.id = person
           AND t.recorded_at < fields.at
           AND abs(julianday(t.arrived_at) - julianday(value)) * 1440 <= 60)
    WHEN 'vaccine_doses' THEN CAST(value AS INTEGER) = (SELECT count(*) FROM doses x
         WHERE x.id = person AND x.at < fields.at)
    ELSE 0 END AS is_known
    FROM fields;
SELECT 'fully_redundant', count(*) FROM (
  SELECT checkin_id FROM known GROUP BY checkin_id HAVING min(is_known) = 1);
SELECT 'photo_only', count(*) FROM visits v
 WHERE v.at >= '2022-04-01 00:00:00' AND v.at < '2022-05-01 00:00:00' AND v.photo = '1'
   AND v.checkin_id NOT IN (SELECT checkin_id FROM checkin_fields WHERE checkin_id IS NOT NULL);
SELECT 'repeat_visit', count(*) FROM visits v
 WHERE v.at >= '2022-04-01 00:00:00' AND v.at < '2022-05-01 00:00:00' AND v.person <> ''
   AND v.team <> '' AND EXISTS (
   SELECT 1 FROM visits o WHERE o.person = v.person AND o.team <> v.team AND o.team <> ''
      AND o.at >= datetime(v.at, '-7 days') AND o.at < v.at);
