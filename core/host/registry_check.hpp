// Checks a registry file against SPEC section 1 before anything reads it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "regaudit/registry.hpp"

namespace regaudit::host {

struct SchemaProblem {
  std::string table;
  std::string column;  // empty when the whole table is missing
};

// Every missing table, and every missing column of a present table.
std::vector<SchemaProblem> check_schema(RegistryView& registry);

// "missing table 'inquiries'" / "table 'persons' has no column 'hukou_street'".
std::string describe(const SchemaProblem& problem);

// SQLite's first complaint about the file's pages and b-trees (PRAGMA
// quick_check, which reads the whole file: asked only after something failed),
// or nullopt when it finds none.
std::optional<std::string> registry_damage(RegistryView& registry);

}  // namespace regaudit::host
