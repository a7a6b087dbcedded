// Loading CSV/TSV extracts into a registry (SPEC section 1).
//
// Every record of a file lands either in the target table or in _rejects, in
// one transaction per file: a file that fails (unreadable, unterminated quote,
// disk full) or an interrupted process leaves the registry as it was before
// that file. Files already committed stay.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "column_mapping.hpp"
#include "regaudit/status.hpp"

namespace regaudit::import {

struct ImportRequest {
  std::filesystem::path db;  // created with every registry table when absent
  std::string table;
  std::string encoding = "auto";  // auto, utf-8 or gb18030 (gbk accepted)
  std::string delimiter;          // one character or \t; empty: tab for *.tsv, else comma
  MappingRules rules;             // --map, --allow-missing and the mapping file
  std::vector<std::filesystem::path> files;
};

// Why a record was rejected; the counts are printed per kind.
enum class RejectKind {
  field_count,
  malformed_quotes,
  invalid_encoding,
  empty_key,
  duplicate_key,
  key_not_integer,
  constraint,
};
inline constexpr std::size_t kRejectKinds = 7;
std::string_view reject_kind_label(RejectKind kind);

struct FileReport {
  std::string file;
  std::string encoding;  // "utf-8" or "gb18030"
  std::string encoding_note;
  char delimiter = ',';
  std::size_t read = 0;  // records after the header; loaded + rejected == read
  std::size_t loaded = 0;
  std::size_t rejected = 0;
  std::size_t blank_lines = 0;
  std::array<std::size_t, kRejectKinds> rejected_by_kind{};
  bool committed = false;
};

// Notes for the user (chosen encoding, ignored columns, ...). Never row content.
using NoteSink = std::function<void(const std::string&)>;

struct ImportOutcome {
  Status status = Status::ok();
  std::vector<FileReport> files;  // one per file processed, committed or not
};

// Checks every file's header before writing anything, then loads the files
// in order, one transaction each. Stops at the first file that fails; the
// outcome's status names file, line and column.
ImportOutcome import_files(const ImportRequest& request, const NoteSink& note);

// Writes the header line of `table` (UTF-8 without BOM, column names in schema
// order, LF) to `out`, replacing it.
Status export_template(const std::string& table, const std::filesystem::path& out);

}  // namespace regaudit::import
