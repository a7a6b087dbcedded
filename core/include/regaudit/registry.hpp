// A read-only view of the audited registry (one SQLite file, SPEC section 1).
//
// Each RegistryView is one SQLite connection opened read-only (mode=ro,
// query_only): nothing done through it can change the file. A connection is
// not shared between threads; the host gives every worker its own view.
// Methods throw RegistryError on SQLite failures; a rule's run() may let it
// escape, and the SDK's boundary turns it into a failed rule.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "regaudit/export.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace regaudit {

class REGAUDIT_EXPORT RegistryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A prepared query. Columns are 0-based. Text views stay valid until the next
// step(), reset() or destruction.
class REGAUDIT_EXPORT Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_null(int index);

  // Advances to the next row; false when there are no more.
  bool step();
  // Rewinds so the statement can run again; bindings are kept.
  void reset();

  int column_count() const;
  bool is_null(int column) const;
  // The value as text (SQLite's conversion for numbers; a blob's raw bytes).
  // Empty for NULL.
  std::string_view text(int column) const;
  // The value as an integer (SQLite's conversion; 0 for NULL).
  std::int64_t int64(int column) const;
  double real(int column) const;
  // True when the value is stored as an INTEGER.
  bool is_integer(int column) const;

 private:
  friend class RegistryView;
  Statement(sqlite3_stmt* stmt, std::string sql);
  void publish_rows();
  sqlite3_stmt* stmt_;
  std::string sql_;
  std::uint64_t unpublished_rows_ = 0;  // rows_read_in_process()
};

// Rows stepped through every Statement of this process so far, for progress
// displays: counted per statement and published every few thousand rows (and
// when it ends), so the value trails by at most that many rows per open
// statement. Thread-safe.
REGAUDIT_EXPORT std::uint64_t rows_read_in_process();

class REGAUDIT_EXPORT RegistryView {
 public:
  // Opens `path` read-only. Throws RegistryError naming the file when it
  // cannot be opened or is not an SQLite database.
  explicit RegistryView(const std::string& path);
  RegistryView(RegistryView&&) noexcept;
  RegistryView& operator=(RegistryView&&) noexcept;
  RegistryView(const RegistryView&) = delete;
  RegistryView& operator=(const RegistryView&) = delete;
  ~RegistryView();

  Statement prepare(std::string_view sql);
  bool has_table(std::string_view table);
  bool has_column(std::string_view table, std::string_view column);
  std::int64_t row_count(std::string_view table);
  // The table's largest rowid, read from the end of its b-tree: an estimate of
  // its rows without a pass over them. 0 when it is empty or has no rowids (a
  // table WITHOUT ROWID, a view).
  std::int64_t largest_rowid(std::string_view table);
  const std::string& path() const { return path_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace regaudit
