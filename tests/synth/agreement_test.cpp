// The rule plugins and the generator's _truth oracle are two independent
// implementations of SPEC section 4; on generated cities they must agree row
// for row, for every code, in every generated month.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"
#include "synth/synth.hpp"

namespace regaudit::test {
namespace {

using Key = std::tuple<std::string, std::string, std::string, std::int64_t>;

std::set<Key> truth_of(const std::string& db_path, const std::string& period) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT rule, code, subject_table, subject_key FROM _truth WHERE period = ?1",
                     -1, &stmt, nullptr);
  sqlite3_bind_text(stmt, 1, period.c_str(), -1, SQLITE_TRANSIENT);
  std::set<Key> keys;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const auto text = [&](int c) {
      return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c)));
    };
    keys.emplace(text(0), text(1), text(2), sqlite3_column_int64(stmt, 3));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return keys;
}

std::string describe(const std::set<Key>& keys) {
  std::map<std::string, int> per_code;
  for (const auto& [rule, code, table, key] : keys) ++per_code[rule + "/" + code];
  std::ostringstream out;
  for (const auto& [code, n] : per_code) out << "  " << code << ": " << n << "\n";
  int shown = 0;
  for (const auto& [rule, code, table, key] : keys) {
    if (++shown > 10) break;
    out << "  e.g. " << code << " " << table << "#" << key << "\n";
  }
  return out.str();
}

struct City {
  std::int64_t persons;
  std::uint64_t seed;
};

class Agreement : public ::testing::TestWithParam<City> {};

TEST_P(Agreement, PluginsEqualTruthRowForRowInEveryMonth) {
  const City city = GetParam();
  TempDir dir;
  synth::Options options;
  options.out_path = (dir.path() / "city.db").string();
  options.persons = city.persons;
  options.seed = city.seed;
  options.period = *AuditPeriod::parse("2022-04");
  options.months = 2;
  std::ostringstream log;
  ASSERT_TRUE(synth::generate(options, log)) << log.str();

  for (const AuditPeriod& period : synth::covered_periods(options)) {
    const auto result = audit(options.out_path, period.label(),
                              {{"hukou-mismatch", {}},
                               {"stale-phone", {}},
                               {"duplicate-inquiry", {}},
                               {"checkin-redundancy", {}}});
    std::set<Key> found;
    for (const host::ReportedFinding& rf : result.findings) {
      const Finding& f = rf.finding;
      found.emplace(f.rule_id, f.code, f.subject_table, f.subject_key);
    }
    const std::set<Key> truth = truth_of(options.out_path, period.label());
    std::set<Key> only_plugins;
    std::set<Key> only_truth;
    std::set_difference(found.begin(), found.end(), truth.begin(), truth.end(),
                        std::inserter(only_plugins, only_plugins.end()));
    std::set_difference(truth.begin(), truth.end(), found.begin(), found.end(),
                        std::inserter(only_truth, only_truth.end()));
    EXPECT_TRUE(only_plugins.empty()) << period.label() << " found by the plugins only:\n"
                                      << describe(only_plugins);
    EXPECT_TRUE(only_truth.empty()) << period.label() << " in _truth only:\n"
                                    << describe(only_truth);
    // Every one of the eleven codes occurs, so agreement is not vacuous.
    std::set<std::string> codes;
    for (const auto& [rule, code, table, key] : truth) codes.insert(code);
    EXPECT_EQ(codes.size(), 11u) << period.label();
  }
}

INSTANTIATE_TEST_SUITE_P(GeneratedCities, Agreement,
                         ::testing::Values(City{3000, 1}, City{20000, 7}, City{50000, 99},
                                           City{200000, 2022}),
                         [](const ::testing::TestParamInfo<City>& param_info) {
                           return "persons" + std::to_string(param_info.param.persons) + "_seed" +
                                  std::to_string(param_info.param.seed);
                         });

}  // namespace
}  // namespace regaudit::test
