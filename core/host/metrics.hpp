// The headline metrics of SPEC section 5, overall and per street.
#pragma once

#include "audit.hpp"
#include "regaudit/registry.hpp"

namespace regaudit::host {

inline constexpr const char* kTripleMatchRate = "triple_match_rate";
inline constexpr const char* kRedundantCallShare = "redundant_call_share";
inline constexpr const char* kRedundantCheckinShare = "redundant_checkin_share";
inline constexpr const char* kWastedStaffHours = "wasted_staff_hours";

// Fills result.metrics and result.street_metrics from the registry and
// result.findings. A metric whose rules did not all run ok is unavailable.
void compute_metrics(RegistryView& registry, AuditResult& result);

}  // namespace regaudit::host
