// Thin RAII wrappers over the SQLite C API for the generator and the oracle.
// Internal to regaudit_synth. Failures throw SqliteError, which the public
// entry points (generate, compute_truth) turn into a Status.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace regaudit::synth {

class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Database {
 public:
  // `flags` as for sqlite3_open_v2. Throws SqliteError naming `path`.
  Database(const std::string& path, int flags);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() const { return db_; }
  void exec(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
};

// A prepared statement. Bind positions count from 1. Text is copied at bind
// time (SQLITE_TRANSIENT), so arguments may be temporaries.
class Statement {
 public:
  Statement(Database& db, const std::string& sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, std::nullopt_t);
  void bind(int index, std::string_view text);
  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  void bind(int index, const char* text) { bind(index, std::string_view(text)); }
  void bind(int index, const std::optional<std::string>& text);
  void bind(int index, std::int64_t value);
  void bind(int index, int value) { bind(index, static_cast<std::int64_t>(value)); }

  // Binds every argument in order, runs the statement to completion, resets it.
  template <class... Args>
  void insert(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    run();
  }
  void run();

  // Steps once: true when a row is available.
  bool next_row();
  int column_type(int column) const { return sqlite3_column_type(stmt_, column); }
  bool is_null(int column) const { return column_type(column) == SQLITE_NULL; }
  std::int64_t column_int(int column) const { return sqlite3_column_int64(stmt_, column); }
  // The value as text ("" for NULL); valid until the next step.
  std::string_view column_text(int column) const;

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace regaudit::synth
