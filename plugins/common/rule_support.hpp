// Helpers shared by the built-in rules: reading times with unreadable
// counting, and the carrier subscriptions of SPEC section 4 ("Phones").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "regaudit/normal_forms.hpp"
#include "regaudit/rule.hpp"

namespace regaudit::rules {

// Reads column `column` of the current row as a time, counting it as
// unreadable under (table, column_name) when it is.
TimeValue read_time(const Statement& row, int column, RunContext& context, std::string_view table,
                    std::string_view column_name);

// The subscription in force at A of one number.
struct SubscriptionInForce {
  std::int64_t subscription_id = 0;
  std::string owner_id;  // normal form; empty = nobody known
  std::string owner_name_raw;
  Instant activated_at = 0;
};

// A counted subscription, for evidence.
struct CountedSubscription {
  std::int64_t subscription_id = 0;
  Instant activated_at = 0;
  std::optional<Instant> deactivated_at;  // nullopt = still active
};

struct NumberSubscriptions {
  bool has_counted = false;  // at least one counted subscription
  std::optional<SubscriptionInForce> in_force;
  // The counted subscription activated last (ties: highest subscription_id),
  // whether in force at A or not; set whenever has_counted is.
  std::optional<CountedSubscription> last_counted;
};

// Every number's counted subscriptions, reduced to what the rules need.
// A counted subscription has a readable activated_at and a deactivated_at that
// is NULL or readable (one that is unreadable leaves the row out). Among those
// in force at A (activated < A, deactivated NULL or >= A) the one activated
// last wins, ties to the highest subscription_id.
std::unordered_map<std::string, NumberSubscriptions> subscriptions_by_number(RunContext& context);

// Reads column `column` of the current row as a count (SPEC section 2's
// count normal form: trimmed ASCII digits), counting it as unreadable under
// (table, column_name) when it is. Used for counts and non-negative
// quantities (durations, team sizes); a negative number is unreadable.
nf::Count read_count(const Statement& row, int column, RunContext& context, std::string_view table,
                     std::string_view column_name);

// "2022-04-03 09:30" for messages.
std::string minute_text(Instant t);

}  // namespace regaudit::rules
