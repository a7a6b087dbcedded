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

std::optional<std::string> registry_damage(RegistryView& registry) {
  try {
    Statement check = registry.prepare("PRAGMA quick_check(1)");
    if (!check.step()) return "quick_check returned nothing";
    const std::string_view verdict = check.text(0);
    if (verdict == "ok") return std::nullopt;
    // One line: "*** in database main ***\nPage 6672: btreeInitPage() ..."
    std::string line;
    for (std::size_t at = 0; at < verdict.size();) {
      std::size_t end = verdict.find('\n', at);
      if (end == std::string_view::npos) end = verdict.size();
      const std::string_view part = verdict.substr(at, end - at);
      if (!part.empty() && !part.starts_with("***"))
        line += (line.empty() ? "" : "; ") + std::string(part);
      at = end + 1;
    }
    return line.empty() ? std::string(verdict) : line;
  } catch (const RegistryError& e) {
    return std::string(e.what());
  }
}

}  // namespace regaudit::host
