// The synthetic city generator: determinism, completeness, the planted codes
// and dirt, validity of the IDs it means to be valid, refusal to overwrite.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "regaudit/normal_forms.hpp"
#include "regaudit/schema.hpp"
#include "support/temp_registry.hpp"
#include "synth/synth.hpp"
#include "synth/truth.hpp"

namespace regaudit::synth {
namespace {

// A read-only connection with a helper for single-value queries.
class Reader {
 public:
  explicit Reader(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  }
  ~Reader() { sqlite3_close(db_); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Every row of the result, each as its values joined by '|' (type-tagged).
  std::vector<std::string> rows(const std::string& sql) const {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    std::vector<std::string> out;
    while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        row += std::to_string(sqlite3_column_type(stmt, c)) + ":";
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        if (text != nullptr) row += text;
        row += "|";
      }
      out.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::int64_t count(const std::string& sql) const {
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    std::int64_t n = -1;
    if (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return n;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string dump(const std::string& path) {
  const Reader reader(path);
  std::ostringstream out;
  std::vector<std::string> tables;
  for (const TableSpec& t : registry_schema()) tables.push_back(t.name);
  tables.push_back("_truth");
  for (const std::string& table : tables) {
    out << "== " << table << "\n";
    for (const std::string& row : reader.rows("SELECT * FROM " + table + " ORDER BY rowid")) {
      out << row << "\n";
    }
  }
  return out.str();
}

Options small_city(const std::filesystem::path& out, std::int64_t persons, std::uint64_t seed) {
  Options options;
  options.out_path = out.string();
  options.persons = persons;
  options.seed = seed;
  options.period = *AuditPeriod::parse("2022-04");
  options.months = 2;
  return options;
}

// One 3,000-person city shared by the suite.
class synth_generator : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    std::ostringstream log;
    const Status status = generate(small_city(path(), 3000, 7), log);
    ASSERT_TRUE(status.is_ok()) << status.message();
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::filesystem::path path() { return dir_->path() / "city.db"; }

  static test::TempDir* dir_;
};
test::TempDir* synth_generator::dir_ = nullptr;

TEST_F(synth_generator, EveryTableIsNonEmpty) {
  const Reader reader(path().string());
  for (const TableSpec& t : registry_schema()) {
    EXPECT_GT(reader.count("SELECT count(*) FROM " + t.name), 0) << t.name;
  }
  EXPECT_EQ(reader.count("SELECT count(*) FROM streets"), 178);
}

TEST_F(synth_generator, EveryCodeOccursInEveryMonth) {
  const Reader reader(path().string());
  const std::vector<std::string> expected = {"checkin-redundancy fully_redundant",
                                             "checkin-redundancy photo_only",
                                             "checkin-redundancy repeat_visit",
                                             "duplicate-inquiry after_conclusive_call",
                                             "duplicate-inquiry after_self_report",
                                             "hukou-mismatch invalid_id_number",
                                             "hukou-mismatch phone_holder_mismatch",
                                             "hukou-mismatch residence_elsewhere",
                                             "stale-phone deactivated",
                                             "stale-phone reassigned",
                                             "stale-phone unfixed_after_feedback"};
  for (const std::string period : {"2022-03", "2022-04"}) {
    const auto rows =
        reader.rows("SELECT rule || ' ' || code, count(*) FROM _truth WHERE period = '" + period +
                    "' GROUP BY 1 ORDER BY 1");
    ASSERT_EQ(rows.size(), expected.size()) << period;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(rows[i].substr(2, expected[i].size()), expected[i]) << period;
    }
  }
  EXPECT_EQ(reader.count("SELECT count(*) FROM _truth WHERE period NOT IN ('2022-03', '2022-04')"),
            0);
}

TEST_F(synth_generator, SubjectTablesMatchTheirRules) {
  const Reader reader(path().string());
  EXPECT_EQ(reader.count("SELECT count(*) FROM _truth WHERE NOT ("
                         "(rule = 'checkin-redundancy' AND subject_table = 'checkins') OR "
                         "(rule = 'duplicate-inquiry' AND subject_table = 'inquiries') OR "
                         "(code IN ('invalid_id_number', 'residence_elsewhere') AND "
                         " subject_table = 'persons') OR "
                         "(code IN ('phone_holder_mismatch', 'deactivated', 'reassigned', "
                         " 'unfixed_after_feedback') AND subject_table = 'person_phones'))"),
            0);
}

TEST_F(synth_generator, TruthIsWhatTheOracleComputesFromTheFile) {
  std::vector<TruthFinding> findings;
  const Status status = find_truth(
      path().string(), {*AuditPeriod::parse("2022-03"), *AuditPeriod::parse("2022-04")}, findings);
  ASSERT_TRUE(status.is_ok()) << status.message();
  const Reader reader(path().string());
  const auto rows = reader.rows(
      "SELECT period, rule, code, subject_table, subject_key FROM _truth ORDER BY rowid");
  ASSERT_EQ(rows.size(), findings.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const TruthFinding& f = findings[i];
    EXPECT_EQ(rows[i], "3:" + f.period + "|3:" + f.rule + "|3:" + f.code + "|3:" + f.subject_table +
                           "|1:" + std::to_string(f.subject_key) + "|");
  }
}

TEST_F(synth_generator, IdsMeantToBeValidAreValid) {
  const Reader reader(path().string());
  const auto rows = reader.rows("SELECT id_number, sex FROM persons");
  std::size_t valid = 0;
  for (const std::string& row : rows) {
    const std::size_t bar = row.find('|');
    const std::string raw = row.substr(2, bar - 2);
    const std::string sex = row.substr(bar + 3, row.size() - bar - 4);
    const nf::IdNumber id = nf::id_number(raw, 20220430);
    if (!id.valid) continue;
    ++valid;
    const int year = std::stoi(id.text.substr(6, 4));
    EXPECT_GE(year, 1930) << id.text;
    EXPECT_LE(year, 2020) << id.text;
    const bool male_digit = (id.text[16] - '0') % 2 == 1;
    const bool male = sex == "男" || sex == "M" || sex == "1";
    EXPECT_EQ(male_digit, male) << "sex " << sex;
    EXPECT_TRUE(id.text.starts_with("44") || id.text.starts_with("43") ||
                id.text.starts_with("45") || id.text.starts_with("36") ||
                id.text.starts_with("51") || id.text.starts_with("41") || id.text.starts_with("42"))
        << id.text;
  }
  // About 0.6 % of rows are planted invalid (mistyped, NULL or blank).
  EXPECT_GT(valid, rows.size() * 98 / 100);
  EXPECT_LT(valid, rows.size());
}

TEST_F(synth_generator, EventsCoverTheTwoMonthsEndingWithThePeriod) {
  const Reader reader(path().string());
  for (const std::string table : {"inquiries", "checkins"}) {
    const std::string column = table == "inquiries" ? "called_at" : "checked_in_at";
    const auto rows = reader.rows("SELECT " + column + " FROM " + table);
    std::map<std::string, int> per_month;
    for (const std::string& row : rows) {
      const TimeValue t = nf::time(row.substr(2, row.size() - 3));
      if (t.is_readable()) ++per_month[AuditPeriod::containing(t.instant()).label()];
    }
    EXPECT_EQ(per_month.size(), 2u) << table;
    EXPECT_GT(per_month["2022-03"], 0) << table;
    EXPECT_GT(per_month["2022-04"], 0) << table;
  }
}

TEST_F(synth_generator, PlantsTheDirtOfMergedRegistries) {
  const Reader reader(path().string());
  const std::map<std::string, std::string> probes = {
      {"15-digit ID", "SELECT count(*) FROM persons WHERE length(id_number) = 15"},
      {"lower-case x", "SELECT count(*) FROM person_phones WHERE id_number GLOB '*x'"},
      {"full-width ID", "SELECT count(*) FROM persons WHERE id_number LIKE '%４%'"},
      {"+86 phone", "SELECT count(*) FROM person_phones WHERE phone LIKE '+86%'"},
      {"0086 phone", "SELECT count(*) FROM person_phones WHERE phone LIKE '0086%'"},
      {"86 phone", "SELECT count(*) FROM person_phones WHERE phone GLOB '86[0-9]*'"},
      {"dashed phone", "SELECT count(*) FROM person_phones WHERE phone GLOB '1*-*'"},
      {"landline", "SELECT count(*) FROM person_phones WHERE phone LIKE '020%'"},
      {"Traditional name", "SELECT count(*) FROM persons WHERE name GLOB '*[張劉陳楊黃]*'"},
      {"middle dot", "SELECT count(*) FROM persons WHERE name LIKE '%·%'"},
      {"T time", "SELECT count(*) FROM inquiries WHERE called_at GLOB '*-*T*'"},
      {"slash time", "SELECT count(*) FROM person_phones WHERE recorded_at GLOB '*/*'"},
      {"compact time",
       "SELECT count(*) FROM person_phones WHERE recorded_at GLOB '[0-9]*' AND "
       "length(recorded_at) = 14"},
      {"Chinese time", "SELECT count(*) FROM person_phones WHERE recorded_at LIKE '%年%'"},
      {"padded street", "SELECT count(*) FROM persons WHERE hukou_street LIKE '% '"},
      {"mixed-case enum", "SELECT count(*) FROM inquiries WHERE outcome GLOB '*[A-Z]*'"},
      {"blank id", "SELECT count(*) FROM person_phones WHERE trim(id_number) = ''"},
      {"NULL owner", "SELECT count(*) FROM phone_subscriptions WHERE owner_id_number IS NULL"},
      {"text photo", "SELECT count(*) FROM checkins WHERE typeof(photo) = 'text'"},
      {"other field", "SELECT count(*) FROM checkin_fields WHERE lower(field) = 'health_code'"},
  };
  for (const auto& [what, sql] : probes) EXPECT_GT(reader.count(sql), 0) << what;
  // Every field SPEC names is collected somewhere.
  for (const std::string field :
       {"id_number", "name", "phone", "vehicle_no", "arrived_at", "origin", "vaccine_doses"}) {
    EXPECT_GT(reader.count("SELECT count(*) FROM checkin_fields WHERE lower(trim(field)) = '" +
                           field + "'"),
              0)
        << field;
  }
}

TEST(synth_generator_run, SameArguments_GiveIdenticalContent) {
  test::TempDir dir;
  std::ostringstream log;
  ASSERT_TRUE(generate(small_city(dir.path() / "a.db", 1500, 42), log).is_ok());
  ASSERT_TRUE(generate(small_city(dir.path() / "b.db", 1500, 42), log).is_ok());
  ASSERT_TRUE(generate(small_city(dir.path() / "c.db", 1500, 43), log).is_ok());
  const std::string a = dump((dir.path() / "a.db").string());
  EXPECT_EQ(a, dump((dir.path() / "b.db").string()));
  EXPECT_NE(a, dump((dir.path() / "c.db").string()));
}

TEST(synth_generator_run, ExistingFile_IsRefusedAndLeftUnchanged) {
  test::TempDir dir;
  const auto out = dir.path() / "taken.db";
  { std::ofstream(out) << "keep me"; }
  std::ostringstream log;
  const Status status = generate(small_city(out, 1000, 1), log);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find(out.string()), std::string::npos) << status.message();
  EXPECT_EQ(test::read_file(out), "keep me");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(synth_generator_run, FailedRun_LeavesNoFile) {
  test::TempDir dir;
  const auto out = dir.path() / "missing-dir" / "city.db";
  std::ostringstream log;
  EXPECT_FALSE(generate(small_city(out, 1000, 1), log).is_ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "missing-dir"));
}

TEST(synth_generator_run, MonthsOption_CoversThatManyPeriods) {
  test::TempDir dir;
  Options options = small_city(dir.path() / "k3.db", 1000, 5);
  options.months = 3;
  options.period = *AuditPeriod::parse("2022-01");
  std::ostringstream log;
  ASSERT_TRUE(generate(options, log).is_ok());
  const Reader reader(options.out_path);
  EXPECT_EQ(reader.rows("SELECT DISTINCT period FROM _truth ORDER BY 1"),
            (std::vector<std::string>{"3:2021-11|", "3:2021-12|", "3:2022-01|"}));
  EXPECT_EQ(covered_periods(options).front().label(), "2021-11");
}

TEST(synth_generator_run, BadOptions_AreRefused) {
  test::TempDir dir;
  std::ostringstream log;
  Options options = small_city(dir.path() / "x.db", 0, 1);
  EXPECT_FALSE(generate(options, log).is_ok());
  options.persons = 10;
  options.months = 0;
  EXPECT_FALSE(generate(options, log).is_ok());
  EXPECT_FALSE(std::filesystem::exists(options.out_path));
}

}  // namespace
}  // namespace regaudit::synth
