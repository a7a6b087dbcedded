// hukou-mismatch: every code at its boundaries (SPEC section 4).

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::test {
namespace {

using Keys = std::vector<std::string>;

constexpr const char* kRule = "hukou-mismatch";
// 11010519491231002X is the published example of a valid number.
constexpr const char* kValidId = "11010519491231002X";

Keys run_rule(const TempRegistry& db, const std::string& period = "2022-04") {
  return finding_keys(audit(db.path(), period, {{kRule, {}}}), kRule);
}

TEST(HukouMismatch, InvalidIdNumber_FlagsNullBlankWrongCheckAndFutureBirth) {
  TempRegistry db;
  db.exec(R"(INSERT INTO persons (person_id, id_number, hukou_street) VALUES
    (1, '11010519491231002X', '440104001'),
    (2, '110105491231002', '440104001'),          -- legacy 15 digits: valid
    (3, '11010519491231002Y', '440104001'),       -- wrong check character
    (4, NULL, '440104001'),
    (5, '   ', '440104001'),                      -- blank: NULL
    (6, '１１０１０５１９４９１２３１００２ｘ', '440104001'),  -- full width, lower x: valid
    (7, '11010520220501001X', '440104001'),       -- born after the period's last day
    (8, '110105 1949-1231 002x', '440104001'))");
  EXPECT_EQ(run_rule(db), (Keys{"invalid_id_number:persons:3", "invalid_id_number:persons:4",
                                "invalid_id_number:persons:5", "invalid_id_number:persons:7"}));
}

TEST(HukouMismatch, IdenticalRowsGetFingerprintsByRankWhateverTheJobs) {
  // Rows alike (one basis) among others: each its own fingerprint, the first
  // row's the one it has alone, and the same with 1 to 4 jobs (the host
  // ranks equal fingerprints in parts, one per job). Twelve bases of two to
  // four rows each, interleaved, so that every part has some.
  TempRegistry db;
  std::string rows;
  std::map<int, int> first_row;  // basis -> its first row
  int row = 0;
  for (int copy = 0; copy < 4; ++copy) {
    for (int basis = 0; basis < 12; ++basis) {
      if (copy >= 2 + basis % 3) continue;  // bases with 2, 3 and 4 rows
      ++row;
      first_row.try_emplace(basis, row);
      rows += fmt::format("{}({}, '{}', '姓名{}', '440104001')", row == 1 ? "" : ", ", row,
                          100 + basis, basis);
    }
  }
  db.exec("INSERT INTO persons (person_id, id_number, name, hukou_street) VALUES " + rows);
  const auto fingerprints = [&](unsigned jobs) {
    std::map<std::int64_t, std::string> by_row;
    for (const host::ReportedFinding& rf :
         audit(db.path(), "2022-04", {{kRule, {}}}, false, jobs).findings) {
      by_row[rf.finding.subject_key] = rf.fingerprint;
    }
    return by_row;
  };
  const auto one_job = fingerprints(1);
  ASSERT_EQ(one_job.size(), static_cast<std::size_t>(row));
  std::set<std::string> distinct;
  for (const auto& [r, fingerprint] : one_job) distinct.insert(fingerprint);
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(row));
  for (unsigned jobs = 2; jobs <= 4; ++jobs) EXPECT_EQ(fingerprints(jobs), one_job) << jobs;

  db.exec("DELETE FROM persons WHERE person_id > 12");  // the first row of each basis stays
  const auto alone = fingerprints(2);
  ASSERT_EQ(alone.size(), 12u);
  for (const auto& [basis, r] : first_row) EXPECT_EQ(alone.at(r), one_job.at(r)) << basis;
}

TEST(HukouMismatch, InvalidIdNumber_BirthOnLastDayOfPeriodIsValid) {
  TempRegistry db;
  // Born 2022-04-30, the last day of 2022-04, with the right check character.
  db.exec("INSERT INTO persons (person_id, id_number) VALUES (1, '440104202204300012')");
  EXPECT_TRUE(run_rule(db, "2022-04").empty());
  EXPECT_EQ(run_rule(db, "2022-03"), (Keys{"invalid_id_number:persons:1"}));
}

TEST(HukouMismatch, ResidenceElsewhere_LatestInForceResidenceDecides) {
  TempRegistry db;
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, hukou_street) VALUES
      (1, '11010519491231002X', ' 440104001 '),
      (2, '11010519491231002X', '440104009');   -- duplicate row, other street: own subject
    INSERT INTO residences (residence_id, id_number, street, valid_from, valid_to) VALUES
      (10, '11010519491231002x', '440104001', '2020-01-01', NULL),
      (11, '11010519491231002X', '440104009', '2021-01-01', NULL),
      (12, '11010519491231002X', '440104001', '2022-05-01', NULL),  -- starts at A: not in force
      (13, '11010519491231002X', '440104001', '2021-06-01', '2022-04-30');  -- ended before A
  )");
  EXPECT_EQ(run_rule(db), (Keys{"residence_elsewhere:persons:1"}));
}

TEST(HukouMismatch, ResidenceElsewhere_EndingExactlyAtAIsInForce) {
  TempRegistry db;
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, hukou_street) VALUES (1, '11010519491231002X', '440104001');
    INSERT INTO residences (residence_id, id_number, street, valid_from, valid_to) VALUES
      (10, '11010519491231002X', '440104009', '2022-01-01', '2022-05-01 00:00');
  )");
  EXPECT_EQ(run_rule(db), (Keys{"residence_elsewhere:persons:1"}));
}

TEST(HukouMismatch, ResidenceElsewhere_TieOnValidFromGoesToHighestResidenceId) {
  TempRegistry db;
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, hukou_street) VALUES (1, '11010519491231002X', '440104001');
    INSERT INTO residences (residence_id, id_number, street, valid_from) VALUES
      (20, '11010519491231002X', '440104009', '2022-01-01'),
      (21, '11010519491231002X', '440104001', '2022/01/01 00:00');
  )");
  EXPECT_TRUE(run_rule(db).empty());
  db.exec("UPDATE residences SET residence_id = 19 WHERE residence_id = 21");
  EXPECT_EQ(run_rule(db), (Keys{"residence_elsewhere:persons:1"}));
}

// The rule sizes its table of residences by the largest residence_id; one
// far beyond the number of rows (or persons) changes nothing.
TEST(HukouMismatch, ResidenceElsewhere_SparseOrHugeResidenceIdsAreFine) {
  TempRegistry db;
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, hukou_street) VALUES (1, '11010519491231002X', '440104001');
    INSERT INTO residences (residence_id, id_number, street, valid_from) VALUES
      (9223372036854775807, '11010519491231002X', '440104009', '2022-01-01');
  )");
  EXPECT_EQ(run_rule(db), (Keys{"residence_elsewhere:persons:1"}));
  db.exec("UPDATE residences SET residence_id = -5");
  EXPECT_EQ(run_rule(db), (Keys{"residence_elsewhere:persons:1"}));
  db.exec("DELETE FROM residences");
  EXPECT_TRUE(run_rule(db).empty());
}

TEST(HukouMismatch, ResidenceElsewhere_UnreadableValidToRemovesRowAndIsCounted) {
  TempRegistry db;
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, hukou_street) VALUES (1, '11010519491231002X', '440104001');
    INSERT INTO residences (residence_id, id_number, street, valid_from, valid_to) VALUES
      (10, '11010519491231002X', '440104009', '2022-01-01', 'soon'),
      (11, '11010519491231002X', '440104009', 'yesterday', NULL);
  )");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_TRUE(finding_keys(result, kRule).empty());
  const auto& unreadable = result.rules.at(0).unreadable;
  EXPECT_EQ(unreadable.at({"residences", "valid_to"}), 1u);
  EXPECT_EQ(unreadable.at({"residences", "valid_from"}), 1u);
}

TEST(HukouMismatch, ResidenceElsewhere_NullStreetOnEitherSideMakesNoFinding) {
  TempRegistry db;
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, hukou_street) VALUES
      (1, '11010519491231002X', NULL), (2, '11010519491231002X', '440104001');
    INSERT INTO residences (residence_id, id_number, street, valid_from) VALUES
      (10, '11010519491231002X', '', '2022-01-01'),
      (9, '11010519491231002X', '440104009', '2021-01-01');
  )");
  EXPECT_TRUE(run_rule(db).empty());
}

class PhoneHolder : public ::testing::Test {
 protected:
  void SetUp() override {
    db.exec(R"(
      INSERT INTO persons (person_id, id_number, hukou_street) VALUES (1, '11010519491231002X', '440104001');
      INSERT INTO phone_subscriptions (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
        (1, '13800138000', '440104199001011234', '2021-06-03 10:00', NULL);
    )");
  }
  TempRegistry db;
};

TEST_F(PhoneHolder, LinkRecordedAfterActivationUnderAnotherOwnerIsFlagged) {
  db.exec(
      R"(INSERT INTO person_phones VALUES (7, '11010519491231002X', '+86 138-0013-8000', 'hukou', '2021-07-01'))");
  EXPECT_EQ(run_rule(db), (Keys{"phone_holder_mismatch:person_phones:7"}));
}

TEST_F(PhoneHolder, LinkRecordedExactlyAtActivationIsFlagged) {
  db.exec(
      R"(INSERT INTO person_phones VALUES (7, '11010519491231002X', '8613800138000', 'hukou', '2021-06-03T10:00:00'))");
  EXPECT_EQ(run_rule(db), (Keys{"phone_holder_mismatch:person_phones:7"}));
}

TEST_F(PhoneHolder, LinkRecordedBeforeActivationIsNotThisRulesFinding) {
  db.exec(
      R"(INSERT INTO person_phones VALUES (7, '11010519491231002X', '13800138000', 'hukou', '2021-06-03 09:59'))");
  EXPECT_TRUE(run_rule(db).empty());
}

TEST_F(PhoneHolder, SameOwnerInAnotherFormatIsNoMismatch) {
  db.exec(R"(
    UPDATE phone_subscriptions SET owner_id_number = '11010519491231002x';
    INSERT INTO person_phones VALUES (7, '110105491231002', '13800138000', 'hukou', '2021-07-01');
  )");
  EXPECT_TRUE(run_rule(db).empty());
}

TEST_F(PhoneHolder, NullOwnerOrNullLinkIdMakesNoFinding) {
  db.exec(R"(
    INSERT INTO person_phones VALUES (7, NULL, '13800138000', 'hukou', '2021-07-01');
    INSERT INTO person_phones VALUES (8, '11010519491231002X', '13900139000', 'hukou', '2021-07-01');
    INSERT INTO phone_subscriptions VALUES (2, '13900139000', ' ', NULL, NULL, '2021-01-01', NULL);
  )");
  EXPECT_TRUE(run_rule(db).empty());
}

TEST_F(PhoneHolder, LinkRecordedAtOrAfterAIsNotASubject) {
  db.exec(
      R"(INSERT INTO person_phones VALUES (7, '11010519491231002X', '13800138000', 'hukou', '2022-05-01'))");
  EXPECT_TRUE(run_rule(db).empty());
}

TEST_F(PhoneHolder, LatestActivatedSubscriptionInForceDecides) {
  db.exec(R"(
    INSERT INTO phone_subscriptions VALUES (2, '13800138000', '11010519491231002X', NULL, NULL, '2021-06-04', NULL);
    INSERT INTO person_phones VALUES (7, '11010519491231002X', '13800138000', 'hukou', '2021-07-01');
  )");
  EXPECT_TRUE(run_rule(db).empty());
  // A subscription ended before A no longer counts; one ending exactly at A does.
  db.exec(
      "UPDATE phone_subscriptions SET deactivated_at = '2022-04-30 23:59:59' WHERE subscription_id "
      "= 2");
  EXPECT_EQ(run_rule(db), (Keys{"phone_holder_mismatch:person_phones:7"}));
  db.exec("UPDATE phone_subscriptions SET deactivated_at = '2022-05-01' WHERE subscription_id = 2");
  EXPECT_TRUE(run_rule(db).empty());
}

TEST_F(PhoneHolder, UnreadableDeactivationLeavesSubscriptionOut) {
  db.exec(R"(
    INSERT INTO phone_subscriptions VALUES (2, '13800138000', '11010519491231002X', NULL, NULL, '2021-06-04', '2021-13-01');
    INSERT INTO person_phones VALUES (7, '11010519491231002X', '13800138000', 'hukou', '2021-07-01');
  )");
  EXPECT_EQ(run_rule(db), (Keys{"phone_holder_mismatch:person_phones:7"}));
}

TEST_F(PhoneHolder, MessagesMaskIdentitiesUnlessRevealed) {
  db.exec(
      R"(INSERT INTO person_phones VALUES (7, '11010519491231002X', '13800138000', 'hukou', '2021-07-01'))");
  const auto masked = audit(db.path(), "2022-04", {{kRule, {}}});
  const auto* f = findings_of(masked, kRule, "phone_holder_mismatch").at(0);
  for (const std::string& text : {f->message_zh, f->message_en}) {
    EXPECT_EQ(text.find("13800138000"), std::string::npos) << text;
    EXPECT_EQ(text.find("11010519491231002X"), std::string::npos) << text;
    EXPECT_NE(text.find("138****8000"), std::string::npos) << text;
  }
  EXPECT_EQ(f->evidence.at(0).table, "phone_subscriptions");
  EXPECT_EQ(f->evidence.at(0).key, 1);
  const auto revealed = audit(db.path(), "2022-04", {{kRule, {}}}, true);
  EXPECT_NE(
      findings_of(revealed, kRule, "phone_holder_mismatch").at(0)->message_zh.find("13800138000"),
      std::string::npos);
}

}  // namespace
}  // namespace regaudit::test
