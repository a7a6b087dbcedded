// A corpus of malformed and hostile registries. Each gets either a clean run
// (odd values counted as unreadable, a report that validates) or a clear error
// (exit 2) naming what is wrong — never a crash, a hang or a partial report.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <random>

#include "support/audit_harness.hpp"
#include "support/temp_registry.hpp"

namespace regaudit::test {
namespace {

std::string regaudit(const std::string& args) {
  return "timeout 120 '" + regaudit_binary().string() + "' " + args;
}

struct AuditRun {
  int exit_code;
  std::string log;
  std::filesystem::path out;
  bool out_existed = false;
};

AuditRun audit_file(const std::filesystem::path& db, const std::filesystem::path& out,
                    const std::string& extra = "") {
  AuditRun r;
  r.out = out;
  r.out_existed = std::filesystem::exists(out);
  r.exit_code = run_command(regaudit("run --db '" + db.string() + "' --period 2022-04 --out '" +
                                     out.string() + "' " + extra),
                            &r.log);
  return r;
}

void expect_clean_error(const AuditRun& r, const std::string& needle) {
  EXPECT_EQ(r.exit_code, 2) << r.log;
  EXPECT_NE(r.log.find(needle), std::string::npos) << r.log;
  EXPECT_FALSE(std::filesystem::exists(r.out / "report.xml")) << "a report was written";
  EXPECT_FALSE(std::filesystem::exists(r.out / "report.html")) << "a report was written";
  if (!r.out_existed) {
    EXPECT_FALSE(std::filesystem::exists(r.out)) << "an empty --out was left";
  }
}

void expect_clean_run(const AuditRun& r) {
  EXPECT_EQ(r.exit_code, 0) << r.log;
  EXPECT_EQ(xsd_errors(r.out / "report.xml"), "");
}

TEST(BadRegistry, PlainTextIsNotADatabase) {
  TempDir dir;
  std::ofstream(dir.path() / "notes.db") << "id_number,name\n11010519491231002X,张三\n";
  expect_clean_error(audit_file(dir.path() / "notes.db", dir.path() / "out"), "notes.db");
}

TEST(BadRegistry, RandomBytesAreNotADatabase) {
  TempDir dir;
  std::mt19937 random(42);
  {
    std::ofstream f(dir.path() / "noise.db", std::ios::binary);
    for (int i = 0; i < 64 * 1024; ++i) f.put(static_cast<char>(random() & 0xFF));
  }
  expect_clean_error(audit_file(dir.path() / "noise.db", dir.path() / "out"), "noise.db");
}

TEST(BadRegistry, EmptyFileHasNoTables) {
  TempDir dir;
  std::ofstream(dir.path() / "empty.db").close();
  expect_clean_error(audit_file(dir.path() / "empty.db", dir.path() / "out"),
                     "missing table 'streets'");
}

TEST(BadRegistry, TruncatedFileIsMalformed) {
  TempRegistry db;
  std::string rows;
  for (int i = 0; i < 3000; ++i) {
    rows += "INSERT INTO persons (person_id, id_number, name, hukou_address) VALUES (" +
            std::to_string(i) + ", '11010519491231002X', '张三', '" + std::string(200, 'x') +
            "');\n";
  }
  db.exec("BEGIN;" + rows + "COMMIT;");
  const auto size = std::filesystem::file_size(db.path());
  std::filesystem::resize_file(db.path(), size / 2);
  const AuditRun r = audit_file(db.path(), db.dir() / "out");
  expect_clean_error(r, "registry.db");
  EXPECT_NE(r.log.find("malformed"), std::string::npos) << r.log;
}

// A damaged page that only one rule reads fails that rule; the run then
// finds the damage, names the file and writes no report (as when the pages
// the host itself reads are damaged), instead of a report with a failed rule.
TEST(BadRegistry, ADamagedPageOfOneRulesTableIsBadInputNotAFailedRule) {
  TempRegistry db;
  std::string rows;
  for (int i = 0; i < 3000; ++i) {
    rows += "INSERT INTO vaccinations (vaccination_id, id_number, vaccinated_at) VALUES (" +
            std::to_string(i) + ", '11010519491231002X', '2021-05-01');\n";
  }
  db.exec("BEGIN;" + rows + "COMMIT;");
  std::int64_t root = 0;
  std::int64_t page_size = 0;
  {
    RegistryView registry(db.path());
    Statement s =
        registry.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'vaccinations'");
    ASSERT_TRUE(s.step());
    root = s.int64(0);
    Statement size = registry.prepare("PRAGMA page_size");
    ASSERT_TRUE(size.step());
    page_size = size.int64(0);
  }
  // The root is an interior page (kind 5) whose right-most child, at offset
  // 8 of its header, is a leaf: its cells are overwritten, its kind kept.
  std::fstream f(db.path(), std::ios::in | std::ios::out | std::ios::binary);
  std::array<unsigned char, 12> header{};
  f.seekg((root - 1) * page_size);
  f.read(reinterpret_cast<char*>(header.data()), header.size());
  ASSERT_EQ(header[0], 5);
  const std::int64_t leaf =
      (std::int64_t{header[8]} << 24) | (header[9] << 16) | (header[10] << 8) | header[11];
  f.seekp((leaf - 1) * page_size + 1);
  for (int i = 0; i < 300; ++i) f.put(static_cast<char>(0xFF));
  f.close();
  // Found only after --out was made: the directories made for it go again.
  const AuditRun r = audit_file(db.path(), db.dir() / "out" / "2022-04");
  expect_clean_error(r, db.path() + " is damaged (");
  EXPECT_FALSE(std::filesystem::exists(db.dir() / "out"));
  EXPECT_NE(r.log.find("rule checkin-redundancy failed"), std::string::npos) << r.log;
  EXPECT_NE(r.log.find("nothing was written"), std::string::npos) << r.log;
}

TEST(BadRegistry, DatabaseLockedByAWriterIsAClearErrorNotAHang) {
  TempRegistry db;
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(db.path().c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer, "BEGIN EXCLUSIVE; INSERT INTO persons (person_id) VALUES (1);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  const auto started = std::chrono::steady_clock::now();
  const AuditRun r = audit_file(db.path(), db.dir() / "out");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(60));
  sqlite3_exec(writer, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(writer);
  expect_clean_error(r, "locked");
}

// A registry in WAL mode, without its -shm index, in a directory the user
// cannot write: SQLite cannot read it and says only "attempt to write a
// readonly database"; the error says why and what to do.
TEST(BadRegistry, AWalRegistryInAReadOnlyDirectoryIsExplained) {
  // An audit of `db` into `out` with the registry's directory not writable.
  // Root writes any directory: as root, the audit runs without the
  // capabilities that let it (the binary stays where root put it).
  const auto audit_read_only = [](const TempRegistry& db, const std::filesystem::path& out,
                                  std::string& log) {
    using std::filesystem::perms;
    std::filesystem::permissions(db.dir(),
                                 perms::owner_write | perms::group_write | perms::others_write,
                                 std::filesystem::perm_options::remove);
    const std::string as_user =
        geteuid() == 0 ? "setpriv --bounding-set -dac_override,-dac_read_search,-fowner " : "";
    const int exit_code = run_command(
        as_user +
            regaudit("run --db '" + db.path() + "' --period 2022-04 --out '" + out.string() + "'"),
        &log);
    std::filesystem::permissions(db.dir(), perms::owner_write, std::filesystem::perm_options::add);
    return exit_code;
  };
  TempRegistry db;
  db.exec("PRAGMA journal_mode = WAL;");
  ASSERT_FALSE(std::filesystem::exists(db.path() + "-shm"));
  std::string log;
  EXPECT_EQ(audit_read_only(db, db.dir() / "out", log), 2) << log;
  EXPECT_NE(log.find("the registry is in WAL mode: reading it needs registry.db-shm beside it"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("PRAGMA journal_mode=DELETE"), std::string::npos) << log;

  // A registry with a rollback journal in such a directory reads as any.
  const TempRegistry plain;
  const TempDir out;
  EXPECT_EQ(audit_read_only(plain, out.path() / "reports", log), 0) << log;
  EXPECT_EQ(log.find("WAL"), std::string::npos) << log;
}

TEST(BadRegistry, MissingColumnIsNamedWithItsTable) {
  TempRegistry db;
  db.exec("ALTER TABLE checkins DROP COLUMN photo;");
  expect_clean_error(audit_file(db.path(), db.dir() / "out"),
                     "table 'checkins' has no column 'photo'");
}

TEST(BadRegistry, TablesWithoutTheirKeysAsViewsStillWork) {
  // A registry may present a table as a view; it is read like a table.
  TempRegistry db;
  db.exec(R"(
    ALTER TABLE vaccinations RENAME TO vaccinations_raw;
    CREATE VIEW vaccinations AS SELECT * FROM vaccinations_raw;
  )");
  expect_clean_run(audit_file(db.path(), db.dir() / "out"));
}

// Odd values everywhere: the run is clean and counts what it cannot read.
TEST(HostileValues, AreCountedAsUnreadableAndTheReportValidates) {
  TempRegistry db;
  std::string sql = R"(
    INSERT INTO persons VALUES
      (1, X'FFFE00', X'C3', 'x', 'x', 'abc', NULL, NULL, NULL),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      (3, 12345, 678, 9, 10, 440104001, 1, 2, 3),
      (4, '11010519491231002X', 'a' || char(1) || char(27) || 'b', '1', '1949-12-31', '440104001', NULL, NULL, NULL),
      (6, 'not an id', NULL, NULL, NULL, '4401' || char(1) || '04001', NULL, NULL, NULL);
    INSERT INTO residences VALUES
      (1, '11010519491231002X', X'00FF', NULL, NULL, 'rental', 'next week', NULL),
      (2, '11010519491231002X', '440104002', NULL, NULL, 'rental', '2021-01-01', 12),
      (3, '11010519491231002X', '440104002', NULL, NULL, 'rental', '9999-12-31 23:59:59', NULL);
    INSERT INTO person_phones VALUES
      (1, '11010519491231002X', X'313338', 'hukou', 20210701),
      (2, '11010519491231002X', '13800138000', 'hukou', '2021-07-01'),
      (3, NULL, NULL, NULL, NULL);
    INSERT INTO phone_subscriptions VALUES
      (1, '13800138000', 'someone', NULL, NULL, 'yesterday', NULL),
      (2, '13800138000', '440104199001011234', NULL, NULL, '2021-06-03', '2021-02-30'),
      (3, '13800138000', X'00', NULL, NULL, '2021-06-03', NULL);
    INSERT INTO inquiries VALUES
      (1, 'abc', '13800138000', NULL, 'a', '440104001', 'c', '2022-04-03 09:30', -60, 'CONFIRMED_LOCAL'),
      (2, NULL, '13800138000', NULL, 'b', '440104001', 'c', '2022-04-04 09:30', 'long', 'no_answer'),
      (3, NULL, '13800138000', NULL, 'b', '440104001', 'c', '2022-04-05 09:30', X'00', 'no_answer'),
      (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    INSERT INTO self_reports VALUES
      (1, '11010519491231002X', NULL, NULL, NULL, NULL, '2022-04-03 24:00', 'x', 'x', 'x');
    INSERT INTO checkins VALUES
      (1, '11010519491231002X', NULL, '440104001', NULL, 'home_visit', 'T1', 'three', 'a', '2022-04-10 10:00', -5, 'yes'),
      (2, '11010519491231002X', NULL, '440104001', NULL, 'home_visit', 'T2', 3, 'a', '2022-04-11 10:00', 30, 1),
      (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    INSERT INTO checkin_fields VALUES
      (1, 'id_number', X'FF'), (2, 'vaccine_doses', 'many'), (2, 'arrived_at', '2022-13-01'),
      ('x', 'name', 'y'), (NULL, NULL, NULL);
    INSERT INTO vaccinations VALUES (1, '11010519491231002X', 'one', 'soon');
    INSERT INTO travel_records VALUES (1, '11010519491231002X', 'train', 'G1', 'x', NULL, '2022-04-09', '2022-04-09 99:00');
  )";
  db.exec(sql);
  // A one-megabyte string and ten thousand calls for one person.
  db.exec(
      "INSERT INTO persons (person_id, id_number, name, hukou_address) VALUES (5, "
      "'440104199001011234', 'x', printf('%.*c', 1000000, 'y'))");
  db.exec(R"(
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000)
    INSERT INTO inquiries (inquiry_id, phone, id_number, street, called_at, duration_s, outcome)
    SELECT 100 + i, '13800138000', '11010519491231002X', '440104001',
           datetime('2022-04-01', '+' || (i * 4) || ' minutes'), i % 300, 'confirmed_local' FROM n;
  )");
  const std::string before = read_file(db.path());
  const AuditRun r = audit_file(db.path(), db.dir() / "out");
  expect_clean_run(r);
  EXPECT_EQ(read_file(db.path()), before);
  const std::string xml = read_file(r.out / "report.xml");
  for (const char* counted : {"table=\"residences\" column=\"valid_from\"",
                              "table=\"phone_subscriptions\" column=\"activated_at\"",
                              "table=\"phone_subscriptions\" column=\"deactivated_at\"",
                              "table=\"self_reports\" column=\"reported_at\""}) {
    EXPECT_NE(xml.find(counted), std::string::npos) << counted;
  }
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find('\x1b'), std::string::npos);
  EXPECT_NE(xml.find("<replaced-characters count=\""), std::string::npos);
  EXPECT_NE(xml.find("code=\"after_conclusive_call\""), std::string::npos);
}

TEST(HostileValues, FarFutureAndFarPastDatesAreReadable) {
  TempRegistry db;
  db.exec(R"(
    INSERT INTO persons (person_id, id_number, hukou_street) VALUES (1, '11010519491231002X', '440104001');
    INSERT INTO residences VALUES (1, '11010519491231002X', '440104009', NULL, NULL, 'rental', '0001-01-01', '9999-12-31 23:59:59');
    INSERT INTO inquiries (inquiry_id, called_at) VALUES (1, '9999-12-31 23:59:59');
  )");
  const AuditRun r = audit_file(db.path(), db.dir() / "out");
  expect_clean_run(r);
  EXPECT_NE(read_file(r.out / "report.xml").find("code=\"residence_elsewhere\""),
            std::string::npos);
  // Without --period the audit takes the month of the latest call: 9999-12.
  std::string log;
  const auto out = db.dir() / "latest";
  EXPECT_EQ(
      run_command(regaudit("run -q --db '" + db.path() + "' --out '" + out.string() + "'"), &log),
      0)
      << log;
  EXPECT_NE(read_file(out / "report.xml").find("period=\"9999-12\""), std::string::npos);
  EXPECT_EQ(xsd_errors(out / "report.xml"), "");
}

// A call dated in the future is a typo: the default period is the month of
// the latest activity not after today, and the run says what it passed over.
TEST(HostileValues, TheDefaultPeriodPassesOverFutureDatedActivity) {
  TempRegistry db;
  db.exec(R"(
    INSERT INTO inquiries (inquiry_id, called_at) VALUES (1, '2022-04-03 09:30'),
      (2, '9999-12-31 23:59:59'), (3, '2022-03-30 10:00');
    INSERT INTO checkins (checkin_id, checked_in_at) VALUES (1, '2022-04-09 10:00'),
      (2, '9999-01-01'), (3, 'soon');
  )");
  const auto out = db.dir() / "latest";
  std::string log;
  // Without --period, the report's time fixed; -q keeps the warnings.
  const auto run_at = [&](const std::string& epoch) {
    log.clear();
    std::filesystem::remove_all(out);
    return run_command("SOURCE_DATE_EPOCH=" + epoch + " " +
                           regaudit("run -q --db '" + db.path() + "' --out '" + out.string() + "'"),
                       &log);
  };
  // 2022-12-01: the audited month is not the one the latest rows point to.
  EXPECT_EQ(run_at("1669852800"), 0) << log;
  EXPECT_NE(read_file(out / "report.xml").find("period=\"2022-04\""), std::string::npos);
  EXPECT_NE(log.find("auditing 2022-04"), std::string::npos) << log;
  EXPECT_NE(log.find("passing over 2 dated later (the latest 9999-12-31T23:59:59)"),
            std::string::npos)
      << log;
  // A report time before every call takes the latest of all, as before.
  EXPECT_EQ(run_at("0"), 0) << log;
  EXPECT_NE(read_file(out / "report.xml").find("period=\"9999-12\""), std::string::npos);
  EXPECT_EQ(log.find("passing over"), std::string::npos) << log;
  EXPECT_NE(log.find("every call and check-in is dated after today; auditing 9999-12"),
            std::string::npos)
      << log;
}

// An --out that cannot be made is refused before the audit; what was there
// (a symbolic link that leads nowhere) is left as it was.
TEST(Outputs, AnOutThatCannotBeMadeIsRefusedAndLeftAsItWas) {
  TempRegistry db;
  const auto out = db.dir() / "out";
  std::filesystem::create_directory_symlink(db.dir() / "nowhere" / "reports", out);
  const AuditRun r = audit_file(db.path(), out / "2022-04");
  EXPECT_EQ(r.exit_code, 2) << r.log;
  EXPECT_NE(r.log.find("--out: cannot create the directory"), std::string::npos) << r.log;
  EXPECT_TRUE(std::filesystem::is_symlink(out)) << "the link was removed";
  EXPECT_FALSE(std::filesystem::exists(db.dir() / "nowhere"));
}

// A run into `out` under an 8 KiB file-size limit: the HTML report cannot
// be written. Its log, after checking that it failed so.
std::string audit_failing_to_write(const TempRegistry& db, const std::filesystem::path& out) {
  std::string log;
  const int rc =
      run_command("ulimit -f 8; " + regaudit("run --lang en --db '" + db.path() +
                                             "' --period 2022-04 --out '" + out.string() + "'"),
                  &log);
  EXPECT_EQ(rc, 2) << log;
  EXPECT_NE(log.find("File too large"), std::string::npos) << log;
  return log;
}

// A write failure into an --out the run made: the directory goes again and
// the error says that nothing was written. An --out reached through ".." is
// made only where it was missing: the directory it names was there, empty,
// and stays; the one the run made on the way goes.
TEST(Outputs, AWriteFailureRemovesTheDirectoriesTheRunMadeOnly) {
  TempRegistry db;
  db.exec("INSERT INTO persons (person_id, id_number) VALUES (1, 'bad')");
  const std::string log = audit_failing_to_write(db, db.dir() / "new" / "2022-04");
  EXPECT_NE(log.find("nothing was written"), std::string::npos) << log;
  EXPECT_FALSE(std::filesystem::exists(db.dir() / "new")) << log;

  std::filesystem::create_directory(db.dir() / "there");
  audit_failing_to_write(db, db.dir() / "made" / ".." / "there");
  EXPECT_TRUE(std::filesystem::is_directory(db.dir() / "there"));
  EXPECT_FALSE(std::filesystem::exists(db.dir() / "made"));
}

TEST(Outputs, AWriteFailureLeavesThePreviousReportsIntact) {
  TempRegistry db;
  db.exec("INSERT INTO persons (person_id, id_number) VALUES (1, 'bad')");
  const auto out = db.dir() / "out";
  ASSERT_EQ(audit_file(db.path(), out).exit_code, 0);
  const std::string xml = read_file(out / "report.xml");
  const std::string html = read_file(out / "report.html");
  const std::string log = audit_failing_to_write(db, out);
  EXPECT_NE(log.find("previous reports"), std::string::npos) << log;
  EXPECT_EQ(read_file(out / "report.xml"), xml);
  EXPECT_EQ(read_file(out / "report.html"), html);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(out)) ++entries;
  EXPECT_EQ(entries, 2u) << "temporary files were left behind";
}

// A run killed while it swapped the reports leaves its staging directory,
// with the reports it set aside and its journal of the inodes it was placing.
// The next run that writes there puts the previous pair back (here its own
// reports then fail to be written, so they stay), leaves alone what another
// run placed since and what a live run holds, and removes the directories.
TEST(Outputs, ARunKilledMidSwapIsUndoneByTheNextRun) {
  TempRegistry db;
  db.exec("INSERT INTO persons (person_id, id_number) VALUES (1, 'bad')");
  const auto out = db.dir() / "out";
  const auto killed = out / ".regaudit-staging-Kil1ed";
  const auto writing = out / ".regaudit-staging-Wr1tin";
  const auto busy = out / ".regaudit-staging-Bu5yyy";
  for (const auto& dir : {killed, writing, busy}) std::filesystem::create_directories(dir);
  const auto inode = [](const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(stat(p.c_str(), &st), 0) << p;
    return static_cast<unsigned long long>(st.st_ino);
  };
  // Killed after report.html moved in, before report.xml did.
  std::ofstream(out / "report.html") << "new html";
  std::ofstream(killed / "report.xml") << "new xml";
  std::ofstream(killed / "previous-report.html") << "old html";
  std::ofstream(killed / "previous-report.xml") << "old xml";
  std::ofstream(killed / "swap") << "report.html " << inode(out / "report.html") << "\nreport.xml "
                                 << inode(killed / "report.xml") << "\n";
  // Killed while writing: no journal.
  std::ofstream(writing / "report.xml") << "half";
  // Reports set aside without a journal cannot be told apart: kept.
  const auto odd = out / ".regaudit-staging-0ddddd";
  std::filesystem::create_directories(odd);
  std::ofstream(odd / "previous-report.xml") << "odd xml";
  const int busy_fd = open(busy.c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(busy_fd, 0);
  ASSERT_EQ(flock(busy_fd, LOCK_EX | LOCK_NB), 0);
  const auto failing_run = [&](std::string* log) {
    return run_command(
        "ulimit -f 8; " + regaudit("run --lang en --db '" + db.path() +
                                   "' --period 2022-04 --out '" + out.string() + "'"),
        log);
  };
  std::string log;
  EXPECT_EQ(failing_run(&log), 2) << log;
  close(busy_fd);
  EXPECT_NE(log.find("removed " + killed.string() + ", left by an interrupted run"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("removed " + writing.string() + ", left by an interrupted run"),
            std::string::npos)
      << log;
  EXPECT_EQ(read_file(out / "report.html"), "old html");
  EXPECT_EQ(read_file(out / "report.xml"), "old xml");
  EXPECT_FALSE(std::filesystem::exists(killed));
  EXPECT_FALSE(std::filesystem::exists(writing));
  EXPECT_TRUE(std::filesystem::exists(busy));
  EXPECT_EQ(read_file(odd / "previous-report.xml"), "odd xml");
  EXPECT_NE(log.find(odd.string() +
                     " holds a previous report.xml but no readable journal of its swap; it is "
                     "left as it is"),
            std::string::npos)
      << log;
  std::filesystem::remove_all(odd);
  // A run killed mid-swap long ago, whose report.html another run has
  // replaced since: what is in place now stays.
  std::filesystem::create_directories(killed);
  std::ofstream(killed / "report.xml") << "new xml";
  std::ofstream(killed / "previous-report.html") << "older html";
  std::ofstream(killed / "swap") << "report.html 1\nreport.xml " << inode(killed / "report.xml")
                                 << "\n";
  log.clear();
  EXPECT_EQ(failing_run(&log), 2) << log;
  EXPECT_EQ(read_file(out / "report.html"), "old html");
  EXPECT_EQ(read_file(out / "report.xml"), "old xml");
  EXPECT_FALSE(std::filesystem::exists(killed));
  EXPECT_FALSE(std::filesystem::exists(busy)) << "its lock is gone: " << log;
  // The first run into a directory, killed after report.html moved in:
  // nothing was there before, so nothing stays.
  const auto first = db.dir() / "first";
  const auto first_killed = first / ".regaudit-staging-F1rstk";
  std::filesystem::create_directories(first_killed);
  std::ofstream(first / "report.html") << "new html";
  std::ofstream(first_killed / "report.xml") << "new xml";
  std::ofstream(first_killed / "swap")
      << "report.html " << inode(first / "report.html") << "\nreport.xml "
      << inode(first_killed / "report.xml") << "\n";
  log.clear();
  EXPECT_EQ(
      run_command("ulimit -f 8; " + regaudit("run --lang en --db '" + db.path() +
                                             "' --period 2022-04 --out '" + first.string() + "'"),
                  &log),
      2)
      << log;
  EXPECT_FALSE(std::filesystem::exists(first / "report.html")) << log;
  EXPECT_FALSE(std::filesystem::exists(first_killed)) << log;
  // A run that finds --out held by another run says that it waits for it.
  log.clear();
  // (The holder marks when it has the lock; it keeps it for 3 s, longer
  // than the run takes to reach its reports even under a sanitizer.)
  const auto held = db.dir() / "held";
  EXPECT_EQ(run_command("(flock '" + out.string() + "' sh -c 'touch \"" + held.string() +
                            "\"; sleep 3' &) ; while [ ! -e '" + held.string() +
                            "' ]; do sleep 0.05; done; " +
                            regaudit("run --lang en --db '" + db.path() +
                                     "' --period 2022-04 --out '" + out.string() + "'"),
                        &log),
            0)
      << log;
  EXPECT_NE(log.find("waiting for another run that is writing into " + out.string()),
            std::string::npos)
      << log;
  // A run that succeeds writes its pair as usual.
  log.clear();
  EXPECT_EQ(run_command(regaudit("run --lang en --db '" + db.path() + "' --period 2022-04 --out '" +
                                 out.string() + "'"),
                        &log),
            0)
      << log;
  EXPECT_NE(read_file(out / "report.xml").find("<audit-report"), std::string::npos);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(out)) ++entries;
  EXPECT_EQ(entries, 2u) << "staging directories were left behind";
}

}  // namespace
}  // namespace regaudit::test
