// duplicate-inquiry: every code at its boundaries (SPEC section 4).

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::test {
namespace {

using Keys = std::vector<std::string>;

constexpr const char* kRule = "duplicate-inquiry";
constexpr const char* kId = "11010519491231002X";     // valid
constexpr const char* kOther = "440104199001011232";  // valid, another person

class DuplicateInquiry : public ::testing::Test {
 protected:
  Keys run_rule(std::map<std::string, std::string> params = {}) const {
    return finding_keys(audit(db.path(), "2022-04", {{kRule, std::move(params)}}), kRule);
  }
  void call(int id, const std::string& id_number, const std::string& phone,
            const std::string& called_at, const std::string& outcome = "no_answer",
            const std::string& duration_s = "60", const std::string& street = "440104001") const {
    db.exec(
        "INSERT INTO inquiries (inquiry_id, phone, id_number, agency, street, caller, "
        "called_at, duration_s, outcome) VALUES (" +
        std::to_string(id) + ", " + sql_literal(phone) + ", " + sql_literal(id_number) +
        ", 'police', " + sql_literal(street) + ", 'desk 1', " + sql_literal(called_at) + ", " +
        (duration_s == "NULL" ? duration_s : sql_literal(duration_s)) + ", " +
        sql_literal(outcome) + ")");
  }
  void report(int id, const std::string& id_number, const std::string& phone,
              const std::string& reported_at) const {
    db.exec("INSERT INTO self_reports (report_id, id_number, phone, reported_at) VALUES (" +
            std::to_string(id) + ", " + sql_literal(id_number) + ", " + sql_literal(phone) + ", " +
            sql_literal(reported_at) + ")");
  }
  void link(int id, const std::string& id_number, const std::string& phone,
            const std::string& recorded_at) const {
    add_phone_link(db, id, id_number, phone, recorded_at);
  }
  TempRegistry db;
};

TEST_F(DuplicateInquiry, CallExactlyWindowAfterConclusiveCall_IsFlagged) {
  call(1, kId, "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, kId, "NULL", "2022-04-08 09:00");
  EXPECT_EQ(run_rule(), (Keys{"after_conclusive_call:inquiries:2"}));
}

// The room reserved for the calls follows the largest inquiry rowid, capped:
// rowids of -5 and 2^63 - 1 change nothing.
TEST_F(DuplicateInquiry, HugeAndNegativeInquiryIdsAreFine) {
  call(1, kId, "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, kId, "NULL", "2022-04-03 09:00");
  db.exec(
      "UPDATE inquiries SET inquiry_id = -5 WHERE inquiry_id = 1;"
      "UPDATE inquiries SET inquiry_id = 9223372036854775807 WHERE inquiry_id = 2;");
  EXPECT_EQ(run_rule(), (Keys{"after_conclusive_call:inquiries:9223372036854775807"}));
}

TEST_F(DuplicateInquiry, CallJustOutsideWindow_IsNotFlagged) {
  call(1, kId, "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, kId, "NULL", "2022-04-08 09:00:01");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(DuplicateInquiry, ConclusiveCallAtTheSameInstant_IsNotFlagged) {
  call(1, kId, "NULL", "2022-04-03 09:30", "not_local");
  call(2, kId, "NULL", "2022-04-03T09:30:00", "not_local");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(DuplicateInquiry, ConclusiveOutcomesInDirtyFormsCountOthersDoNot) {
  call(1, kId, "NULL", "2022-04-01 09:00", " Already_Reported ");
  call(2, kId, "NULL", "2022-04-02 09:00", "no_answer");
  call(3, kOther, "NULL", "2022-04-01 09:00", "empty_number");
  call(4, kOther, "NULL", "2022-04-01 10:00", "wrong_person");
  call(5, kOther, "NULL", "2022-04-01 11:00", "refused");
  call(6, kOther, "NULL", "2022-04-02 09:00", "confirmed local");
  call(7, kOther, "NULL", "2022-04-03 09:00");
  EXPECT_EQ(run_rule(), (Keys{"after_conclusive_call:inquiries:2"}));
}

TEST_F(DuplicateInquiry, ConclusiveCallBeforeThePeriodIsContextOnly) {
  call(1, kId, "NULL", "2022-03-28 09:00", "confirmed_local");
  call(2, kId, "NULL", "2022-03-30 09:00");  // in March: not a subject
  call(3, kId, "NULL", "2022-04-01 00:00");
  call(4, kId, "NULL", "2022-05-01 00:00");  // at A: not a subject
  EXPECT_EQ(run_rule(), (Keys{"after_conclusive_call:inquiries:3"}));
}

TEST_F(DuplicateInquiry, SameValidIdInDirtyFormsIsOneEntity) {
  call(1, "440104900101123", "NULL", "2022-04-01 09:00", "confirmed_local");  // 15 digits
  call(2, "４４０１０４１９９００１０１１２３２", "NULL", "2022-04-02 09:00");
  call(3, "440104-1990-0101-1232", "NULL", "2022-04-03 09:00");
  EXPECT_EQ(run_rule(),
            (Keys{"after_conclusive_call:inquiries:2", "after_conclusive_call:inquiries:3"}));
}

TEST_F(DuplicateInquiry, CallWithoutIdIsResolvedThroughItsPhoneToTheSamePerson) {
  link(1, kId, "13800138000", "2022-01-01");
  call(1, kId, "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, "NULL", "+86 138 0013 8000", "2022-04-02 09:00");
  call(3, "11010519491231002Y", "138-0013-8000", "2022-04-02 10:00");  // invalid id: phone
  EXPECT_EQ(run_rule(),
            (Keys{"after_conclusive_call:inquiries:2", "after_conclusive_call:inquiries:3"}));
}

TEST_F(DuplicateInquiry, SharedFamilyPhoneIsUnresolvedAndMatchesOnlyByPhone) {
  link(1, kId, "13800138000", "2022-01-01");
  link(2, kOther, "13800138000", "2022-02-01");
  call(1, kId, "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, "NULL", "13800138000", "2022-04-02 09:00");  // unresolved: phone:13800138000
  EXPECT_TRUE(run_rule().empty());
  call(3, "NULL", "8613800138000", "2022-04-02 10:00", "not_local");
  call(4, "NULL", "13800138000", "2022-04-03 09:00");
  EXPECT_EQ(run_rule(), (Keys{"after_conclusive_call:inquiries:4"}));
}

// Unresolved numbers are entities of their own, kept as number keys: a
// leading zero, an extra or a missing digit, and 18 digits (kept as text)
// each make another entity; a number's calls match its own only.
TEST_F(DuplicateInquiry, UnresolvedNumbersDifferingInLengthOrZerosAreOtherEntities) {
  call(1, "NULL", "13800138000", "2022-04-01 09:00", "confirmed_local");
  call(2, "NULL", "12345678901234567", "2022-04-01 09:00", "confirmed_local");
  int id = 2;
  for (const char* other : {"013800138000", "138001380000", "1380013800", "123456789012345678",
                            "1234567890123456", "012345678901234567"}) {
    call(++id, "NULL", other, "2022-04-02 09:00");
  }
  EXPECT_TRUE(run_rule().empty());
  call(++id, "NULL", "13800138000", "2022-04-02 09:00");
  call(++id, "NULL", "12345678901234567", "2022-04-02 09:00");
  EXPECT_EQ(run_rule(),
            (Keys{"after_conclusive_call:inquiries:10", "after_conclusive_call:inquiries:9"}));
}

TEST_F(DuplicateInquiry, EveryCallIsResolvedAtItsOwnTime) {
  // The second person's link appears between the two calls: the first call
  // resolves to kId, the second is unresolved.
  link(1, kId, "13800138000", "2022-01-01");
  link(2, kOther, "13800138000", "2022-04-02 09:00");
  call(1, "NULL", "13800138000", "2022-04-01 09:00", "confirmed_local");
  call(2, "NULL", "13800138000", "2022-04-03 09:00");
  call(3, kId, "NULL", "2022-04-03 09:00");
  EXPECT_EQ(run_rule(), (Keys{"after_conclusive_call:inquiries:3"}));
}

TEST_F(DuplicateInquiry, LinkRecordedExactlyAtTheCallResolvesIt) {
  link(1, kId, "13800138000", "2022-04-02 09:00");
  call(1, kId, "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, "NULL", "13800138000", "2022-04-02 09:00");
  call(3, "NULL", "13900139000", "2022-04-02 08:59:59");
  link(2, kId, "13900139000", "2022-04-02 09:00");
  EXPECT_EQ(run_rule(), (Keys{"after_conclusive_call:inquiries:2"}));
}

TEST_F(DuplicateInquiry, LinksWithUnreadableOrNullIdsDoNotResolve) {
  link(1, kId, "13800138000", "recently");
  link(2, "NULL", "13800138000", "2022-01-01");
  call(1, kId, "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, "NULL", "13800138000", "2022-04-02 09:00");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_TRUE(finding_keys(result, kRule).empty());
  EXPECT_EQ(result.rules.at(0).unreadable.at({"person_phones", "recorded_at"}), 1u);
}

TEST_F(DuplicateInquiry, NeitherValidIdNorPhoneMeansNoEntity) {
  call(1, "NULL", "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, "NULL", "  ", "2022-04-02 09:00");
  call(3, "BADID", "NULL", "2022-04-01 09:00", "confirmed_local");
  call(4, "BADID", "NULL", "2022-04-02 09:00");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(DuplicateInquiry, CallAfterSelfReportWithinWindow_IsFlagged) {
  report(5, kId, "NULL", "2022-04-01 09:00");
  call(1, kId, "NULL", "2022-04-08 09:00");
  call(2, kId, "NULL", "2022-04-08 09:00:01", "confirmed_local");
  call(3, kOther, "NULL", "2022-04-05 09:00");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"after_self_report:inquiries:1"}));
  const auto* f = findings_of(result, kRule, "after_self_report").at(0);
  EXPECT_EQ(f->evidence.at(0).table, "self_reports");
  EXPECT_EQ(f->evidence.at(0).key, 5);
}

TEST_F(DuplicateInquiry, SelfReportAtTheSameInstantOrLater_IsNotFlagged) {
  report(5, kId, "NULL", "2022-04-02 09:00");
  report(6, kId, "NULL", "2022-04-02 09:30");
  call(1, kId, "NULL", "2022-04-02 09:00");
  EXPECT_TRUE(run_rule().empty());
}

TEST_F(DuplicateInquiry, SelfReportEntityIsResolvedAtReportedAt) {
  link(1, kId, "13800138000", "2022-03-31 12:00");
  report(5, "NULL", "13800138000", "2022-03-31 11:59");  // before the link: phone entity
  report(6, "NULL", "13800138000", "2022-03-31 12:00");  // resolves to kId
  call(1, kId, "NULL", "2022-04-02 09:00");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"after_self_report:inquiries:1"}));
  EXPECT_EQ(findings_of(result, kRule, "after_self_report").at(0)->evidence.at(0).key, 6);
}

TEST_F(DuplicateInquiry, UnreadableTimesAreCountedAndLeaveTheRowOut) {
  report(5, kId, "NULL", "2022-04-31");
  call(1, kId, "NULL", "2022/4/1 09:00", "confirmed_local");  // one-digit month: unreadable
  call(2, kId, "NULL", "2022-04-02 09:00");
  call(3, kId, "NULL", "NULL");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_TRUE(finding_keys(result, kRule).empty());
  EXPECT_EQ(result.rules.at(0).unreadable.at({"inquiries", "called_at"}), 1u);
  EXPECT_EQ(result.rules.at(0).unreadable.at({"self_reports", "reported_at"}), 1u);
}

TEST_F(DuplicateInquiry, BothCodesOnOneCallWithLatestEventsAsEvidence) {
  call(1, kId, "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, kId, "NULL", "2022-04-02 09:00", "not_local");
  call(3, kId, "NULL", "2022-04-02 09:00", "no_answer");
  report(5, kId, "NULL", "2022-04-01 09:00");
  report(6, kId, "NULL", "2022-03-30 09:00");
  call(4, kId, "NULL", "2022-04-03 09:00", "no_answer", "90", " 440104001 ");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  const auto conclusive = findings_of(result, kRule, "after_conclusive_call");
  const auto reported = findings_of(result, kRule, "after_self_report");
  ASSERT_EQ(conclusive.size(), 3u);  // calls 2, 3 and 4
  ASSERT_EQ(reported.size(), 4u);    // calls 1, 2, 3 and 4
  for (const auto* f : conclusive) {
    if (f->subject_key != 4) continue;
    EXPECT_EQ(f->evidence.at(0).key, 2);
    EXPECT_EQ(f->street, "440104001");
    EXPECT_DOUBLE_EQ(f->cost_minutes, 3.5);
  }
  for (const auto* f : reported) {
    if (f->subject_key == 4) {
      EXPECT_EQ(f->evidence.at(0).key, 5);
    }
  }
}

TEST_F(DuplicateInquiry, CostIsTalkTimePlusMinutesPerCall) {
  call(1, kId, "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, kId, "NULL", "2022-04-02 09:00", "no_answer", "90");
  call(3, kId, "NULL", "2022-04-02 10:00", "no_answer", "NULL");
  call(4, kId, "NULL", "2022-04-02 11:00", "no_answer", "-30");
  call(5, kId, "NULL", "2022-04-02 12:00", "no_answer", "3 min");
  call(6, kId, "NULL", "2022-04-02 13:00", "no_answer", " ０１２０ ");
  call(7, kId, "NULL", "2022-04-02 14:00", "no_answer", "１２３４５６７８９０１２３４５６７８９０");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  std::map<std::int64_t, double> cost;
  for (const auto* f : findings_of(result, kRule, "after_conclusive_call")) {
    cost[f->subject_key] = f->cost_minutes;
  }
  EXPECT_EQ(cost, (std::map<std::int64_t, double>{
                      {2, 3.5}, {3, 2.0}, {4, 2.0}, {5, 2.0}, {6, 4.0}, {7, 2.0}}));
  EXPECT_EQ(result.rules.at(0).unreadable.at({"inquiries", "duration_s"}), 3u);
}

TEST_F(DuplicateInquiry, ParametersOverrideWindowAndMinutesPerCall) {
  call(1, kId, "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, kId, "NULL", "2022-04-02 09:00", "no_answer", "60");
  call(3, kId, "NULL", "2022-04-03 09:00:01", "no_answer", "60");
  const auto result =
      audit(db.path(), "2022-04", {{kRule, {{"window_days", "1"}, {"minutes_per_call", "0.5"}}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"after_conclusive_call:inquiries:2"}));
  EXPECT_DOUBLE_EQ(findings_of(result, kRule, "after_conclusive_call").at(0)->cost_minutes, 1.5);
  EXPECT_TRUE(run_rule({{"window_days", "0"}}).empty());
}

TEST_F(DuplicateInquiry, NegativeWindowIsAConfigurationErrorNamingTheParameter) {
  ::testing::TestPartResultArray failures;  // the harness expects every rule to succeed
  host::AuditResult result;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &failures);
    result = audit(db.path(), "2022-04", {{kRule, {{"window_days", "-1"}}}});
  }
  ASSERT_EQ(result.rules.size(), 1u);
  EXPECT_EQ(result.rules[0].status, host::RuleOutcome::Status::failed);
  EXPECT_NE(result.rules[0].reason.find("window_days"), std::string::npos)
      << result.rules[0].reason;
}

TEST_F(DuplicateInquiry, MessagesMaskIdentitiesAndFingerprintIgnoresRowIds) {
  link(1, kId, "13800138000", "2022-01-01");
  call(1, kId, "NULL", "2022-04-01 09:00", "confirmed_local");
  call(2, "NULL", "13800138000", "2022-04-02 09:00");
  call(3, "NULL", "13900139000", "2022-04-01 09:00", "not_local");
  call(4, "NULL", "13900139000", "2022-04-02 09:00");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  ASSERT_EQ(result.findings.size(), 2u);
  for (const auto& rf : result.findings) {
    for (const std::string& text : {rf.finding.message_zh, rf.finding.message_en}) {
      EXPECT_EQ(text.find(kId), std::string::npos) << text;
      EXPECT_EQ(text.find("13900139000"), std::string::npos) << text;
    }
  }
  const auto* by_phone = findings_of(result, kRule, "after_conclusive_call").at(1);
  EXPECT_NE(by_phone->message_zh.find("139****9000"), std::string::npos) << by_phone->message_zh;
  TempRegistry renumbered;
  renumbered.exec(R"(INSERT INTO inquiries (inquiry_id, phone, called_at, outcome) VALUES
      (30, '13900139000', '2022-04-01 09:00', 'not_local'),
      (40, '+86 13900139000', '2022-04-02 09:00', 'no_answer'))");
  const auto again = audit(renumbered.path(), "2022-04", {{kRule, {}}});
  ASSERT_EQ(again.findings.size(), 1u);
  bool same = false;
  for (const auto& rf : result.findings)
    same = same || rf.fingerprint == again.findings[0].fingerprint;
  EXPECT_TRUE(same);
}

TEST_F(DuplicateInquiry, Scale_OnePersonWithTenThousandCallsAndOnePhoneOfManyPersons) {
  db.exec(R"(
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
    INSERT INTO inquiries (inquiry_id, id_number, called_at, duration_s, outcome)
      SELECT i, '11010519491231002X', datetime('2022-04-01', '+' || i || ' minutes'), 60,
             CASE WHEN i % 2 = 0 THEN 'confirmed_local' ELSE 'no_answer' END FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
    INSERT INTO self_reports (report_id, id_number, reported_at)
      SELECT i, '11010519491231002X', datetime('2022-03-31 23:00', '+' || i || ' seconds') FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
    INSERT INTO person_phones (link_id, id_number, phone, source, recorded_at)
      SELECT i, printf('P%05d', i), '13800138000', 'hukou',
             datetime('2022-01-01', '+' || i || ' minutes') FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
    INSERT INTO inquiries (inquiry_id, phone, called_at, outcome)
      SELECT 100000 + i, '13800138000', datetime('2022-04-10', '+' || i || ' minutes'),
             'not_local' FROM n;
  )");
  const auto start = std::chrono::steady_clock::now();
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Calls 3..10000 follow a conclusive call (the even ones are); every call of the person follows a
  // self-report; the shared phone's calls 2..5000 follow each other.
  EXPECT_EQ(findings_of(result, kRule, "after_conclusive_call").size(), 9998u + 4999u);
  EXPECT_EQ(findings_of(result, kRule, "after_self_report").size(), 10000u);
  EXPECT_LT(seconds, 10.0);
}

}  // namespace
}  // namespace regaudit::test
