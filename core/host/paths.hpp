// Where the running binary's install tree is. regaudit is relocatable: it
// finds its plugins, rules and report assets relative to its own binary.
#pragma once

#include <filesystem>

namespace regaudit::host {

// The prefix of the running executable: <prefix>/bin/regaudit -> <prefix>.
std::filesystem::path install_prefix();

}  // namespace regaudit::host
