#include "paths.hpp"

#include <boost/dll/runtime_symbol_info.hpp>

namespace regaudit::host {

std::filesystem::path install_prefix() {
  // The host library is linked statically into the executable, so the
  // program location is the binary's.
  const std::filesystem::path program = boost::dll::program_location();
  return program.parent_path().parent_path();
}

}  // namespace regaudit::host
