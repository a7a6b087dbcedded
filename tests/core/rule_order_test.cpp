// The order in which the rules of a run start (rule_start_order): longest
// first by the rows of the tables each declares (RuleInfo::tables).

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <string>
#include <vector>

#include "audit.hpp"
#include "plugin_catalog.hpp"
#include "regaudit/schema.hpp"
#include "support/audit_harness.hpp"

namespace regaudit {
namespace {

// Rules that declare no tables start first, in their order; the others by
// their tables' rows, most first, ties in their order. Each table's rows are
// asked for once, and a table the registry lacks counts as empty.
TEST(RuleStartOrder, UndeclaredFirstThenMostRowsFirstTiesInOrder) {
  const std::map<std::string, std::int64_t> rows = {{"a", 100}, {"b", 10}, {"c", 1}};
  std::map<std::string, int> asked;
  const auto rows_of = [&](const std::string& table) -> std::int64_t {
    ++asked[table];
    const auto it = rows.find(table);
    return it == rows.end() ? 0 : it->second;
  };
  const std::vector<std::vector<std::string>> tables = {
      {"b"},       // 10
      {},          // undeclared
      {"a", "c"},  // 101
      {"c", "b"},  // 11
      {},          // undeclared
      {"b"},       // 10, after the first rule of 10
      {"none"},    // 0
  };
  EXPECT_EQ(host::rule_start_order(tables, rows_of),
            (std::vector<std::size_t>{1, 4, 2, 3, 0, 5, 6}));
  EXPECT_EQ(asked, (std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}, {"none", 1}}));
  EXPECT_TRUE(host::rule_start_order({}, rows_of).empty());
}

// Largest rowids near 2^63 (a registry may have them) add up without
// overflowing: a rule with two such tables ties with a rule with one.
TEST(RuleStartOrder, HugeRowidsSaturate) {
  const auto rows_of = [](const std::string& table) -> std::int64_t {
    return table == "small" ? 5 : std::numeric_limits<std::int64_t>::max();
  };
  const std::vector<std::vector<std::string>> tables = {
      {"small"}, {"huge", "vast"}, {"huge"}, {"small", "huge"}};
  EXPECT_EQ(host::rule_start_order(tables, rows_of), (std::vector<std::size_t>{1, 2, 3, 0}));
}

// The built-in rules declare registry tables only, and on a city's sizes
// (the 1 M city's largest rowids) checkin-redundancy, which reads the most,
// starts first and duplicate-inquiry last.
TEST(RuleStartOrder, BuiltInRulesDeclareRegistryTablesAndTheLongestStartsFirst) {
  host::PluginCatalog catalog;
  ASSERT_TRUE(catalog.load_directory(test::build_plugin_dir(), false));
  const std::vector<std::string> ids = {"hukou-mismatch", "stale-phone", "duplicate-inquiry",
                                        "checkin-redundancy"};
  std::vector<std::vector<std::string>> tables;
  for (const std::string& id : ids) {
    const host::CatalogRule* rule = catalog.find(id);
    ASSERT_NE(rule, nullptr) << id;
    const std::vector<std::string>& declared = rule->entry.info.tables;
    EXPECT_FALSE(declared.empty()) << id;
    for (const std::string& table : declared) {
      EXPECT_NE(find_table_spec(table), nullptr) << id << " declares " << table;
    }
    tables.push_back(declared);
  }
  const std::map<std::string, std::int64_t> city = {
      {"persons", 1002959},     {"person_phones", 1682968}, {"phone_subscriptions", 924231},
      {"residences", 524023},   {"inquiries", 272255},      {"self_reports", 24023},
      {"checkins", 82681},      {"checkin_fields", 338474}, {"travel_records", 48192},
      {"vaccinations", 2612599}};
  const auto order =
      host::rule_start_order(tables, [&](const std::string& table) { return city.at(table); });
  std::vector<std::string> started;
  for (const std::size_t i : order) started.push_back(ids[i]);
  EXPECT_EQ(started, (std::vector<std::string>{"checkin-redundancy", "hukou-mismatch",
                                               "stale-phone", "duplicate-inquiry"}));
}

}  // namespace
}  // namespace regaudit
