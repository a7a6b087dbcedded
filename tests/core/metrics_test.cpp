// The headline metrics of SPEC section 5, on a registry small enough to
// count by hand: triple_match_rate, redundant_call_share,
// redundant_checkin_share and wasted_staff_hours, overall and per street.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "metrics.hpp"
#include "regaudit/normal_forms.hpp"
#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::test {
namespace {

// A valid ID number: 17 digits (birth date 1980-01-0N) and its check
// character.
std::string valid_id(int n) {
  const std::string body = "44010419800101" + std::to_string(100 + n);
  return body + nf::id_check_character(body);
}

const host::Metric& metric(const std::vector<host::Metric>& metrics, const std::string& name) {
  for (const host::Metric& m : metrics) {
    if (m.name == name) return m;
  }
  throw std::runtime_error("no metric " + name);
}

const host::Metric& street_metric(const host::AuditResult& r, const std::string& street,
                                  const std::string& name) {
  for (const host::StreetMetrics& sm : r.street_metrics) {
    if (sm.street == street) return metric(sm.metrics, name);
  }
  throw std::runtime_error("no street " + street);
}

void expect_ratio(const host::Metric& m, double numerator, double denominator) {
  EXPECT_EQ(m.numerator, numerator) << m.name;
  EXPECT_EQ(m.denominator, denominator) << m.name;
}

class Metrics : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string a = valid_id(1), b = valid_id(2), c = valid_id(3), d = valid_id(4),
                      e = valid_id(5), f = valid_id(6), g = valid_id(7);
    db_.exec(
        "INSERT INTO persons (person_id, id_number, name, hukou_street) VALUES"
        " (1, '" +
        a +
        "', '甲', '440104001'),"  // linked, nothing wrong: matched
        " (2, '" +
        b +
        "', '乙', '440104001'),"  // phone used under another's name
        " (3, '" +
        c +
        "', '丙', '440104002'),"  // dead number
        " (4, '" +
        d +
        "', '丁', '440104002'),"  // lives in another street
        " (5, '" +
        e +
        "', '戊', '440104002'),"                  // no phone link: not counted
        " (6, '4401041980', '己', '440104001'),"  // invalid ID: not counted
        " (7, '" +
        f +
        "', '庚', '440104002');"  // only unfixed feedback: matched
        "INSERT INTO residences (residence_id, id_number, street, source, valid_from) VALUES"
        " (1, '" +
        d +
        "', '440104001', 'rental', '2021-01-01');"
        "INSERT INTO person_phones VALUES"
        " (1, '" +
        a +
        "', '13800000001', 'hukou', '2021-01-01'),"
        " (2, '" +
        b +
        "', '13800000002', 'hukou', '2021-01-01'),"
        " (3, '" +
        c +
        "', '13800000003', 'hukou', '2021-01-01'),"
        " (4, '" +
        d +
        "', '13800000004', 'hukou', '2021-01-01'),"
        " (5, '4401041980', '13800000006', 'hukou', '2021-01-01'),"
        " (6, '" +
        f +
        "', '13800000005', 'hukou', '2021-01-01');"
        "INSERT INTO phone_subscriptions (subscription_id, phone, owner_id_number, activated_at,"
        " deactivated_at) VALUES"
        " (1, '13800000001', '" +
        a +
        "', '2020-01-01', NULL),"
        " (2, '13800000002', '" +
        g +
        "', '2020-01-01', NULL),"
        " (3, '13800000003', '" +
        c +
        "', '2020-01-01', '2022-01-01'),"
        " (4, '13800000004', '" +
        d +
        "', '2020-01-01', NULL),"
        " (5, '13800000005', '" +
        f +
        "', '2020-01-01', NULL);"
        // Calls in April: one after a conclusive call and a self-report of the
        // same person (two findings, one subject), three without.
        "INSERT INTO inquiries (inquiry_id, phone, id_number, street, called_at, duration_s,"
        " outcome) VALUES"
        " (1, '13800000001', '" +
        a +
        "', '440104001', '2022-04-03 09:00', 60, 'confirmed_local'),"
        " (2, '13800000001', '" +
        a +
        "', '440104001', '2022-04-05 10:00', 30, 'no_answer'),"
        " (3, '13800000002', '" +
        b +
        "', '440104002', '2022-04-10 10:00', 45, 'no_answer'),"
        " (4, '13800000005', NULL, '440104002', '2022-04-02 10:00', 20, 'empty_number'),"
        " (5, '13800000001', '" +
        a +
        "', '440104001', '2022-03-20 10:00', 20, 'confirmed_local');"
        "INSERT INTO self_reports (report_id, id_number, phone, reported_at) VALUES"
        " (1, '" +
        a +
        "', '13800000001', '2022-04-04 08:00');"
        // Check-ins in April: a photo only (2 staff for 30 minutes), and one
        // that wrote down something no registry holds.
        "INSERT INTO checkins (checkin_id, id_number, street, kind, team, team_size,"
        " checked_in_at, duration_min, photo) VALUES"
        " (1, '" +
        a +
        "', '440104001', 'home_visit', 'T1', 2, '2022-04-06 10:00', 30, 1),"
        " (2, '" +
        b +
        "', '440104002', 'home_visit', 'T2', 1, '2022-04-06 11:00', 10, 0);"
        "INSERT INTO checkin_fields VALUES (2, 'remark', 'all well');");
  }

  host::AuditResult run() {
    return audit(db_.path(), "2022-04",
                 {{"hukou-mismatch", {}},
                  {"stale-phone", {}},
                  {"duplicate-inquiry", {}},
                  {"checkin-redundancy", {}}});
  }

  TempRegistry db_;
};

TEST_F(Metrics, TripleMatchRateCountsValidLinkedPersonsWithoutABadLinkOrResidence) {
  const host::AuditResult r = run();
  // Eligible: persons 1, 2, 3, 4, 7 (5 has no link, 6 an invalid ID).
  // Matched: 1, and 7 (unfixed feedback does not count against it).
  expect_ratio(metric(r.metrics, host::kTripleMatchRate), 2, 5);
  EXPECT_DOUBLE_EQ(*metric(r.metrics, host::kTripleMatchRate).value(), 0.4);
  expect_ratio(street_metric(r, "440104001", host::kTripleMatchRate), 1, 2);
  expect_ratio(street_metric(r, "440104002", host::kTripleMatchRate), 1, 3);
}

TEST_F(Metrics, SharesCountEventsInThePeriodByTheirOwnStreet) {
  const host::AuditResult r = run();
  const host::Metric& calls = metric(r.metrics, host::kRedundantCallShare);
  EXPECT_EQ(calls.numerator, 1);    // call 2
  EXPECT_EQ(calls.denominator, 4);  // calls 1-4; call 5 is in March, 14 days before call 1
  EXPECT_EQ(street_metric(r, "440104001", host::kRedundantCallShare).denominator, 2);
  EXPECT_EQ(street_metric(r, "440104002", host::kRedundantCallShare).numerator, 0);
  const host::Metric& checkins = metric(r.metrics, host::kRedundantCheckinShare);
  EXPECT_EQ(checkins.numerator, 1);  // the photo only
  EXPECT_EQ(checkins.denominator, 2);
  EXPECT_EQ(street_metric(r, "440104001", host::kRedundantCheckinShare).numerator, 1);
  EXPECT_EQ(street_metric(r, "440104002", host::kRedundantCheckinShare).numerator, 0);
}

TEST_F(Metrics, WastedStaffHoursCountEachSubjectOnceAtItsLargestCost) {
  const host::AuditResult r = run();
  // Call 2 has two findings of 30/60 + 2 = 2.5 minutes each: counted once.
  // The photo-only check-in: 30 minutes x 2 staff.
  const host::Metric& hours = metric(r.metrics, host::kWastedStaffHours);
  EXPECT_FALSE(hours.is_share);
  EXPECT_DOUBLE_EQ(*hours.value(), (2.5 + 60.0) / 60.0);
  EXPECT_DOUBLE_EQ(*street_metric(r, "440104001", host::kWastedStaffHours).value(),
                   (2.5 + 60.0) / 60.0);
}

TEST_F(Metrics, TripleMatchCountsEachPersonRowOfAnIdAndAnyBadLinkOfItSpoilsThem) {
  // Two persons rows with one ID (8 and 9), linked twice: by a number its
  // holder subscribes and by one subscribed under another ID.
  const std::string h = valid_id(8), g = valid_id(7);
  db_.exec(
      "INSERT INTO persons (person_id, id_number, name, hukou_street) VALUES"
      " (8, '" +
      h + "', '辛', '440104001'), (9, '" + h +
      "', '辛', '440104001');"
      "INSERT INTO person_phones VALUES"
      " (7, '" +
      h +
      "', '13800000007', 'hukou', '2021-01-01'),"
      " (8, '" +
      h +
      "', '13800000008', 'hukou', '2021-01-01');"
      "INSERT INTO phone_subscriptions (subscription_id, phone, owner_id_number,"
      " activated_at, deactivated_at) VALUES"
      " (7, '13800000007', '" +
      h +
      "', '2020-01-01', NULL),"
      " (8, '13800000008', '" +
      g + "', '2020-01-01', NULL);");
  const host::AuditResult r = run();
  // Eligible: persons 1, 2, 3, 4, 7, 8, 9; matched: 1 and 7.
  expect_ratio(metric(r.metrics, host::kTripleMatchRate), 2, 7);
  expect_ratio(street_metric(r, "440104001", host::kTripleMatchRate), 1, 4);
}

// The metrics do not depend on where the rules ran: in the process or in
// child processes, the summary and the row counts are the same, and rows the
// rules leave out (a link recorded at no readable time, one with no phone)
// still count.
TEST_F(Metrics, RulesRunIsolatedGiveTheSameSummary) {
  db_.exec(
      "INSERT INTO person_phones VALUES"
      " (9, '" +
      valid_id(5) +
      "', '13800000009', 'hukou', 'someday'),"
      " (10, '" +
      valid_id(5) + "', NULL, 'hukou', '2021-01-01');");
  const auto summary = [&](const std::string& isolate) {
    const auto out = db_.dir() / ("out-" + isolate);
    std::string output;
    EXPECT_EQ(run_command("SOURCE_DATE_EPOCH=1 '" + regaudit_binary().string() + "' run -q --db '" +
                              db_.path() + "' --period 2022-04 --isolate " + isolate + " --out '" +
                              out.string() + "'",
                          &output),
              0)
        << output;
    const std::string xml = read_file(out / "report.xml");
    const auto from = xml.find("<input ");
    const auto to = xml.find("</summary>");
    EXPECT_NE(to, std::string::npos);
    return xml.substr(from, to - from);  // rules' seconds are 0 under SOURCE_DATE_EPOCH
  };
  const std::string in_process = summary("never");
  EXPECT_EQ(summary("always"), in_process);
  // Person 5 now has links (both left out by the rules) and nothing wrong.
  EXPECT_NE(in_process.find("<table name=\"person_phones\" rows=\"8\" />"), std::string::npos)
      << in_process;
  EXPECT_NE(in_process.find("name=\"triple_match_rate\" value=\"0.5\" numerator=\"3\" "
                            "denominator=\"6\""),
            std::string::npos)
      << in_process;
}

// Wasted hours straight from findings: a subject found by several rules
// counts once, at its first largest cost and that finding's street, whether
// the findings come in a few sorted runs (one per rule, as the host sorts
// them) or in no order at all.
TEST(MetricsFromFindings, WastedHoursTakeEachSubjectOnceInAnyOrderOfFindings) {
  std::vector<host::ReportedFinding> findings;
  for (int rule = 0; rule < 3; ++rule) {
    for (int key = 0; key < 200; key += 1 + rule) {
      host::ReportedFinding rf;
      rf.finding.rule_id = "rule-" + std::to_string(rule);
      rf.finding.code = "code";
      rf.finding.subject_table = key % 5 == 0 ? "inquiries" : "checkins";
      rf.finding.subject_key = key;
      rf.finding.cost_minutes = (key * 7 + rule * 13) % 11;
      rf.finding.street = "44010400" + std::to_string((key + rule) % 3);
      findings.push_back(std::move(rf));
    }
  }
  const auto expected = [](const std::vector<host::ReportedFinding>& in) {
    // Per (table, key) in findings order: the first largest cost's street.
    std::map<std::pair<std::string, std::int64_t>, std::pair<double, std::string>> largest;
    for (const host::ReportedFinding& rf : in) {
      auto& [cost, street] = largest[{rf.finding.subject_table, rf.finding.subject_key}];
      if (rf.finding.cost_minutes > cost) {
        cost = rf.finding.cost_minutes;
        street = rf.finding.street;
      }
    }
    std::map<std::string, double> hours;
    for (const auto& [subject, cost_street] : largest) {
      if (cost_street.first <= 0) continue;
      hours[cost_street.second] += cost_street.first / 60.0;
      hours[""] += cost_street.first / 60.0;
    }
    return hours;
  };
  const auto computed = [](std::vector<host::ReportedFinding> in) {
    host::AuditResult r;
    r.findings = std::move(in);
    host::compute_metrics({}, r, 1);
    std::map<std::string, double> hours;
    hours[""] = *metric(r.metrics, host::kWastedStaffHours).value();
    for (const host::StreetMetrics& sm : r.street_metrics) {
      hours[sm.street] = *metric(sm.metrics, host::kWastedStaffHours).value();
    }
    return hours;
  };
  // As the host orders them: by rule, then table, then key.
  std::stable_sort(findings.begin(), findings.end(), [](const auto& a, const auto& b) {
    return std::tie(a.finding.rule_id, a.finding.subject_table, a.finding.subject_key) <
           std::tie(b.finding.rule_id, b.finding.subject_table, b.finding.subject_key);
  });
  const auto agree = [&](const char* order) {
    const auto want = expected(findings);
    ASSERT_EQ(want.size(), 4u) << order;  // three streets and the whole city
    const auto got = computed(findings);
    ASSERT_EQ(got.size(), want.size()) << order;
    for (const auto& [street, hours] : want) EXPECT_DOUBLE_EQ(got.at(street), hours) << order;
  };
  agree("sorted by rule");
  std::mt19937 random(2022);
  std::shuffle(findings.begin(), findings.end(), random);
  agree("shuffled: hundreds of runs");
}

}  // namespace
}  // namespace regaudit::test
