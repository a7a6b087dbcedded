#include "persons_table.hpp"

#include <unordered_map>

#include "regaudit/normal_forms.hpp"

namespace regaudit::rules {

PersonsTable PersonsTable::load(RunContext& context) {
  const int last_day = context.period().last_day_yyyymmdd();
  PersonsTable out;
  std::unordered_map<std::string, std::uint32_t> street_index;
  Statement persons = context.registry().prepare(
      "SELECT person_id, id_number, name, hukou_street FROM persons ORDER BY person_id");
  while (persons.step()) {
    const nf::IdNumber id = nf::id_number(persons.text(1), last_day);
    std::string street = nf::street_code(persons.text(3));
    const auto [it, inserted] =
        street_index.try_emplace(street, static_cast<std::uint32_t>(out.streets_.size()));
    if (inserted) out.streets_.push_back(std::move(street));
    const std::string_view name = persons.text(2);
    Row row;
    row.person_id = persons.int64(0);
    row.id_at = out.arena_.size();
    row.id_size = static_cast<std::uint32_t>(id.text.size());
    row.id_valid = id.valid;
    out.arena_.append(id.text);
    row.name_at = out.arena_.size();
    row.name_size = static_cast<std::uint32_t>(name.size());
    out.arena_.append(name);
    row.street = it->second;
    out.rows_.push_back(row);
  }
  out.rows_.shrink_to_fit();
  out.arena_.shrink_to_fit();
  return out;
}

std::shared_ptr<const PersonsTable> PersonsTable::shared(RunContext& context) {
  return context.shared<PersonsTable>(kKey, &PersonsTable::load);
}

}  // namespace regaudit::rules
