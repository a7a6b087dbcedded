// Writing a report so that readers see either the previous file or the whole
// new one: the content goes to a temporary file in the same directory, is
// flushed to disk, and is renamed over the target.
#pragma once

#include <filesystem>
#include <string_view>

#include "regaudit/status.hpp"

namespace regaudit::reports {

Status write_file_atomically(const std::filesystem::path& target, std::string_view content);

}  // namespace regaudit::reports
