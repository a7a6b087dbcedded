// Resolving a phone number at a time to a person, and the *entity* of an
// inquiry or self-report (SPEC section 4, "Resolving a phone X at time T" and
// duplicate-inquiry), shared by duplicate-inquiry and checkin-redundancy.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "regaudit/normal_forms.hpp"
#include "regaudit/pii.hpp"
#include "regaudit/rule.hpp"
#include "rule_support.hpp"

namespace regaudit::rules {

// Phone X resolves at T to the one distinct normal-form id_number (valid or
// not, never NULL) among person_phones rows whose phone normalises to X and
// whose recorded_at is readable and <= T; none or several: unresolved.
//
// The set of ids only grows with T, so a number is resolved exactly on
// [e1, e2), where e1 <= e2 are the two smallest per-id earliest recorded_at
// values. The index keeps those two per number: O(1) memory per number,
// O(1) per lookup, whatever the number of persons sharing a phone.
class PhoneResolver {
 public:
  static constexpr const char* kKey = "builtin/phone-resolver";
  // Built from the run's shared PhoneLinks (whose unreadable recorded_at
  // values a rule receiving the resolver receives as well).
  static PhoneResolver load(RunContext& context);
  // The run's one resolver (RunContext::shared), loaded by the first rule
  // that asks.
  static std::shared_ptr<const PhoneResolver> shared(RunContext& context);

  // Adds one link: `phone` and `id` in normal form, both non-empty.
  void add(std::string_view phone, std::string_view id, Instant recorded_at);

  // The person `phone` (normal form) resolves to at `t`; empty when
  // unresolved.
  std::string resolve(std::string_view phone, Instant t) const;
  // Starts loading what resolve() reads for `phone` (IntMap::prefetch), for a
  // loop that has other columns of the row to read first.
  void prefetch(std::string_view phone) const { by_number_.prefetch(phone); }

 private:
  static constexpr Instant kNever = std::numeric_limits<Instant>::max();
  struct Earliest {
    std::uint64_t first_id = 0;  // the id with the earliest recorded_at
    Instant first_at = kNever;
    std::uint64_t second_id = 0;  // the other id with the earliest recorded_at
    Instant second_at = kNever;
  };

  // Numbers as in SubscriptionsByNumber: digits as an integer, else text.
  ByNumber<Earliest> by_number_;
  IdCodes ids_;
};

// The entity of an inquiries or self_reports row (SPEC section 4,
// duplicate-inquiry): the id_number when valid, else the person its phone
// resolves to at `at`, else "phone:" + the phone; empty when the row has
// neither a valid id_number nor a phone. `phone` is in normal form.
std::string entity_of(const nf::IdNumber& id, const std::string& phone, Instant at,
                      const PhoneResolver& resolver);

// The person of a check-in (SPEC section 4, checkin-redundancy): the
// id_number when valid, else the person its phone resolves to at `at`; empty
// when unresolved.
std::string person_of(const nf::IdNumber& id, const std::string& phone, Instant at,
                      const PhoneResolver& resolver);

// The number of a phone entity ("phone:" and the number, entity_of); empty
// for any other entity.
std::string_view phone_entity_number(std::string_view entity);

// An entity as a message shows it, masked through `pii`.
std::string shown_entity(const std::string& entity, const PiiPolicy& pii);

}  // namespace regaudit::rules
