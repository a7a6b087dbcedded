// libFuzzer target: every normal form of SPEC section 2 on arbitrary bytes,
// with the invariants that must hold for any input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "regaudit/normal_forms.hpp"
#include "regaudit/pii.hpp"

namespace nf = regaudit::nf;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const nf::IdNumber id = nf::id_number(raw, 20220430);
  if (id.valid && id.text.size() != 18) std::abort();
  if (!id.text.empty() && nf::id_number(id.text, 20220430).text != id.text) std::abort();
  const std::string phone = nf::phone(raw);
  for (const char c : phone) {
    if (c < '0' || c > '9') std::abort();
  }
  // Not idempotent by design: SPEC drops stray '+' last, so "+0+0086…" keeps
  // "0086…", which a second pass would strip. Comparisons always normalise
  // raw values, so only the first pass matters.
  (void)nf::name(raw);
  (void)nf::vehicle_no(raw);
  (void)nf::place(raw);
  (void)nf::enumeration(raw);
  (void)nf::trimmed(raw);
  (void)nf::count(raw);
  (void)regaudit::mask_id_number(raw);
  (void)regaudit::mask_phone(raw);
  (void)regaudit::mask_name(raw);
  return 0;
}
