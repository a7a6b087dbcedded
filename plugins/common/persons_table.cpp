#include "persons_table.hpp"

#include "regaudit/normal_forms.hpp"

namespace regaudit::rules {

PersonsTable PersonsTable::load(RunContext& context) {
  const int last_day = context.period().last_day_yyyymmdd();
  PersonsTable out;
  Statement persons = context.registry().prepare(
      "SELECT person_id, id_number, name, hukou_street FROM persons ORDER BY person_id");
  nf::IdNumber id;  // reused row after row
  while (persons.step()) {
    nf::id_number_into(persons.text(1), last_day, id);
    const std::string_view name = persons.text(2);
    Row row;
    row.person_id = persons.int64(0);
    row.id_at = out.arena_.append(id.text);
    row.id_size = static_cast<std::uint32_t>(id.text.size());
    row.id_valid = id.valid;
    row.name_at = out.arena_.append(name);
    row.name_size = static_cast<std::uint32_t>(name.size());
    row.street = out.streets_.index_of_raw(persons.text(3), nf::street_code);
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
