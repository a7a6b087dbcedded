// The headline metrics of SPEC section 5, overall and per street.
#pragma once

#include <filesystem>
#include <functional>

#include "audit.hpp"
#include "regaudit/registry.hpp"

namespace regaudit::host {

inline constexpr const char* kTripleMatchRate = "triple_match_rate";
inline constexpr const char* kRedundantCallShare = "redundant_call_share";
inline constexpr const char* kRedundantCheckinShare = "redundant_checkin_share";
inline constexpr const char* kWastedStaffHours = "wasted_staff_hours";

// Fills result.metrics and result.street_metrics from the registry at `db`
// and result.findings. A metric whose rules did not all run ok is
// unavailable. With `jobs` > 1 the triple match (the largest part, a pass over
// persons and person_phones) runs on a thread of its own, and `alongside`
// runs before the other metrics on the calling thread; it must not change
// what the metrics read (a finding's fingerprint is not read).
void compute_metrics(const std::filesystem::path& db, AuditResult& result, unsigned jobs,
                     const std::function<void()>& alongside);

}  // namespace regaudit::host
