// `regaudit new-rule`: writes a compilable out-of-tree plugin project.
#pragma once

#include <filesystem>
#include <string>

#include "regaudit/status.hpp"

namespace regaudit::host {

// Writes the project for rule `rule_id` into `dir` (created; it must not exist
// or be empty): the rule's source and header, its doc page, a GoogleTest file,
// a CMakeLists.txt using the installed SDK package, and a README.
Status write_rule_scaffold(const std::string& rule_id, const std::filesystem::path& dir);

}  // namespace regaudit::host
