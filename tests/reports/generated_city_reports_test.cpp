// Reports of a generated city over two consecutive months: baseline marking,
// and no identity of the registry anywhere in either report unless revealed.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <regex>
#include <set>
#include <sstream>

#include "regaudit/normal_forms.hpp"
#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"
#include "synth/synth.hpp"

namespace regaudit::test {
namespace {

class GeneratedCityReports : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new TempDir();
    synth::Options options;
    options.out_path = (dir->path() / "city.db").string();
    options.persons = 3000;
    options.seed = 5;
    options.period = *AuditPeriod::parse("2022-04");
    std::ostringstream log;
    ASSERT_TRUE(synth::generate(options, log)) << log.str();
    db = options.out_path;
    run("2022-03", "march", "");
    run("2022-04", "april", "--baseline '" + (dir->path() / "march" / "report.xml").string() + "'");
  }
  static void TearDownTestSuite() { delete dir; }

  static void run(const std::string& period, const std::string& name, const std::string& extra) {
    std::string output;
    ASSERT_EQ(
        run_command("'" + regaudit_binary().string() + "' run -q --db '" + db + "' --period " +
                        period + " --out '" + (dir->path() / name).string() + "' " + extra,
                    &output),
        0)
        << output;
  }
  static std::string report(const std::string& name, const std::string& file) {
    return read_file(dir->path() / name / file);
  }

  static TempDir* dir;
  static std::string db;
};

TempDir* GeneratedCityReports::dir = nullptr;
std::string GeneratedCityReports::db;

std::set<std::string> fingerprints(const std::string& xml, const std::string& marker) {
  std::set<std::string> out;
  const std::regex re("<finding [^>]*fingerprint=\"([0-9a-f]{32})\"" + marker);
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), re); it != std::sregex_iterator();
       ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

TEST_F(GeneratedCityReports, BaselineMarksEveryFindingAndListsTheResolvedOnes) {
  const std::string march = report("march", "report.xml");
  const std::string april = report("april", "report.xml");
  EXPECT_EQ(xsd_errors(dir->path() / "april" / "report.xml"), "");
  const auto before = fingerprints(march, "");
  const auto fresh = fingerprints(april, " baseline=\"new\"");
  const auto unchanged = fingerprints(april, " baseline=\"unchanged\"");
  const auto all_april = fingerprints(april, "");
  EXPECT_FALSE(fresh.empty());
  EXPECT_FALSE(unchanged.empty());
  EXPECT_EQ(fresh.size() + unchanged.size(), all_april.size()) << "a finding is unmarked";
  for (const auto& fp : unchanged) EXPECT_TRUE(before.contains(fp));
  for (const auto& fp : fresh) EXPECT_FALSE(before.contains(fp));
  std::set<std::string> resolved;
  const std::regex ref("<finding-ref [^>]*fingerprint=\"([0-9a-f]{32})\"");
  for (auto it = std::sregex_iterator(april.begin(), april.end(), ref);
       it != std::sregex_iterator(); ++it) {
    resolved.insert((*it)[1]);
  }
  EXPECT_FALSE(resolved.empty());
  EXPECT_EQ(unchanged.size() + resolved.size(), before.size());
  const std::string html = report("april", "report.html");
  EXPECT_NE(html.find("已解决"), std::string::npos);
  EXPECT_NE(html.find("较上月"), std::string::npos);
}

TEST_F(GeneratedCityReports, NoIdNumberPhoneOrNameOfTheRegistryAppearsInAnyReport) {
  std::set<std::string> secrets;
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  for (const char* sql :
       {"SELECT id_number, name FROM persons", "SELECT id_number, phone FROM person_phones",
        "SELECT owner_id_number, phone FROM phone_subscriptions",
        "SELECT id_number, phone FROM inquiries"}) {
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(handle, sql, -1, &stmt, nullptr), SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      for (int c = 0; c < 2; ++c) {
        const auto* text = sqlite3_column_text(stmt, c);
        if (text == nullptr) continue;
        const std::string raw(reinterpret_cast<const char*>(text));
        const std::string id = nf::id_number(raw, 20220430).text;
        const std::string phone = nf::phone(raw);
        if (id.size() >= 15) secrets.insert(id);
        if (phone.size() >= 11) secrets.insert(phone);
        const std::string name = nf::name(raw);
        // Two-character-or-longer Chinese names (6+ bytes of UTF-8).
        if (c == 1 && std::string(sql).find("persons") != std::string::npos && name.size() >= 6) {
          secrets.insert(name);
        }
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(handle);
  ASSERT_GT(secrets.size(), 3000u);
  for (const char* name : {"march", "april"}) {
    for (const char* file : {"report.xml", "report.html"}) {
      const std::string text = report(name, file);
      for (const std::string& secret : secrets) {
        ASSERT_EQ(text.find(secret), std::string::npos) << name << "/" << file << " shows a secret";
      }
    }
  }
}

}  // namespace
}  // namespace regaudit::test
