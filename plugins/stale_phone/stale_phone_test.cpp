// stale-phone: every code at its boundaries (SPEC section 4).

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::test {
namespace {

using Keys = std::vector<std::string>;

constexpr const char* kRule = "stale-phone";
constexpr const char* kId = "11010519491231002X";     // valid
constexpr const char* kOther = "440104199001011232";  // valid, another person

Keys run_rule(const TempRegistry& db, const std::string& period = "2022-04") {
  return finding_keys(audit(db.path(), period, {{kRule, {}}}), kRule);
}

TEST(StalePhone, Deactivated_AllSubscriptionsEndedBeforeA_IsFlaggedWithLastAsEvidence) {
  TempRegistry db;
  db.exec(R"(INSERT INTO phone_subscriptions
      (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
      (1, '13800138000', '11010519491231002X', '2015-01-01', '2018-01-01'),
      (2, '13800138000', '11010519491231002X', '2018-02-01', '2022-04-30 23:59:59'))");
  add_phone_link(db, 7, kId, "138 0013 8000", "2019-01-01");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"deactivated:person_phones:7"}));
  const auto* f = findings_of(result, kRule, "deactivated").at(0);
  ASSERT_EQ(f->evidence.size(), 1u);
  EXPECT_EQ(f->evidence[0].table, "phone_subscriptions");
  EXPECT_EQ(f->evidence[0].key, 2);
  EXPECT_EQ(f->cost_minutes, 0.0);
}

TEST(StalePhone, Deactivated_SubscriptionEndingExactlyAtAIsInForce) {
  TempRegistry db;
  db.exec(R"(INSERT INTO phone_subscriptions
      (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
      (1, '13800138000', '11010519491231002X', '2018-02-01', '2022-05-01 00:00'))");
  add_phone_link(db, 7, kId, "13800138000", "2019-01-01");
  EXPECT_TRUE(run_rule(db).empty());
}

TEST(StalePhone, Deactivated_OnlySubscriptionActivatedAtOrAfterAIsCountedButNotInForce) {
  TempRegistry db;
  db.exec(R"(INSERT INTO phone_subscriptions
      (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
      (1, '13800138000', '11010519491231002X', '2022-05-01', NULL))");
  add_phone_link(db, 7, kId, "13800138000", "2019-01-01");
  EXPECT_EQ(run_rule(db), (Keys{"deactivated:person_phones:7"}));
}

TEST(StalePhone, Deactivated_NoCountedSubscriptionIsNoFindingAndUnreadablesAreCounted) {
  TempRegistry db;
  db.exec(R"(INSERT INTO phone_subscriptions
      (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
      (1, '13800138000', '11010519491231002X', 'long ago', '2020-01-01'),
      (2, '13800138000', '11010519491231002X', '2015-01-01', '2021-02-30'),
      (3, '13800138000', '11010519491231002X', NULL, '2020-01-01'))");
  add_phone_link(db, 7, kId, "13800138000", "2019-01-01");
  add_phone_link(db, 8, kId, "13900139000", "2019-01-01");  // no subscription at all
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_TRUE(finding_keys(result, kRule).empty());
  const auto& unreadable = result.rules.at(0).unreadable;
  EXPECT_EQ(unreadable.at({"phone_subscriptions", "activated_at"}), 1u);
  EXPECT_EQ(unreadable.at({"phone_subscriptions", "deactivated_at"}), 1u);
}

TEST(StalePhone, Deactivated_LinkWithNullIdNumberIsStillFlagged) {
  TempRegistry db;
  db.exec(R"(INSERT INTO phone_subscriptions
      (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
      (1, '02083334444', NULL, '2015-01-01', '2020-01-01'))");
  add_phone_link(db, 7, "NULL", "+86 20 8333 4444", "2019-01-01");
  add_phone_link(db, 8, "  ", "020-8333-4444", "2019-01-01");
  EXPECT_EQ(run_rule(db), (Keys{"deactivated:person_phones:7", "deactivated:person_phones:8"}));
}

TEST(StalePhone, Subject_LinkRecordedAtOrAfterAOrUnreadableIsNotExamined) {
  TempRegistry db;
  db.exec(R"(INSERT INTO phone_subscriptions
      (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
      (1, '13800138000', NULL, '2015-01-01', '2020-01-01'))");
  add_phone_link(db, 7, kId, "13800138000", "2022-05-01");
  add_phone_link(db, 8, kId, "13800138000", "2022-04-31");
  add_phone_link(db, 9, kId, "13800138000", "NULL");
  add_phone_link(db, 10, kId, "13800138000", "2022-04-30 23:59:59");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"deactivated:person_phones:10"}));
  EXPECT_EQ(result.rules.at(0).unreadable.at({"person_phones", "recorded_at"}), 1u);
}

class Reassigned : public ::testing::Test {
 protected:
  void SetUp() override {
    db.exec(R"(INSERT INTO phone_subscriptions
        (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
        (1, '13800138000', '11010519491231002X', '2015-01-01', '2021-05-01'),
        (2, '１３８００１３８０００', '440104199001011232', '2021-06-03 10:00', NULL))");
  }
  TempRegistry db;
};

TEST_F(Reassigned, NewOwnerActivatedAfterLinkWasRecorded_IsFlagged) {
  add_phone_link(db, 7, kId, "+86 138-0013-8000", "2021-06-03 09:59:59");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"reassigned:person_phones:7"}));
  const auto* f = findings_of(result, kRule, "reassigned").at(0);
  EXPECT_EQ(f->evidence.at(0).table, "phone_subscriptions");
  EXPECT_EQ(f->evidence.at(0).key, 2);
  EXPECT_NE(f->message_zh.find("2021-06-03"), std::string::npos) << f->message_zh;
}

TEST_F(Reassigned, ActivationAtTheLinksRecordedAtIsHukouMismatchsCaseNotThisOne) {
  add_phone_link(db, 7, kId, "13800138000", "2021-06-03 10:00");
  add_phone_link(db, 8, kId, "13800138000", "2021-07-01");
  EXPECT_TRUE(run_rule(db).empty());
}

TEST_F(Reassigned, SameOwnerInAnotherFormatIsNotReassigned) {
  add_phone_link(db, 7, "440104 9001 01123", "13800138000", "2020-01-01");  // 15-digit form
  add_phone_link(db, 8, "４４０１０４１９９００１０１１２３２", "13800138000", "2020-01-01");
  EXPECT_TRUE(run_rule(db).empty());
}

TEST_F(Reassigned, NullOwnerOrNullLinkIdMakesNoFinding) {
  db.exec("UPDATE phone_subscriptions SET owner_id_number = ' ' WHERE subscription_id = 2");
  add_phone_link(db, 7, kId, "13800138000", "2020-01-01");
  EXPECT_TRUE(run_rule(db).empty());
  db.exec(
      "UPDATE phone_subscriptions SET owner_id_number = '440104199001011232' WHERE "
      "subscription_id = 2");
  add_phone_link(db, 8, "NULL", "13800138000", "2020-01-01");
  EXPECT_EQ(run_rule(db), (Keys{"reassigned:person_phones:7"}));
}

TEST_F(Reassigned, LatestActivatedInForceDecidesTiesToHighestId) {
  db.exec(R"(INSERT INTO phone_subscriptions
      (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
      (3, '13800138000', '11010519491231002X', '2021/06/03 10:00', NULL))");
  add_phone_link(db, 7, kId, "13800138000", "2020-01-01");
  EXPECT_TRUE(run_rule(db).empty());  // id 3 wins the tie: the link's own person
  db.exec("UPDATE phone_subscriptions SET subscription_id = 0 WHERE subscription_id = 3");
  EXPECT_EQ(run_rule(db), (Keys{"reassigned:person_phones:7"}));
}

class Feedback : public ::testing::Test {
 protected:
  void SetUp() override {
    db.exec(R"(INSERT INTO phone_subscriptions
        (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
        (1, '13800138000', '11010519491231002X', '2015-01-01', NULL))");
    add_phone_link(db, 7, kId, "13800138000", "2022-03-01 08:00");
  }
  void add_call(int id, const std::string& phone, const std::string& outcome,
                const std::string& called_at) {
    db.exec("INSERT INTO inquiries (inquiry_id, phone, outcome, called_at) VALUES (" +
            std::to_string(id) + ", '" + phone + "', '" + outcome + "', '" + called_at + "')");
  }
  TempRegistry db;
};

TEST_F(Feedback, EmptyNumberCallAfterLinkWasRecorded_IsFlaggedWithFirstAndLatestCall) {
  add_call(1, "8613800138000", " Empty_Number ", "2022-03-05 10:00");
  add_call(2, "13800138000", "wrong_person", "2022-04-30 23:59:59");
  add_call(3, "13800138000", "wrong_person", "2022-03-20");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_EQ(finding_keys(result, kRule), (Keys{"unfixed_after_feedback:person_phones:7"}));
  const auto* f = findings_of(result, kRule, "unfixed_after_feedback").at(0);
  ASSERT_EQ(f->evidence.size(), 2u);
  EXPECT_EQ(f->evidence[0].key, 1);
  EXPECT_EQ(f->evidence[1].key, 2);
  EXPECT_NE(f->message_en.find("3 verification call(s)"), std::string::npos) << f->message_en;
}

TEST_F(Feedback, CallAtTheLinksRecordedAtOrAtAOrLaterIsNotFeedback) {
  add_call(1, "13800138000", "empty_number", "2022-03-01 08:00");
  add_call(2, "13800138000", "wrong_person", "2022-05-01");
  add_call(3, "13800138000", "wrong_person", "2022-02-01");
  EXPECT_TRUE(run_rule(db).empty());
}

TEST_F(Feedback, OtherOutcomesOtherNumbersAndUnreadableTimesAreNotFeedback) {
  add_call(1, "13800138000", "not_local", "2022-04-01");
  add_call(2, "13800138000", "no_answer", "2022-04-01");
  add_call(3, "13900139000", "empty_number", "2022-04-01");
  add_call(4, "13800138000", "empty_number", "2022-04-31 10:00");
  add_call(5, "13800138000", "empty number", "2022-04-01");
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  EXPECT_TRUE(finding_keys(result, kRule).empty());
  EXPECT_EQ(result.rules.at(0).unreadable.at({"inquiries", "called_at"}), 1u);
}

TEST_F(Feedback, OneRowCarriesSeveralCodes) {
  db.exec(R"(UPDATE phone_subscriptions SET deactivated_at = '2022-03-02' WHERE subscription_id = 1;
    INSERT INTO phone_subscriptions
      (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
      (2, '13800138000', '440104199001011232', '2022-03-03', NULL))");
  add_call(1, "13800138000", "wrong_person", "2022-04-02");
  EXPECT_EQ(run_rule(db),
            (Keys{"reassigned:person_phones:7", "unfixed_after_feedback:person_phones:7"}));
}

TEST_F(Feedback, MessagesMaskIdentitiesUnlessRevealed) {
  add_call(1, "13800138000", "empty_number", "2022-04-02");
  db.exec("UPDATE phone_subscriptions SET deactivated_at = '2022-03-02'");
  const auto masked = audit(db.path(), "2022-04", {{kRule, {}}});
  ASSERT_EQ(masked.findings.size(), 2u);
  for (const auto& rf : masked.findings) {
    for (const std::string& text : {rf.finding.message_zh, rf.finding.message_en}) {
      EXPECT_EQ(text.find("13800138000"), std::string::npos) << text;
      EXPECT_EQ(text.find(kId), std::string::npos) << text;
      EXPECT_NE(text.find("138****8000"), std::string::npos) << text;
    }
  }
  const auto revealed = audit(db.path(), "2022-04", {{kRule, {}}}, true);
  EXPECT_NE(revealed.findings.at(0).finding.message_zh.find("13800138000"), std::string::npos);
}

TEST(StalePhone, FingerprintIdentityIgnoresRowIds) {
  TempRegistry a;
  TempRegistry b;
  for (const TempRegistry* db : {&a, &b}) {
    db->exec(R"(INSERT INTO phone_subscriptions
        (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
        (1, '13800138000', NULL, '2015-01-01', '2020-01-01'))");
  }
  add_phone_link(a, 7, kId, "13800138000", "2019-01-01");
  add_phone_link(b, 70, kId, "+8613800138000", "2019-01-01");
  const auto ra = audit(a.path(), "2022-04", {{kRule, {}}});
  const auto rb = audit(b.path(), "2022-04", {{kRule, {}}});
  ASSERT_EQ(ra.findings.size(), 1u);
  ASSERT_EQ(rb.findings.size(), 1u);
  EXPECT_EQ(ra.findings[0].fingerprint, rb.findings[0].fingerprint);
}

TEST(StalePhone, Scale_OnePhoneLinkedToManyPersonsAndManyFeedbackCallsStaysCheap) {
  TempRegistry db;
  db.exec(R"(
    INSERT INTO phone_subscriptions
      (subscription_id, phone, owner_id_number, activated_at, deactivated_at) VALUES
      (1, '13800138000', '440104199001011232', '2022-01-01', NULL);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
    INSERT INTO person_phones (link_id, id_number, phone, source, recorded_at)
      SELECT i, printf('P%05d', i), '13800138000', 'hukou', '2021-12-01' FROM n;
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
    INSERT INTO inquiries (inquiry_id, phone, outcome, called_at)
      SELECT i, '13800138000', 'wrong_person', datetime('2022-04-01', '+' || i || ' minutes')
      FROM n;
  )");
  const auto start = std::chrono::steady_clock::now();
  const auto result = audit(db.path(), "2022-04", {{kRule, {}}});
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(findings_of(result, kRule, "reassigned").size(), 5000u);
  EXPECT_EQ(findings_of(result, kRule, "unfixed_after_feedback").size(), 5000u);
  EXPECT_LT(seconds, 10.0);
}

}  // namespace
}  // namespace regaudit::test
