// checkin-redundancy: every code at its boundaries (SPEC section 4).

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>

#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::test {
namespace {

using Keys = std::vector<std::string>;

constexpr const char* kRule = "checkin-redundancy";
constexpr const char* kId = "11010519491231002X";     // valid
constexpr const char* kOther = "440104199001011232";  // valid, another person

class CheckinRedundancy : public ::testing::Test {
 protected:
  Keys run_rule(std::map<std::string, std::string> params = {}) const {
    return finding_keys(audit(db.path(), "2022-04", {{kRule, std::move(params)}}), kRule);
  }
  void checkin(int id, const std::string& id_number, const std::string& phone,
               const std::string& team, const std::string& at, const std::string& photo = "0",
               const std::string& team_size = "3", const std::string& duration_min = "20") const {
    db.exec(
        "INSERT INTO checkins (checkin_id, id_number, phone, street, community, kind, team, "
        "team_size, agency, checked_in_at, duration_min, photo) VALUES (" +
        std::to_string(id) + ", " + sql_literal(id_number) + ", " + sql_literal(phone) +
        ", ' 440104001 ', 'c1', 'home_visit', " + sql_literal(team) + ", " +
        sql_literal(team_size) + ", 'street', " + sql_literal(at) + ", " +
        sql_literal(duration_min) + ", " + sql_literal(photo) + ")");
  }
  void field(int checkin_id, const std::string& name, const std::string& value) const {
    db.exec("INSERT INTO checkin_fields (checkin_id, field, value) VALUES (" +
            std::to_string(checkin_id) + ", " + sql_literal(name) + ", " + sql_literal(value) +
            ")");
  }
  void link(int id, const std::string& id_number, const std::string& phone,
            const std::string& recorded_at) const {
    add_phone_link(db, id, id_number, phone, recorded_at);
  }
  TempRegistry db;
};

// A person the system knows well, and a check-in on 2022-04-02 10:00 that
// copies it all down again.
class KnownPerson : public CheckinRedundancy {
 protected:
  void SetUp() override {
    db.exec(R"(
      INSERT INTO persons (person_id, id_number, name, hukou_street) VALUES
        (1, '11010519491231002X', '張三', '440104001'),
        (2, '110105491231002', '李四', '440104001');  -- duplicate row, other name
      INSERT INTO travel_records (travel_id, id_number, mode, vehicle_no, origin, departed_at,
                                  arrived_at, recorded_at) VALUES
        (10, '11010519491231002x', 'train', 'G1234', '廣州市', '2022-04-01 05:00',
         '2022-04-01 08:00', '2022-04-01 09:00');
      INSERT INTO vaccinations (vaccination_id, id_number, dose, vaccinated_at) VALUES
        (20, '11010519491231002X', 1, '2021-05-01'),
        (21, '11010519491231002X', 2, '2021-06-01'),
        (22, '11010519491231002X', 3, '2022-04-02 10:00'),  -- at T: not before
        (23, '11010519491231002X', 3, 'soon');              -- unreadable
    )");
    link(30, kId, "13800138000", "2022-01-01");
    checkin(100, kId, "NULL", "Team A", "2022-04-02 10:00", "1");
    field(100, "id_number", " 11010519491231002x ");
    field(100, "name", "張 三");
    field(100, "phone", "+86 138 0013 8000");
    field(100, " Vehicle_No ", "g 12-34");
    field(100, "arrived_at", "2022-04-01 09:00");  // exactly 60 minutes from 08:00
    field(100, "origin", "广州");
    field(100, "VACCINE_DOSES", " 02 ");
  }
};

TEST_F(KnownPerson, FullyRedundant_EveryCollectedFieldAlreadyKnown_IsFlagged) {
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"fully_redundant:checkins:100"}));
  const auto* f = findings_of(result, kRule, "fully_redundant").at(0);
  EXPECT_DOUBLE_EQ(f->cost_minutes, 60.0);
  EXPECT_EQ(f->street, "440104001");
  std::vector<std::string> evidence;
  for (const auto& e : f->evidence) evidence.push_back(e.table + ":" + std::to_string(e.key));
  EXPECT_EQ(evidence, (std::vector<std::string>{"person_phones:30", "persons:1",
                                                "travel_records:10", "vaccinations:21"}));
  for (const std::string& text : {f->message_zh, f->message_en}) {
    EXPECT_EQ(text.find(kId), std::string::npos) << text;
    EXPECT_NE(text.find("1101**********002X"), std::string::npos) << text;
  }
  EXPECT_EQ(result.rules.at(0).unreadable.at({"vaccinations", "vaccinated_at"}), 1u);
}

// Where the system holds a fact twice, the evidence is the row that proves it
// first: the earliest recorded link and record (read after a later one here),
// the first persons row of the ID and name.
TEST_F(KnownPerson, FullyRedundant_EvidenceIsTheEarliestOfDuplicateFacts) {
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, name, hukou_street) VALUES
      (3, '11010519491231002X', '张三', '440104002');
    INSERT INTO travel_records (travel_id, id_number, mode, vehicle_no, origin, departed_at,
                                arrived_at, recorded_at) VALUES
      (11, '11010519491231002X', 'train', 'G1234', '广州', '2022-04-01 05:00',
       '2022-04-01 08:00', '2022-04-01 08:30'),
      (12, '11010519491231002X', 'train', 'G1234', '广州', '2022-04-01 05:00',
       '2022-04-01 08:00', '2022-04-01 09:30');
  )");
  link(31, kId, "13800138000", "2021-06-01");
  link(32, kId, "13800138000", "2021-12-31");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  ASSERT_EQ(finding_keys(result, kRule), (Keys{"fully_redundant:checkins:100"}));
  std::vector<std::string> evidence;
  for (const auto& e : findings_of(result, kRule, "fully_redundant").at(0)->evidence) {
    evidence.push_back(e.table + ":" + std::to_string(e.key));
  }
  EXPECT_EQ(evidence, (std::vector<std::string>{"person_phones:31", "persons:1",
                                                "travel_records:11", "vaccinations:21"}));
}

TEST_F(KnownPerson, FullyRedundant_ArrivalSixtyOneMinutesAway_IsNotKnown) {
  db.exec("UPDATE checkin_fields SET value = '2022-04-01 09:01' WHERE field = 'arrived_at'");
  EXPECT_TRUE(run_rule().empty());
  db.exec("UPDATE checkin_fields SET value = '2022-04-01 06:59' WHERE field = 'arrived_at'");
  EXPECT_TRUE(run_rule().empty());
  db.exec("UPDATE checkin_fields SET value = '2022年4月1日 07:00' WHERE field = 'arrived_at'");
  EXPECT_EQ(run_rule(), (Keys{"fully_redundant:checkins:100"}));
}

TEST_F(KnownPerson, FullyRedundant_ArrivalToleranceIsAParameter) {
  EXPECT_TRUE(run_rule({{"arrival_tolerance_min", "59"}}).empty());
  db.exec("UPDATE checkin_fields SET value = '20220401080000' WHERE field = 'arrived_at'");
  EXPECT_EQ(run_rule({{"arrival_tolerance_min", "0"}}), (Keys{"fully_redundant:checkins:100"}));
}

TEST_F(KnownPerson, FullyRedundant_RecordAtTheSameInstantIsNotEarlier) {
  db.exec("UPDATE travel_records SET recorded_at = '2022-04-02 10:00'");
  EXPECT_TRUE(run_rule().empty());
  db.exec("UPDATE travel_records SET recorded_at = '2022-04-02 09:59:59'");
  EXPECT_EQ(run_rule(), (Keys{"fully_redundant:checkins:100"}));
}

TEST_F(KnownPerson, FullyRedundant_UnknownFieldNameIsNeverKnown) {
  field(100, "temperature", "36.5");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(KnownPerson, FullyRedundant_NullOrBlankValueIsNeverKnownButCountsAsAField) {
  field(100, "vehicle_no", "NULL");
  EXPECT_TRUE(run_rule().empty());
  db.exec("UPDATE checkin_fields SET value = '  ' WHERE value IS NULL");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(KnownPerson, FullyRedundant_UnreadableArrivalOrDoseIsNeverKnownAndIsCounted) {
  db.exec(R"(UPDATE checkin_fields SET value = '2022-04-31 08:00' WHERE field = 'arrived_at';
             UPDATE checkin_fields SET value = 'two' WHERE field = 'VACCINE_DOSES')");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_TRUE(finding_keys(result, kRule).empty());
  EXPECT_EQ(result.rules.at(0).unreadable.at({"checkin_fields", "value"}), 2u);
}

TEST_F(KnownPerson, FullyRedundant_DoseCountMustEqualVaccinationsBeforeT) {
  db.exec("UPDATE checkin_fields SET value = '3' WHERE field = 'VACCINE_DOSES'");
  EXPECT_TRUE(run_rule().empty());
  db.exec("DELETE FROM vaccinations");
  db.exec("UPDATE checkin_fields SET value = '0' WHERE field = 'VACCINE_DOSES'");
  EXPECT_EQ(run_rule(), (Keys{"fully_redundant:checkins:100"}));
}

// A dose count of any number of digits is readable (SPEC section 2): it
// differs from the vaccinations before T, and is not counted unreadable.
TEST_F(KnownPerson, FullyRedundant_DoseCountOfTwentyDigitsIsReadableAndNotKnown) {
  for (const char* value : {"99999999999999999999", "9223372036854775807"}) {
    db.exec(std::string("UPDATE checkin_fields SET value = '") + value +
            "' WHERE field = 'VACCINE_DOSES'");
    const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
    EXPECT_TRUE(finding_keys(result, kRule).empty()) << value;
    EXPECT_FALSE(result.rules.at(0).unreadable.contains({"checkin_fields", "value"})) << value;
  }
}

TEST_F(KnownPerson, FullyRedundant_NameOfAnyPersonsRowWithTheIdCounts) {
  db.exec("UPDATE checkin_fields SET value = '李 四' WHERE field = 'name'");
  EXPECT_EQ(run_rule(), (Keys{"fully_redundant:checkins:100"}));
  db.exec("UPDATE checkin_fields SET value = '王五' WHERE field = 'name'");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(KnownPerson, FullyRedundant_IdNumberNotFoundAmongPersonsIsNotKnown) {
  db.exec("DELETE FROM checkin_fields WHERE field = 'name'");
  db.exec("UPDATE persons SET id_number = '440104199001011232'");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(KnownPerson, FullyRedundant_PhoneLinkRecordedAtTIsNotKnown) {
  db.exec("UPDATE person_phones SET recorded_at = '2022-04-02 10:00'");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(KnownPerson, FullyRedundant_PersonResolvedThroughThePhoneAtT) {
  db.exec("UPDATE checkins SET id_number = 'BAD', phone = '13800138000'");
  EXPECT_EQ(run_rule(), (Keys{"fully_redundant:checkins:100"}));
  link(31, kOther, "13800138000", "2022-04-02 10:00");  // shared from T on: unresolved
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(KnownPerson, FullyRedundant_SelfReportIsOneOfThePersonsRecords) {
  db.exec(R"(DELETE FROM travel_records;
    INSERT INTO self_reports (report_id, id_number, phone, reported_at, arrived_at, origin,
                              vehicle_no) VALUES
      (40, NULL, '13800138000', '2022-04-01 12:00', '2022-04-01 08:30', '广州 市', 'G 1234'))");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"fully_redundant:checkins:100"}));
  const auto& evidence = findings_of(result, kRule, "fully_redundant").at(0)->evidence;
  EXPECT_TRUE(std::any_of(evidence.begin(), evidence.end(), [](const EvidenceRef& e) {
    return e.table == "self_reports" && e.key == 40;
  }));
  db.exec("UPDATE self_reports SET reported_at = '2022-04-02 10:00'");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(CheckinRedundancy, FullyRedundant_UnresolvedPersonKnowsNothing) {
  link(1, kId, "13800138000", "2022-01-01");
  link(2, kOther, "13800138000", "2022-01-01");
  db.exec(R"(INSERT INTO travel_records (travel_id, id_number, vehicle_no, recorded_at) VALUES
      (10, '11010519491231002X', 'G1234', '2022-03-01'),
      (11, '440104199001011232', 'G1234', '2022-03-01'))");
  checkin(100, "NULL", "13800138000", "Team A", "2022-04-02 10:00");
  field(100, "vehicle_no", "G1234");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(CheckinRedundancy, PhotoOnly_NoFieldsAndPhotoOne_IsFlagged) {
  checkin(1, kId, "NULL", "A", "2022-04-02 10:00", "1");
  checkin(2, kId, "NULL", "A", "2022-04-03 10:00", " 1 ");
  checkin(3, "NULL", "NULL", "A", "2022-04-04 10:00", "１");  // unresolved still counts
  checkin(4, kId, "NULL", "A", "2022-04-05 10:00", "0");
  checkin(5, kId, "NULL", "A", "2022-04-06 10:00", "NULL");
  checkin(9, kId, "NULL", "A", "2022-04-09 10:00", "1.5");
  checkin(6, kId, "NULL", "A", "2022-04-07 10:00", "yes");
  checkin(7, kId, "NULL", "A", "2022-04-08 10:00", "1");
  field(7, "temperature", "36.5");                           // a field row: not photo-only
  checkin(8, kId, "NULL", "A", "2022-03-31 23:59:59", "1");  // before P
  db.exec("UPDATE checkins SET photo = 1 WHERE checkin_id = 1");
  EXPECT_EQ(run_rule(),
            (Keys{"photo_only:checkins:1", "photo_only:checkins:2", "photo_only:checkins:3"}));
}

TEST_F(CheckinRedundancy, RepeatVisit_OtherTeamExactlyWindowBefore_IsFlagged) {
  checkin(1, kId, "NULL", "Team B", "2022-03-26 10:00");
  checkin(2, kId, "NULL", "Team A", "2022-04-02 10:00");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"repeat_visit:checkins:2"}));
  const auto* f = findings_of(result, kRule, "repeat_visit").at(0);
  EXPECT_EQ(f->evidence.at(0).table, "checkins");
  EXPECT_EQ(f->evidence.at(0).key, 1);
  EXPECT_DOUBLE_EQ(f->cost_minutes, 60.0);
}

TEST_F(CheckinRedundancy, RepeatVisit_JustOutsideWindowOrSameInstant_IsNotFlagged) {
  checkin(1, kId, "NULL", "Team B", "2022-03-26 09:59:59");
  checkin(2, kId, "NULL", "Team A", "2022-04-02 10:00");
  checkin(3, kId, "NULL", "Team C", "2022-04-02 10:00");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(CheckinRedundancy, RepeatVisit_SameTeamAfterTrimmingOrNullTeam_IsNotADifferentTeam) {
  checkin(1, kId, "NULL", " Team A ", "2022-04-01 10:00");
  checkin(2, kId, "NULL", "NULL", "2022-04-01 11:00");
  checkin(3, kId, "NULL", "Team A", "2022-04-02 10:00");
  checkin(4, kId, "NULL", "  ", "2022-04-02 11:00");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(CheckinRedundancy, RepeatVisit_LatestOtherTeamBehindSameTeamVisitsIsFound) {
  checkin(1, kId, "NULL", "Team B", "2022-04-01 08:00");
  checkin(2, kId, "NULL", "Team A", "2022-04-01 09:00");
  checkin(3, kId, "NULL", "NULL", "2022-04-01 09:30");
  checkin(4, kId, "NULL", "Team A", "2022-04-01 10:00");
  checkin(5, kId, "NULL", "Team A", "2022-04-02 10:00");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"repeat_visit:checkins:2", "repeat_visit:checkins:4",
                                               "repeat_visit:checkins:5"}));
  for (const auto* f : findings_of(result, kRule, "repeat_visit")) {
    EXPECT_EQ(f->evidence.at(0).key, 1);
  }
  EXPECT_EQ(run_rule({{"window_days", "0"}}), Keys{});
}

TEST_F(CheckinRedundancy, RepeatVisit_PersonsResolvedEachAtTheirOwnTime) {
  link(1, kId, "13800138000", "2022-04-01 12:00");
  checkin(1, "NULL", "138 0013 8000", "Team B", "2022-04-01 11:00");   // unresolved then
  checkin(2, "NULL", "+8613800138000", "Team B", "2022-04-01 12:00");  // resolves to kId
  checkin(3, kId, "NULL", "Team A", "2022-04-02 10:00");
  checkin(4, kOther, "NULL", "Team C", "2022-04-02 10:30");
  checkin(5, "NULL", "NULL", "Team D", "2022-04-02 11:00");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"repeat_visit:checkins:3"}));
  EXPECT_EQ(findings_of(result, kRule, "repeat_visit").at(0)->evidence.at(0).key, 2);
}

// Every person's visits are kept in one sorted array: one person's visits
// must never count as another's, whether the person is a valid ID number or
// the text an unreadable one normalises to (reached through a phone).
TEST_F(CheckinRedundancy, RepeatVisit_InterleavedPersonsKeepTheirOwnVisits) {
  link(1, "NOT-AN-ID-1", "13800138001", "2022-01-01");
  link(2, "NOT-AN-ID-2", "13800138002", "2022-01-01");
  checkin(1, kId, "NULL", "Team B", "2022-04-01 08:00");
  checkin(2, kOther, "NULL", "Team C", "2022-04-01 09:00");
  checkin(3, "NULL", "13800138001", "Team D", "2022-04-01 09:30");
  checkin(4, "NULL", "13800138002", "Team E", "2022-04-01 09:45");
  checkin(5, kOther, "NULL", "Team C", "2022-04-02 10:00");           // its own team only
  checkin(6, "NULL", "13800138001", "Team D", "2022-04-02 11:00");    // likewise
  checkin(7, kId, "NULL", "Team A", "2022-04-02 12:00");              // after Team B
  checkin(8, "NULL", "138-0013-8002", "Team F", "2022-04-02 13:00");  // after Team E
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule),
            (Keys{"repeat_visit:checkins:7", "repeat_visit:checkins:8"}));
  const auto found = findings_of(result, kRule, "repeat_visit");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found.at(0)->evidence.at(0).key, 1);
  EXPECT_EQ(found.at(1)->evidence.at(0).key, 4);
}

TEST_F(CheckinRedundancy, RepeatVisit_UnreadableTimesAreCountedAndLeaveTheRowOut) {
  checkin(1, kId, "NULL", "Team B", "2022-04-01 25:00");
  checkin(2, kId, "NULL", "Team A", "2022-04-02 10:00");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_TRUE(finding_keys(result, kRule).empty());
  EXPECT_EQ(result.rules.at(0).unreadable.at({"checkins", "checked_in_at"}), 1u);
}

TEST_F(CheckinRedundancy, Cost_IsDurationTimesTeamSizeAndZeroWhenUnknown) {
  checkin(1, kId, "NULL", "T", "2022-04-01 10:00", "1", "3", "15");
  checkin(2, kId, "NULL", "T", "2022-04-01 11:00", "1", "NULL", "15");
  checkin(3, kId, "NULL", "T", "2022-04-01 12:00", "1", "3", "a while");
  checkin(4, kId, "NULL", "T", "2022-04-01 13:00", "1", "-2", "15");
  checkin(5, kId, "NULL", "T", "2022-04-01 14:00", "1", " ２ ", "15");
  // Past 2^63 - 1 no cost can be computed: unreadable (a dose count of as
  // many digits is readable).
  checkin(6, kId, "NULL", "T", "2022-04-01 15:00", "1", "3", "99999999999999999999");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  std::map<std::int64_t, double> cost;
  for (const auto* f : findings_of(result, kRule, "photo_only"))
    cost[f->subject_key] = f->cost_minutes;
  EXPECT_EQ(cost, (std::map<std::int64_t, double>{
                      {1, 45.0}, {2, 0.0}, {3, 0.0}, {4, 0.0}, {5, 30.0}, {6, 0.0}}));
  EXPECT_EQ(result.rules.at(0).unreadable.at({"checkins", "duration_min"}), 2u);
  EXPECT_EQ(result.rules.at(0).unreadable.at({"checkins", "team_size"}), 1u);
}

TEST_F(CheckinRedundancy, SeveralCodesOnOneCheckinShareItsIdentity) {
  db.exec(
      R"(INSERT INTO persons (person_id, id_number, name) VALUES (1, '11010519491231002X', '张三'))");
  checkin(1, kId, "NULL", "Team B", "2022-04-01 10:00");
  checkin(2, kId, "NULL", "Team A", "2022-04-02 10:00");
  field(2, "name", "张三");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule),
            (Keys{"fully_redundant:checkins:2", "repeat_visit:checkins:2"}));
  ASSERT_EQ(result.findings.size(), 2u);
  EXPECT_EQ(result.findings[0].finding.identity, result.findings[1].finding.identity);
  EXPECT_NE(result.findings[0].fingerprint, result.findings[1].fingerprint);
}

TEST_F(CheckinRedundancy, Scale_OnePersonWithTenThousandCheckinsAndManyRecordsStaysCheap) {
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, name) VALUES (1, '11010519491231002X', '张三');
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
    INSERT INTO checkins (checkin_id, id_number, team, team_size, checked_in_at, duration_min,
                          photo)
      SELECT i, '11010519491231002X', 'Team ' || (i % 2), 3,
             datetime('2022-04-01', '+' || i || ' minutes'), 10, 1 FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
    INSERT INTO checkin_fields (checkin_id, field, value)
      SELECT i, 'arrived_at', datetime('2022-03-01', '+' || (i * 7) || ' minutes') FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
    INSERT INTO travel_records (travel_id, id_number, vehicle_no, arrived_at, recorded_at)
      SELECT i, '11010519491231002X', 'G' || i, datetime('2022-03-01', '+' || (i * 7) || ' minutes'),
             datetime('2022-03-01', '+' || (i * 10) || ' minutes') FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
    INSERT INTO person_phones (link_id, id_number, phone, source, recorded_at)
      SELECT i, printf('P%05d', i), '13800138000', 'hukou', '2022-01-01' FROM n;
  )");
  const auto start = std::chrono::steady_clock::now();
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Every check-in after the first follows the other team's one a minute before.
  EXPECT_EQ(findings_of(result, kRule, "repeat_visit").size(), 9999u);
  // Check-in i collects arrival 03-01 + 7i min; records i-8..i+8 lie within 60
  // minutes, the earliest recorded being i-8 (03-01 + 10(i-8) min). It is
  // before the check-in (04-01 + i min) exactly while 9i < 44720: i <= 4968.
  EXPECT_EQ(findings_of(result, kRule, "fully_redundant").size(), 4968u);
  EXPECT_LT(seconds, 10.0);
}

}  // namespace
}  // namespace regaudit::test
