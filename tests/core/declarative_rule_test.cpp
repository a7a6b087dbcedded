// Declarative rules: the shipped examples find what they say, parameters are
// bound, and SQL that tries anything but reading is refused while the
// registry stays byte-identical.

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "declarative_rule.hpp"
#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::test {
namespace {

std::string regaudit(const std::string& args) {
  return "'" + regaudit_binary().string() + "' " + args;
}

std::string write_rule(const TempRegistry& db, const std::string& name, const std::string& sql,
                       const std::string& extra = "") {
  const auto dir = db.dir() / ("rules-" + name);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / (name + ".xml"))
      << "<rule id=\"" << name << "\" version=\"1\" subject-table=\"persons\">"
      << "<code name=\"hit\" severity=\"low\">a hit</code>" << extra << "<sql><![CDATA[" << sql
      << "]]></sql></rule>";
  return dir.string();
}

struct RunOutput {
  int exit_code;
  std::string log;
  std::string xml;
};

// Runs only the rules in `rule_dir` (an empty profile selects no built-in rule).
RunOutput run_with(const TempRegistry& db, const std::string& rule_dir,
                   const std::string& period = "2022-04") {
  const auto profile = db.dir() / "empty-profile.xml";
  std::ofstream(profile) << "<profile name=\"empty\"/>";
  const auto out = db.dir() / "out";
  std::filesystem::remove_all(out);
  RunOutput r;
  r.exit_code = run_command(
      regaudit("run --db '" + db.path() + "' --period " + period + " --out '" + out.string() +
               "' --plugin-dir '" + rule_dir + "' --profile '" + profile.string() + "'"),
      &r.log);
  if (std::filesystem::exists(out / "report.xml")) r.xml = read_file(out / "report.xml");
  return r;
}

TEST(DeclarativeRule, FindsRowsBindsParametersAndMasksMessages) {
  TempRegistry db;
  db.exec(R"(INSERT INTO persons (person_id, id_number, name, hukou_street) VALUES
    (1, '11010519491231002X', '张三', '440104001'), (2, '440104199001011234', '李四', '440104002'))");
  const std::string dir = write_rule(
      db, "street-one",
      "SELECT person_id AS subject_key, ra_street(hukou_street) AS street, :minutes AS "
      "cost_minutes, 'person ' || id_number || ' in ' || :period AS message, 'persons:' || "
      "person_id AS evidence, ra_id(id_number) AS identity FROM persons WHERE hukou_street = "
      ":street",
      "<param name=\"street\" type=\"text\" default=\"440104001\"/>"
      "<param name=\"minutes\" type=\"real\" default=\"1.5\"/>");
  const RunOutput r = run_with(db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.log;
  EXPECT_NE(r.xml.find("<subject table=\"persons\" key=\"1\" />"), std::string::npos) << r.xml;
  EXPECT_EQ(r.xml.find("key=\"2\""), std::string::npos);
  EXPECT_NE(r.xml.find("<cost minutes=\"1.5\" />"), std::string::npos);
  EXPECT_NE(r.xml.find("person 1101**********002X in 2022-04"), std::string::npos) << r.xml;
  EXPECT_EQ(r.xml.find("11010519491231002X"), std::string::npos);
  EXPECT_EQ(xsd_errors(db.dir() / "out" / "report.xml"), "");
}

// The last month a period can be: its end, in year 10000, is still bound as a
// time after every time of 9999-12-31 when SQL compares them as text.
TEST(DeclarativeRule, TheEndOfTheLastMonthSortsAfterItsTimes) {
  TempRegistry db;
  db.exec("INSERT INTO persons (person_id, id_number) VALUES (1, '11010519491231002X')");
  const std::string dir =
      write_rule(db, "last-month",
                 "SELECT person_id AS subject_key, 'x' AS message FROM persons "
                 "WHERE :as_of > '9999-12-31 23:59:59' AND :period_end = :as_of "
                 "AND :period_start = '9999-12-01 00:00:00'");
  const RunOutput r = run_with(db, dir, "9999-12");
  ASSERT_EQ(r.exit_code, 0) << r.log;
  EXPECT_NE(r.xml.find("<subject table=\"persons\" key=\"1\" />"), std::string::npos) << r.xml;
}

// Whatever order a rule emits in, the report lists its findings by (table,
// key, code): here keys descending, and the codes first met out of their
// name order.
TEST(DeclarativeRule, FindingsAreReportedInKeyAndCodeOrderWhateverTheEmissionOrder) {
  TempRegistry db;
  db.exec(R"(INSERT INTO persons (person_id, id_number, hukou_street) VALUES
    (1, '11010519491231002X', '440104001'), (2, '11010519491231002X', '440104001'),
    (3, '11010519491231002X', '440104001'))");
  const std::string dir = write_rule(
      db, "unsorted",
      "SELECT person_id AS subject_key, c.code AS code FROM persons, (SELECT 'zeta' AS code "
      "UNION ALL SELECT 'alpha') AS c ORDER BY person_id DESC, c.code DESC",
      "<code name=\"zeta\" severity=\"low\">z</code><code name=\"alpha\" "
      "severity=\"low\">a</code>");
  const RunOutput r = run_with(db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.log;
  std::vector<std::string> order;
  for (std::size_t at = r.xml.find("<finding "); at != std::string::npos;
       at = r.xml.find("<finding ", at + 1)) {
    const auto code = r.xml.find("code=\"", at) + 6;
    const auto key = r.xml.find("key=\"", at) + 5;
    order.push_back(r.xml.substr(key, r.xml.find('"', key) - key) + ":" +
                    r.xml.substr(code, r.xml.find('"', code) - code));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"1:alpha", "1:zeta", "2:alpha", "2:zeta", "3:alpha",
                                             "3:zeta"}));
}

// ra_count gives the count's decimal digits exactly, however many (SPEC
// section 2: any run of ASCII digits is a count), and NULL for anything else.
TEST(DeclarativeRule, CountOfAnyNumberOfDigitsIsExact) {
  TempRegistry db;
  db.exec(R"(INSERT INTO persons (person_id, name, hukou_street) VALUES
    (1, ' 000123456789012345678901234567890 ', '1'), (2, '0042', '1'), (3, '4 2', '1'),
    (4, '9223372036854775808', '1'))");
  const std::string dir = write_rule(
      db, "counts",
      "SELECT person_id AS subject_key FROM persons WHERE ra_count(name) IN "
      "('123456789012345678901234567890', '42', '9223372036854775808') OR (person_id = 3 AND "
      "ra_count(name) IS NULL)");
  const RunOutput r = run_with(db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.log;
  for (const char* key : {"1", "2", "3", "4"}) {
    EXPECT_NE(r.xml.find(std::string("<subject table=\"persons\" key=\"") + key + "\" />"),
              std::string::npos)
        << key << r.xml;
  }
}

TEST(DeclarativeRule, ParameterValueInjectionIsBoundNotPasted) {
  TempRegistry db;
  db.exec("INSERT INTO persons (person_id, hukou_street) VALUES (1, '440104001')");
  const std::string dir = write_rule(
      db, "bound", "SELECT person_id AS subject_key FROM persons WHERE hukou_street = :street",
      "<param name=\"street\" type=\"text\" default=\"x' OR '1'='1\"/>");
  const RunOutput r = run_with(db, dir);
  ASSERT_EQ(r.exit_code, 0) << r.log;
  EXPECT_EQ(r.xml.find("<finding "), std::string::npos) << r.xml;
}

class Refusal : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(Refusal, IsAFailedRuleWithAClearReasonAndTheRegistryIsUntouched) {
  TempRegistry db;
  db.exec("INSERT INTO persons (person_id) VALUES (1)");
  const std::string before = read_file(db.path());
  const auto [sql, reason] = GetParam();
  const RunOutput r = run_with(db, write_rule(db, "hostile", sql));
  EXPECT_EQ(r.exit_code, 3) << r.log;
  EXPECT_NE(r.log.find(reason), std::string::npos) << r.log;
  EXPECT_NE(r.xml.find("id=\"hostile\" version=\"1\" status=\"failed\""), std::string::npos);
  EXPECT_EQ(read_file(db.path()), before);
  EXPECT_FALSE(std::filesystem::exists(db.dir() / "evil.db"));
}

INSTANTIATE_TEST_SUITE_P(
    DeclarativeRule, Refusal,
    ::testing::Values(
        std::pair{"ATTACH DATABASE 'evil.db' AS evil", "ATTACH is not permitted"},
        std::pair{"INSERT INTO persons (person_id) VALUES (2) RETURNING person_id AS subject_key",
                  "INSERT is not permitted"},
        std::pair{"DELETE FROM persons RETURNING person_id AS subject_key",
                  "DELETE is not permitted"},
        std::pair{"PRAGMA writable_schema = 1", "PRAGMA writable_schema = 1 is not permitted"},
        std::pair{"PRAGMA journal_mode = DELETE", "PRAGMA journal_mode = DELETE is not permitted"},
        std::pair{"SELECT load_extension('x') AS subject_key", "load_extension() is not permitted"},
        std::pair{"SELECT readfile('/etc/passwd') AS subject_key", "readfile"},
        std::pair{"CREATE TABLE x (a)", "not permitted"},
        std::pair{"SELECT person_id AS subject_key FROM persons WHERE id_number = :undeclared",
                  "neither a declared <param>"},
        std::pair{"SELECT 1 AS other", "must return a column named subject_key"}));

TEST(DeclarativeRule, BadDefinitionIsRefusedAtLoadNamingTheFile) {
  TempDir dir;
  std::ofstream(dir.path() / "broken.xml")
      << "<rule id=\"Bad_Id\" version=\"1\" subject-table=\"persons\"><code name=\"x\"/>"
         "<sql>SELECT 1</sql></rule>";
  std::string out;
  EXPECT_EQ(run_command(regaudit("rules --plugin-dir '" + dir.path().string() + "'"), &out), 2);
  EXPECT_NE(out.find("broken.xml refused"), std::string::npos) << out;
  EXPECT_NE(out.find("Bad_Id"), std::string::npos) << out;
}

TEST(ShippedDeclarativeRules, MisroutedAssignmentAndDeadNumber) {
  TempRegistry db;
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, hukou_street) VALUES
      (1, '11010519491231002X', '440104001'),
      (2, '440104199001011234', '440104002');
    INSERT INTO residences (residence_id, id_number, street, valid_from, valid_to) VALUES
      (1, '440104199001011234', '440104003', '2021-01-01', NULL);
    INSERT INTO phone_subscriptions VALUES
      (1, '13800138000', 'x', NULL, NULL, '2020-01-01', '2022-03-01'),
      (2, '13900139000', 'y', NULL, NULL, '2020-01-01', NULL);
    INSERT INTO assignments (assignment_id, list_id, category, issued_at, phone, id_number, assigned_street) VALUES
      (1, 'L1', 'transport_return', '2022-04-02 08:00', '13900139000', '11010519491231002X', '440104009'),
      (2, 'L1', 'transport_return', '2022-04-02 08:00', '13900139000', '11010519491231002X', '440104001'),
      (3, 'L1', 'transport_return', '2022-04-02 08:00', '13900139000', '440104199001011234', '440104003'),
      (4, 'L2', 'roaming_spillover', '2022-04-05', '+86 138 0013 8000', NULL, '440104001'),
      (5, 'L0', 'roaming_spillover', '2022-02-05', '13800138000', NULL, '440104001');
  )");
  const auto result =
      audit(db.path(), "2022-04", {{"misrouted-assignment", {}}, {"dead-number-assigned", {}}});
  EXPECT_EQ(finding_keys(result, "misrouted-assignment"),
            (std::vector<std::string>{"misrouted:assignments:1"}));
  EXPECT_EQ(finding_keys(result, "dead-number-assigned"),
            (std::vector<std::string>{"dead_number:assignments:4"}));
}

TEST(MaskingSafetyNet, IdentitiesInsideFreeTextAreMasked) {
  EXPECT_EQ(host::mask_identities_in_text("id 11010519491231002X tel 13800138000 street 440104001"),
            "id 1101**********002X tel 138****8000 street 440104001");
  EXPECT_EQ(host::mask_identities_in_text("landline 02083334444, 2022-04-03"),
            "landline 020****4444, 2022-04-03");
}

}  // namespace
}  // namespace regaudit::test
