#include "support/temp_registry.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "regaudit/schema.hpp"

namespace regaudit::test {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "regaudit-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

TempRegistry::TempRegistry() {
  std::string sql;
  for (const TableSpec& t : registry_schema()) sql += create_table_sql(t) + ";\n";
  exec(sql);
}

void TempRegistry::exec(std::string_view sql) const {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &error);
  const std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message << "\nin: " << sql;
}

std::string sql_literal(const std::string& value) {
  return value == "NULL" ? value : "'" + value + "'";
}

void add_phone_link(const TempRegistry& db, int link_id, const std::string& id_number,
                    const std::string& phone, const std::string& recorded_at) {
  db.exec("INSERT INTO person_phones (link_id, id_number, phone, source, recorded_at) VALUES (" +
          std::to_string(link_id) + ", " + sql_literal(id_number) + ", " + sql_literal(phone) +
          ", 'hukou', " + sql_literal(recorded_at) + ")");
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace regaudit::test
