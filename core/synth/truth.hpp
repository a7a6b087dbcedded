// The _truth oracle: every finding SPEC section 4 requires of a registry, for
// given audit periods, computed from what the file holds.
//
// Written apart from the rule plugins and kept deliberately plain (loops over
// in-memory rows and hash maps), so that the two implementations can check
// each other row for row. Decisions where SPEC is silent are in docs/synth.md.
// Memory grows linearly with the registry (about 0.85 GB per million persons).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "regaudit/status.hpp"
#include "regaudit/time.hpp"

namespace regaudit::synth {

// One row of _truth(period, rule, code, subject_table, subject_key).
struct TruthFinding {
  std::string period;  // "2022-04"
  std::string rule;    // "hukou-mismatch", "stale-phone", "duplicate-inquiry", "checkin-redundancy"
  std::string code;
  std::string subject_table;
  std::int64_t subject_key = 0;

  friend bool operator==(const TruthFinding&, const TruthFinding&) = default;
  friend auto operator<=>(const TruthFinding&, const TruthFinding&) = default;
};

// Computes the findings of every period, with default rule parameters
// (window_days 7, arrival_tolerance_min 60), sorted by (period, rule, code,
// subject_table, subject_key). Opens `db_path` read-only.
Status find_truth(const std::string& db_path, const std::vector<AuditPeriod>& periods,
                  std::vector<TruthFinding>& findings);

// Drops and recreates the table _truth in `db_path` (opened read-write) and
// fills it with find_truth's findings. Only the generator's own files should be
// opened this way: the audit treats registries as read-only.
Status compute_truth(const std::string& db_path, const std::vector<AuditPeriod>& periods);

}  // namespace regaudit::synth
