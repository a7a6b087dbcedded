// Writing registry tables as CSV that `regaudit import` reads back unchanged:
// NULL is an empty unquoted field, an empty text is "", and a field is quoted
// when it holds the delimiter, a quote, a line break, or is empty text.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "regaudit/status.hpp"
#include "text_encoding.hpp"

namespace regaudit::import {

// Appends `text` as one CSV field (no delimiter before or after it).
void append_csv_field(std::string& out, std::string_view text, char delimiter);

// Writes the SPEC columns of `table` in `db` (opened read-only), header first,
// rows in rowid order, LF line ends, in `encoding` (no byte-order mark).
// Blobs cannot be written and make it fail.
Status export_table_csv(const std::filesystem::path& db, const std::string& table,
                        const std::filesystem::path& out, Encoding encoding, char delimiter = ',');

}  // namespace regaudit::import
