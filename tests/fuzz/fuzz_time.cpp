// libFuzzer target: the time parser. A readable time must print and read back
// as the same instant; nothing may crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "regaudit/normal_forms.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const regaudit::TimeValue t = regaudit::nf::time(raw);
  if (t.is_readable()) {
    const regaudit::TimeValue again = regaudit::nf::time(regaudit::format_instant(t.instant()));
    if (!again.is_readable() || again.instant() != t.instant()) std::abort();
  }
  return 0;
}
