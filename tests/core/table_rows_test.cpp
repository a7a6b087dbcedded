// Rows counted from a registry file's pages (BtreeRowCounter) against
// SQLite's own count(*), for the shapes a file takes: b-trees of one page
// and of several levels, pages of 512 B to 64 KiB, rows spilling into
// overflow pages, freed pages, pointer-map pages, indexes. Files it cannot
// read alone (WAL mode, cut short, damaged) have no counts.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>

#include "table_rows.hpp"

namespace regaudit::host {
namespace {

class TableRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("regaudit-table-rows-" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A database made by `sql`, closed.
  std::filesystem::path make(const std::string& name, const std::string& sql) {
    const std::filesystem::path path = dir_ / name;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
    return path;
  }

  // Every table's root page and count(*).
  static std::map<std::string, std::pair<std::int64_t, std::int64_t>> tables(
      const std::filesystem::path& path) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> out;
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT name, rootpage FROM sqlite_schema WHERE type = 'table'", -1, &s,
                       nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
      out[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))].first =
          sqlite3_column_int64(s, 1);
    }
    sqlite3_finalize(s);
    for (auto& [name, counts] : out) {
      sqlite3_prepare_v2(db, ("SELECT count(*) FROM \"" + name + "\"").c_str(), -1, &s, nullptr);
      EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
      counts.second = sqlite3_column_int64(s, 0);
      sqlite3_finalize(s);
    }
    sqlite3_close(db);
    return out;
  }

  static std::string bytes_of(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // The counter fed `bytes` in pieces of `piece` bytes.
  static BtreeRowCounter fed(std::string_view bytes, std::size_t piece) {
    BtreeRowCounter counter;
    for (std::size_t at = 0; at < bytes.size(); at += piece) counter.take(bytes.substr(at, piece));
    return counter;
  }

  // Each table's rows from its pages equal count(*), whatever the pieces.
  static void expect_counts(const std::filesystem::path& path, std::size_t expected_tables) {
    const auto expected = tables(path);
    ASSERT_EQ(expected.size(), expected_tables);
    const std::string bytes = bytes_of(path);
    for (const std::size_t piece :
         {std::size_t{1} << 20, std::size_t{1000}, std::size_t{99}, bytes.size()}) {
      const BtreeRowCounter counter = fed(bytes, piece);
      ASSERT_TRUE(counter.usable()) << path << " in pieces of " << piece;
      for (const auto& [name, counts] : expected) {
        EXPECT_EQ(counter.rows(counts.first), counts.second)
            << name << " in " << path << ", pieces of " << piece;
      }
    }
  }

  std::filesystem::path dir_;
};

// Rows of about 60 bytes, `n` of them, in table `name`.
std::string filled(const std::string& name, int n) {
  return "CREATE TABLE " + name +
         " (id INTEGER PRIMARY KEY, id_number TEXT, phone TEXT);"
         "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < " +
         std::to_string(n) + ") INSERT INTO " + name +
         " SELECT i, printf('4401%014d', i), printf('138%08d', i) FROM k;";
}

TEST_F(TableRowsTest, CountsOneAndManyLevelTreesAtEveryPageSize) {
  for (const int page_size : {512, 1024, 4096, 65536}) {
    const std::string pragma = "PRAGMA page_size = " + std::to_string(page_size) + ";";
    expect_counts(make("p" + std::to_string(page_size) + ".db", pragma + filled("persons", 30000) +
                                                                    filled("streets", 3) +
                                                                    "CREATE TABLE empty (a TEXT);"),
                  3);
  }
}

TEST_F(TableRowsTest, CountsRowsWithOverflowPagesFreedPagesAndIndexes) {
  expect_counts(make("mixed.db", filled("persons", 20000) +
                                     "CREATE INDEX by_phone ON persons (phone);"
                                     "CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB);"
                                     "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
                                     "FROM k WHERE i < 300) INSERT INTO notes SELECT i, "
                                     "randomblob(20000 + i) FROM k;"
                                     "DELETE FROM persons WHERE id % 3 = 0;"
                                     "DELETE FROM notes WHERE id % 2 = 0;"),
                2);
}

TEST_F(TableRowsTest, CountsWithPointerMapPages) {
  expect_counts(
      make("vacuum.db", "PRAGMA auto_vacuum = FULL;" + filled("persons", 50000) +
                            filled("phones", 7000) + "DELETE FROM persons WHERE id < 20000;"),
      2);
}

TEST_F(TableRowsTest, CountsLargeRowids) {
  expect_counts(make("rowids.db",
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                     "INSERT INTO t VALUES (9223372036854775807, 'x'), (-5, 'y'),"
                     " (1, 'z');"),
                1);
}

TEST_F(TableRowsTest, RefusesWalModeAndFilesCutShort) {
  const std::filesystem::path wal =
      make("wal.db", "PRAGMA journal_mode = WAL;" + filled("persons", 5000));
  EXPECT_FALSE(fed(bytes_of(wal), 4096).usable());

  const std::string whole = bytes_of(make("whole.db", filled("persons", 5000)));
  ASSERT_TRUE(fed(whole, 4096).usable());
  EXPECT_FALSE(fed(whole.substr(0, whole.size() - 4096), 4096).usable());  // fewer pages
  EXPECT_FALSE(fed(whole.substr(0, whole.size() - 10), 4096).usable());    // a page cut
  EXPECT_FALSE(
      fed("not a database at all, but long enough to hold a header: " + std::string(200, 'x'), 64)
          .usable());
  const BtreeRowCounter nothing;
  EXPECT_FALSE(nothing.usable());
  EXPECT_EQ(nothing.rows(1), std::nullopt);
}

TEST_F(TableRowsTest, NoCountForATreeThatCannotBeWalked) {
  const std::filesystem::path path = make("tree.db", filled("persons", 5000));
  const auto expected = tables(path);
  const std::int64_t root = expected.at("persons").first;
  std::string bytes = bytes_of(path);
  constexpr std::size_t kPage = 4096;
  ASSERT_EQ(static_cast<unsigned char>(bytes[(root - 1) * kPage]), 0x05);  // interior
  // Pages out of the file, or no table at all.
  const BtreeRowCounter counter = fed(bytes, kPage);
  EXPECT_EQ(counter.rows(0), std::nullopt);
  EXPECT_EQ(counter.rows(static_cast<std::int64_t>(bytes.size() / kPage) + 1), std::nullopt);
  // The root's right-most child pointing back at the root: a cycle.
  std::string cycle = bytes;
  const std::size_t right_most = (root - 1) * kPage + 8;
  for (int i = 0; i < 4; ++i) {
    cycle[right_most + i] =
        static_cast<char>((static_cast<std::uint32_t>(root) >> (24 - 8 * i)) & 0xFF);
  }
  EXPECT_EQ(fed(cycle, kPage).rows(root), std::nullopt);
  // The root turned into an index page.
  std::string index = bytes;
  index[(root - 1) * kPage] = 0x02;
  EXPECT_EQ(fed(index, kPage).rows(root), std::nullopt);
  // Untouched, the count is SQLite's.
  EXPECT_EQ(counter.rows(root), expected.at("persons").second);
}

}  // namespace
}  // namespace regaudit::host
