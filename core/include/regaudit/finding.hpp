// Finding: one (subject row, code) for which a rule's predicate holds.
//
// Findings are plain values. A rule fills one and hands it to
// RunContext::emit; the host owns it from then on, sets the rule id and the
// effective severity, computes the fingerprint and writes the reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "regaudit/export.hpp"

namespace regaudit {

enum class Severity { info = 0, low = 1, medium = 2, high = 3, critical = 4 };

// "info", "low", "medium", "high", "critical".
REGAUDIT_EXPORT std::string_view to_string(Severity severity);
REGAUDIT_EXPORT std::optional<Severity> parse_severity(std::string_view text);

// A row that proves the finding: the subscription in force, the earlier call,
// the self-report a field matched, the other team's visit.
struct EvidenceRef {
  std::string table;
  std::int64_t key = 0;
};

struct Finding {
  std::string code;
  std::string subject_table;
  std::int64_t subject_key = 0;
  // The street the finding is counted under (normal form); empty when unknown.
  std::string street;
  // Staff time the subject cost, in minutes; 0 when the rule defines no cost.
  double cost_minutes = 0.0;
  // Human-readable explanation with identities already masked (or revealed)
  // through RunContext::pii().
  std::string message_zh;
  std::string message_en;
  std::vector<EvidenceRef> evidence;
  // The subject's natural identity (e.g. normal-form id_number and phone):
  // stable across months, independent of row ids. Only its hash reaches a
  // report, as the fingerprint; the text itself is never written anywhere.
  std::string identity;

  // Set by the host, not by rules.
  std::string rule_id;
  Severity severity = Severity::medium;
};

}  // namespace regaudit
