#include "rule_support.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <optional>

#include "persons_table.hpp"
#include "regaudit/digits.hpp"

namespace regaudit::rules {

TimeValue read_time(const Statement& row, int column, RunContext& context, std::string_view table,
                    std::string_view column_name) {
  const TimeValue t = nf::time(row.text(column));
  if (t.is_unreadable()) context.count_unreadable(table, column_name);
  return t;
}

std::optional<std::uint64_t> SubscriptionsByNumber::as_integer(std::string_view number) {
  if (number.size() > 17) return std::nullopt;
  std::uint64_t v = 0;
  std::size_t i = 0;
  if (std::endian::native == std::endian::little && number.size() >= 8) {
    // The first 8 digits at once (1 ns of 8.4 a mobile number; copying a
    // number of any length into a word of 16 digits cost twice the loop).
    std::uint64_t first = 0;
    std::memcpy(&first, number.data(), 8);
    if (!nf::eight_digits(first)) return std::nullopt;
    v = nf::eight_digits_value(first);
    i = 8;
  }
  for (; i < number.size(); ++i) {
    const char c = number[i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v * 32 + number.size();  // the length keeps leading zeros apart
}

std::pair<NumberSubscriptions*, bool> SubscriptionsByNumber::try_emplace(
    const std::string& number) {
  if (const auto k = as_integer(number)) return by_integer_.try_emplace(*k);
  const auto [it, inserted] = by_text_.try_emplace(number);
  return {&it->second, inserted};
}

const NumberSubscriptions* SubscriptionsByNumber::find(std::string_view number) const {
  if (const auto k = as_integer(number)) return by_integer_.find(*k);
  const auto it = by_text_.find(number);
  return it == by_text_.end() ? nullptr : &it->second;
}

std::size_t rows_to_reserve(RunContext& context, std::string_view table, std::size_t most) {
  return std::min(static_cast<std::size_t>(context.registry().largest_rowid(table)), most);
}

SubscriptionsByNumber subscriptions_by_number(RunContext& context) {
  const Instant as_of = context.period().as_of();
  SubscriptionsByNumber out;
  // Nearly every row is a number of its own (re-issues are few): the row
  // count is the number of keys to reserve for, within the table's slack.
  out.reserve(static_cast<std::size_t>(context.registry().row_count("phone_subscriptions")));
  // A counted row, entered into the table one row late: its number's entry
  // is asked for (prefetched) when the row is read and used when the next
  // row has been read, so that the table's cache miss overlaps the reading of
  // a row instead of stalling the loop (0.12 s of the 1 M city's 0.43 s here
  // when the entry was asked for only while the row's times were read).
  struct Counted {
    std::string number;
    std::int64_t id = 0;
    Instant activated = 0;
    std::optional<Instant> deactivated;
    bool in_force = false;
    std::uint64_t owner = IdCodes::kNone;  // of a row in force
  };
  const auto enter = [&](const Counted& row) {
    const auto [slot, first] = out.try_emplace(row.number);
    NumberSubscriptions& subs = *slot;
    if (first || std::pair(subs.last_counted.activated_at, subs.last_counted.subscription_id) <
                     std::pair(row.activated, row.id)) {
      subs.last_counted.subscription_id = row.id;
      subs.last_counted.activated_at = row.activated;
      subs.last_counted.set_deactivated_at(row.deactivated);
    }
    if (!row.in_force) return;
    if (const SubscriptionInForce* current = subs.in_force();
        current != nullptr && std::pair(current->activated_at, current->subscription_id) >
                                  std::pair(row.activated, row.id)) {
      return;
    }
    subs.set_in_force({row.id, row.owner, row.activated});
  };
  Statement rows = context.registry().prepare(
      "SELECT subscription_id, phone, owner_id_number, activated_at, deactivated_at "
      "FROM phone_subscriptions");
  std::optional<Counted> held;
  while (rows.step()) {
    const TimeValue activated = read_time(rows, 3, context, "phone_subscriptions", "activated_at");
    const TimeValue deactivated =
        read_time(rows, 4, context, "phone_subscriptions", "deactivated_at");
    if (!activated.is_readable() || deactivated.is_unreadable()) continue;
    std::string number = nf::phone(rows.text(1));
    if (number.empty()) continue;
    out.prefetch(number);
    Counted row;
    row.number = std::move(number);
    row.id = rows.int64(0);
    row.activated = activated.instant();
    if (!deactivated.is_null()) row.deactivated = deactivated.instant();
    row.in_force = row.activated < as_of && (!row.deactivated || *row.deactivated >= as_of);
    // The owner's code now, while the row's text is there (a row in force
    // that does not win costs an unused code, never a wrong one).
    if (row.in_force) row.owner = out.owners().encode_id_number(rows.text(2));
    if (held) enter(*held);
    held = std::move(row);
  }
  if (held) enter(*held);
  return out;
}

std::shared_ptr<const SubscriptionsByNumber> shared_subscriptions_by_number(RunContext& context) {
  return context.shared<SubscriptionsByNumber>(kSubscriptionsKey, &subscriptions_by_number);
}

StreetById first_hukou_street_by_id(RunContext& context) {
  const auto persons = PersonsTable::shared(context);
  StreetById out;
  out.reserve(persons->rows().size());
  const auto& rows = persons->rows();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i + kPrefetchAhead < rows.size()) out.prefetch(persons->id(rows[i + kPrefetchAhead]));
    if (const std::string_view id = persons->id(rows[i]); !id.empty()) {
      out.try_emplace(id, persons->street(rows[i]));
    }
  }
  return out;
}

std::shared_ptr<const StreetById> shared_first_hukou_street_by_id(RunContext& context) {
  return context.shared<StreetById>(kHukouStreetsKey, &first_hukou_street_by_id);
}

void StreetById::try_emplace(std::string_view id, const std::string& street) {
  const auto k = nf::id_as_integer(id);
  if (k) {
    const auto [slot, inserted] = by_integer_.try_emplace(*k);
    if (inserted) *slot = streets_.index(street);
  } else if (by_text_.find(id) == by_text_.end()) {
    by_text_.emplace(std::string(id), streets_.index(street));
  }
}

const std::string* StreetById::find(std::string_view id) const {
  if (const auto k = nf::id_as_integer(id)) {
    const std::uint32_t* street = by_integer_.find(*k);
    return street == nullptr ? nullptr : &streets_[*street];
  }
  const auto it = by_text_.find(id);
  return it == by_text_.end() ? nullptr : &streets_[it->second];
}

nf::Count read_count(const Statement& row, int column, RunContext& context, std::string_view table,
                     std::string_view column_name) {
  nf::Count c = nf::count(row.text(column));
  if (c.state == nf::Count::State::readable && c.beyond_range) {
    c = {nf::Count::State::unreadable, 0, false};
  }
  if (c.state == nf::Count::State::unreadable) context.count_unreadable(table, column_name);
  return c;
}

std::string minute_text(Instant t) {
  const std::string s = format_instant(t);  // 2022-04-03T09:30:00
  return s.substr(0, 10) + " " + s.substr(11, 5);
}

}  // namespace regaudit::rules
