#include "phone_resolver.hpp"

#include <algorithm>
#include <utility>

#include "rule_support.hpp"

namespace regaudit::rules {
namespace {

constexpr std::string_view kPhoneEntityPrefix = "phone:";

}  // namespace

PhoneResolver PhoneResolver::load(RunContext& context) {
  const int last_day = context.period().last_day_yyyymmdd();
  PhoneResolver resolver;
  Statement links =
      context.registry().prepare("SELECT id_number, phone, recorded_at FROM person_phones");
  while (links.step()) {
    const TimeValue recorded = read_time(links, 2, context, "person_phones", "recorded_at");
    if (!recorded.is_readable()) continue;
    const nf::IdNumber id = nf::id_number(links.text(0), last_day);
    const std::string phone = nf::phone(links.text(1));
    if (id.is_null() || phone.empty()) continue;
    resolver.add(phone, id.text, recorded.instant());
  }
  return resolver;
}

std::shared_ptr<const PhoneResolver> PhoneResolver::shared(RunContext& context) {
  return context.shared<PhoneResolver>("builtin/phone-resolver", &PhoneResolver::load);
}

void PhoneResolver::add(const std::string& phone, const std::string& id, Instant recorded_at) {
  Earliest& e = by_phone_[phone];
  if (id == e.first_id) {
    e.first_at = std::min(e.first_at, recorded_at);
    return;
  }
  if (id == e.second_id) {
    e.second_at = std::min(e.second_at, recorded_at);
    if (e.second_at < e.first_at) {
      std::swap(e.first_id, e.second_id);
      std::swap(e.first_at, e.second_at);
    }
    return;
  }
  // A new id, or one that fell out of the two earliest: only its earliest
  // time so far can matter, and that is at most `recorded_at`.
  if (recorded_at < e.first_at) {
    e.second_id = std::move(e.first_id);
    e.second_at = e.first_at;
    e.first_id = id;
    e.first_at = recorded_at;
  } else if (recorded_at < e.second_at) {
    e.second_id = id;
    e.second_at = recorded_at;
  }
}

const std::string* PhoneResolver::resolve(const std::string& phone, Instant t) const {
  if (phone.empty()) return nullptr;
  const auto it = by_phone_.find(phone);
  if (it == by_phone_.end()) return nullptr;
  const Earliest& e = it->second;
  if (t < e.first_at || t >= e.second_at) return nullptr;
  return &e.first_id;
}

std::string entity_of(const nf::IdNumber& id, const std::string& phone, Instant at,
                      const PhoneResolver& resolver) {
  std::string person = person_of(id, phone, at, resolver);
  if (!person.empty()) return person;
  if (phone.empty()) return {};
  return std::string(kPhoneEntityPrefix) + phone;
}

std::string person_of(const nf::IdNumber& id, const std::string& phone, Instant at,
                      const PhoneResolver& resolver) {
  if (id.valid) return id.text;
  if (const std::string* person = resolver.resolve(phone, at)) return *person;
  return {};
}

std::string shown_entity(const std::string& entity, const PiiPolicy& pii) {
  if (entity.starts_with(kPhoneEntityPrefix)) {
    return pii.phone(std::string_view(entity).substr(kPhoneEntityPrefix.size()));
  }
  return pii.id_number(entity);
}

}  // namespace regaudit::rules
