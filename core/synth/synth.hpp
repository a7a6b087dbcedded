// regaudit_synth: a synthetic city (Guangzhou's real streets) written as a
// merged registry in the exact shape of SPEC section 1, with the dirt, the
// phenomena and the boundary cases of SPEC sections 2-4, and a table _truth of
// every finding SPEC section 4 requires on it (see truth.hpp, docs/synth.md).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "regaudit/status.hpp"
#include "regaudit/time.hpp"

namespace regaudit::synth {

struct Options {
  std::string out_path;
  std::int64_t persons =
      10000;  // persons with a hukou in the city (persons rows, before duplicates)
  std::uint64_t seed = 1;
  regaudit::AuditPeriod period = regaudit::AuditPeriod::of_month(2022, 4);
  int months = 2;  // events cover the `months` calendar months ending with `period`
};

// The audit periods a file generated with `options` has _truth for: the
// `options.months` months ending with `options.period`, oldest first.
std::vector<regaudit::AuditPeriod> covered_periods(const Options& options);

// Writes a new registry file at options.out_path, with _truth for
// covered_periods(options). The same options give the same content.
//
// Refuses to overwrite an existing file (the error names it). Writes to a
// temporary name beside the target and renames it at the end, so a failed run
// leaves no partial file. `persons` must be 1..100,000,000 and `months`
// 1..24. `log` gets one-line progress messages and never personal data.
regaudit::Status generate(const Options& options, std::ostream& log);

}  // namespace regaudit::synth
