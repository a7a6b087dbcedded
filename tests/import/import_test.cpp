#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "import_test_support.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::import::test {
namespace {

using regaudit::test::TempDir;

constexpr const char* kPhonesHeader = "link_id,id_number,phone,source,recorded_at\n";

class ImportTest : public ::testing::Test {
 protected:
  std::filesystem::path file(const std::string& name, const std::string& bytes) {
    const std::filesystem::path p = dir_.path() / name;
    write_bytes(p, bytes);
    return p;
  }
  std::string db() const { return (dir_.path() / "registry.db").string(); }
  CliRun import(const std::string& table, std::vector<std::string> extra) {
    std::vector<std::string> args = {"import", "--db", db(), "--table", table};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
  }
  std::vector<std::string> rejects() const {
    return query(db(), "SELECT line, reason FROM _rejects ORDER BY line");
  }

  TempDir dir_;
};

TEST_F(ImportTest, PlainUtf8_LoadsEveryRowAndPrintsCounts) {
  const auto csv =
      file("phones.csv", std::string(kPhonesHeader) +
                             "1,440105199001011234,13800138000,hukou,2022-04-01\n"
                             "2,440105199001011235,13800138001,self_report,2022-04-02");
  const CliRun run = import("person_phones", {csv.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("read 2, loaded 2, rejected 0"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("plain ASCII, read as utf-8"), std::string::npos) << run.out;
  EXPECT_EQ(query(db(), "SELECT link_id, phone, recorded_at FROM person_phones ORDER BY 1"),
            (std::vector<std::string>{"1|13800138000|2022-04-01", "2|13800138001|2022-04-02"}));
  // The file is a complete registry: every table exists.
  EXPECT_EQ(query_one(db(), "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"), "14");
}

// A file whose table of a registry name lacks the registry's columns is
// refused before anything is created (the import failed on the insert, after
// the other tables had been made and committed).
TEST_F(ImportTest, ATableWithoutTheRegistrysColumns_IsRefusedAndNothingIsWritten) {
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db().c_str(), &handle), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(handle, "CREATE TABLE Inquiries (inquiry_id INTEGER PRIMARY KEY, phone TEXT)",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(handle);
  const auto csv = file("calls.csv",
                        "inquiry_id,phone,id_number,called_at,outcome\n"
                        "1,13800138000,440105199001011234,2022-04-01 09:00,confirmed_local\n");
  const CliRun run = import("inquiries", {csv.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("table inquiries has no column assignment_id, id_number"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("nothing was written"), std::string::npos) << run.err;
  EXPECT_EQ(query(db(), "SELECT name FROM sqlite_schema WHERE type = 'table'"),
            (std::vector<std::string>{"Inquiries"}));
}

TEST_F(ImportTest, Utf8WithBom_BomIsNotPartOfTheFirstHeader) {
  const auto csv = file("persons.csv", "\xEF\xBB\xBFperson_id,id_number,name\n7,110,张三\n");
  const CliRun run = import("persons", {csv.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("byte-order mark"), std::string::npos) << run.out;
  EXPECT_EQ(query_one(db(), "SELECT person_id, name FROM persons"), "7|张三");
}

TEST_F(ImportTest, Gb18030_AutoDetectedAndStoredAsUtf8WithChineseHeaders) {
  const auto csv = file("persons.csv", to_gb18030("人员编号,公民身份号码,姓名,户籍街道\r\n"
                                                  "1,440105199001011234,张三,440105001\r\n"
                                                  "2,440105199001011235,欧阳娜娜,440105002\r\n"));
  const CliRun run = import("persons", {csv.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("auto: gb18030"), std::string::npos) << run.out;
  EXPECT_EQ(query(db(), "SELECT person_id, id_number, name, hukou_street FROM persons ORDER BY 1"),
            (std::vector<std::string>{"1|440105199001011234|张三|440105001",
                                      "2|440105199001011235|欧阳娜娜|440105002"}));
}

TEST_F(ImportTest, Gb18030_InvalidBytesRejectTheRowWithColumnAndOffsetAndKeepTheBytes) {
  const std::string head = to_gb18030("人员编号,身份证号,姓名\n1,110,张三\n");
  const std::string bad_row = "2,110," + to_gb18030("李") + "\xFF\x20\n";
  const auto csv = file("persons.csv", head + bad_row + "3,110,x\n");
  const CliRun run = import("persons", {"--encoding", "gb18030", csv.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("read 3, loaded 2, rejected 1"), std::string::npos) << run.out;
  const std::size_t offset = head.size() + 6 + 2;  // "2,110," then the two bytes of 李
  EXPECT_EQ(rejects(), (std::vector<std::string>{fmt::format(
                           "3|line 3: column 3 ('姓名'): byte 0xFF at file offset {} is not valid "
                           "gb18030",
                           offset)}));
  EXPECT_EQ(query_one(db(), "SELECT typeof(raw), length(raw) FROM _rejects"),
            fmt::format("blob|{}", bad_row.size() - 1));
  EXPECT_EQ(query(db(), "SELECT person_id FROM persons ORDER BY 1"),
            (std::vector<std::string>{"1", "3"}));
}

TEST_F(ImportTest, Utf8_InvalidBytesRejectTheRowAndNothingGarbledLands) {
  const std::string bad_row = "2,110,\xE5\xBC\n";  // a truncated 张
  const auto csv =
      file("persons.csv", "person_id,id_number,name\n1,110,张三\n" + bad_row + "3,110,王五\n");
  const CliRun run = import("persons", {"--encoding", "utf-8", csv.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto r = rejects();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r[0].find("line 3: column 3 ('name'): byte 0xE5"), std::string::npos) << r[0];
  EXPECT_EQ(query_one(db(), "SELECT typeof(raw), length(raw) FROM _rejects"),
            fmt::format("blob|{}", bad_row.size() - 1));
  EXPECT_EQ(query(db(), "SELECT name FROM persons ORDER BY 1"),
            (std::vector<std::string>{"张三", "王五"}));
}

TEST_F(ImportTest, Rejects_NameReasonAndPhysicalLine_AndLoadedPlusRejectedIsRead) {
  TempDir unused;
  const auto csv = file("phones.csv", std::string(kPhonesHeader) +
                                          "1,a,\"multi\nline\",s,t\n"  // lines 2-3
                                          "2,b,p\n"                    // line 4
                                          "1,c,p,s,t\n"                // line 5: duplicate
                                          ",d,p,s,t\n"                 // line 6: empty key
                                          "x7,e,p,s,t\n"               // line 7: not integer
                                          "8,\"f\"g,p,s,t\n"           // line 8
                                          "9,h,p,s,t,extra\n"          // line 9
                                          "10,i,p,s,t\n");
  const CliRun run = import("person_phones", {csv.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("read 8, loaded 2, rejected 6"), std::string::npos) << run.out;
  EXPECT_EQ(rejects(),
            (std::vector<std::string>{
                "4|line 4: expected 5 fields as in the header, found 3",
                "5|line 5: column 1 ('link_id'): duplicate primary key link_id (already in the "
                "registry or earlier in the file)",
                "6|line 6: column 1 ('link_id'): the primary key link_id is empty",
                "7|line 7: column 1 ('link_id'): the primary key link_id is not an integer",
                "8|line 8: column 2 ('id_number'): text after the closing quote",
                "9|line 9: expected 5 fields as in the header, found 6"}));
  EXPECT_EQ(query_one(db(), "SELECT raw FROM _rejects WHERE line = 4"), "2,b,p");
  EXPECT_EQ(query_one(db(), "SELECT DISTINCT source_file || '|' || target_table FROM _rejects"),
            csv.string() + "|person_phones");
  // Row content never reaches the terminal.
  EXPECT_EQ(run.out.find("x7"), std::string::npos);
  EXPECT_EQ(run.err.find("x7"), std::string::npos);
}

TEST_F(ImportTest, DuplicateKeyAgainstTheRegistryAndInsideOneBatchIsARejectNotAnAbort) {
  std::string first = kPhonesHeader;
  for (int i = 1; i <= 100; ++i) first += fmt::format("{},id,p,s,t\n", i);
  ASSERT_EQ(import("person_phones", {file("a.csv", first).string()}).exit_code, 0);
  // 200 rows: keys 51..250, so 50 collide with the registry; key 120 also twice in the file.
  std::string second = kPhonesHeader;
  for (int i = 51; i <= 250; ++i) second += fmt::format("{},id,p,s,t\n", i);
  second += "120,id,p,s,t\n";
  const CliRun run = import("person_phones", {file("b.csv", second).string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("read 201, loaded 150, rejected 51 (51 duplicate primary key)"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(query_one(db(), "SELECT count(*), min(link_id), max(link_id) FROM person_phones"),
            "250|1|250");
  EXPECT_EQ(query_one(db(), "SELECT min(line), max(line) FROM _rejects"), "2|202");
}

TEST_F(ImportTest, EmptyUnquotedFieldIsNullQuotedEmptyIsEmptyTextValuesStoredAsGiven) {
  const auto csv = file("inq.csv",
                        "inquiry_id,assignment_id,phone,id_number,called_at,duration_s,outcome\n"
                        "1,,\"\", 0138 ,2022/4/1 9:00,abc,NO_ANSWER\n"
                        "2,007,+86 138,x,t,120,o\n");
  const CliRun run = import("inquiries", {csv.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(query(db(),
                  "SELECT quote(assignment_id), quote(phone), quote(id_number), quote(called_at), "
                  "quote(duration_s), quote(agency) FROM inquiries ORDER BY inquiry_id"),
            (std::vector<std::string>{"NULL|''|' 0138 '|'2022/4/1 9:00'|'abc'|NULL",
                                      "7|'+86 138'|'x'|'t'|120|NULL"}));
}

TEST_F(ImportTest, Headers_TrimmedCaseInsensitive_UnknownColumnsIgnoredOnce) {
  const auto csv = file(
      "p.csv", " Link_ID ,ID_NUMBER,Phone,RECORDED_AT,备注,序号\n1,a,b,c,note,1\n2,a,b,c,n,2\n");
  const CliRun run = import("person_phones", {csv.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("ignoring 2 columns not in table person_phones: '备注', '序号'"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(query_one(db(),
                      "SELECT link_id, id_number, phone, quote(source), recorded_at FROM "
                      "person_phones WHERE link_id = 1"),
            "1|a|b|NULL|c");
}

TEST_F(ImportTest, Headers_ChineseExportHeadersAreRecognised) {
  const auto csv = file("calls.csv",
                        "核查编号,名单条目编号,联系电话,证件号码,核查单位,所在街道,话务员,来电时间,"
                        "通话时长（秒）,核查结果\n"
                        "1,2,138,110,agency,street,caller,2022-04-01 09:00,60,no_answer\n");
  const CliRun run = import("inquiries", {csv.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(query_one(db(), "SELECT * FROM inquiries"),
            "1|2|138|110|agency|street|caller|2022-04-01 09:00|60|no_answer");
}

TEST_F(ImportTest, Headers_MapOptionAndMappingFile) {
  const auto csv = file("p.csv", "编号,号码,证件,时间,渠道\n1,138,110,t,hukou\n");
  const auto mapping = file("phones.xml",
                            "<import-mapping version=\"1\" table=\"person_phones\">\n"
                            "  <column source=\"编号\" target=\"link_id\"/>\n"
                            "  <column source=\"号码\" target=\"phone\"/>\n"
                            "  <column source=\"证件\" target=\"id_number\"/>\n"
                            "  <column source=\"时间\" target=\"source\"/>\n"
                            "</import-mapping>\n");
  // --map wins over the mapping file: 时间 is recorded_at, not source.
  const CliRun run =
      import("person_phones", {"--mapping", mapping.string(), "--map", "时间=recorded_at", "--map",
                               "渠道=source", csv.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(query_one(db(), "SELECT * FROM person_phones"), "1|110|138|hukou|t");
}

TEST_F(ImportTest, Headers_MappingFileForAnotherTableIsAnError) {
  const auto mapping = file("m.xml", "<import-mapping table=\"persons\"/>");
  const auto csv = file("p.csv", kPhonesHeader);
  const CliRun run = import("person_phones", {"--mapping", mapping.string(), csv.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("this mapping is for table persons, not person_phones"), std::string::npos)
      << run.err;
}

// A typo in a mapping file's attribute, or one header mapped to two columns
// (in the file or by --map), is an error before anything is written: it
// would otherwise pass silently and load the column wrongly or not at all.
TEST_F(ImportTest, Headers_MappingTyposAndHeadersMappedTwiceAreErrors) {
  const auto csv = file("p.csv", "编号,号码,证件,时间\n1,138,110,2022-04-01\n");
  const auto refused = [&](const std::vector<std::string>& args, const std::string& needle) {
    std::vector<std::string> all = args;
    all.push_back(csv.string());
    const CliRun run = import("person_phones", all);
    EXPECT_EQ(run.exit_code, 2) << needle;
    EXPECT_NE(run.err.find(needle), std::string::npos) << run.err;
    EXPECT_FALSE(std::filesystem::exists(db())) << "the registry was created";
  };
  const std::string columns =
      "  <column source=\"编号\" target=\"link_id\"/>\n"
      "  <column source=\"号码\" target=\"phone\"/>\n"
      "  <column source=\"证件\" target=\"id_number\"/>\n"
      "  <column source=\"时间\" target=\"recorded_at\"/>\n";
  const auto root_typo =
      file("root.xml", "<import-mapping tabel=\"persons\">\n" + columns + "</import-mapping>\n");
  refused({"--mapping", root_typo.string()},
          "<import-mapping> at byte 1 has an unknown attribute tabel= (expected version=, "
          "table=, encoding=, delimiter=)");
  const auto column_typo = file("column.xml", "<import-mapping>\n" + columns +
                                                  "  <column source=\"x\" targt=\"phone\"/>\n"
                                                  "</import-mapping>\n");
  refused({"--mapping", column_typo.string()}, "has an unknown attribute targt=");
  const auto allow_typo = file("allow.xml", "<import-mapping>\n" + columns +
                                                "  <allow-missing colum=\"source\"/>\n"
                                                "</import-mapping>\n");
  refused({"--mapping", allow_typo.string()}, "has an unknown attribute colum= (expected column=)");
  const auto twice = file("twice.xml", "<import-mapping>\n" + columns +
                                           "  <column source=\" 号码 \" target=\"id_number\"/>\n"
                                           "</import-mapping>\n");
  refused({"--mapping", twice.string()},
          "header ' 号码 ' is already mapped to phone, not id_number");
  refused({"--map", "编号=link_id", "--map", "号码=phone", "--map", "证件=id_number", "--map",
           "时间=recorded_at", "--map", "号码=id_number"},
          "--map '号码=id_number': header '号码' is already mapped to phone by an earlier --map");
  // The same mapping twice is no contradiction.
  const CliRun same = import(
      "person_phones", {"--map", "号码=phone", "--map", "号码=phone", "--map", "编号=link_id",
                        "--map", "证件=id_number", "--map", "时间=recorded_at", csv.string()});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(query_one(db(), "SELECT phone, id_number FROM person_phones"), "138|110");
}

TEST_F(ImportTest, Headers_MissingRequiredColumnIsAnErrorBeforeAnyRowAndWritesNothing) {
  const auto csv = file("p.csv", "link_id,id_number,source\n1,a,b\n");
  const CliRun run = import("person_phones", {csv.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(csv.string() +
                         ": line 1: required columns missing for table person_phones: phone, "
                         "recorded_at"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(std::filesystem::exists(db()));
}

TEST_F(ImportTest, Headers_AllowMissingAcceptsNullsButNeverForTheKey) {
  const auto csv = file("p.csv", "link_id,id_number,phone\n1,a,b\n");
  EXPECT_EQ(import("person_phones", {"--allow-missing", "recorded_at", csv.string()}).exit_code, 0);
  EXPECT_EQ(query_one(db(), "SELECT quote(recorded_at) FROM person_phones"), "NULL");

  const auto no_key = file("k.csv", "id_number,phone,recorded_at\na,b,c\n");
  const CliRun run = import("person_phones", {"--allow-missing", "link_id", no_key.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("missing for table person_phones: link_id"), std::string::npos);
}

TEST_F(ImportTest, Headers_TwoHeadersForOneColumnIsAnErrorNamingBoth) {
  const auto csv = file("p.csv", "link_id,身份证号,证件号码,phone,recorded_at\n1,a,b,c,d\n");
  const CliRun run = import("person_phones", {csv.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("headers '身份证号' (column 2) and '证件号码' (column 3) both map to "
                         "id_number"),
            std::string::npos)
      << run.err;
}

TEST_F(ImportTest, Tsv_ByExtensionAndByBackslashTDelimiter) {
  const std::string tsv = "link_id\tid_number\tphone\trecorded_at\n1\ta,b\tp\tt\n";
  EXPECT_EQ(import("person_phones", {file("a.tsv", tsv).string()}).exit_code, 0);
  const std::string txt = "link_id\tid_number\tphone\trecorded_at\n2\tc\tp\tt\n";
  EXPECT_EQ(import("person_phones", {"--delimiter", "\\t", file("b.txt", txt).string()}).exit_code,
            0);
  EXPECT_EQ(query(db(), "SELECT link_id, id_number FROM person_phones ORDER BY 1"),
            (std::vector<std::string>{"1|a,b", "2|c"}));
}

TEST_F(ImportTest, AllOrNothing_AFileThatFailsMidwayLeavesNothingEarlierFilesStay) {
  const auto good = file("good.csv", std::string(kPhonesHeader) + "1,a,p,s,t\n2,b,p,s,t\n");
  std::string broken = kPhonesHeader;
  for (int i = 10; i < 400; ++i) broken += fmt::format("{},x,p,s,t\n", i);
  broken += "400,x,\"never closed,s,t\n401,y,p,s,t\n";
  const auto bad = file("broken.csv", broken);
  const CliRun run = import("person_phones", {good.string(), bad.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(bad.string() + ": line 392: column 3 ('phone'): a quoted field is never "
                                        "closed"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.out.find("good.csv: read 2, loaded 2, rejected 0"), std::string::npos);
  EXPECT_EQ(query_one(db(), "SELECT count(*), max(link_id) FROM person_phones"), "2|2");
  EXPECT_EQ(query_one(db(), "SELECT count(*) FROM _rejects"), "0");
}

TEST_F(ImportTest, AllOrNothing_AKilledImportLeavesTheRegistryAsBeforeThatFile) {
  ASSERT_EQ(import("person_phones",
                   {file("first.csv", std::string(kPhonesHeader) + "1,a,p,s,t\n").string()})
                .exit_code,
            0);
  std::string big = kPhonesHeader;
  big.reserve(2'000'000 * 50);
  for (int i = 2; i < 2'000'000; ++i) {
    big += std::to_string(i);
    big += ",440105199001011234,13800138000,hukou,2022-04-01 09:00\n";
  }
  const auto csv = file("big.csv", big);
  big.clear();
  const std::filesystem::path journal = db() + "-journal";

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execl(REGAUDIT_IMPORT_DRIVER, REGAUDIT_IMPORT_DRIVER, "import", "--db", db().c_str(), "--table",
          "person_phones", csv.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill the importer once its transaction has started writing.
  int status = 0;
  bool exited = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(journal) && std::chrono::steady_clock::now() < deadline) {
    if (waitpid(child, &status, WNOHANG) == child) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  if (!exited) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  if (exited || !WIFSIGNALED(status)) GTEST_SKIP() << "the import finished before it was killed";
  // Opening the registry rolls the hot journal back.
  EXPECT_EQ(query_one(db(), "SELECT count(*), max(link_id) FROM person_phones"), "1|1");
  EXPECT_EQ(query_one(db(), "PRAGMA integrity_check"), "ok");
}

TEST_F(ImportTest, EmptyFileIsAnErrorNamingIt) {
  const auto csv = file("empty.csv", "");
  const CliRun run = import("persons", {csv.string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(csv.string() + ": the file is empty"), std::string::npos) << run.err;
}

TEST_F(ImportTest, BadDelimiterAndUnknownTableAreUsageErrors) {
  const auto csv = file("p.csv", kPhonesHeader);
  EXPECT_EQ(import("person_phones", {"--delimiter", "ab", csv.string()}).exit_code, 2);
  EXPECT_EQ(import("no_such_table", {csv.string()}).exit_code, 2);
  EXPECT_EQ(import("person_phones", {"--map", "x=no_such_column", csv.string()}).exit_code, 2);
}

TEST_F(ImportTest, ExportTemplate_WritesTheHeaderLineOnly_AndImportsBackAsZeroRows) {
  const std::filesystem::path out = dir_.path() / "inquiries.csv";
  const CliRun run = run_cli({"export-template", "--table", "inquiries", "--out", out.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(regaudit::test::read_file(out),
            "inquiry_id,assignment_id,phone,id_number,agency,street,caller,called_at,duration_s,"
            "outcome\n");
  const CliRun to_stdout = run_cli({"export-template", "--table", "checkin_fields"});
  EXPECT_EQ(to_stdout.out, "checkin_id,field,value\n");
  const CliRun back = import("inquiries", {out.string()});
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_NE(back.out.find("read 0, loaded 0, rejected 0"), std::string::npos) << back.out;
  // An existing file is never written over (an --out naming a registry by
  // mistake replaced it with one line).
  const CliRun again = run_cli({"export-template", "--table", "persons", "--out", out.string()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("it is never written over"), std::string::npos) << again.err;
  EXPECT_EQ(regaudit::test::read_file(out).substr(0, 11), "inquiry_id,");
}

}  // namespace
}  // namespace regaudit::import::test
