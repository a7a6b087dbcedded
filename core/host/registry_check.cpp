#include "registry_check.hpp"

#include <fmt/format.h>

#include "regaudit/schema.hpp"

namespace regaudit::host {

std::vector<SchemaProblem> check_schema(RegistryView& registry) {
  std::vector<SchemaProblem> problems;
  for (const TableSpec& table : registry_schema()) {
    if (!registry.has_table(table.name)) {
      problems.push_back({table.name, ""});
      continue;
    }
    for (const ColumnSpec& column : table.columns) {
      if (!registry.has_column(table.name, column.name)) {
        problems.push_back({table.name, column.name});
      }
    }
  }
  return problems;
}

std::string describe(const SchemaProblem& problem) {
  if (problem.column.empty()) return fmt::format("missing table '{}'", problem.table);
  return fmt::format("table '{}' has no column '{}'", problem.table, problem.column);
}

}  // namespace regaudit::host
