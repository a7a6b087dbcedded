#include "regaudit/registry.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <optional>
#include <utility>

namespace regaudit {
namespace {

// A table name as an SQL identifier: quoted, its quotes doubled.
std::string quoted_name(std::string_view table) {
  std::string quoted = "\"";
  for (const char c : table) {
    quoted.push_back(c);
    if (c == '"') quoted.push_back('"');
  }
  quoted.push_back('"');
  return quoted;
}

std::string uri_for(const std::string& path) {
  // file: URIs need '?' and '#' (and '%') escaped. An absolute path gets an
  // empty authority ("file://" + "/…"): "file:" + "//tmp/x" would read tmp as
  // one.
  std::string uri = !path.empty() && path.front() == '/' ? "file://" : "file:";
  for (const char c : path) {
    if (c == '?' || c == '#' || c == '%') {
      uri += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    } else {
      uri.push_back(c);
    }
  }
  uri += "?mode=ro";
  return uri;
}

// Rows stepped, published by each statement every kPublishEvery rows: one
// shared atomic increment per row would make the reading threads contend (a
// thread-local tally cost a TLS look-up per row from a shared library).
std::atomic<std::uint64_t> g_rows_published{0};
constexpr std::uint64_t kPublishEvery = 4096;

// Why the registry cannot be read, when SQLite's error was that a file
// beside it cannot be made: a read-only connection makes one only for a
// registry in WAL mode (its "-shm" index, when missing), and a directory the
// user cannot write refuses it. SQLite then says only "attempt to write a
// readonly database", which reads as if the audit wrote. Empty for every
// other error. Named by SQLite's own path of the file (a link resolved).
std::string readonly_directory_note(sqlite3* db) {
  if (db == nullptr || sqlite3_extended_errcode(db) != SQLITE_READONLY_DIRECTORY) return {};
  const char* file = sqlite3_db_filename(db, "main");
  const std::filesystem::path path = file != nullptr ? file : "";
  return fmt::format(
      " (the registry is in WAL mode: reading it needs {}-shm beside it, which cannot be "
      "created in {}, a directory this user cannot write; audit a copy in a writable "
      "directory, or convert the registry once with sqlite3 and PRAGMA journal_mode=DELETE)",
      path.filename().string(), path.parent_path().string());
}

}  // namespace

std::uint64_t rows_read_in_process() {
  return g_rows_published.load(std::memory_order_relaxed);
}

Statement::Statement(sqlite3_stmt* stmt, std::string sql) : stmt_(stmt), sql_(std::move(sql)) {}
Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      sql_(std::move(other.sql_)),
      unpublished_rows_(std::exchange(other.unpublished_rows_, 0)) {}
Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    publish_rows();
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    sql_ = std::move(other.sql_);
    unpublished_rows_ = std::exchange(other.unpublished_rows_, 0);
  }
  return *this;
}
Statement::~Statement() {
  publish_rows();
  sqlite3_finalize(stmt_);
}

void Statement::publish_rows() {
  if (unpublished_rows_ > 0) g_rows_published += std::exchange(unpublished_rows_, 0);
}

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    if (++unpublished_rows_ == kPublishEvery) publish_rows();
    return true;
  }
  if (rc == SQLITE_DONE) return false;
  // Named by its file: the message may reach the user from a rule's thread,
  // far from where the registry was opened.
  sqlite3* db = sqlite3_db_handle(stmt_);
  const char* file = sqlite3_db_filename(db, "main");
  throw RegistryError(fmt::format("{}: reading the registry failed ({}{}) in: {}",
                                  file != nullptr && *file != '\0' ? file : "the registry",
                                  sqlite3_errmsg(db), readonly_directory_note(db), sql_));
}

void Statement::reset() {
  sqlite3_reset(stmt_);
}

int Statement::column_count() const {
  return sqlite3_column_count(stmt_);
}
bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}
std::string_view Statement::text(int column) const {
  // The column's value taken once, then read as text and measured: the same
  // conversions as sqlite3_column_text and _bytes, which each look the column
  // up again and check the statement for a failed allocation. Called for
  // every text value of every row (tens of millions at city scale), the two
  // took 7 % of a run. The value is used on this statement's thread only.
  sqlite3_value* value = sqlite3_column_value(stmt_, column);
  const auto* p = sqlite3_value_text(value);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_value_bytes(value))};
}
std::int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}
double Statement::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}
bool Statement::is_integer(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_INTEGER;
}

RegistryView::RegistryView(const std::string& path) : path_(path) {
  const int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(uri_for(path).c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    message += readonly_directory_note(db_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw RegistryError(fmt::format("{}: cannot open the registry read-only: {}", path, message));
  }
  sqlite3_busy_timeout(db_, 2000);
  // Reading is sequential scans: the OS read-ahead and page cache serve them
  // as fast as a memory map would, and a map of the registry would count the
  // whole file into the process's resident memory (one copy per connection),
  // so no mmap and a 16 MiB page cache per connection.
  char* error = nullptr;
  const char* setup =
      "PRAGMA query_only = 1; PRAGMA cache_size = -16384; PRAGMA mmap_size = 0;"
      "PRAGMA temp_store = MEMORY;";
  if (sqlite3_exec(db_, setup, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    message += readonly_directory_note(db_);
    sqlite3_free(error);
    sqlite3_close(db_);
    db_ = nullptr;
    throw RegistryError(fmt::format("{}: cannot configure the connection: {}", path, message));
  }
  // Touch the schema now, so "not a database" is reported at open time.
  prepare("SELECT count(*) FROM sqlite_schema").step();
}

RegistryView::RegistryView(RegistryView&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}
RegistryView& RegistryView::operator=(RegistryView&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}
RegistryView::~RegistryView() {
  sqlite3_close(db_);
}

Statement RegistryView::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    throw RegistryError(
        fmt::format("{}: cannot prepare query ({}): {}", path_, sqlite3_errmsg(db_), sql));
  }
  return Statement(stmt, std::string(sql));
}

bool RegistryView::has_table(std::string_view table) {
  // Names compared as SQLite compares them: without regard to ASCII case.
  Statement s = prepare(
      "SELECT 1 FROM sqlite_schema WHERE type IN ('table','view') AND name = ?1 COLLATE NOCASE");
  s.bind(1, table);
  return s.step();
}

bool RegistryView::has_column(std::string_view table, std::string_view column) {
  Statement s = prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE");
  s.bind(1, table).bind(2, column);
  return s.step();
}

std::int64_t RegistryView::row_count(std::string_view table) {
  Statement s = prepare("SELECT count(*) FROM " + quoted_name(table));
  s.step();
  return s.int64(0);
}

std::int64_t RegistryView::largest_rowid(std::string_view table) {
  std::optional<Statement> last;
  try {
    last.emplace(prepare("SELECT max(rowid) FROM " + quoted_name(table)));
  } catch (const RegistryError&) {
    return 0;  // no rowid column
  }
  if (!last->step() || last->is_null(0)) return 0;
  return std::max<std::int64_t>(0, last->int64(0));
}

}  // namespace regaudit
