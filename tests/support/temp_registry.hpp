// A temporary registry for tests: an SQLite file with every table of SPEC
// section 1, filled by SQL the test writes. Removed with its directory when the
// object is destroyed.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace regaudit::test {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class TempRegistry {
 public:
  // Creates registry.db with the full schema (all tables empty).
  TempRegistry();
  // Runs `sql` (one or more statements) on a writable connection; fails the
  // test on error.
  void exec(std::string_view sql) const;
  std::string path() const { return (dir_.path() / "registry.db").string(); }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
};

// `value` as an SQL literal: the text NULL stays NULL, anything else is quoted
// (tests' values hold no quotes).
std::string sql_literal(const std::string& value);

// Inserts a person_phones row with source 'hukou'; "NULL" gives SQL NULL.
void add_phone_link(const TempRegistry& db, int link_id, const std::string& id_number,
                    const std::string& phone, const std::string& recorded_at);

// The file's bytes as a string (for "unchanged" checks).
std::string read_file(const std::filesystem::path& path);

}  // namespace regaudit::test
