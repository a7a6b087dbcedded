// Masking of personal data (ID numbers, phones, names) in every text that a
// report or a log shows. Rules build messages through RunContext::pii(), so
// the run's --reveal-pii choice applies everywhere.
#pragma once

#include <string>
#include <string_view>

#include "regaudit/export.hpp"

namespace regaudit {

// 44010519491231002X -> 4401**********002X (region and last four kept, from 15
// characters on); a shorter text shows at most its last two characters.
REGAUDIT_EXPORT std::string mask_id_number(std::string_view id);
// 13800138000 -> 138****8000 (from 11 characters on); 83334444 -> ******44.
REGAUDIT_EXPORT std::string mask_phone(std::string_view phone);
// 张三 -> 张*, 欧阳娜娜 -> 欧阳** (a compound surname keeps two characters).
REGAUDIT_EXPORT std::string mask_name(std::string_view name);

class PiiPolicy {
 public:
  explicit PiiPolicy(bool reveal) : reveal_(reveal) {}
  bool reveal() const { return reveal_; }
  std::string id_number(std::string_view v) const {
    return reveal_ ? std::string(v) : mask_id_number(v);
  }
  std::string phone(std::string_view v) const { return reveal_ ? std::string(v) : mask_phone(v); }
  std::string name(std::string_view v) const { return reveal_ ? std::string(v) : mask_name(v); }

 private:
  bool reveal_;
};

}  // namespace regaudit
