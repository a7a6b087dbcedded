// The reports as a reader gets them: XML against the XSD, the HTML report in
// a real browser, baselines, verification, masking, hostile data.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <pugixml.hpp>
#include <random>
#include <regex>
#include <set>

#include "fingerprint_key.hpp"
#include "html_report.hpp"
#include "sha256.hpp"
#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"
#include "xml_report.hpp"

namespace regaudit::test {
namespace {

std::string regaudit(const std::string& args) {
  return "SOURCE_DATE_EPOCH=1651363200 '" + regaudit_binary().string() + "' " + args;
}

constexpr const char* kImgPayload = "<img src=x onerror=alert(1)>";
constexpr const char* kScriptPayload = "<script>alert(2)</script>";

// A small city whose street names, hukou streets and addresses carry markup.
void fill_hostile_city(const TempRegistry& db) {
  db.exec(std::string(R"(
    INSERT INTO streets VALUES ('440104001', '北京街道)") +
          kImgPayload + R"(', '440104'),
                               ('<b>x</b>', ')" +
          kScriptPayload + R"(', '440104');
    INSERT INTO persons (person_id, id_number, name, hukou_street, hukou_address) VALUES
      (1, '11010519491231002X', '张三', '440104001', ')" +
          kImgPayload + R"('),
      (2, '11010519491231002Y', '李四)" +
          kScriptPayload + R"(', '<b>x</b>', 'x'),
      (3, '440104199001011234', '王五', '440104001', 'y');
    INSERT INTO residences (residence_id, id_number, street, source, valid_from) VALUES
      (1, '11010519491231002X', ')" +
          kImgPayload + R"(', 'rental', '2021-01-01');
    INSERT INTO person_phones VALUES (1, '11010519491231002X', '13800138000', 'hukou', '2021-07-01');
    INSERT INTO phone_subscriptions VALUES
      (1, '13800138000', '440104199001011234', '王五', 'cm', '2021-06-03', NULL);
    INSERT INTO checkins (checkin_id, id_number, street, team, checked_in_at, photo) VALUES
      (1, '11010519491231002X', '440104001', ')" +
          kScriptPayload + R"(', '2022-04-02 10:00', 1);
  )");
}

std::filesystem::path run_report(const TempRegistry& db, const std::string& dir,
                                 const std::string& extra = "") {
  const auto out = db.dir() / dir;
  std::string output;
  const int rc = run_command(regaudit("run -q --db '" + db.path() + "' --period 2022-04 --out '" +
                                      out.string() + "' " + extra),
                             &output);
  EXPECT_EQ(rc, 0) << output;
  return out;
}

TEST(HtmlReport, IsSelfContainedWithAStrictPolicyMatchingItsInlineCode) {
  TempRegistry db;
  fill_hostile_city(db);
  const std::string html = read_file(run_report(db, "out") / "report.html");
  EXPECT_FALSE(std::regex_search(html, std::regex("<[a-z]+[^>]*\\s(src|href)=\"[a-z]+:")));
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(html, m, std::regex("<style>([\\s\\S]*?)</style>")));
  const std::string css = m[1];
  ASSERT_TRUE(std::regex_search(html, m, std::regex("<script>([\\s\\S]*?)</script>")));
  const std::string js = m[1];
  EXPECT_NE(html.find("default-src 'none'; style-src " + reports::csp_hash(css) + "; script-src " +
                      reports::csp_hash(js)),
            std::string::npos);
  // One script block and no event-handler attribute anywhere.
  EXPECT_EQ(html.find("<script", html.find("<script") + 1), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex("<[a-z]+[^>]* on[a-z]+=")));
}

TEST(HtmlReport, PlantedMarkupStaysInertText) {
  TempRegistry db;
  fill_hostile_city(db);
  const std::string html = read_file(run_report(db, "out") / "report.html");
  EXPECT_EQ(html.find(kImgPayload), std::string::npos);
  EXPECT_EQ(html.find(kScriptPayload), std::string::npos);
  EXPECT_EQ(html.find("<b>x</b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
}

TEST(HtmlReport, HasSummaryChartsRulesStreetsAndProvenance) {
  TempRegistry db;
  fill_hostile_city(db);
  const std::string html = read_file(run_report(db, "out") / "report.html");
  for (const char* part :
       {"id=\"summary\"", "id=\"charts\"", "<svg class=\"chart\"", "id=\"rules\"", "id=\"streets\"",
        "id=\"provenance\"", "人-机-户三方一致率", "重复核查电话占比", "无效工时", "hukou-mismatch",
        "Why it matters", "@media print", "size: A4"}) {
    EXPECT_NE(html.find(part), std::string::npos) << part;
  }
  const std::string en = read_file(run_report(db, "en", "--lang en") / "report.html");
  EXPECT_NE(en.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(en.find("Executive summary"), std::string::npos);
  EXPECT_EQ(en.find("摘要"), std::string::npos);
}

TEST(HtmlReport, NoUnmaskedIdentityWithoutRevealAndConfidentialWithIt) {
  TempRegistry db;
  fill_hostile_city(db);
  const auto out = run_report(db, "out");
  for (const char* file : {"report.html", "report.xml"}) {
    const std::string text = read_file(out / file);
    for (const char* secret :
         {"11010519491231002X", "440104199001011234", "13800138000", "张三", "王五"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << file << ": " << secret;
    }
  }
  const std::string revealed = read_file(run_report(db, "rev", "--reveal-pii") / "report.html");
  EXPECT_NE(revealed.find("class=\"confidential\""), std::string::npos);
  EXPECT_NE(revealed.find("13800138000"), std::string::npos);
}

TEST(HtmlReport, SmallStreetCellsShowLessThanFive) {
  TempRegistry db;
  fill_hostile_city(db);
  const std::string html = read_file(run_report(db, "out") / "report.html");
  EXPECT_NE(html.find("&lt;5"), std::string::npos);
  const std::string revealed = read_file(run_report(db, "rev", "--reveal-pii") / "report.html");
  const auto streets = revealed.substr(revealed.find("<table", revealed.find("id=\"streets\"")));
  EXPECT_EQ(streets.substr(0, streets.find("</section>")).find("&lt;5"), std::string::npos);
}

// The XML writer formats blocks of findings on several threads: the bytes,
// and the count of replaced characters, must be those of one thread. Over
// three blocks of findings, some of whose texts need escaping or replacing,
// with a baseline, in both languages.
TEST(XmlReport, FindingsFormattedOnSeveralThreadsGiveTheSameBytes) {
  host::AuditResult r;
  r.has_baseline = true;
  // More blocks (8192 findings each) than the formatters hold at once.
  for (int i = 0; i < 70000; ++i) {
    host::ReportedFinding rf;
    Finding& f = rf.finding;
    f.rule_id = i < 15000 ? "hukou-mismatch" : "stale-phone";
    f.code = i % 2 == 0 ? "invalid_id_number" : "residence_elsewhere";
    f.subject_table = "persons";
    f.subject_key = i;
    f.street = i % 7 == 0 ? "" : "440104001";
    f.cost_minutes = i % 5 == 0 ? 0 : i / 3.0;
    f.message_zh = i % 1000 == 17 ? "无效 \x01 & <号码> \xff" : "户籍记录的身份证号码无效";
    f.message_en = i % 999 == 3 ? "bad \"quoted\" \x02" : "not valid";
    if (i % 3 == 0) f.evidence.push_back({"residences", i * 2});
    rf.fingerprint = fmt::format("{:032x}", i);
    rf.baseline = i % 4 == 0 ? "unchanged" : "new";
    r.findings.push_back(std::move(rf));
  }
  r.resolved.push_back({"hukou-mismatch", "invalid_id_number", std::string(32, 'a')});
  TempDir dir;
  for (const char* lang : {"zh-CN", "en"}) {
    const std::string one = reports::render_xml_report(r, {lang, 1});
    EXPECT_NE(one.find("<replaced-characters count="), std::string::npos) << lang;
    for (const unsigned jobs : {2u, 4u}) {
      EXPECT_TRUE(one == reports::render_xml_report(r, {lang, jobs})) << lang << " " << jobs;
      // And in a file (tens of megabytes, written past the page cache).
      const auto file = dir.path() / fmt::format("{}-{}.xml", lang, jobs);
      ASSERT_TRUE(reports::write_xml_report(r, {lang, jobs}, file));
      EXPECT_TRUE(one == read_file(file)) << lang << " " << jobs;
    }
  }
  r.findings.resize(3);  // fewer than a block
  EXPECT_EQ(reports::render_xml_report(r, {"en", 1}), reports::render_xml_report(r, {"en", 2}));
  r.findings.clear();
  EXPECT_EQ(reports::render_xml_report(r, {"en", 1}), reports::render_xml_report(r, {"en", 2}));
}

// The escapes, byte for byte: in text & < > are entities and tab, LF and
// CR themselves; in attributes & < " are entities, > itself, and tab, LF
// and CR character references. Characters XML forbids and invalid UTF-8
// become U+FFFD, each counted once.
TEST(XmlReport, EscapesTextAndAttributesAsPugixmlDid) {
  host::AuditResult r;
  host::ReportedFinding rf;
  rf.finding.rule_id = "r";
  rf.finding.code = "c";
  rf.finding.subject_table = "a&b<c>d\"e\tf\ng\rh\x01i\xffj";
  rf.finding.message_en = "a&b<c>d\"e\tf\ng\rh\x01i\xffj 号";
  rf.fingerprint = std::string(32, '0');
  r.findings.push_back(rf);
  const std::string xml = reports::render_xml_report(r, {"en", 1});
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_NE(xml.find("<subject table=\"a&amp;b&lt;c>d&quot;e&#09;f&#10;g&#13;h" + fffd + "i" +
                     fffd + "j\""),
            std::string::npos)
      << xml;
  EXPECT_NE(
      xml.find("<message>a&amp;b&lt;c&gt;d\"e\tf\ng\rh" + fffd + "i" + fffd + "j 号</message>"),
      std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<replaced-characters count=\"4\""), std::string::npos) << xml;
  // Without a forbidden character the same escapes, and nothing replaced.
  r.findings[0].finding.subject_table = "x&\"<>\ty";
  r.findings[0].finding.message_en = "x&\"<>\ty";
  const std::string clean = reports::render_xml_report(r, {"en", 1});
  EXPECT_NE(clean.find("<subject table=\"x&amp;&quot;&lt;>&#09;y\""), std::string::npos) << clean;
  EXPECT_NE(clean.find("<message>x&amp;\"&lt;&gt;\ty</message>"), std::string::npos) << clean;
  EXPECT_EQ(clean.find("<replaced-characters"), std::string::npos);
}

// The writer's fast paths (eight ASCII bytes at once, three-byte sequences
// without a decoder, an attribute equal to the previous finding's copied)
// against their definition: random texts of the pieces that sit on their
// edges, read back by pugixml, are xml_safe() of themselves, and the
// replacements are counted once per character and attribute.
TEST(XmlReport, RandomTextsReadBackAsTheirXmlSafeForm) {
  const std::vector<std::string> pieces = {"a",
                                           "Z",
                                           "0",
                                           " ",
                                           "-",
                                           "&",
                                           "<",
                                           ">",
                                           "\"",
                                           "'",
                                           "\t",
                                           "\n",
                                           "\r",
                                           "\x01",
                                           "\x1f",
                                           "\x7f",
                                           "abcdefgh",
                                           "2022-04-03 ",
                                           "\xE4\xB8\xAD",  // 中
                                           "\xEF\xBC\x88",  // （, a full-width form
                                           "\xEF\xBF\xBD",  // U+FFFD itself, valid
                                           "\xEF\xBF\xBE",  // U+FFFE, forbidden
                                           "\xEF\xBF\xBF",  // U+FFFF, forbidden
                                           "\xED\xA0\x80",  // a surrogate
                                           "\xED\x9F\xBF",  // U+D7FF, valid
                                           "\xE0\x80\x80",  // overlong
                                           "\xE0\xA4\x85",  // U+0905
                                           "\xE1\x80\x80",  // U+1000
                                           "\xEC\xBF\xBF",  // U+CFFF
                                           "\xEE\x80\x80",  // U+E000
                                           "\xE4",
                                           "\xB8",
                                           "\xE4\xB8",          // cut short
                                           "\xF0\x9F\x98\x80",  // an emoji
                                           "\xC3\xA9",
                                           "\xC0\xAF",
                                           "\xFF"};
  std::mt19937 random(2022);
  host::AuditResult r;
  std::vector<std::string> texts;
  for (int i = 0; i < 400; ++i) {
    std::string s;
    const int n = static_cast<int>(random() % 24);
    for (int k = 0; k < n; ++k) s += pieces[random() % pieces.size()];
    // Each text twice in a row, so that the second copies the first's escapes.
    for (int twice = 0; twice < 2; ++twice) {
      host::ReportedFinding rf;
      rf.finding.rule_id = "r";
      rf.finding.code = s;
      rf.finding.subject_table = s;
      rf.finding.subject_key = static_cast<std::int64_t>(texts.size());
      rf.finding.message_en = s;
      rf.finding.evidence.push_back({s, 1});
      rf.fingerprint = std::string(32, '0');
      r.findings.push_back(std::move(rf));
      texts.push_back(s);
    }
  }
  const std::string fffd = "\xEF\xBF\xBD";
  const auto occurrences = [&](const std::string& s) {
    std::size_t n = 0;
    for (std::size_t at = s.find(fffd); at != std::string::npos; at = s.find(fffd, at + 3)) ++n;
    return n;
  };
  std::size_t replaced = 0;
  for (const std::string& s : texts)
    replaced += 4 * (occurrences(reports::xml_safe(s)) - occurrences(s));
  const std::string xml = reports::render_xml_report(r, {"en", 1});
  // The escapes, as EscapesTextAndAttributesAsPugixmlDid fixes them.
  const auto escaped = [](const std::string& safe, bool attribute) {
    std::string out;
    for (const char c : safe) {
      if (c == '&') {
        out += "&amp;";
      } else if (c == '<') {
        out += "&lt;";
      } else if (c == '>' && !attribute) {
        out += "&gt;";
      } else if (c == '"' && attribute) {
        out += "&quot;";
      } else if (attribute && (c == '\t' || c == '\n' || c == '\r')) {
        out += fmt::format("&#{:02d};", static_cast<int>(c));
      } else {
        out += c;
      }
    }
    return out;
  };
  std::size_t at = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::string safe = reports::xml_safe(texts[i]);
    const std::string attribute = escaped(safe, true);
    const std::string expected = fmt::format(
        "<finding rule=\"r\" code=\"{}\" severity=\"medium\" fingerprint=\"{}\">\n"
        "      <subject table=\"{}\" key=\"{}\" />\n"
        "      <cost minutes=\"0\" />\n"
        "      <message>{}</message>\n"
        "      <evidence>\n"
        "        <ref table=\"{}\" key=\"1\" />\n",
        attribute, std::string(32, '0'), attribute, i, escaped(safe, false), attribute);
    const std::size_t found = xml.find(expected, at);
    ASSERT_NE(found, std::string::npos) << i << ": " << expected << "\n" << xml.substr(at, 600);
    at = found + expected.size();
  }
  EXPECT_NE(xml.find(fmt::format("<replaced-characters count=\"{}\"", replaced)),
            std::string::npos);
  // And the whole is well formed to a parser.
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_buffer(xml.data(), xml.size()));
}

// Every table's rows, all of them: rows the rules or the metrics pass over
// (a NULL or invalid ID number, a call outside the period or at no readable
// time) are counted too. Each table gets its own count, 1 to 13.
TEST(XmlReport, InputCountsEveryRowOfEveryTable) {
  TempRegistry db;
  // (table, columns and one row, %d the row's number).
  const std::vector<std::pair<std::string, std::string>> rows_of = {
      {"streets", "(street_code, name, district_code) VALUES ('4401040%02d', 'S', '440104')"},
      {"communities", "(community_code, street_code, name) VALUES ('4401040010%02d', '1', 'C')"},
      {"persons", "(person_id, id_number, name, hukou_street) VALUES (%d, 'bad', 'P', '1')"},
      {"residences", "(residence_id, id_number, street, valid_from) VALUES (%d, NULL, '1', 'x')"},
      {"person_phones",
       "(link_id, id_number, phone, source, recorded_at) VALUES"
       " (%d, NULL, '1380000000%d', 'hukou', 'yesterday')"},
      {"phone_subscriptions",
       "(subscription_id, phone, activated_at) VALUES (%d, '13800000000', '2020-01-01')"},
      {"assignments", "(assignment_id, list_id) VALUES (%d, 'L')"},
      {"inquiries",
       "(inquiry_id, phone, called_at, duration_s, outcome) VALUES"
       " (%d, '13800000000', '2021-%02d-01 10:00', 60, 'x')"},
      {"self_reports", "(report_id, reported_at) VALUES (%d, '2022-04-01')"},
      {"checkins", "(checkin_id, checked_in_at, photo) VALUES (%d, 'never', 0)"},
      {"checkin_fields", "(checkin_id, field, value) VALUES (%d, 'remark', 'x')"},
      {"travel_records", "(travel_id) VALUES (%d)"},
      {"vaccinations", "(vaccination_id) VALUES (%d)"},
  };
  for (std::size_t t = 0; t < rows_of.size(); ++t) {
    for (std::size_t n = 1; n <= t + 1; ++n) {
      std::string row = rows_of[t].second;
      for (std::size_t at; (at = row.find('%')) != std::string::npos;) {
        const bool padded = row.compare(at, 4, "%02d") == 0;
        row.replace(at, padded ? 4 : 2, padded ? fmt::format("{:02}", n) : std::to_string(n));
      }
      db.exec("INSERT INTO " + rows_of[t].first + " " + row + ";");
    }
  }
  const std::string xml = read_file(run_report(db, "out") / "report.xml");
  for (std::size_t t = 0; t < rows_of.size(); ++t) {
    EXPECT_NE(xml.find(fmt::format("<table name=\"{}\" rows=\"{}\" />", rows_of[t].first, t + 1)),
              std::string::npos)
        << rows_of[t].first << "\n"
        << xml.substr(0, xml.find("</input>"));
  }
}

// A registry in WAL mode, its newest rows still in the -wal file: the rows
// are SQLite's count, not the main file's pages' (which the report counts
// from otherwise).
TEST(XmlReport, InputCountsTheRowsOfARegistryInWalMode) {
  TempRegistry db;
  db.exec(
      "INSERT INTO vaccinations (vaccination_id) VALUES (1), (2);"
      "INSERT INTO residences (residence_id) VALUES (1);");
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(db.path().c_str(), &writer), SQLITE_OK);
  const char* sql =
      "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;"
      "INSERT INTO vaccinations (vaccination_id) VALUES (3), (4), (5);"
      "DELETE FROM residences;";
  ASSERT_EQ(sqlite3_exec(writer, sql, nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_TRUE(std::filesystem::exists(db.path() + "-wal"));
  const std::string xml = read_file(run_report(db, "out") / "report.xml");
  sqlite3_close(writer);
  EXPECT_NE(xml.find("<table name=\"vaccinations\" rows=\"5\" />"), std::string::npos)
      << xml.substr(0, xml.find("</input>"));
  EXPECT_NE(xml.find("<table name=\"residences\" rows=\"0\" />"), std::string::npos)
      << xml.substr(0, xml.find("</input>"));
}

// <input sha256 bytes> is the registry file's SHA-256 (as sha256sum gives
// it) and size, however the run splits the reading of it among its threads.
TEST(XmlReport, InputIsTheRegistryFilesDigestAndSize) {
  TempRegistry db;
  fill_hostile_city(db);
  std::string sum;
  ASSERT_EQ(run_command("sha256sum '" + db.path() + "'", &sum), 0) << sum;
  const std::string expected = fmt::format(" sha256=\"{}\" bytes=\"{}\">", sum.substr(0, 64),
                                           std::filesystem::file_size(db.path()));
  for (const std::string jobs : {"1", "2", "4"}) {
    const std::string xml =
        read_file(run_report(db, "out-" + jobs, "--jobs " + jobs) / "report.xml");
    EXPECT_NE(xml.find(expected), std::string::npos)
        << "--jobs " << jobs << ": " << expected << "\n"
        << xml.substr(0, xml.find("</input>"));
  }
}

TEST(Reports, SameInputsGiveByteIdenticalXmlAndHtml) {
  TempRegistry db;
  fill_hostile_city(db);
  const auto a = run_report(db, "a");
  const auto b = run_report(db, "b");
  EXPECT_EQ(read_file(a / "report.xml"), read_file(b / "report.xml"));
  EXPECT_EQ(read_file(a / "report.html"), read_file(b / "report.html"));
  EXPECT_EQ(xsd_errors(a / "report.xml"), "");
}

TEST(Reports, BaselineMarksNewUnchangedAndResolved) {
  TempRegistry db;
  fill_hostile_city(db);
  const auto march = run_report(db, "march");
  // Fix one problem, add another.
  db.exec(R"(
    UPDATE persons SET id_number = '11010519491231002X' WHERE person_id = 2;
    INSERT INTO persons (person_id, id_number, hukou_street) VALUES (4, '123', '440104001');
  )");
  const auto april =
      run_report(db, "april", "--baseline '" + (march / "report.xml").string() + "'");
  const std::string xml = read_file(april / "report.xml");
  EXPECT_EQ(xsd_errors(april / "report.xml"), "");
  EXPECT_NE(xml.find("baseline=\"new\""), std::string::npos);
  EXPECT_NE(xml.find("baseline=\"unchanged\""), std::string::npos);
  EXPECT_NE(xml.find("<resolved>"), std::string::npos);
  EXPECT_NE(xml.find("<finding-ref rule=\"hukou-mismatch\" code=\"invalid_id_number\""),
            std::string::npos);
  const std::string html = read_file(april / "report.html");
  EXPECT_NE(html.find("较上月"), std::string::npos);
  EXPECT_NE(html.find("已解决"), std::string::npos);
}

// A rule that did not run this month found nothing gone: its earlier
// findings are not resolved. A rule the profile disables is listed as
// skipped and its share is not known; with a rule failed the staff hours
// wasted are not known either (a skipped rule is left out of their sum, as a
// rule the profile does not list).
TEST(Reports, ARuleThatDidNotRunResolvesNothing) {
  TempRegistry db;
  fill_hostile_city(db);
  const auto march = run_report(db, "march");
  ASSERT_NE(read_file(march / "report.xml").find("rule=\"hukou-mismatch\""), std::string::npos);
  db.exec("UPDATE persons SET id_number = '11010519491231002X' WHERE person_id = 2");
  const auto profile = db.dir() / "no-hukou.xml";
  std::ofstream(profile) << R"(<profile name="no-hukou">
    <rule id="hukou-mismatch" enabled="false"/><rule id="stale-phone"/>
    <rule id="duplicate-inquiry"/><rule id="checkin-redundancy"/></profile>)";
  const std::string baseline = "--baseline '" + (march / "report.xml").string() + "'";
  const auto april = run_report(db, "april", baseline + " --profile '" + profile.string() + "'");
  const std::string xml = read_file(april / "report.xml");
  EXPECT_EQ(xsd_errors(april / "report.xml"), "");
  EXPECT_NE(xml.find("<rule id=\"hukou-mismatch\" version=\"1.0.0\" status=\"skipped\""),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("<finding rule=\"hukou-mismatch\""), std::string::npos);
  // The HTML says the rule checked nothing, instead of showing zero findings.
  const std::string html = read_file(april / "report.html");
  const auto section_at = html.find("<h3 id=\"rule-hukou-mismatch\"");
  ASSERT_NE(section_at, std::string::npos);
  const std::string section =
      html.substr(section_at, html.find("<h3 id=\"rule-", section_at + 1) - section_at);
  EXPECT_NE(section.find("本规则本次未运行完毕"), std::string::npos) << section;
  EXPECT_EQ(section.find("无发现"), std::string::npos) << section;
  EXPECT_EQ(xml.find("<finding-ref rule=\"hukou-mismatch\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<metric name=\"triple_match_rate\" available=\"false\""), std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("<metric name=\"wasted_staff_hours\" available="), std::string::npos) << xml;
  // Every rule failing (a memory limit no rule fits in): nothing resolved.
  const auto failed = db.dir() / "failed";
  std::string output;
  EXPECT_EQ(
      run_command(regaudit("run -q --db '" + db.path() + "' --period 2022-04 --out '" +
                           failed.string() + "' " + baseline + " --isolate always --rule-memory 1"),
                  &output),
      3)
      << output;
  const std::string failed_xml = read_file(failed / "report.xml");
  EXPECT_NE(failed_xml.find("status=\"failed\""), std::string::npos);
  EXPECT_EQ(failed_xml.find("<finding-ref "), std::string::npos) << failed_xml;
  EXPECT_NE(failed_xml.find("<metric name=\"wasted_staff_hours\" available=\"false\""),
            std::string::npos);
  // All rules run: the fixed ID number's finding is resolved, the hours known.
  const std::string all = read_file(run_report(db, "all", baseline) / "report.xml");
  EXPECT_NE(all.find("<finding-ref rule=\"hukou-mismatch\" code=\"invalid_id_number\""),
            std::string::npos);
  EXPECT_EQ(all.find("<metric name=\"wasted_staff_hours\" available="), std::string::npos);
}

// Fingerprints hash rule, code and identity after a secret key, so that a
// masked report's fingerprint cannot be matched against the few identities a
// message leaves possible. The default key file is made on the first run
// (owner-only) and kept; --fingerprint-key takes another; months compare
// under the same key.
TEST(Reports, FingerprintsAreHashedAfterASecretKey) {
  TempRegistry db;
  db.exec(R"(INSERT INTO persons (person_id, id_number, name, hukou_street) VALUES
    (1, '123', 'P', '440104001'))");
  const auto config = db.dir() / "config";
  const std::string env = "XDG_CONFIG_HOME='" + config.string() + "' ";
  const auto run = [&](const std::string& dir, const std::string& extra, std::string& output) {
    return run_command(env + regaudit("run -q --db '" + db.path() + "' --period 2022-04 --out '" +
                                      (db.dir() / dir).string() + "' " + extra),
                       &output);
  };
  const auto fingerprint_in = [&](const std::string& dir, const std::string& extra) {
    std::string output;
    EXPECT_EQ(run(dir, extra, output), 0) << output;
    const std::string xml = read_file(db.dir() / dir / "report.xml");
    std::smatch m;
    EXPECT_TRUE(std::regex_search(xml, m,
                                  std::regex("code=\"invalid_id_number\" severity=\"high\" "
                                             "fingerprint=\"([0-9a-f]{32})\"")))
        << xml;
    return m.size() > 1 ? m[1].str() : std::string();
  };
  const std::string first = fingerprint_in("first", "");
  const auto key_file = config / "regaudit" / "fingerprint-key";
  ASSERT_TRUE(std::filesystem::exists(key_file));
  EXPECT_EQ(std::filesystem::status(key_file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(fingerprint_in("second", ""), first);
  // The report names its key by a hash of it under another label.
  const std::string key = host::sha256_hex(read_file(key_file));
  EXPECT_EQ(host::fingerprint_key_id(key),
            host::sha256_hex("regaudit-fingerprint-key-id\x1f" + key, 16));
  EXPECT_NE(read_file(db.dir() / "first" / "report.xml")
                .find(" fingerprint-key=\"" + host::fingerprint_key_id(key) + "\""),
            std::string::npos);
  const std::string basis =
      "regaudit-fingerprint-v2\x1fhukou-mismatch\x1finvalid_id_number\x1f"
      "123\x1fP\x1f"
      "440104001";
  EXPECT_EQ(first, host::sha256_hex(host::sha256_hex(read_file(key_file)) + basis, 32));
  EXPECT_NE(first, host::sha256_hex(basis, 32));
  const auto shared = db.dir() / "office-key";
  std::ofstream(shared) << "the key the office's machines share";
  EXPECT_EQ(fingerprint_in("shared", "--fingerprint-key '" + shared.string() + "'"),
            host::sha256_hex(host::sha256_hex("the key the office's machines share") + basis, 32));
  // A baseline made under another key, or before keys, matches nothing: the
  // run says so (even with -q).
  std::string output;
  const std::string under_default =
      "--baseline '" + (db.dir() / "first" / "report.xml").string() + "'";
  EXPECT_EQ(run("same", under_default, output), 0) << output;
  EXPECT_EQ(output.find("warning"), std::string::npos) << output;
  EXPECT_EQ(
      run("other-key", under_default + " --fingerprint-key '" + shared.string() + "'", output), 0);
  EXPECT_NE(output.find("warning: --baseline"), std::string::npos) << output;
  EXPECT_NE(output.find("another key (fingerprint-key " + host::fingerprint_key_id(key) + ")"),
            std::string::npos)
      << output;
  std::string keyless = read_file(db.dir() / "first" / "report.xml");
  keyless.erase(keyless.find(" fingerprint-key="), 35);
  std::ofstream(db.dir() / "keyless.xml") << keyless;
  EXPECT_EQ(run("keyless", "--baseline '" + (db.dir() / "keyless.xml").string() + "'", output), 0);
  EXPECT_NE(output.find("a report of an earlier regaudit"), std::string::npos) << output;
  // The first run that makes the default key says where (not with -q).
  const auto fresh = db.dir() / "fresh-config";
  EXPECT_EQ(run_command("XDG_CONFIG_HOME='" + fresh.string() + "' " +
                            regaudit("run --db '" + db.path() + "' --period 2022-04 --out '" +
                                     (db.dir() / "fresh").string() + "'"),
                        &output),
            0);
  EXPECT_NE(
      output.find("made the fingerprint key " + (fresh / "regaudit" / "fingerprint-key").string()),
      std::string::npos)
      << output;
  // A key file too short to be a secret is refused, by name, and nothing is
  // written.
  std::ofstream(db.dir() / "short-key") << "abc";
  EXPECT_EQ(run("short", "--fingerprint-key '" + (db.dir() / "short-key").string() + "'", output),
            2);
  EXPECT_NE(output.find("short-key: 3 bytes"), std::string::npos) << output;
  EXPECT_FALSE(std::filesystem::exists(db.dir() / "short" / "report.xml"));
}

// Two subjects with one identity (duplicate rows) are told apart by their
// rank in subject-key order: the second's basis ends in "\x1f#1".
TEST(Reports, DuplicateRowsAreFingerprintedByRank) {
  TempRegistry db;
  db.exec(R"(INSERT INTO persons (person_id, id_number, name, hukou_street) VALUES
    (7, '123', 'P', '440104001'), (3, '123', 'P', '440104001'))");
  const auto key_file = db.dir() / "key";
  std::ofstream(key_file) << "the key of a test of ranks";
  std::string output;
  ASSERT_EQ(run_command(regaudit("run -q --db '" + db.path() + "' --period 2022-04 --out '" +
                                 (db.dir() / "out").string() + "' --fingerprint-key '" +
                                 key_file.string() + "'"),
                        &output),
            0)
      << output;
  const std::string xml = read_file(db.dir() / "out" / "report.xml");
  const std::string prefix = host::sha256_hex("the key of a test of ranks") +
                             "regaudit-fingerprint-v2\x1fhukou-mismatch\x1finvalid_id_number\x1f"
                             "123\x1fP\x1f"
                             "440104001";
  const auto fingerprint_of = [&](int key) {
    std::smatch m;
    const std::regex finding(
        "fingerprint=\"([0-9a-f]{32})\">\n\\s*<subject table=\"persons\" key=\"" +
        std::to_string(key) + "\"");
    EXPECT_TRUE(std::regex_search(xml, m, finding)) << xml;
    return m.size() > 1 ? m[1].str() : std::string();
  };
  EXPECT_EQ(fingerprint_of(3), host::sha256_hex(prefix, 32));
  EXPECT_EQ(fingerprint_of(7), host::sha256_hex(prefix + "\x1f#1", 32));
}

TEST(Reports, FingerprintsAreStableWhenRowIdsChange) {
  TempRegistry db;
  fill_hostile_city(db);
  const std::string before = read_file(run_report(db, "before") / "report.xml");
  db.exec("UPDATE persons SET person_id = person_id + 100; UPDATE person_phones SET link_id = 77;");
  const std::string after = read_file(run_report(db, "after") / "report.xml");
  const std::regex fp("fingerprint=\"([0-9a-f]{32})\"");
  std::set<std::string> a;
  std::set<std::string> b;
  for (auto it = std::sregex_iterator(before.begin(), before.end(), fp);
       it != std::sregex_iterator(); ++it)
    a.insert((*it)[1]);
  for (auto it = std::sregex_iterator(after.begin(), after.end(), fp); it != std::sregex_iterator();
       ++it)
    b.insert((*it)[1]);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a, b);
}

TEST(Verify, SaysWhetherTheReportWasMadeFromThisRegistry) {
  TempRegistry db;
  fill_hostile_city(db);
  const auto out = run_report(db, "out");
  std::string output;
  EXPECT_EQ(run_command(
                regaudit("verify '" + (out / "report.xml").string() + "' --db '" + db.path() + "'"),
                &output),
            0)
      << output;
  db.exec("INSERT INTO vaccinations VALUES (1, 'x', 1, '2022-01-01')");
  EXPECT_EQ(run_command(
                regaudit("verify '" + (out / "report.xml").string() + "' --db '" + db.path() + "'"),
                &output),
            1);
  EXPECT_NE(output.find("table vaccinations has 1 rows, the report says 0"), std::string::npos)
      << output;
}

// Headless Chromium loads the report offline: no console error (a CSP
// violation would be one), the script ran (it adds the filter boxes), the
// charts are there and the payloads are text.
TEST(HtmlReport, RendersInChromiumWithoutConsoleErrors) {
  std::string output;
  ASSERT_EQ(run_command("command -v chromium", &output), 0)
      << "chromium is missing: scripts/install-deps.sh installs it";
  TempRegistry db;
  fill_hostile_city(db);
  const auto report = run_report(db, "out") / "report.html";
  const auto profile = db.dir() / "chromium-profile";
  const std::string chromium =
      "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--enable-logging=stderr --v=0 --user-data-dir='" +
      profile.string() + "' ";
  const auto dom_file = db.dir() / "dom.html";
  const auto log_file = db.dir() / "chromium.log";
  ASSERT_EQ(run_command(chromium + "--dump-dom 'file://" + report.string() + "' >'" +
                        dom_file.string() + "' 2>'" + log_file.string() + "'"),
            0);
  const std::string dom = read_file(dom_file);
  const std::string log = read_file(log_file);
  EXPECT_NE(dom.find("class=\"filter\""), std::string::npos) << "the inline script did not run";
  EXPECT_NE(dom.find("<svg class=\"chart\""), std::string::npos);
  EXPECT_EQ(dom.find("<img"), std::string::npos);
  EXPECT_EQ(dom.find("alert(2)</script>"), std::string::npos);
  EXPECT_NE(dom.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  for (const char* bad : {"Refused to", "Uncaught", "CONSOLE"}) {
    EXPECT_EQ(log.find(bad), std::string::npos) << bad << " in:\n" << log;
  }
}

}  // namespace
}  // namespace regaudit::test
