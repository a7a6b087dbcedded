// Export every table of a hand-built registry to CSV (some in GB18030, one as
// TSV), import the files into a new registry, and compare the tables row for
// row. The audit-level round trip (same findings) is done where the city
// generator and the rules live.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "csv_writer.hpp"
#include "import_test_support.hpp"
#include "regaudit/schema.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::import::test {
namespace {

using regaudit::test::TempDir;
using regaudit::test::TempRegistry;

// Awkward values everywhere: delimiters, quotes, line breaks, Chinese, NULL,
// empty text, leading zeros, spaces, full-width digits.
constexpr const char* kRegistrySql = R"sql(
INSERT INTO streets VALUES ('440105001', '海珠区"江南中"街', '440105'), ('440105002', NULL, '');
INSERT INTO communities VALUES ('440105001001', '440105001', '晓港湾社区, 一区');
INSERT INTO persons VALUES
  (1, '440105199001011234', '张三', '男', '1990-01-01', '440105001', '440105001001', '广州市
海珠区 1 号', '2022-03-01 10:00'),
  (2, ' 44010519900101123x ', '歐陽·娜娜', NULL, '', '440105002', NULL, NULL, NULL);
INSERT INTO residences VALUES (1, '440105199001011234', '440105002', 'c', '出租屋 "A"', 'rental',
  '2022-01-01', NULL);
INSERT INTO person_phones VALUES (1, '440105199001011234', '+86 138-0013-8000', 'hukou',
  '2022-01-01 08:00'), (2, '440105199001011234', '１３８００１３８０００', '', NULL);
INSERT INTO phone_subscriptions VALUES (1, '13800138000', '440105199001011234', '张三', '移动',
  '2020-01-01', NULL), (2, '13800138000', NULL, NULL, NULL, '2022-05-01', '2022-06-01');
INSERT INTO assignments VALUES (1, 'L-001', 'transport_return', '2022-04-01', '138', '110', '李四',
  '440105001', '市指挥部');
INSERT INTO inquiries VALUES (1, 1, '138', '110', '街道办', '440105001', '话务员01',
  '2022年4月3日 09:30', 60, 'no_answer'), (2, NULL, '', NULL, NULL, NULL, NULL, '', '0060', '');
INSERT INTO self_reports VALUES (1, '110', '138', '李四', '440105001', '001', '2022-04-02',
  '2022-04-01 20:00', '廣州市', 'g 12-34');
INSERT INTO travel_records VALUES (1, '110', 'train', 'G1234', '北京', '2022-04-01 08:00',
  '2022-04-01 16:00', '2022-04-01 16:05');
INSERT INTO vaccinations VALUES (1, '110', 1, '2021-05-01'), (2, '110', 'two', '2021-06-01');
INSERT INTO checkins VALUES (1, '110', '138', '440105001', '001', 'home_visit', '一组', 3, '社区',
  '2022-04-05 10:00', 20, 1), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '1 ');
INSERT INTO checkin_fields VALUES (1, 'id_number', '110'), (1, 'name', '李四'),
  (1, 'arrived_at', ''), (1, 'origin', NULL), (2, 'note', 'a "quoted"
multi-line, value');
)sql";

std::string table_dump(const std::filesystem::path& db, const TableSpec& table) {
  std::string columns;
  for (const ColumnSpec& c : table.columns) {
    columns += (columns.empty() ? "" : " || '|' || ") + fmt::format("quote({})", c.name);
  }
  std::string dump;
  for (const std::string& row :
       query(db, fmt::format("SELECT {} FROM {} ORDER BY rowid", columns, table.name))) {
    dump += row + "\n";
  }
  return dump;
}

TEST(ImportRoundTrip, EveryTableExportedAndImportedComesBackRowForRow) {
  TempRegistry original;
  original.exec(kRegistrySql);
  TempDir dir;
  const std::filesystem::path copy = dir.path() / "copy.db";

  int index = 0;
  for (const TableSpec& table : registry_schema()) {
    // Every third table in GB18030, one as TSV; the rest UTF-8 CSV.
    const Encoding encoding = index % 3 == 1 ? Encoding::gb18030 : Encoding::utf8;
    const bool tsv = table.name == "persons";
    const std::filesystem::path csv = dir.path() / (table.name + (tsv ? ".tsv" : ".csv"));
    ASSERT_TRUE(
        export_table_csv(original.path(), table.name, csv, encoding, tsv ? '\t' : ',').is_ok())
        << table.name;
    const CliRun run =
        run_cli({"import", "--db", copy.string(), "--table", table.name, "--encoding",
                 encoding == Encoding::gb18030 ? "gb18030" : "utf-8", csv.string()});
    ASSERT_EQ(run.exit_code, 0) << table.name << ": " << run.err;
    EXPECT_NE(run.out.find("rejected 0"), std::string::npos) << table.name << ": " << run.out;
    ++index;
  }

  for (const TableSpec& table : registry_schema()) {
    const std::string before = table_dump(original.path(), table);
    EXPECT_FALSE(before.empty()) << table.name << " should have rows in this test";
    EXPECT_EQ(table_dump(copy, table), before) << table.name;
  }
  EXPECT_EQ(query_one(copy, "SELECT count(*) FROM _rejects"), "0");
}

TEST(ImportRoundTrip, AutoDetectionReadsBackAGb18030Export) {
  TempRegistry original;
  original.exec(kRegistrySql);
  TempDir dir;
  const std::filesystem::path csv = dir.path() / "persons.csv";
  ASSERT_TRUE(export_table_csv(original.path(), "persons", csv, Encoding::gb18030).is_ok());
  const std::filesystem::path copy = dir.path() / "copy.db";
  const CliRun run = run_cli({"import", "--db", copy.string(), "--table", "persons", csv.string()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("auto: gb18030"), std::string::npos) << run.out;
  const TableSpec& persons = *find_table_spec("persons");
  EXPECT_EQ(table_dump(copy, persons), table_dump(original.path(), persons));
}

}  // namespace
}  // namespace regaudit::import::test
