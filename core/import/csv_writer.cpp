#include "csv_writer.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstdio>

#include "regaudit/schema.hpp"

namespace regaudit::import {

void append_csv_field(std::string& out, std::string_view text, char delimiter) {
  bool needs_quotes = text.empty();
  for (char c : text) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) {
    out.append(text);
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

Status export_table_csv(const std::filesystem::path& db_path, const std::string& table,
                        const std::filesystem::path& out_path, Encoding encoding, char delimiter) {
  const TableSpec* spec = find_table_spec(table);
  if (spec == nullptr) return Status::error(fmt::format("{}: not a registry table", table));
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db);
    sqlite3_close(db);
    return Status::error(fmt::format("{}: cannot open: {}", db_path.string(), message));
  }
  std::string columns;
  std::string header;
  for (const ColumnSpec& c : spec->columns) {
    columns += (columns.empty() ? "" : ", ") + c.name;
    header += (header.empty() ? "" : std::string(1, delimiter)) + c.name;
  }
  const std::string sql = fmt::format("SELECT {} FROM {} ORDER BY rowid", columns, table);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db);
    sqlite3_close(db);
    return Status::error(fmt::format("{}: {}", db_path.string(), message));
  }

  std::string text = header + "\n";
  Status status = Status::ok();
  int rc = 0;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    for (int i = 0; i < static_cast<int>(spec->columns.size()); ++i) {
      if (i > 0) text += delimiter;
      const int type = sqlite3_column_type(stmt, i);
      if (type == SQLITE_NULL) continue;
      if (type == SQLITE_BLOB) {
        status = Status::error(fmt::format("{}: {}.{} holds a blob, which CSV cannot carry",
                                           db_path.string(), table, spec->columns[i].name));
        break;
      }
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      append_csv_field(text,
                       std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i))),
                       delimiter);
    }
    if (!status) break;
    text += '\n';
  }
  if (status && rc != SQLITE_DONE) {
    status = Status::error(fmt::format("{}: {}", db_path.string(), sqlite3_errmsg(db)));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  if (!status) return status;

  if (encoding == Encoding::gb18030) {
    Gb18030Encoder encoder;
    if (!encoder.status()) return encoder.status();
    std::string encoded;
    if (!encoder.encode_append(text, encoded)) {
      return Status::error(fmt::format("{}: {} is not valid UTF-8", db_path.string(), table));
    }
    text.swap(encoded);
  }
  std::FILE* f = std::fopen(out_path.c_str(), "wb");
  if (f == nullptr) return Status::error(fmt::format("{}: cannot write", out_path.string()));
  const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !written) {
    return Status::error(fmt::format("{}: cannot write", out_path.string()));
  }
  return Status::ok();
}

}  // namespace regaudit::import
