// The merged-registry schema of SPEC section 1: every table and column a
// registry must have. Extra tables and columns are allowed and ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "regaudit/export.hpp"

namespace regaudit {

struct ColumnSpec {
  std::string name;
  std::string affinity;  // "TEXT" or "INTEGER"
};

struct TableSpec {
  std::string name;
  std::vector<ColumnSpec> columns;  // the primary key first, when there is one
  bool has_primary_key = true;      // checkin_fields has none
};

// The thirteen tables, in SPEC order.
REGAUDIT_EXPORT const std::vector<TableSpec>& registry_schema();
// nullptr when `table` is not a registry table.
REGAUDIT_EXPORT const TableSpec* find_table_spec(std::string_view table);
// CREATE TABLE IF NOT EXISTS statement for `table`.
REGAUDIT_EXPORT std::string create_table_sql(const TableSpec& table);

}  // namespace regaudit
