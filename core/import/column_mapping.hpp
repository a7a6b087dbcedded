// Which field of an extract goes to which registry column.
//
// A header is compared after normalize_header() (trimmed, ASCII lower-case,
// full-width parentheses made ASCII). Three sources, strongest first:
//   1. explicit mappings: --map SRC=DEST and the mapping file's <column> items;
//   2. the column's own name (id_number, called_at, ...);
//   3. the built-in Chinese headers of common exports (builtin_headers()).
// A column claimed by a stronger source leaves weaker matches ignored; two
// headers claiming one column through the same source is an error. Headers
// that match nothing are ignored (the caller says so once per file).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "regaudit/schema.hpp"
#include "regaudit/status.hpp"

namespace regaudit::import {

std::string normalize_header(std::string_view header);

// The Chinese (and other) header names recognised for `column` of any table,
// already normalised. Empty for unknown columns.
const std::vector<std::string>& builtin_headers(std::string_view column);

// The columns an extract of `table` must provide (see docs/import.md): the
// primary key, the identifiers the rules match on, and every column whose NULL
// would change a finding rather than suppress it (start times, end times).
std::vector<std::string> required_columns(const TableSpec& table);

struct ExplicitMapping {
  std::string source;  // as written; compared normalised
  std::string target;  // a column of the table
};

// What a mapping file (or the command line) says about one kind of extract.
struct MappingRules {
  std::vector<ExplicitMapping> columns;
  std::vector<std::string> allow_missing;  // required columns the extract may lack
  std::optional<std::string> encoding;     // mapping file only; the command line wins
  std::optional<std::string> delimiter;    // idem
};

// The mapping among `earlier` that maps `mapping`'s header (compared
// normalised) to another column; nullptr when none does.
const ExplicitMapping* conflicting_mapping(const std::vector<ExplicitMapping>& earlier,
                                           const ExplicitMapping& mapping);

// Parses "SRC=DEST" (SRC may itself contain '='; the last one splits).
Status parse_map_option(std::string_view option, const TableSpec& table, ExplicitMapping* out);

// Reads a mapping file (format in docs/import.md) for `table` and appends its
// content to `rules`.
Status load_mapping_file(const std::filesystem::path& path, const TableSpec& table,
                         MappingRules* rules);

struct ColumnBinding {
  std::size_t column = 0;  // index into TableSpec::columns
  std::size_t field = 0;   // index into the record's fields
};

struct ResolvedColumns {
  std::vector<ColumnBinding> bindings;       // in table column order
  std::vector<std::string> ignored_headers;  // as written in the file
  std::vector<std::string> notes;            // e.g. a weaker match overridden
  std::vector<std::string> unused_mappings;  // explicit sources absent from the header
  std::optional<std::size_t> key_field;      // the primary key's field, when the table has one
};

// Maps the decoded `header` of `file` onto `table`. Errors (missing required
// column, two headers for one column, ...) name the file and the column.
Status resolve_columns(const std::string& file, const std::vector<std::string>& header,
                       const TableSpec& table, const MappingRules& rules, ResolvedColumns* out);

}  // namespace regaudit::import
