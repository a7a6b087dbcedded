// Helpers for the import tests: running the subcommands in-process, reading
// tables back, writing files in GB18030.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unicode/ucnv.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "import_commands.hpp"

namespace regaudit::import::test {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `regaudit ARGS...` with only the import subcommands, capturing output.
inline CliRun run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "regaudit");
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  CLI::App app{"test"};
  app.require_subcommand(1);
  CliRun run;
  regaudit::import_cli::add_commands(app, &run.exit_code);
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    run.exit_code = app.exit(e) == 0 ? 0 : 2;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  run.out = testing::internal::GetCapturedStdout();
  run.err = testing::internal::GetCapturedStderr();
  return run;
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

inline std::string to_gb18030(const std::string& utf8) {
  std::string out(utf8.size() * 4 + 4, '\0');
  UErrorCode error = U_ZERO_ERROR;
  const int32_t n = ucnv_convert("GB18030", "UTF-8", out.data(), static_cast<int32_t>(out.size()),
                                 utf8.data(), static_cast<int32_t>(utf8.size()), &error);
  EXPECT_TRUE(U_SUCCESS(error)) << u_errorName(error);
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Every row of `sql`, each as its columns' quote() joined by '|'
// (so NULL, '' and 12 vs '12' all differ).
inline std::vector<std::string> query(const std::filesystem::path& db, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db;
    sqlite3_close(handle);
    return rows;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sqlite3_errmsg(handle) << " in " << sql;
    sqlite3_close(handle);
    return rows;
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      if (i > 0) row += '|';
      const unsigned char* text = sqlite3_column_text(stmt, i);
      row += text != nullptr ? reinterpret_cast<const char*>(text) : "<null>";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return rows;
}

inline std::string query_one(const std::filesystem::path& db, const std::string& sql) {
  const std::vector<std::string> rows = query(db, sql);
  return rows.empty() ? "<no row>" : rows.front();
}

}  // namespace regaudit::import::test
