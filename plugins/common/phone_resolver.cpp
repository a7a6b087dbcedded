#include "phone_resolver.hpp"

#include <algorithm>
#include <utility>

#include "phone_links.hpp"
#include "rule_support.hpp"

namespace regaudit::rules {
namespace {

constexpr std::string_view kPhoneEntityPrefix = "phone:";

}  // namespace

PhoneResolver PhoneResolver::load(RunContext& context) {
  const auto links = PhoneLinks::shared(context);
  PhoneResolver resolver;
  // A number is on one link or on several: reserve for the distinct numbers,
  // estimated in a first pass that costs a fraction of growing the table.
  DistinctKeys numbers;
  for (const PhoneLinks::Row& row : links->rows()) {
    if (links->id(row).empty()) continue;
    if (const auto k = SubscriptionsByNumber::as_integer(links->phone(row))) numbers.add(*k);
  }
  resolver.by_number_.reserve(numbers.estimate());
  const auto& rows = links->rows();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i + kPrefetchAhead < rows.size()) resolver.prefetch(links->phone(rows[i + kPrefetchAhead]));
    const std::string_view id = links->id(rows[i]);
    if (!id.empty()) resolver.add(links->phone(rows[i]), id, rows[i].recorded_at);
  }
  return resolver;
}

std::shared_ptr<const PhoneResolver> PhoneResolver::shared(RunContext& context) {
  return context.shared<PhoneResolver>(kKey, &PhoneResolver::load);
}

void PhoneResolver::add(std::string_view phone, std::string_view id_text, Instant recorded_at) {
  const std::uint64_t id = ids_.encode(id_text);
  Earliest& e = by_number_[phone];
  if (e.first_at != kNever && id == e.first_id) {
    e.first_at = std::min(e.first_at, recorded_at);
    return;
  }
  if (e.second_at != kNever && id == e.second_id) {
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
    e.second_id = e.first_id;
    e.second_at = e.first_at;
    e.first_id = id;
    e.first_at = recorded_at;
  } else if (recorded_at < e.second_at) {
    e.second_id = id;
    e.second_at = recorded_at;
  }
}

std::string PhoneResolver::resolve(std::string_view phone, Instant t) const {
  if (phone.empty()) return {};
  const Earliest* e = by_number_.find(phone);
  if (e == nullptr || t < e->first_at || t >= e->second_at) return {};
  return ids_.text(e->first_id);
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
  return resolver.resolve(phone, at);
}

std::string_view phone_entity_number(std::string_view entity) {
  if (!entity.starts_with(kPhoneEntityPrefix)) return {};
  return entity.substr(kPhoneEntityPrefix.size());
}

std::string shown_entity(const std::string& entity, const PiiPolicy& pii) {
  if (entity.starts_with(kPhoneEntityPrefix)) {
    return pii.phone(std::string_view(entity).substr(kPhoneEntityPrefix.size()));
  }
  return pii.id_number(entity);
}

}  // namespace regaudit::rules
