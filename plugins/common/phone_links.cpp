#include "phone_links.hpp"

#include "regaudit/normal_forms.hpp"
#include "rule_support.hpp"

namespace regaudit::rules {

PhoneLinks PhoneLinks::load(RunContext& context) {
  const int last_day = context.period().last_day_yyyymmdd();
  PhoneLinks out;
  Statement links = context.registry().prepare(
      "SELECT link_id, id_number, phone, source, recorded_at FROM person_phones");
  nf::IdNumber id;  // reused row after row
  while (links.step()) {
    const TimeValue recorded = read_time(links, 4, context, "person_phones", "recorded_at");
    const std::string phone = recorded.is_readable() ? nf::phone(links.text(2)) : std::string();
    nf::id_number_into(links.text(1), last_day, id);
    if (phone.empty()) {
      const std::uint64_t at = out.arena_.append(id.text);
      out.left_out_.push_back({links.int64(0), at, static_cast<std::uint32_t>(id.text.size())});
      continue;
    }
    Row row;
    row.link_id = links.int64(0);
    row.recorded_at = recorded.instant();
    row.id_at = out.arena_.append(id.text);
    row.id_size = static_cast<std::uint32_t>(id.text.size());
    row.id_valid = id.valid;
    row.phone_at = out.arena_.append(phone);
    row.phone_size = static_cast<std::uint32_t>(phone.size());
    row.source = out.sources_.index_of_raw(links.text(3), nf::enumeration);
    out.rows_.push_back(row);
  }
  out.rows_.shrink_to_fit();
  out.left_out_.shrink_to_fit();
  out.arena_.shrink_to_fit();
  return out;
}

std::shared_ptr<const PhoneLinks> PhoneLinks::shared(RunContext& context) {
  return context.shared<PhoneLinks>(kKey, &PhoneLinks::load);
}

}  // namespace regaudit::rules
