// libFuzzer target: the declarative-rule reader on arbitrary XML.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "declarative_rule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/regaudit-fuzz-rule-" + std::to_string(getpid()) + ".xml";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  std::string error;
  (void)regaudit::host::read_declarative_rule(path, error);
  return 0;
}
