// person_phones read once per run and shared (RunContext::shared) by every
// built-in rule that examines links or resolves phones: hukou-mismatch,
// stale-phone, and through the phone resolver duplicate-inquiry and
// checkin-redundancy. Each row is kept in normal form, its texts in one
// arena: a million and a half links cost tens of megabytes, not hundreds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pod_vector.hpp"
#include "regaudit/rule.hpp"
#include "rule_support.hpp"

namespace regaudit::rules {

class PhoneLinks {
 public:
  static constexpr const char* kKey = "builtin/phone-links";
  // A person_phones row with a readable recorded_at and a non-NULL phone
  // normal form: every other row is of no use to any rule (SPEC section 4,
  // "Phones" and "Resolving a phone").
  struct Row {
    std::int64_t link_id = 0;
    Instant recorded_at = 0;
    std::uint64_t id_at = 0;  // offsets into the arena
    std::uint64_t phone_at = 0;
    std::uint32_t id_size = 0;  // 0: the id_number is NULL
    std::uint32_t phone_size = 0;
    std::uint32_t source = 0;  // the interned source (source())
    bool id_valid = false;
  };

  // Reads every person_phones row; each unreadable recorded_at is counted
  // under (person_phones, recorded_at).
  static PhoneLinks load(RunContext& context);
  // The run's one copy.
  static std::shared_ptr<const PhoneLinks> shared(RunContext& context);

  const PodVector<Row>& rows() const { return rows_; }
  // The rows left out, by link_id and the id_number's normal form: no rule
  // examines them, but the run's metrics count every link of a person.
  struct LeftOut {
    std::int64_t link_id = 0;
    std::uint64_t id_at = 0;
    std::uint32_t id_size = 0;  // 0: the id_number is NULL
  };
  const PodVector<LeftOut>& left_out() const { return left_out_; }
  std::string_view id(const LeftOut& row) const { return arena_.view(row.id_at, row.id_size); }
  // Normal forms; an empty id is NULL.
  std::string_view id(const Row& row) const { return arena_.view(row.id_at, row.id_size); }
  std::string_view phone(const Row& row) const { return arena_.view(row.phone_at, row.phone_size); }
  const std::string& source(const Row& row) const { return sources_[row.source]; }

 private:
  PodVector<Row> rows_;
  PodVector<LeftOut> left_out_;
  TextArena arena_;
  Interned sources_;
};

}  // namespace regaudit::rules
