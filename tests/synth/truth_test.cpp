// The _truth oracle on tiny hand-built registries: SPEC section 4's boundary
// cases, one behaviour per test. Period 2022-04 unless a test says otherwise:
// P = [2022-04-01, 2022-05-01), A = 2022-05-01 00:00.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "regaudit/normal_forms.hpp"
#include "support/temp_registry.hpp"
#include "synth/truth.hpp"

namespace regaudit::synth {
namespace {

// Valid ID numbers (check characters computed, not copied).
std::string valid_id(std::string body17) {
  return body17 + nf::id_check_character(body17);
}
const std::string kAlice = valid_id("44010319800101123");
const std::string kBob = valid_id("44010619850505456");

using Codes = std::set<std::pair<std::string, std::int64_t>>;  // (code, subject key)

Codes truth_of(const test::TempRegistry& registry, const char* period = "2022-04") {
  std::vector<TruthFinding> findings;
  const Status status = find_truth(registry.path(), {*AuditPeriod::parse(period)}, findings);
  EXPECT_TRUE(status.is_ok()) << status.message();
  Codes codes;
  for (const TruthFinding& f : findings) codes.emplace(f.code, f.subject_key);
  return codes;
}

bool has(const Codes& codes, const std::string& code, std::int64_t key) {
  return codes.contains({code, key});
}

// ---- duplicate-inquiry ----

TEST(synth_truth, DuplicateInquiry_CallExactlyWindowAfterConclusiveCall_IsFlagged) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO inquiries (inquiry_id, id_number, called_at, outcome) VALUES "
      "(1, '" +
      kAlice +
      "', '2022-04-01 10:00:00', 'confirmed_local'),"
      "(2, '" +
      kAlice +
      "', '2022-04-08 10:00:00', 'no_answer'),"
      "(3, '" +
      kAlice + "', '2022-04-08 10:00:01', 'no_answer')");
  const Codes codes = truth_of(r);
  EXPECT_TRUE(has(codes, "after_conclusive_call", 2));
  EXPECT_FALSE(has(codes, "after_conclusive_call", 3));
  EXPECT_FALSE(has(codes, "after_conclusive_call", 1));
}

TEST(synth_truth, DuplicateInquiry_ConclusiveCallsAtTheSameInstant_AreNotFlagged) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO inquiries (inquiry_id, id_number, called_at, outcome) VALUES "
      "(1, '" +
      kAlice +
      "', '2022-04-03 09:30:00', 'Confirmed_Local'),"
      "(2, '" +
      kAlice + "', '2022年4月3日 09:30', ' not_local ')");
  EXPECT_TRUE(truth_of(r).empty());
}

TEST(synth_truth, DuplicateInquiry_ConclusiveCallLastMonth_CountsAsContext) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO inquiries (inquiry_id, id_number, called_at, outcome) VALUES "
      "(1, '" +
      kAlice +
      "', '2022-03-30 10:00', 'already_reported'),"
      "(2, '" +
      kAlice + "', '2022-04-02 10:00', 'refused')");
  const Codes codes = truth_of(r);
  EXPECT_EQ(codes, (Codes{{"after_conclusive_call", 2}}));
}

TEST(synth_truth, DuplicateInquiry_SelfReportByPhoneOnly_ResolvesToThePerson) {
  test::TempRegistry r;
  r.exec("INSERT INTO person_phones VALUES (1, '" + kAlice +
         "', '13800138000', 'hukou', '2022-04-01 08:00:00')");
  // Reported at the instant the link was recorded: resolution uses <= T.
  r.exec(
      "INSERT INTO self_reports (report_id, phone, reported_at) VALUES "
      "(1, '+86 138 0013 8000', '2022-04-01 08:00:00')");
  r.exec(
      "INSERT INTO inquiries (inquiry_id, id_number, called_at, outcome) VALUES "
      "(1, '" +
      kAlice + "', '2022-04-02 08:00:00', 'no_answer')");
  EXPECT_TRUE(has(truth_of(r), "after_self_report", 1));
}

TEST(synth_truth, DuplicateInquiry_SharedFamilyPhone_FallsBackToThePhoneEntity) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO person_phones VALUES "
      "(1, '" +
      kAlice +
      "', '13800138000', 'hukou', '2020-01-01'),"
      "(2, '" +
      kBob + "', '13800138000', 'health_code', '2020-01-02')");
  r.exec(
      "INSERT INTO self_reports (report_id, phone, reported_at) VALUES "
      "(1, '0086-13800138000', '2022-04-01 08:00:00')");
  r.exec(
      "INSERT INTO inquiries (inquiry_id, phone, id_number, called_at, outcome) VALUES "
      "(1, '8613800138000', NULL, '2022-04-02 08:00:00', 'no_answer'),"
      "(2, '13800138000', '" +
      kAlice + "', '2022-04-02 09:00:00', 'no_answer')");
  const Codes codes = truth_of(r);
  EXPECT_TRUE(has(codes, "after_self_report", 1));   // phone:13800138000 both sides
  EXPECT_FALSE(has(codes, "after_self_report", 2));  // Alice is not the phone entity
}

TEST(synth_truth, DuplicateInquiry_SelfReportAtTheCallInstant_IsNotFlagged) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO self_reports (report_id, id_number, reported_at) VALUES "
      "(1, '" +
      kAlice + "', '2022-04-02 08:00:00')");
  r.exec(
      "INSERT INTO inquiries (inquiry_id, id_number, called_at, outcome) VALUES "
      "(1, '" +
      kAlice + "', '20220402080000', 'confirmed_local')");
  EXPECT_TRUE(truth_of(r).empty());
}

// ---- hukou-mismatch and stale-phone ----

TEST(synth_truth, Phones_LinkRecordedExactlyAtActivation_IsHolderMismatchNotReassigned) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO person_phones VALUES "
      "(1, '" +
      kAlice +
      "', '13800138000', 'hukou', '2021-06-01 12:00:00'),"
      "(2, '" +
      kAlice + "', '13900139000', 'hukou', '2021-06-01 12:00:00')");
  r.exec(
      "INSERT INTO phone_subscriptions VALUES "
      "(1, '13800138000', '" +
      kBob +
      "', NULL, 'cm', '2021-06-01 12:00:00', NULL),"
      "(2, '13900139000', '" +
      kBob + "', NULL, 'cm', '2021-06-01 12:00:01', NULL)");
  EXPECT_EQ(truth_of(r), (Codes{{"phone_holder_mismatch", 1}, {"reassigned", 2}}));
}

TEST(synth_truth, Phones_OnlySubscriptionActivatesAfterA_IsDeactivated) {
  test::TempRegistry r;
  r.exec("INSERT INTO person_phones VALUES (1, '" + kAlice +
         "', '13800138000', 'hukou', '2022-04-10')");
  r.exec(
      "INSERT INTO phone_subscriptions VALUES "
      "(1, '13800138000', '" +
      kAlice + "', NULL, 'cm', '2022-05-01 00:00:00', NULL)");
  EXPECT_EQ(truth_of(r), (Codes{{"deactivated", 1}}));
  EXPECT_TRUE(truth_of(r, "2022-05").empty());
}

TEST(synth_truth, Phones_DeactivatedExactlyAtA_IsStillInForce) {
  test::TempRegistry r;
  r.exec("INSERT INTO person_phones VALUES (1, '" + kAlice +
         "', '13800138000', 'hukou', '2021-01-01')");
  r.exec(
      "INSERT INTO phone_subscriptions VALUES "
      "(1, '13800138000', '" +
      kAlice + "', NULL, 'cm', '2020-01-01', '2022-05-01 00:00')");
  EXPECT_TRUE(truth_of(r).empty());
  EXPECT_EQ(truth_of(r, "2022-05"), (Codes{{"deactivated", 1}}));
}

TEST(synth_truth, Phones_UnreadableDeactivation_LeavesTheSubscriptionOut) {
  test::TempRegistry r;
  r.exec("INSERT INTO person_phones VALUES (1, '" + kAlice +
         "', '13800138000', 'hukou', '2021-01-01')");
  r.exec(
      "INSERT INTO phone_subscriptions VALUES "
      "(1, '13800138000', '" +
      kBob + "', NULL, 'cm', '2020-01-01', '2021-02-30 10:00')");
  EXPECT_TRUE(truth_of(r).empty());
}

TEST(synth_truth, Phones_NullOwnerOrNullLinkId_MakeNoHolderFinding) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO person_phones VALUES "
      "(1, '" +
      kAlice +
      "', '13800138000', 'hukou', '2021-01-01'),"
      "(2, '  ', '13900139000', 'hukou', '2021-01-01')");
  r.exec(
      "INSERT INTO phone_subscriptions VALUES "
      "(1, '13800138000', ' ', NULL, 'cm', '2020-01-01', NULL),"
      "(2, '13900139000', '" +
      kBob + "', NULL, 'cm', '2020-01-01', NULL)");
  EXPECT_TRUE(truth_of(r).empty());
}

TEST(synth_truth, Phones_InForceSubscriptionIsTheLastActivated_TiesByHighestId) {
  test::TempRegistry r;
  r.exec("INSERT INTO person_phones VALUES (1, '" + kAlice +
         "', '13800138000', 'hukou', '2021-01-01')");
  r.exec(
      "INSERT INTO phone_subscriptions VALUES "
      "(1, '13800138000', '" +
      kAlice +
      "', NULL, 'cm', '2020-01-01', NULL),"
      "(2, '13800138000', '" +
      kBob + "', NULL, 'cm', '2020-01-01', NULL)");
  EXPECT_EQ(truth_of(r), (Codes{{"phone_holder_mismatch", 1}}));
}

TEST(synth_truth, Phones_FeedbackCallStrictlyAfterRecording_IsUnfixed) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO person_phones VALUES "
      "(1, '" +
      kAlice +
      "', '13800138000', 'hukou', '2022-04-05 10:00:00'),"
      "(2, '" +
      kBob + "', '13900139000', 'hukou', '2022-04-05 10:00:00')");
  r.exec(
      "INSERT INTO inquiries (inquiry_id, phone, called_at, outcome) VALUES "
      "(1, '138-0013-8000', '2022-04-06 10:00:00', ' Wrong_Person '),"
      "(2, '13900139000', '2022-04-05 10:00:00', 'empty_number'),"
      "(3, '13900139000', '2022-05-01 00:00:00', 'empty_number')");
  EXPECT_EQ(truth_of(r), (Codes{{"unfixed_after_feedback", 1}}));
}

TEST(synth_truth, Phones_LinkRecordedAtA_IsNotASubject) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO person_phones VALUES "
      "(1, '" +
      kAlice +
      "', '13800138000', 'hukou', '2022-05-01 00:00:00'),"
      "(2, '" +
      kAlice + "', '13800138000', 'hukou', '2022-04-31 10:00')");
  r.exec(
      "INSERT INTO phone_subscriptions VALUES "
      "(1, '13800138000', '" +
      kBob + "', NULL, 'cm', '2020-01-01', NULL)");
  EXPECT_TRUE(truth_of(r).empty());
  EXPECT_EQ(truth_of(r, "2022-05"), (Codes{{"phone_holder_mismatch", 1}}));
}

TEST(synth_truth, Persons_InvalidIdNumbers_AreFlaggedPerRow) {
  test::TempRegistry r;
  const std::string born_in_may = valid_id("44010320220501123");
  r.exec(
      "INSERT INTO persons (person_id, id_number) VALUES "
      "(1, '" +
      kAlice + "'), (2, NULL), (3, '  '), (4, '44010319800101123" +
      (kAlice.back() == '0' ? "1" : "0") + "'), (5, '" + born_in_may +
      "'), (6, '440103800101123'), (7, '４４０１０３１９８００１０１１２３" + kAlice.back() + "')");
  EXPECT_EQ(truth_of(r), (Codes{{"invalid_id_number", 2},
                                {"invalid_id_number", 3},
                                {"invalid_id_number", 4},
                                {"invalid_id_number", 5}}));
  EXPECT_FALSE(has(truth_of(r, "2022-05"), "invalid_id_number", 5));
}

TEST(synth_truth, Persons_ResidenceTieOnValidFrom_HighestIdWins) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO persons (person_id, id_number, hukou_street) VALUES "
      "(1, '" +
      kAlice + "', '440103001'), (2, '" + kBob + "', '440103001')");
  r.exec(
      "INSERT INTO residences (residence_id, id_number, street, valid_from, valid_to) VALUES "
      "(1, '" +
      kAlice +
      "', '440103001', '2021-01-01', NULL),"
      "(2, '" +
      kAlice +
      "', '440106002', '2021-01-01', NULL),"
      "(3, '" +
      kBob +
      "', '440106002', '2021-01-01', NULL),"
      "(4, '" +
      kBob + "', ' 440103001 ', '2021-01-01', NULL)");
  EXPECT_EQ(truth_of(r), (Codes{{"residence_elsewhere", 1}}));
}

TEST(synth_truth, Persons_ResidenceEndingAtA_IsInForce_StartingAtA_IsNot) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO persons (person_id, id_number, hukou_street) VALUES "
      "(1, '" +
      kAlice + "', '440103001')");
  r.exec(
      "INSERT INTO residences (residence_id, id_number, street, valid_from, valid_to) VALUES "
      "(1, '" +
      kAlice +
      "', '440106002', '2021-01-01', '2022-05-01'),"
      "(2, '" +
      kAlice + "', '440103001', '2022-05-01', NULL)");
  EXPECT_EQ(truth_of(r), (Codes{{"residence_elsewhere", 1}}));
  EXPECT_TRUE(truth_of(r, "2022-05").empty());
}

TEST(synth_truth, Persons_LatestResidenceWithoutStreet_MakesNoFinding) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO persons (person_id, id_number, hukou_street) VALUES "
      "(1, '" +
      kAlice + "', '440103001')");
  r.exec(
      "INSERT INTO residences (residence_id, id_number, street, valid_from, valid_to) VALUES "
      "(1, '" +
      kAlice +
      "', '440106002', '2020-01-01', NULL),"
      "(2, '" +
      kAlice +
      "', '', '2021-01-01', NULL),"
      "(3, '" +
      kAlice + "', '440106003', '2021-06-01', '2099-13-01')");
  EXPECT_TRUE(truth_of(r).empty());
}

// ---- checkin-redundancy ----

void add_known_person(const test::TempRegistry& r) {
  r.exec("INSERT INTO persons (person_id, id_number, name) VALUES (1, '" + kAlice + "', '陳麗')");
  r.exec(
      "INSERT INTO travel_records (travel_id, id_number, vehicle_no, origin, arrived_at, "
      "recorded_at) VALUES (1, '" +
      kAlice +
      "', 'G1234', '長沙市', '2022-04-10 12:00:00', "
      "'2022-04-10 08:00')");
  r.exec("INSERT INTO person_phones VALUES (1, '" + kAlice +
         "', '13800138000', 'hukou', '2020-01-01')");
  r.exec(
      "INSERT INTO phone_subscriptions VALUES "
      "(1, '13800138000', '" +
      kAlice + "', NULL, 'cm', '2019-01-01', NULL)");
  r.exec("INSERT INTO vaccinations VALUES (1, '" + kAlice +
         "', 1, '2021-05-01'),"
         "(2, '" +
         kAlice + "', 2, '2021-06-01'), (3, '" + kAlice + "', 3, '2022-04-12 10:00')");
}

void add_visit(const test::TempRegistry& r, int id, const std::string& arrived) {
  r.exec("INSERT INTO checkins (checkin_id, id_number, team, checked_in_at, photo) VALUES (" +
         std::to_string(id) + ", '" + kAlice + "', 'A', '2022-04-11 10:00:00', 1)");
  r.exec("INSERT INTO checkin_fields VALUES (" + std::to_string(id) + ", 'ID_Number', '" + kAlice +
         "'), (" + std::to_string(id) + ", 'name', '陈 丽'), (" + std::to_string(id) +
         ", 'phone', '+86 13800138000'), (" + std::to_string(id) + ", 'vehicle_no', 'g-1234'), (" +
         std::to_string(id) + ", 'origin', '长沙'), (" + std::to_string(id) +
         ", 'vaccine_doses', '02'), (" + std::to_string(id) + ", 'arrived_at', '" + arrived + "')");
}

TEST(synth_truth, Checkins_ArrivalExactlyToleranceAway_IsKnown) {
  test::TempRegistry r;
  add_known_person(r);
  add_visit(r, 1, "2022-04-10 13:00:00");
  add_visit(r, 2, "2022-04-10 13:00:01");
  const Codes codes = truth_of(r);
  EXPECT_TRUE(has(codes, "fully_redundant", 1));
  EXPECT_FALSE(has(codes, "fully_redundant", 2));
}

TEST(synth_truth, Checkins_UnknownFieldOrUnresolvedPerson_IsNotFullyRedundant) {
  test::TempRegistry r;
  add_known_person(r);
  r.exec(
      "INSERT INTO checkins (checkin_id, id_number, phone, team, checked_in_at) VALUES "
      "(1, '" +
      kAlice +
      "', NULL, 'A', '2022-04-11 10:00'),"
      "(2, NULL, '13999999999', 'A', '2022-04-11 10:00')");
  r.exec(
      "INSERT INTO checkin_fields VALUES (1, 'name', '陈丽'), (1, 'temperature', '36.5'),"
      "(2, 'name', '陈丽')");
  EXPECT_TRUE(truth_of(r).empty());
}

TEST(synth_truth, Checkins_PhotoOnly_NeedsNoFieldsAndPhotoOne) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO checkins (checkin_id, team, checked_in_at, photo) VALUES "
      "(1, 'A', '2022-04-11 10:00', 1), (2, 'A', '2022-04-11 10:00', ' 1'),"
      "(3, 'A', '2022-04-11 10:00', 0), (4, 'A', '2022-04-11 10:00', NULL),"
      "(5, 'A', '2022-04-11 10:00', '１'), (6, 'A', '2022-04-11 10:00', 1)");
  r.exec("INSERT INTO checkin_fields VALUES (6, 'origin', NULL)");
  EXPECT_EQ(truth_of(r), (Codes{{"photo_only", 1}, {"photo_only", 2}, {"photo_only", 5}}));
}

TEST(synth_truth, Checkins_RepeatVisitExactlyWindowLaterByAnotherTeam_IsFlagged) {
  test::TempRegistry r;
  r.exec(
      "INSERT INTO checkins (checkin_id, id_number, team, checked_in_at, photo) VALUES "
      "(1, '" +
      kAlice +
      "', 'A', '2022-04-01 10:00:00', 0),"
      "(2, '" +
      kAlice +
      "', 'B', '2022-04-08 10:00:00', 0),"
      "(3, '" +
      kAlice +
      "', 'C', '2022-04-08 10:00:00', 0),"
      "(4, '" +
      kAlice +
      "', ' B ', '2022-04-09 10:00:00', 0),"
      "(5, '" +
      kAlice + "', '', '2022-04-09 11:00:00', 0)");
  // 2 and 3: A is exactly W earlier. 3 is not flagged for 2 (same instant).
  // 4: B (trimmed) is the same team, but C at 04-08 differs. 5: no team.
  EXPECT_EQ(truth_of(r), (Codes{{"repeat_visit", 2}, {"repeat_visit", 3}, {"repeat_visit", 4}}));
}

TEST(synth_truth, Checkins_VaccineDoses_CountRowsBeforeTheVisit) {
  test::TempRegistry r;
  add_known_person(r);
  r.exec(
      "INSERT INTO checkins (checkin_id, id_number, team, checked_in_at) VALUES "
      "(1, '" +
      kAlice + "', 'A', '2022-04-11 10:00'), (2, '" + kAlice +
      "', 'A', '2022-04-12 10:00'), (3, '" + kAlice + "', 'A', '2022-04-12 10:01')");
  r.exec(
      "INSERT INTO checkin_fields VALUES (1, 'vaccine_doses', ' 2 '), "
      "(2, 'vaccine_doses', '3'), (3, 'vaccine_doses', '3')");
  EXPECT_EQ(truth_of(r), (Codes{{"fully_redundant", 1}, {"fully_redundant", 3}}));
}

}  // namespace
}  // namespace regaudit::synth
