// persons read once per run and shared (RunContext::shared) by the built-in
// rules that walk it: hukou-mismatch, the first hukou street by ID
// (hukou-mismatch, stale-phone) and checkin-redundancy's facts. Rows in
// person_id order, texts in one arena; the name is kept as written, since its
// normal form (ICU) is needed for few rows.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "pod_vector.hpp"
#include "regaudit/rule.hpp"
#include "rule_support.hpp"

namespace regaudit::rules {

class PersonsTable {
 public:
  static constexpr const char* kKey = "builtin/persons";

  struct Row {
    std::int64_t person_id = 0;
    std::uint64_t id_at = 0;  // offsets into the arena
    std::uint64_t name_at = 0;
    std::uint32_t id_size = 0;  // 0: the id_number is NULL
    std::uint32_t name_size = 0;
    std::uint32_t street = 0;  // index into the streets
    bool id_valid = false;
  };

  static PersonsTable load(RunContext& context);
  static std::shared_ptr<const PersonsTable> shared(RunContext& context);

  const PodVector<Row>& rows() const { return rows_; }
  // The id_number's normal form; empty: NULL.
  std::string_view id(const Row& row) const { return arena_.view(row.id_at, row.id_size); }
  // The name as written (empty for NULL).
  std::string_view name(const Row& row) const { return arena_.view(row.name_at, row.name_size); }
  // The hukou_street's normal form (street code).
  const std::string& street(const Row& row) const { return streets_[row.street]; }

 private:
  PodVector<Row> rows_;
  TextArena arena_;
  Interned streets_;
};

}  // namespace regaudit::rules
