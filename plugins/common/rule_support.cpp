#include "rule_support.hpp"

#include <fmt/format.h>

namespace regaudit::rules {

TimeValue read_time(const Statement& row, int column, RunContext& context, std::string_view table,
                    std::string_view column_name) {
  const TimeValue t = nf::time(row.text(column));
  if (t.is_unreadable()) context.count_unreadable(table, column_name);
  return t;
}

std::unordered_map<std::string, NumberSubscriptions> subscriptions_by_number(RunContext& context) {
  const Instant as_of = context.period().as_of();
  const int last_day = context.period().last_day_yyyymmdd();
  std::unordered_map<std::string, NumberSubscriptions> out;
  Statement rows = context.registry().prepare(
      "SELECT subscription_id, phone, owner_id_number, owner_name, activated_at, deactivated_at "
      "FROM phone_subscriptions");
  while (rows.step()) {
    const TimeValue activated = read_time(rows, 4, context, "phone_subscriptions", "activated_at");
    const TimeValue deactivated =
        read_time(rows, 5, context, "phone_subscriptions", "deactivated_at");
    if (!activated.is_readable() || deactivated.is_unreadable()) continue;
    std::string number = nf::phone(rows.text(1));
    if (number.empty()) continue;
    NumberSubscriptions& subs = out[std::move(number)];
    subs.has_counted = true;
    const std::int64_t id = rows.int64(0);
    if (!subs.last_counted ||
        std::pair(subs.last_counted->activated_at, subs.last_counted->subscription_id) <
            std::pair(activated.instant(), id)) {
      subs.last_counted = CountedSubscription{
          id, activated.instant(),
          deactivated.is_null() ? std::nullopt : std::optional<Instant>(deactivated.instant())};
    }
    const bool in_force =
        activated.instant() < as_of && (deactivated.is_null() || deactivated.instant() >= as_of);
    if (!in_force) continue;
    if (subs.in_force && std::pair(subs.in_force->activated_at, subs.in_force->subscription_id) >
                             std::pair(activated.instant(), id)) {
      continue;
    }
    subs.in_force = SubscriptionInForce{id, nf::id_number(rows.text(2), last_day).text,
                                        std::string(rows.text(3)), activated.instant()};
  }
  return out;
}

nf::Count read_count(const Statement& row, int column, RunContext& context, std::string_view table,
                     std::string_view column_name) {
  const nf::Count c = nf::count(row.text(column));
  if (c.state == nf::Count::State::unreadable) context.count_unreadable(table, column_name);
  return c;
}

std::string minute_text(Instant t) {
  const std::string s = format_instant(t);  // 2022-04-03T09:30:00
  return s.substr(0, 10) + " " + s.substr(11, 5);
}

}  // namespace regaudit::rules
