// The runner: runs the configured rules over one registry and one period and
// collects everything a report needs. It writes nothing; reports do.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profile.hpp"
#include "progress.hpp"
#include "regaudit/finding.hpp"
#include "regaudit/rule.hpp"
#include "regaudit/time.hpp"

namespace regaudit::host {

struct UnreadableKey {
  std::string table;
  std::string column;
  auto operator<=>(const UnreadableKey&) const = default;
};

struct RuleOutcome {
  std::string id;
  std::string version;
  std::string title;
  std::string description;
  std::string documentation;  // the rule's doc page (Markdown)
  std::vector<CodeSpec> codes;
  std::filesystem::path file;
  enum class Status { ok, failed, skipped } status = Status::ok;
  std::string reason;  // why it failed or was skipped
  double seconds = 0;
  std::map<std::string, std::string> params;
  std::map<std::string, Severity> severities;
  std::map<UnreadableKey, std::uint64_t> unreadable;
};

std::string_view to_string(RuleOutcome::Status status);

// A finding's fingerprint: 32 lower-case hex digits, or empty until the
// host computes it. Held in place: as a std::string, 32 characters were a
// heap block per finding (7 M of them at 10 M persons).
class Fingerprint {
 public:
  Fingerprint() = default;
  // The first 32 characters of `hex` (implicit, as for the string it replaces).
  Fingerprint(std::string_view hex) { *this = hex; }  // NOLINT(google-explicit-constructor)
  Fingerprint& operator=(std::string_view hex) {
    digits_.fill('\0');
    std::copy_n(hex.data(), std::min(hex.size(), digits_.size()), digits_.data());
    return *this;
  }
  std::string_view view() const {
    return {digits_.data(), static_cast<std::size_t>(
                                std::find(digits_.begin(), digits_.end(), '\0') - digits_.begin())};
  }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  bool empty() const { return digits_[0] == '\0'; }
  friend bool operator==(const Fingerprint& a, const Fingerprint& b) {
    return a.view() == b.view();
  }
  friend bool operator<(const Fingerprint& a, const Fingerprint& b) { return a.view() < b.view(); }

 private:
  std::array<char, 32> digits_{};  // '\0' after the last digit when fewer
};

// A finding with what the host adds to it.
struct ReportedFinding {
  Finding finding;
  Fingerprint fingerprint;
  std::string baseline;  // "new" or "unchanged" when a baseline was given
};

// A finding of another report, by identity only.
struct FindingRef {
  std::string rule;
  std::string code;
  std::string fingerprint;
};

struct Metric {
  std::string name;
  double numerator = 0;
  double denominator = 0;  // 0 for a sum (wasted_staff_hours)
  bool is_share = true;
  bool available = true;  // false when a rule it needs did not run
  // The value: numerator / denominator for a share, numerator for a sum;
  // nullopt when undefined (no denominator) or unavailable.
  std::optional<double> value() const;
};

struct StreetMetrics {
  std::string street;
  std::vector<Metric> metrics;
};

// The summary of an earlier report: a baseline or a month of the trend.
struct EarlierReport {
  std::string period;              // "2022-03"
  std::string fingerprint_key_id;  // <run fingerprint-key>; empty in reports made before it
  std::vector<Metric> metrics;
  std::vector<FindingRef> findings;
};

struct AuditResult {
  AuditPeriod period = AuditPeriod::of_month(2022, 4);
  std::filesystem::path db_path;
  std::string input_sha256;
  std::uint64_t input_bytes = 0;
  // Names the fingerprints' key without giving it away (fingerprint_key_id).
  std::string fingerprint_key_id;
  std::vector<std::pair<std::string, std::int64_t>> table_rows;
  std::string profile_name;
  std::filesystem::path profile_file;
  std::vector<RuleOutcome> rules;
  std::vector<RefusedPlugin> refused_plugins;
  std::vector<ReportedFinding> findings;  // deterministic order
  std::vector<Metric> metrics;
  std::vector<StreetMetrics> street_metrics;  // sorted by street code
  bool has_baseline = false;
  EarlierReport baseline;
  std::vector<FindingRef> resolved;                 // in the baseline, absent now
  std::vector<EarlierReport> history;               // earlier months for the trend, oldest first
  std::map<std::string, std::string> street_names;  // code -> name, from the streets table
  bool reveal_pii = false;
  Instant generated_at = 0;
  bool reproducible = false;  // SOURCE_DATE_EPOCH was set: timings written as 0
};

struct AuditOptions {
  std::filesystem::path db_path;
  AuditPeriod period = AuditPeriod::of_month(2022, 4);
  unsigned jobs = 1;
  bool reveal_pii = false;
  // Which language's message each finding keeps: the reports show one, and at
  // city scale the other is hundreds of megabytes. Empty: both.
  std::string message_lang;  // "", "zh-CN" or "en"
  // Where the phases report progress (progress.hpp); null: nowhere.
  ProgressLine* progress = nullptr;
  // The secret the fingerprints are hashed after (load_fingerprint_key):
  // reports compare month by month only when made with the same one.
  std::string fingerprint_key;

  // Which rules run in a child process (rule_execution.hpp): automatic means
  // those not from the install's own directories.
  enum class Isolation { never, automatic, always } isolation = Isolation::never;
  unsigned rule_timeout_s = 0;                     // isolated rules only; 0: none
  std::uint64_t rule_memory_mb = 0;                // isolated rules only; 0: none
  std::filesystem::path worker_binary;             // the regaudit binary that runs isolated rules
  std::vector<std::filesystem::path> plugin_dirs;  // for the isolated worker's catalogue
  bool allow_untrusted_plugins = false;
};

// Whether a rule of the run failed (a skipped one did not).
bool any_rule_failed(const AuditResult& result);

// Runs `rules` (already resolved against the profile). Throws RegistryError
// only when the registry cannot be read at all; a failing rule is an outcome.
AuditResult run_audit(const AuditOptions& options, const Profile& profile,
                      const std::vector<ConfiguredRule>& rules);

// The order in which rules start, as indices into `tables_per_rule` (each
// rule's RuleInfo::tables): the rules that declare no tables first, in their
// order; then the others by the rows of their tables (`rows_of`, an
// estimate), most first, ties in their order. Longest first leaves the
// shortest rules for the end, when the other threads finish: started in the
// profile's order, checkin-redundancy (the most rows) began last and ran
// alone for up to half a second of a 1 M city's 3.5 s.
std::vector<std::size_t> rule_start_order(
    const std::vector<std::vector<std::string>>& tables_per_rule,
    const std::function<std::int64_t(const std::string&)>& rows_of);

// The default audit period: the month of the latest readable
// inquiries.called_at or checkins.checked_in_at not after `not_after` (a
// call dated 9999-12-31 is a typo, not the month to audit), or of the latest
// of all when every one is later. `period` is nullopt when there is none.
struct LatestActivity {
  std::optional<AuditPeriod> period;
  // The calls and check-ins dated after `not_after` that were passed over,
  // and the latest of them.
  std::int64_t passed_over = 0;
  Instant latest_passed_over = 0;
  // Every one was later: `period` is the month of the latest of all.
  bool all_later = false;
};
LatestActivity latest_activity(RegistryView& registry, Instant not_after);

// "20220501" style SOURCE_DATE_EPOCH handling: the report timestamp, and
// whether it was fixed by the environment.
std::pair<Instant, bool> report_timestamp();

}  // namespace regaudit::host
