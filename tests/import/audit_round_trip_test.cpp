// Issue 6's round trip: export every table of a generated city to CSV (some
// files in GB18030, one as TSV), import them into a new registry with
// `regaudit import`, audit both → the same findings, fingerprints included.

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "csv_writer.hpp"
#include "regaudit/schema.hpp"
#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"
#include "synth/synth.hpp"

namespace regaudit::test {
namespace {

std::string findings_section(const std::string& xml) {
  const auto begin = xml.find("<findings");
  const auto end = xml.find("</findings>");
  return begin == std::string::npos ? std::string() : xml.substr(begin, end - begin);
}

TEST(ImportRoundTrip, ExportedAndReimportedCityAuditsToTheSameFindings) {
  TempDir dir;
  synth::Options options;
  options.out_path = (dir.path() / "original.db").string();
  options.persons = 4000;
  options.seed = 11;
  options.period = *AuditPeriod::parse("2022-04");
  std::ostringstream log;
  ASSERT_TRUE(synth::generate(options, log)) << log.str();

  const auto copy = dir.path() / "reimported.db";
  int n = 0;
  for (const TableSpec& table : registry_schema()) {
    const bool gb18030 = n % 3 == 1;
    const bool tsv = table.name == "inquiries";
    const auto csv = dir.path() / (table.name + (tsv ? ".tsv" : ".csv"));
    const Status exported = import::export_table_csv(
        options.out_path, table.name, csv,
        gb18030 ? import::Encoding::gb18030 : import::Encoding::utf8, tsv ? '\t' : ',');
    ASSERT_TRUE(exported) << table.name << ": " << exported.message();
    std::string output;
    ASSERT_EQ(run_command("'" + regaudit_binary().string() + "' import --db '" + copy.string() +
                              "' --table " + table.name + " --encoding " +
                              (gb18030 ? "gb18030" : "auto") + " '" + csv.string() + "'",
                          &output),
              0)
        << table.name << ":\n"
        << output;
    EXPECT_NE(output.find("rejected 0"), std::string::npos) << table.name << ":\n" << output;
    ++n;
  }

  for (const char* period : {"2022-03", "2022-04"}) {
    std::string xml[2];
    int i = 0;
    for (const std::string& db : {options.out_path, copy.string()}) {
      const auto out = dir.path() / (std::string(period) + "-" + std::to_string(i));
      std::string output;
      ASSERT_EQ(
          run_command("SOURCE_DATE_EPOCH=0 '" + regaudit_binary().string() + "' run -q --db '" +
                          db + "' --period " + period + " --out '" + out.string() + "'",
                      &output),
          0)
          << output;
      xml[i++] = read_file(out / "report.xml");
    }
    const std::string original = findings_section(xml[0]);
    EXPECT_GT(original.size(), 1000u);
    EXPECT_EQ(original, findings_section(xml[1])) << period;
  }
}

}  // namespace
}  // namespace regaudit::test
