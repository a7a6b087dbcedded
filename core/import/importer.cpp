#include "importer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csv_reader.hpp"
#include "mapped_file.hpp"
#include "regaudit/schema.hpp"
#include "text_encoding.hpp"

namespace regaudit::import {
namespace {

// SQLite handles owned by this file; errors are turned into Status by callers.
struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

Status exec(sqlite3* db, const std::string& sql, std::string_view what) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK) return Status::ok();
  std::string message = error != nullptr ? error : sqlite3_errmsg(db);
  sqlite3_free(error);
  return Status::error(fmt::format("{}: {}", what, message));
}

Status prepare(sqlite3* db, const std::string& sql, StmtHandle* out, std::string_view what) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return Status::error(fmt::format("{}: {}", what, sqlite3_errmsg(db)));
  }
  out->reset(stmt);
  return Status::ok();
}

std::string quoted_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

constexpr const char* kRejectsSql =
    "CREATE TABLE IF NOT EXISTS _rejects (source_file TEXT, line INTEGER, target_table TEXT, "
    "reason TEXT, raw TEXT)";

std::optional<std::optional<Encoding>> parse_encoding(std::string_view name) {
  if (name == "auto") return std::optional<Encoding>{};
  if (name == "utf-8" || name == "utf8" || name == "UTF-8") return Encoding::utf8;
  if (name == "gb18030" || name == "GB18030" || name == "gbk" || name == "GBK") {
    return Encoding::gb18030;
  }
  return std::nullopt;
}

Status parse_delimiter(std::string_view text, const std::filesystem::path& file, char* out) {
  if (text.empty()) {
    *out = file.extension() == ".tsv" || file.extension() == ".TSV" ? '\t' : ',';
    return Status::ok();
  }
  if (text == "\\t" || text == "tab" || text == "TAB") {
    *out = '\t';
    return Status::ok();
  }
  if (text.size() != 1 || static_cast<unsigned char>(text[0]) >= 0x80 || text[0] == '"' ||
      text[0] == '\r' || text[0] == '\n' || (text[0] >= '0' && text[0] <= '9') ||
      (text[0] >= 'A' && text[0] <= 'Z') || (text[0] >= 'a' && text[0] <= 'z')) {
    return Status::error(fmt::format(
        "--delimiter '{}': use one ASCII punctuation character or \\t (not a quote, letter, "
        "digit or line break)",
        text));
  }
  *out = text[0];
  return Status::ok();
}

// One input file, checked and ready to load.
struct PreparedFile {
  std::string name;
  MappedFile mapped;
  std::string_view body;  // after the byte-order mark
  std::size_t bom_length = 0;
  Encoding encoding = Encoding::utf8;
  std::string encoding_note;
  bool known_clean = false;  // all bytes valid UTF-8, no NUL
  char delimiter = ',';
  std::unique_ptr<CsvReader> reader;  // positioned after the header
  std::vector<std::string> header;    // decoded to UTF-8
  ResolvedColumns columns;
};

// Decodes fields to UTF-8 (or only validates them, for UTF-8 input) and
// describes the first invalid byte.
class FieldDecoder {
 public:
  // `known_clean`: the whole file is already known to be valid UTF-8 without
  // NUL bytes, so records need no check.
  FieldDecoder(Encoding encoding, bool known_clean)
      : encoding_(encoding), known_clean_(known_clean && encoding == Encoding::utf8) {}
  Status status() const { return encoding_ == Encoding::gb18030 ? gb_.status() : Status::ok(); }
  Encoding encoding() const { return encoding_; }

  // Decodes every field of `record` into views valid until the next call.
  // On failure returns false and sets *bad_field and *where (offset in field).
  bool decode(const CsvRecord& record, std::vector<std::string_view>* out, std::size_t* bad_field,
              InvalidBytes* where) {
    out->resize(record.fields.size());
    if (encoding_ == Encoding::utf8) {
      if (!known_clean_ && !is_valid_utf8(record.raw, nullptr)) {
        for (std::size_t f = 0; f < record.fields.size(); ++f) {
          if (!is_valid_utf8(record.fields[f].text, where)) {
            *bad_field = f;
            return false;
          }
        }
      }
      for (std::size_t f = 0; f < record.fields.size(); ++f) (*out)[f] = record.fields[f].text;
      return true;
    }
    buffer_.clear();
    ends_.resize(record.fields.size());
    for (std::size_t f = 0; f < record.fields.size(); ++f) {
      if (!gb_.decode_append(record.fields[f].text, buffer_, where)) {
        *bad_field = f;
        return false;
      }
      ends_[f] = buffer_.size();
    }
    std::size_t begin = 0;
    for (std::size_t f = 0; f < record.fields.size(); ++f) {
      (*out)[f] = std::string_view(buffer_).substr(begin, ends_[f] - begin);
      begin = ends_[f];
    }
    return true;
  }

  // The raw record as UTF-8 text when it decodes, else nullopt (kept as bytes).
  std::optional<std::string_view> raw_text(std::string_view raw) {
    if (encoding_ == Encoding::utf8) {
      if (is_valid_utf8(raw, nullptr)) return raw;
      return std::nullopt;
    }
    raw_buffer_.clear();
    if (gb_.decode_append(raw, raw_buffer_, nullptr)) return std::string_view(raw_buffer_);
    return std::nullopt;
  }

 private:
  Encoding encoding_;
  bool known_clean_;
  Gb18030Decoder gb_;
  std::string buffer_;
  std::vector<std::size_t> ends_;
  std::string raw_buffer_;
};

// True when `text` is a decimal integer in canonical form (optional '-', no
// leading zero, at most 18 digits): exactly the texts that INTEGER affinity
// turns into the same integer and back into the same text.
bool canonical_integer(std::string_view text, std::int64_t* out) {
  std::size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) i = 1;
  const std::size_t digits = text.size() - i;
  if (digits == 0 || digits > 18) return false;
  if (text[i] == '0' && (digits > 1 || negative)) return false;
  std::int64_t value = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = negative ? -value : value;
  return true;
}

std::string header_label(const PreparedFile& file, std::size_t field) {
  if (field < file.header.size())
    return fmt::format("column {} ('{}')", field + 1, file.header[field]);
  return fmt::format("column {}", field + 1);
}

Status prepare_file(const std::filesystem::path& path, const ImportRequest& request,
                    const TableSpec& table, std::optional<Encoding> forced, PreparedFile* out) {
  out->name = path.string();
  if (Status s = out->mapped.open(path); !s) return s;
  const std::string_view bytes = out->mapped.bytes();

  if (const std::size_t bom = utf8_bom_length(bytes); bom > 0) {
    if (forced == Encoding::gb18030) {
      return Status::error(fmt::format(
          "{}: starts with a UTF-8 byte-order mark but --encoding gb18030 was given; use "
          "--encoding utf-8 (or auto)",
          out->name));
    }
    out->bom_length = bom;
    out->encoding = Encoding::utf8;
    out->encoding_note = "utf-8 (byte-order mark)";
  } else if (const std::size_t gb_bom = gb18030_bom_length(bytes);
             gb_bom > 0 && forced != Encoding::utf8) {
    out->bom_length = gb_bom;
    out->encoding = Encoding::gb18030;
    out->encoding_note = "gb18030 (byte-order mark)";
  } else if (forced) {
    out->encoding = *forced;
    out->encoding_note = fmt::format("{} (as given)", encoding_name(*forced));
  } else {
    const Detection detected = detect_encoding(bytes);
    out->encoding = detected.encoding;
    out->encoding_note = detected.why;
    out->known_clean = detected.clean;
  }
  out->body = bytes.substr(out->bom_length);
  if (out->encoding == Encoding::utf8 && (forced || out->bom_length > 0)) {
    // One pass over the file now spares checking each record later.
    out->known_clean = is_valid_utf8(out->body, nullptr);
  }

  const std::string delimiter_text =
      !request.delimiter.empty() ? request.delimiter : request.rules.delimiter.value_or("");
  if (Status s = parse_delimiter(delimiter_text, path, &out->delimiter); !s) return s;

  out->reader =
      std::make_unique<CsvReader>(out->body, out->delimiter, out->encoding == Encoding::gb18030);
  CsvRecord header;
  const CsvReader::Result r = out->reader->next(header);
  if (r == CsvReader::Result::end) {
    return Status::error(
        fmt::format("{}: the file is empty: expected a header line naming the "
                    "columns (regaudit export-template --table {} writes one)",
                    out->name, table.name));
  }
  if (r == CsvReader::Result::unterminated_quote || header.malformed_field != 0) {
    return Status::error(fmt::format("{}: line {}: the header line has a broken quoted field",
                                     out->name, header.line));
  }
  FieldDecoder decoder(out->encoding, false);
  if (Status s = decoder.status(); !s) return s;
  std::vector<std::string_view> names;
  std::size_t bad_field = 0;
  InvalidBytes where;
  if (!decoder.decode(header, &names, &bad_field, &where)) {
    return Status::error(fmt::format(
        "{}: line {}: column {} of the header has a byte (0x{:02X}) that is not valid {}; "
        "check --encoding",
        out->name, header.line, bad_field + 1, where.byte, encoding_name(out->encoding)));
  }
  out->header.assign(names.begin(), names.end());
  return resolve_columns(out->name, out->header, table, request.rules, &out->columns);
}

// Loads one prepared file in one transaction. Rows go to SQLite in batches of
// kBatchRows through one multi-row INSERT; a batch that hits a constraint is
// replayed row by row, so each offending row is rejected on its own.
class FileLoader {
 public:
  FileLoader(sqlite3* db, const TableSpec& table, PreparedFile& file, FileReport& report)
      : db_(db),
        table_(table),
        file_(file),
        report_(report),
        decoder_(file.encoding, file.known_clean) {
    for (const ColumnSpec& c : table.columns) integer_column_.push_back(c.affinity == "INTEGER");
  }

  Status load() {
    if (Status s = decoder_.status(); !s) return s;
    if (Status s = exec(db_, "BEGIN IMMEDIATE", file_.name); !s) return s;
    Status s = load_records();
    if (s) s = exec(db_, "COMMIT", file_.name);
    if (!s) {
      insert_one_.reset();
      insert_batch_.reset();
      reject_.reset();
      exec(db_, "ROLLBACK", file_.name);
      return s;
    }
    report_.committed = true;
    return Status::ok();
  }

 private:
  static constexpr std::size_t kBatchRows = 64;

  // One staged value: NULL, an integer, or text in arena_.
  struct Value {
    enum class Kind : unsigned char { null, integer, text } kind = Kind::null;
    std::int64_t number = 0;  // integer: the value; text: offset in arena_
    std::size_t size = 0;     // text only
  };
  struct StagedRow {
    std::size_t line = 0;
    std::string_view raw;  // into the mapped file
  };

  std::string insert_sql(std::size_t rows) const {
    std::string columns;
    std::string one_row = "(";
    for (const ColumnBinding& b : file_.columns.bindings) {
      if (!columns.empty()) {
        columns += ", ";
        one_row += ", ";
      }
      columns += quoted_identifier(table_.columns[b.column].name);
      one_row += '?';
    }
    one_row += ')';
    std::string sql =
        fmt::format("INSERT INTO {} ({}) VALUES ", quoted_identifier(table_.name), columns);
    for (std::size_t r = 0; r < rows; ++r) sql += (r == 0 ? "" : ", ") + one_row;
    return sql;
  }

  Status prepare_statements() {
    if (Status s = prepare(db_,
                           "INSERT INTO _rejects (source_file, line, target_table, reason, raw) "
                           "VALUES (?, ?, ?, ?, ?)",
                           &reject_, file_.name + ": _rejects");
        !s) {
      return s;
    }
    sqlite3_bind_text(reject_.get(), 1, file_.name.data(), static_cast<int>(file_.name.size()),
                      SQLITE_STATIC);
    sqlite3_bind_text(reject_.get(), 3, table_.name.data(), static_cast<int>(table_.name.size()),
                      SQLITE_STATIC);
    const std::string what = file_.name + ": table " + table_.name;
    if (file_.columns.bindings.empty()) {
      // Only when every column was allowed missing: each row is all NULLs.
      return prepare(db_,
                     fmt::format("INSERT INTO {} DEFAULT VALUES", quoted_identifier(table_.name)),
                     &insert_one_, what);
    }
    if (Status s = prepare(db_, insert_sql(1), &insert_one_, what); !s) return s;
    return prepare(db_, insert_sql(kBatchRows), &insert_batch_, what);
  }

  Status load_records() {
    if (Status s = prepare_statements(); !s) return s;
    CsvReader& reader = *file_.reader;
    CsvRecord record;
    for (;;) {
      const CsvReader::Result r = reader.next(record);
      if (r == CsvReader::Result::end) break;
      if (r == CsvReader::Result::unterminated_quote) {
        return Status::error(fmt::format(
            "{}: line {}: {}: a quoted field is never closed (its quote runs to the end of the "
            "file); nothing from this file was loaded",
            file_.name, record.line, header_label(file_, record.fields.size() - 1)));
      }
      ++report_.read;
      if (Status s = stage_record(record); !s) return s;
      if (staged_.size() == kBatchRows) {
        if (Status s = flush(); !s) return s;
      }
    }
    if (Status s = flush(); !s) return s;
    report_.blank_lines = reader.blank_lines();
    return Status::ok();
  }

  // Checks the record's structure and encoding; rejects it or stages its
  // values for the next batch.
  Status stage_record(const CsvRecord& record) {
    if (record.malformed_field != 0) {
      return reject(record.line, record.raw, RejectKind::malformed_quotes,
                    fmt::format("line {}: {}: text after the closing quote", record.line,
                                header_label(file_, record.malformed_field - 1)));
    }
    if (record.fields.size() != file_.header.size()) {
      return reject(record.line, record.raw, RejectKind::field_count,
                    fmt::format("line {}: expected {} fields as in the header, found {}",
                                record.line, file_.header.size(), record.fields.size()));
    }
    std::size_t bad_field = 0;
    InvalidBytes where;
    if (!decoder_.decode(record, &decoded_, &bad_field, &where)) {
      const std::string_view text = record.fields[bad_field].text;
      const char* base = file_.body.data();
      const bool in_file = text.data() >= base && text.data() <= base + file_.body.size();
      const std::size_t offset =
          file_.bom_length + (in_file ? static_cast<std::size_t>(text.data() - base) + where.offset
                                      : record.byte_offset);
      return reject(record.line, record.raw, RejectKind::invalid_encoding,
                    fmt::format("line {}: {}: byte 0x{:02X} at file offset {} is not valid {}",
                                record.line, header_label(file_, bad_field), where.byte, offset,
                                encoding_name(file_.encoding)));
    }
    if (file_.columns.key_field && decoded_[*file_.columns.key_field].empty()) {
      const std::size_t k = *file_.columns.key_field;
      return reject(record.line, record.raw, RejectKind::empty_key,
                    fmt::format("line {}: {}: the primary key {} is empty", record.line,
                                header_label(file_, k), table_.columns[0].name));
    }
    staged_.push_back({record.line, record.raw});
    for (const ColumnBinding& b : file_.columns.bindings) {
      const std::string_view v = decoded_[b.field];
      Value& value = values_.emplace_back();
      if (v.empty() && !record.fields[b.field].quoted) continue;  // NULL
      if (integer_column_[b.column] && canonical_integer(v, &value.number)) {
        // What INTEGER affinity would store, without SQLite parsing the text.
        value.kind = Value::Kind::integer;
        continue;
      }
      value.kind = Value::Kind::text;
      value.number = static_cast<std::int64_t>(arena_.size());
      value.size = v.size();
      arena_.append(v);
    }
    return Status::ok();
  }

  void bind_row(sqlite3_stmt* stmt, std::size_t row, int first_param) const {
    const std::size_t width = file_.columns.bindings.size();
    int param = first_param;
    for (std::size_t c = 0; c < width; ++c, ++param) {
      const Value& v = values_[row * width + c];
      switch (v.kind) {
        case Value::Kind::null:
          sqlite3_bind_null(stmt, param);
          break;
        case Value::Kind::integer:
          sqlite3_bind_int64(stmt, param, v.number);
          break;
        case Value::Kind::text:
          sqlite3_bind_text(stmt, param, arena_.data() + v.number, static_cast<int>(v.size),
                            SQLITE_STATIC);
          break;
      }
    }
  }

  // Inserts the staged rows: one statement for a full batch, falling back to
  // one statement per row when the batch fails on a constraint.
  Status flush() {
    Status status = Status::ok();
    if (staged_.size() == kBatchRows && insert_batch_) {
      sqlite3_stmt* stmt = insert_batch_.get();
      const int width = static_cast<int>(file_.columns.bindings.size());
      for (std::size_t r = 0; r < staged_.size(); ++r) {
        bind_row(stmt, r, 1 + static_cast<int>(r) * width);
      }
      const int rc = sqlite3_step(stmt);
      sqlite3_reset(stmt);
      if (rc == SQLITE_DONE) {
        report_.loaded += staged_.size();
      } else if (!is_row_error(sqlite3_extended_errcode(db_))) {
        status = fatal_write_error(staged_.front().line);
      } else {
        status = insert_one_by_one();
      }
    } else {
      status = insert_one_by_one();
    }
    staged_.clear();
    values_.clear();
    arena_.clear();
    return status;
  }

  Status insert_one_by_one() {
    sqlite3_stmt* stmt = insert_one_.get();
    for (std::size_t r = 0; r < staged_.size(); ++r) {
      if (!file_.columns.bindings.empty()) bind_row(stmt, r, 1);
      const int rc = sqlite3_step(stmt);
      sqlite3_reset(stmt);
      if (rc == SQLITE_DONE) {
        ++report_.loaded;
        continue;
      }
      if (Status s = reject_failed_insert(staged_[r], sqlite3_extended_errcode(db_)); !s) return s;
    }
    return Status::ok();
  }

  static bool is_row_error(int rc) {
    return (rc & 0xFF) == SQLITE_CONSTRAINT || rc == SQLITE_MISMATCH;
  }

  Status fatal_write_error(std::size_t line) const {
    return Status::error(
        fmt::format("{}: line {}: cannot write to the registry: {}; nothing from "
                    "this file was loaded",
                    file_.name, line, sqlite3_errmsg(db_)));
  }

  Status reject_failed_insert(const StagedRow& row, int rc) {
    const std::string& key = table_.columns[0].name;
    const std::string key_where =
        file_.columns.key_field ? header_label(file_, *file_.columns.key_field) : key;
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
        (rc == SQLITE_CONSTRAINT_UNIQUE && table_.has_primary_key)) {
      return reject(row.line, row.raw, RejectKind::duplicate_key,
                    fmt::format("line {}: {}: duplicate primary key {} (already in the registry "
                                "or earlier in the file)",
                                row.line, key_where, key));
    }
    if (rc == SQLITE_MISMATCH) {
      return reject(row.line, row.raw, RejectKind::key_not_integer,
                    fmt::format("line {}: {}: the primary key {} is not an integer", row.line,
                                key_where, key));
    }
    if ((rc & 0xFF) == SQLITE_CONSTRAINT) {
      return reject(row.line, row.raw, RejectKind::constraint,
                    fmt::format("line {}: {}", row.line, sqlite3_errmsg(db_)));
    }
    return fatal_write_error(row.line);
  }

  Status reject(std::size_t line, std::string_view raw, RejectKind kind,
                const std::string& reason) {
    sqlite3_stmt* stmt = reject_.get();
    sqlite3_bind_int64(stmt, 2, static_cast<sqlite3_int64>(line));
    sqlite3_bind_text(stmt, 4, reason.data(), static_cast<int>(reason.size()), SQLITE_STATIC);
    if (const std::optional<std::string_view> text = decoder_.raw_text(raw)) {
      sqlite3_bind_text(stmt, 5, text->empty() ? "" : text->data(), static_cast<int>(text->size()),
                        SQLITE_STATIC);
    } else {
      // Not valid in its encoding: kept as the exact bytes (a blob).
      sqlite3_bind_blob(stmt, 5, raw.data(), static_cast<int>(raw.size()), SQLITE_STATIC);
    }
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) {
      return Status::error(fmt::format("{}: line {}: cannot write to _rejects: {}", file_.name,
                                       line, sqlite3_errmsg(db_)));
    }
    ++report_.rejected;
    ++report_.rejected_by_kind[static_cast<std::size_t>(kind)];
    return Status::ok();
  }

  sqlite3* db_;
  const TableSpec& table_;
  PreparedFile& file_;
  FileReport& report_;
  FieldDecoder decoder_;
  std::vector<bool> integer_column_;  // by table column: INTEGER affinity
  StmtHandle insert_one_;
  StmtHandle insert_batch_;
  StmtHandle reject_;
  std::vector<std::string_view> decoded_;  // the current record's fields, UTF-8
  std::vector<StagedRow> staged_;          // at most kBatchRows
  std::vector<Value> values_;              // staged_.size() x bindings
  std::string arena_;                      // staged text values
};

// The registry's columns that `table` of `db` lacks (names compared as
// SQLite compares them); empty when it has them all or does not exist.
std::vector<std::string> missing_columns(sqlite3* db, const TableSpec& table) {
  std::vector<std::string> have;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1)", -1, &stmt, nullptr) ==
      SQLITE_OK) {
    sqlite3_bind_text(stmt, 1, table.name.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      have.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
  }
  sqlite3_finalize(stmt);
  std::vector<std::string> missing;
  if (have.empty()) return missing;
  for (const ColumnSpec& c : table.columns) {
    const bool has = std::any_of(have.begin(), have.end(), [&](const std::string& name) {
      return sqlite3_stricmp(name.c_str(), c.name.c_str()) == 0;
    });
    if (!has) missing.push_back(c.name);
  }
  return missing;
}

Status open_registry(const std::filesystem::path& path, DbHandle* out) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  out->reset(db);
  if (rc != SQLITE_OK) {
    return Status::error(fmt::format("{}: cannot open or create the registry: {}", path.string(),
                                     db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  // The default rollback journal keeps every file's transaction atomic, also
  // when the process is killed; the big cache keeps the journal nearly empty
  // (pages appended to the file are never journalled).
  // A new file gets 64 KiB pages (fewer, larger B-tree pages: a quarter less
  // time per row than 4 KiB); an existing file keeps its page size.
  if (Status s = exec(db,
                      "PRAGMA page_size = 65536; PRAGMA cache_size = -524288; "
                      "PRAGMA temp_store = MEMORY",
                      path.string());
      !s) {
    return s;
  }
  // A table of the registry's name that lacks its columns is refused before
  // anything is created: the import failed on it only after the missing
  // tables had been made and committed.
  for (const TableSpec& t : registry_schema()) {
    const std::vector<std::string> missing = missing_columns(db, t);
    if (!missing.empty()) {
      return Status::error(fmt::format(
          "{}: table {} has no column {}: not a registry this import can fill; nothing was "
          "written",
          path.string(), t.name, fmt::join(missing, ", ")));
    }
  }
  std::string sql = "BEGIN IMMEDIATE;";
  for (const TableSpec& t : registry_schema()) sql += create_table_sql(t) + ";";
  sql += kRejectsSql;
  sql += ";COMMIT";
  if (Status s = exec(db, sql, path.string() + ": cannot create the registry tables"); !s) {
    exec(db, "ROLLBACK", path.string());
    return s;
  }
  return Status::ok();
}

}  // namespace

std::string_view reject_kind_label(RejectKind kind) {
  switch (kind) {
    case RejectKind::field_count:
      return "wrong number of fields";
    case RejectKind::malformed_quotes:
      return "text after a closing quote";
    case RejectKind::invalid_encoding:
      return "bytes invalid in the encoding";
    case RejectKind::empty_key:
      return "empty primary key";
    case RejectKind::duplicate_key:
      return "duplicate primary key";
    case RejectKind::key_not_integer:
      return "primary key not an integer";
    case RejectKind::constraint:
      return "other constraint of the registry";
  }
  return "?";
}

ImportOutcome import_files(const ImportRequest& request, const NoteSink& note) {
  ImportOutcome outcome;
  const TableSpec* table = find_table_spec(request.table);
  if (table == nullptr) {
    outcome.status = Status::error(fmt::format("--table {}: not a registry table", request.table));
    return outcome;
  }
  const std::string encoding_text =
      request.encoding != "auto" ? request.encoding : request.rules.encoding.value_or("auto");
  const auto forced = parse_encoding(encoding_text);
  if (!forced) {
    outcome.status = Status::error(
        fmt::format("encoding '{}': use auto, utf-8 or gb18030 (gbk)", encoding_text));
    return outcome;
  }
  if (request.files.empty()) {
    outcome.status = Status::error("no input file given");
    return outcome;
  }

  // Every header first: a bad file stops the run before anything is written.
  std::vector<std::unique_ptr<PreparedFile>> files;
  for (const std::filesystem::path& path : request.files) {
    auto file = std::make_unique<PreparedFile>();
    if (Status s = prepare_file(path, request, *table, *forced, file.get()); !s) {
      outcome.status = s;
      return outcome;
    }
    files.push_back(std::move(file));
  }

  DbHandle db;
  if (Status s = open_registry(request.db, &db); !s) {
    outcome.status = s;
    return outcome;
  }
  for (const auto& file : files) {
    note(fmt::format("{}: encoding {}", file->name, file->encoding_note));
    if (!file->columns.ignored_headers.empty()) {
      std::string list;
      for (const std::string& h : file->columns.ignored_headers) {
        list += list.empty() ? "" : ", ";
        list += "'" + h + "'";
      }
      note(fmt::format("{}: ignoring {} column{} not in table {}: {}", file->name,
                       file->columns.ignored_headers.size(),
                       file->columns.ignored_headers.size() > 1 ? "s" : "", table->name, list));
    }
    for (const std::string& n : file->columns.notes) note(fmt::format("{}: {}", file->name, n));
    for (const std::string& m : file->columns.unused_mappings) {
      note(fmt::format("{}: mapping for '{}' unused: no such header", file->name, m));
    }
    FileReport& report = outcome.files.emplace_back();
    report.file = file->name;
    report.encoding = std::string(encoding_name(file->encoding));
    report.encoding_note = file->encoding_note;
    report.delimiter = file->delimiter;
    FileLoader loader(db.get(), *table, *file, report);
    if (Status s = loader.load(); !s) {
      outcome.status = s;
      return outcome;
    }
  }
  return outcome;
}

Status export_template(const std::string& table_name, const std::filesystem::path& out) {
  const TableSpec* table = find_table_spec(table_name);
  if (table == nullptr) {
    return Status::error(fmt::format("--table {}: not a registry table", table_name));
  }
  std::string line;
  for (const ColumnSpec& c : table->columns) {
    if (!line.empty()) line += ',';
    line += c.name;
  }
  line += '\n';
  // Never over an existing file ("x": created, or refused): an --out that
  // named a registry by mistake replaced it with one line.
  std::FILE* f = std::fopen(out.c_str(), "wbx");
  if (f == nullptr) {
    const int open_errno = errno;
    return Status::error(fmt::format("{}: cannot create the template: {}{}", out.string(),
                                     std::strerror(open_errno),
                                     open_errno == EEXIST ? " (it is never written over)" : ""));
  }
  const bool written = std::fwrite(line.data(), 1, line.size(), f) == line.size();
  const int write_errno = errno;
  if (std::fclose(f) != 0 || !written) {
    return Status::error(fmt::format("{}: cannot write the template: {}", out.string(),
                                     std::strerror(written ? errno : write_errno)));
  }
  return Status::ok();
}

}  // namespace regaudit::import
