// Reading regaudit's own earlier XML reports: last month's (the baseline) and
// older ones (the trend).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "audit.hpp"

namespace regaudit::reports {

// Period, summary metrics and finding identities of `file`; errors name the
// file and what is wrong with it.
std::optional<host::EarlierReport> read_earlier_report(const std::filesystem::path& file,
                                                       std::string& error);

// Marks every finding "new" or "unchanged" (by fingerprint) and lists the
// baseline's findings that are gone in result.resolved: those of the rules
// that ran to the end in this run (result.rules, status ok) and found them no
// more.
void apply_baseline(host::AuditResult& result, host::EarlierReport baseline);

// Input identity recorded in a report, for `regaudit verify`.
struct RecordedInput {
  std::string sha256;
  std::uint64_t bytes = 0;
  std::vector<std::pair<std::string, std::int64_t>> table_rows;
};
std::optional<RecordedInput> read_recorded_input(const std::filesystem::path& file,
                                                 std::string& error);

}  // namespace regaudit::reports
