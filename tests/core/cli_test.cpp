// The command line as a user runs it: exit codes, refusals, reports.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "regaudit/version.hpp"
#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::test {
namespace {

std::string plugin_dir(const std::string& name) {
  return std::string(REGAUDIT_TEST_PLUGIN_ROOT) + "/" + name;
}

std::string regaudit(const std::string& args) {
  return "'" + regaudit_binary().string() + "' " + args;
}

// A registry with one of each hukou-mismatch finding.
void fill_small_city(const TempRegistry& db) {
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, name, hukou_street) VALUES
      (1, '11010519491231002X', '张三', '440104001'),
      (2, '11010519491231002Y', '李四', '440104002');
    INSERT INTO residences (residence_id, id_number, street, source, valid_from) VALUES
      (1, '11010519491231002X', '440104009', 'rental', '2021-01-01');
    INSERT INTO person_phones VALUES (1, '11010519491231002X', '13800138000', 'hukou', '2021-07-01');
    INSERT INTO phone_subscriptions VALUES
      (1, '13800138000', '440104199001011234', '王五', 'cm', '2021-06-03', NULL);
    INSERT INTO inquiries (inquiry_id, phone, street, called_at, duration_s, outcome) VALUES
      (1, '13800138000', '440104001', '2022-04-03 09:30', 60, 'confirmed_local');
  )");
}

TEST(Cli, HelpWorksForEveryCommand) {
  for (const char* cmd : {"", "run ", "rules ", "explain ", "check-db "}) {
    std::string out;
    EXPECT_EQ(run_command(regaudit(std::string(cmd) + "--help"), &out), 0) << cmd;
    EXPECT_NE(out.find("Usage"), std::string::npos) << out;
  }
}

TEST(Cli, BadUsageExitsTwo) {
  EXPECT_EQ(run_command(regaudit("run --db /nonexistent.db --out /tmp/x")), 2);
  EXPECT_EQ(run_command(regaudit("frobnicate")), 2);
  EXPECT_EQ(run_command(regaudit("")), 2);
}

TEST(Cli, CheckDbNamesTheMissingTableExitsTwoAndRunWritesNothing) {
  TempRegistry db;
  db.exec("DROP TABLE inquiries; ALTER TABLE persons DROP COLUMN hukou_street;");
  std::string out;
  EXPECT_EQ(run_command(regaudit("check-db --db '" + db.path() + "'"), &out), 2);
  EXPECT_NE(out.find("missing table 'inquiries'"), std::string::npos) << out;
  EXPECT_NE(out.find("table 'persons' has no column 'hukou_street'"), std::string::npos) << out;
  const auto out_dir = db.dir() / "out";
  EXPECT_EQ(run_command(regaudit("run --db '" + db.path() + "' --period 2022-04 --out '" +
                                 out_dir.string() + "'"),
                        &out),
            2);
  EXPECT_NE(out.find("missing table 'inquiries'"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(out_dir / "report.xml"));
}

TEST(Cli, CheckDbAcceptsACompleteRegistryWithExtraTables) {
  TempRegistry db;
  db.exec("CREATE TABLE extra (x); ALTER TABLE persons ADD COLUMN nickname TEXT;");
  EXPECT_EQ(run_command(regaudit("check-db --db '" + db.path() + "'")), 0);
}

TEST(Cli, NotADatabaseIsAClearError) {
  TempDir dir;
  const auto file = dir.path() / "junk.db";
  { std::ofstream(file) << "this is not an SQLite file, just text\n"; }
  std::string out;
  EXPECT_EQ(run_command(regaudit("check-db --db '" + file.string() + "'"), &out), 2);
  EXPECT_NE(out.find("junk.db"), std::string::npos) << out;
}

TEST(Cli, RunWritesAValidReportLeavesTheRegistryUnchangedAndDefaultsThePeriod) {
  TempRegistry db;
  fill_small_city(db);
  const std::string before = read_file(db.path());
  const auto out_dir = db.dir() / "out";
  std::string out;
  ASSERT_EQ(run_command(
                regaudit("run -q --db '" + db.path() + "' --out '" + out_dir.string() + "'"), &out),
            0)
      << out;
  EXPECT_EQ(read_file(db.path()), before);
  const auto report = out_dir / "report.xml";
  EXPECT_EQ(xsd_errors(report), "");
  const std::string xml = read_file(report);
  EXPECT_NE(xml.find("period=\"2022-04\""), std::string::npos);
  EXPECT_NE(xml.find("code=\"phone_holder_mismatch\""), std::string::npos);
  EXPECT_NE(xml.find("code=\"residence_elsewhere\""), std::string::npos);
  EXPECT_NE(xml.find("code=\"invalid_id_number\""), std::string::npos);
  for (const char* secret : {"11010519491231002X", "13800138000", "张三", "李四"}) {
    EXPECT_EQ(xml.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(out.find("11010519491231002X"), std::string::npos) << "logs hold personal data";
}

TEST(Cli, SameInputsAndSourceDateEpochGiveByteIdenticalReports) {
  TempRegistry db;
  fill_small_city(db);
  const auto a = db.dir() / "a";
  const auto b = db.dir() / "b";
  for (const auto& dir : {a, b}) {
    ASSERT_EQ(run_command("SOURCE_DATE_EPOCH=1651363200 " +
                          regaudit("run -q --jobs 2 --db '" + db.path() +
                                   "' --period 2022-04 --out '" + dir.string() + "'")),
              0);
  }
  const std::string xml = read_file(a / "report.xml");
  EXPECT_EQ(xml, read_file(b / "report.xml"));
  EXPECT_NE(xml.find("generated-at=\"2022-05-01T00:00:00Z\""), std::string::npos);
}

// Messages to a closed or full standard error are lost, not fatal: the run
// goes on and writes its reports (fmt::print threw, and std::terminate
// ended the run with SIGABRT).
TEST(Cli, AClosedOrFullStandardErrorDoesNotStopTheRun) {
  TempRegistry db;
  fill_small_city(db);
  for (const char* redirect : {"2>&-", "2>/dev/full"}) {
    const auto out_dir =
        db.dir() / (std::string("out") + (redirect[2] == '&' ? "-closed" : "-full"));
    EXPECT_EQ(run_command("(" +
                          regaudit("run --db '" + db.path() + "' --period 2022-04 --out '" +
                                   out_dir.string() + "' ") +
                          redirect + ")"),
              0)
        << redirect;
    EXPECT_TRUE(std::filesystem::exists(out_dir / "report.xml")) << redirect;
    EXPECT_EQ(run_command("(" +
                          regaudit("run --db '" + db.path() + "' --period 2022-13 --out '" +
                                   out_dir.string() + "' ") +
                          redirect + ")"),
              2)
        << redirect;
  }
}

// A --period that is refused says why: its form, its month or its year.
TEST(Cli, ARefusedPeriodSaysWhy) {
  TempRegistry db;
  fill_small_city(db);
  const auto out_dir = db.dir() / "out";
  const auto refusal = [&](const std::string& period) {
    std::string log;
    EXPECT_EQ(run_command(regaudit("run -q --db '" + db.path() + "' --period '" + period +
                                   "' --out '" + out_dir.string() + "'"),
                          &log),
              2)
        << period;
    EXPECT_FALSE(std::filesystem::exists(out_dir)) << period;
    return log;
  };
  for (const char* period : {"2022-4", "22-04", "2022/04", "２０２２-04", "2022-04-01", ""}) {
    EXPECT_NE(refusal(period).find("is not a month in the form YYYY-MM"), std::string::npos)
        << period;
  }
  for (const char* period : {"2022-00", "2022-13", "2022-99"}) {
    EXPECT_NE(refusal(period).find("has no month 01 to 12"), std::string::npos) << period;
  }
  for (const char* period : {"1899-12", "0000-01"}) {
    EXPECT_NE(refusal(period).find("outside the years 1900 to 9999"), std::string::npos) << period;
  }
  // synth's city runs a month past its period: 9999-12 is too late for it.
  std::string synth_log;
  EXPECT_EQ(run_command(regaudit("synth --persons 10 --period 9999-12 --out '" +
                                 (db.dir() / "late.db").string() + "'"),
                        &synth_log),
            2);
  EXPECT_NE(synth_log.find("'9999-12' is past 9998-12"), std::string::npos) << synth_log;
  EXPECT_FALSE(std::filesystem::exists(db.dir() / "late.db"));
  // The last month a registry time can name is a period too.
  std::string log;
  EXPECT_EQ(run_command(regaudit("run -q --db '" + db.path() + "' --period 9999-12 --out '" +
                                 out_dir.string() + "'"),
                        &log),
            0)
      << log;
  EXPECT_NE(read_file(out_dir / "report.xml").find("as-of=\"10000-01-01T00:00:00\""),
            std::string::npos);
  EXPECT_EQ(xsd_errors(out_dir / "report.xml"), "");
}

// What SQLite accepts as the same registry is audited the same: a table
// WITHOUT ROWID (a rule's reservation asked for its largest rowid and
// failed), table and column names in other case, a path written with a
// leading "//" (read as a URI's authority).
TEST(Cli, OddButValidRegistriesAreAuditedAlike) {
  TempRegistry db;
  fill_small_city(db);
  const auto findings = [&](const std::string& path, const std::string& dir) {
    std::string out;
    EXPECT_EQ(run_command(regaudit("run -q --db '" + path + "' --period 2022-04 --out '" +
                                   (db.dir() / dir).string() + "'"),
                          &out),
              0)
        << out;
    std::string lines;
    std::ifstream in(db.dir() / dir / "report.xml");
    for (std::string line; std::getline(in, line);) {
      if (line.find("<finding ") != std::string::npos) lines += line + "\n";
    }
    return lines;
  };
  const std::string plain = findings(db.path(), "plain");
  ASSERT_NE(plain.find("residence_elsewhere"), std::string::npos) << plain;
  EXPECT_EQ(findings("/" + db.path(), "slashes"), plain);
  db.exec(R"(
    CREATE TABLE r2 (residence_id INTEGER PRIMARY KEY, id_number TEXT, street TEXT,
                     community TEXT, address TEXT, source TEXT, valid_from TEXT, valid_to TEXT)
      WITHOUT ROWID;
    INSERT INTO r2 SELECT * FROM residences;
    DROP TABLE residences;
    ALTER TABLE r2 RENAME TO residences;
    ALTER TABLE inquiries RENAME TO i2;
    ALTER TABLE i2 RENAME TO Inquiries;
    ALTER TABLE persons RENAME COLUMN name TO Name;
  )");
  EXPECT_EQ(findings(db.path(), "odd"), plain);
}

// Costs past what xs:decimal validators must read (18 digits) still give a
// report that validates.
TEST(Cli, HugeCostsStillValidate) {
  TempRegistry db;
  fill_small_city(db);
  db.exec(R"(INSERT INTO checkins (checkin_id, id_number, street, kind, team, team_size,
    checked_in_at, duration_min, photo) VALUES (1, '11010519491231002X', '440104001',
    'home_visit', 'T', 1000000000000, '2022-04-03 10:00', 10000000000000, 1))");
  const auto out_dir = db.dir() / "out";
  ASSERT_EQ(run_command(regaudit("run -q --db '" + db.path() + "' --period 2022-04 --out '" +
                                 out_dir.string() + "'")),
            0);
  const std::string xml = read_file(out_dir / "report.xml");
  EXPECT_NE(xml.find("<cost minutes=\"10000000000000000905969664\" />"), std::string::npos) << xml;
  EXPECT_EQ(xsd_errors(out_dir / "report.xml"), "");
}

// Both reports are replaced or neither: with report.xml a directory, the
// run fails before anything moves and the previous report.html stays.
TEST(Cli, ReportsAreReplacedBothOrNeither) {
  TempRegistry db;
  fill_small_city(db);
  const auto out_dir = db.dir() / "out";
  const std::string run =
      regaudit("run -q --db '" + db.path() + "' --period 2022-04 --out '" + out_dir.string() + "'");
  ASSERT_EQ(run_command(run), 0);
  const std::string html = read_file(out_dir / "report.html");
  std::filesystem::remove(out_dir / "report.xml");
  std::filesystem::create_directories(out_dir / "report.xml" / "inside");
  db.exec("UPDATE persons SET name = '赵六' WHERE person_id = 2");
  std::string out;
  EXPECT_EQ(run_command(run, &out), 2);
  EXPECT_NE(out.find("cannot replace " + (out_dir / "report.xml").string() + ": it is not a file"),
            std::string::npos)
      << out;
  EXPECT_EQ(read_file(out_dir / "report.html"), html);
  EXPECT_TRUE(std::filesystem::is_directory(out_dir / "report.xml" / "inside"));
  std::size_t left = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out_dir)) {
    if (entry.path().filename().string().starts_with(".regaudit-staging")) ++left;
  }
  EXPECT_EQ(left, 0u);
}

// SOURCE_DATE_EPOCH that is no number is said, not silently ignored.
TEST(Cli, AnUnusableSourceDateEpochIsSaid) {
  TempRegistry db;
  fill_small_city(db);
  std::string out;
  EXPECT_EQ(run_command("SOURCE_DATE_EPOCH=abc " +
                            regaudit("run -q --db '" + db.path() + "' --period 2022-04 --out '" +
                                     (db.dir() / "out").string() + "'"),
                        &out),
            0);
  EXPECT_NE(out.find("warning: SOURCE_DATE_EPOCH=abc is not a number of seconds"),
            std::string::npos)
      << out;
}

TEST(Cli, FailOnSeverityExitsOne) {
  TempRegistry db;
  fill_small_city(db);
  const std::string base = "run -q --db '" + db.path() + "' --period 2022-04 --out '" +
                           (db.dir() / "out").string() + "'";
  EXPECT_EQ(run_command(regaudit(base + " --fail-on high")), 1);
  EXPECT_EQ(run_command(regaudit(base + " --fail-on critical")), 0);
}

TEST(Cli, RevealPiiShowsIdentitiesAndSaysSo) {
  TempRegistry db;
  fill_small_city(db);
  const auto out_dir = db.dir() / "out";
  ASSERT_EQ(run_command(regaudit("run -q --reveal-pii --db '" + db.path() +
                                 "' --period 2022-04 --out '" + out_dir.string() + "'")),
            0);
  const std::string xml = read_file(out_dir / "report.xml");
  EXPECT_NE(xml.find("13800138000"), std::string::npos);
  EXPECT_NE(xml.find("reveal-pii=\"true\""), std::string::npos);
}

TEST(Plugins, WrongAbiVersionIsRefusedNamingBothVersions) {
  std::string out;
  EXPECT_EQ(run_command(regaudit("rules --plugin-dir '" + plugin_dir("wrong_abi") + "'"), &out), 2);
  EXPECT_NE(out.find("wrong_abi.so refused"), std::string::npos) << out;
  EXPECT_NE(out.find("ABI version 999"), std::string::npos) << out;
  EXPECT_NE(out.find(fmt::format("ABI version {}", regaudit::kAbiVersion)), std::string::npos)
      << out;
  EXPECT_EQ(out.find("called a plugin"), std::string::npos) << out;
}

TEST(Plugins, WrongBuildTagIsRefusedNamingBothTags) {
  std::string out;
  EXPECT_EQ(
      run_command(regaudit("rules --plugin-dir '" + plugin_dir("wrong_build_tag") + "'"), &out), 2);
  EXPECT_NE(out.find("regaudit-0.0.1;gcc-1.0;libstdc++-1"), std::string::npos) << out;
  EXPECT_NE(out.find("regaudit-0.1.0;"), std::string::npos) << out;
}

TEST(Plugins, LibraryWithoutEntryPointIsRefused) {
  std::string out;
  EXPECT_EQ(
      run_command(regaudit("rules --plugin-dir '" + plugin_dir("no_entry_point") + "'"), &out), 2);
  EXPECT_NE(out.find("no entry point 'regaudit_plugin_descriptor'"), std::string::npos) << out;
}

TEST(Plugins, RulesListsBuiltinRulesWithTheirFile) {
  std::string out;
  EXPECT_EQ(run_command(regaudit("rules"), &out), 0) << out;
  EXPECT_NE(out.find("hukou-mismatch 1.0.0"), std::string::npos) << out;
  EXPECT_NE(out.find("hukou_mismatch.so"), std::string::npos) << out;
  EXPECT_NE(out.find("phone_holder_mismatch"), std::string::npos) << out;
}

TEST(Plugins, ExplainPrintsTheDocPage) {
  std::string out;
  EXPECT_EQ(run_command(regaudit("explain hukou-mismatch"), &out), 0);
  EXPECT_NE(out.find("Why it matters"), std::string::npos) << out;
  EXPECT_EQ(run_command(regaudit("explain no-such-rule"), &out), 2);
}

TEST(Plugins, ThrowingRuleIsReportedFailedWhileOthersFinishExitThree) {
  TempRegistry db;
  fill_small_city(db);
  const auto out_dir = db.dir() / "out";
  std::string out;
  EXPECT_EQ(run_command(
                regaudit("run --db '" + db.path() + "' --period 2022-04 --out '" +
                         out_dir.string() + "' --plugin-dir '" + plugin_dir("throwing_rule") + "'"),
                &out),
            3)
      << out;
  EXPECT_NE(out.find("deliberate failure in test-throws"), std::string::npos) << out;
  const auto report = out_dir / "report.xml";
  EXPECT_EQ(xsd_errors(report), "");
  const std::string xml = read_file(report);
  EXPECT_NE(xml.find("id=\"test-throws\" version=\"0.1\" status=\"failed\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("id=\"hukou-mismatch\" version=\"1.0.0\" status=\"ok\""), std::string::npos);
  EXPECT_NE(xml.find("code=\"phone_holder_mismatch\""), std::string::npos);
}

// The <rule> element of `id` in a report, with its children.
std::string rule_element(const std::string& xml, const std::string& id) {
  const auto start = xml.find("<rule id=\"" + id + "\"");
  if (start == std::string::npos) return {};
  const auto self_closed = xml.find("/>", start);
  const auto open_end = xml.find('>', start);
  if (self_closed != std::string::npos && self_closed + 1 == open_end) {
    return xml.substr(start, open_end + 1 - start);
  }
  return xml.substr(start, xml.find("</rule>", start) + 7 - start);
}

TEST(Plugins, SharedValueIsBuiltOncePerRunAndItsUnreadableCountsGoToEveryRule) {
  TempRegistry db;
  fill_small_city(db);
  const auto out_dir = db.dir() / "out";
  std::string out;
  EXPECT_EQ(run_command(regaudit("run --db '" + db.path() + "' --period 2022-04 --out '" +
                                 out_dir.string() + "' --isolate never --jobs 4 --plugin-dir '" +
                                 plugin_dir("shared_values") + "'"),
                        &out),
            3)
      << out;
  const std::string xml = read_file(out_dir / "report.xml");
  EXPECT_EQ(xsd_errors(out_dir / "report.xml"), "");
  for (const std::string id : {"test-shared-1", "test-shared-2", "test-shared-3"}) {
    const std::string rule = rule_element(xml, id);
    EXPECT_NE(rule.find("status=\"ok\""), std::string::npos) << rule;
    EXPECT_NE(rule.find("<unreadable table=\"persons\" column=\"shared_probe\" count=\"2\" />"),
              std::string::npos)
        << rule;
  }
  // Three rules and the wrong-type rule asked; one build served them all.
  std::size_t messages = 0;
  for (auto at = xml.find("rows=2 build="); at != std::string::npos;
       at = xml.find("rows=2 build=", at + 1)) {
    EXPECT_EQ(xml.compare(at, 14, "rows=2 build=1"), 0) << xml.substr(at, 20);
    ++messages;
  }
  EXPECT_EQ(messages, 3u) << xml;
  // Built from the shared count and asking for it too: its counts once.
  const std::string derived = rule_element(xml, "test-shared-derived");
  EXPECT_NE(derived.find("<unreadable table=\"persons\" column=\"shared_probe\" count=\"2\" />"),
            std::string::npos)
      << derived;
  EXPECT_NE(xml.find("doubled=4 build=1"), std::string::npos) << xml;
  const std::string wrong = rule_element(xml, "test-shared-wrong-type");
  EXPECT_NE(wrong.find("status=\"failed\""), std::string::npos) << wrong;
  EXPECT_NE(xml.find("asked for under two different types"), std::string::npos) << xml;
  // Rules in their own processes share nothing, and still get a value.
  const auto isolated_dir = db.dir() / "isolated";
  EXPECT_EQ(run_command(regaudit("run --db '" + db.path() + "' --period 2022-04 --out '" +
                                 isolated_dir.string() + "' --isolate always --plugin-dir '" +
                                 plugin_dir("shared_values") + "'"),
                        &out),
            3)
      << out;
  const std::string isolated = read_file(isolated_dir / "report.xml");
  EXPECT_NE(isolated.find("rows=2 build=1"), std::string::npos);
  EXPECT_NE(rule_element(isolated, "test-shared-2").find("column=\"shared_probe\" count=\"2\""),
            std::string::npos);
}

TEST(Plugins, DeclaredSharedValueIsReleasedWhenItsLastDeclaringRuleEnds) {
  TempRegistry db;
  fill_small_city(db);
  const auto out_dir = db.dir() / "out";
  std::string out;
  // One job: test-release-1 (which declares the value) runs and ends before
  // test-release-2 (which does not) asks for it.
  EXPECT_EQ(run_command(regaudit("run --db '" + db.path() + "' --period 2022-04 --out '" +
                                 out_dir.string() + "' --isolate never --jobs 1 --plugin-dir '" +
                                 plugin_dir("shared_release") + "'"),
                        &out),
            0)
      << out;
  const std::string xml = read_file(out_dir / "report.xml");
  EXPECT_NE(xml.find("rule=1 build=1"), std::string::npos) << xml;
  EXPECT_NE(xml.find("rule=2 build=2"), std::string::npos) << xml;
  // The rebuild is counted like the first build: once for the rule.
  for (const std::string id : {"test-release-1", "test-release-2"}) {
    EXPECT_NE(rule_element(xml, id).find("column=\"release_probe\" count=\"1\""), std::string::npos)
        << rule_element(xml, id);
  }
}

TEST(Profiles, UnknownRuleParameterOrBadSeverityIsAnError) {
  TempRegistry db;
  fill_small_city(db);
  const auto write = [&](const std::string& body) {
    const auto file = db.dir() / "p.xml";
    std::ofstream(file) << "<profile name=\"p\">" << body << "</profile>";
    return file.string();
  };
  const std::string base =
      "run -q --db '" + db.path() + "' --period 2022-04 --out '" + (db.dir() / "o").string() + "'";
  std::string out;
  EXPECT_EQ(run_command(regaudit(base + " --profile " + write("<rule id=\"nope\"/>")), &out), 2);
  EXPECT_NE(out.find("unknown rule 'nope'"), std::string::npos) << out;
  EXPECT_EQ(run_command(regaudit(base + " --profile " +
                                 write("<rule id=\"hukou-mismatch\"><param name=\"x\" "
                                       "value=\"1\"/></rule>")),
                        &out),
            2);
  EXPECT_NE(out.find("has no parameter 'x'"), std::string::npos) << out;
  EXPECT_EQ(run_command(regaudit(base + " --profile " +
                                 write("<rule id=\"hukou-mismatch\"><severity "
                                       "code=\"invalid_id_number\" level=\"urgent\"/></rule>")),
                        &out),
            2);
  EXPECT_NE(out.find("not 'urgent'"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(db.dir() / "o" / "report.xml"));
}

}  // namespace
}  // namespace regaudit::test
