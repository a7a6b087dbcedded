// The regaudit commands. Each returns the process exit code:
//   0 done; 1 findings at or above --fail-on; 2 bad usage or bad input (nothing
//   written); 3 done but at least one rule failed (report written).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "synth/synth.hpp"

namespace regaudit::host {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitRuleFailed = 3;

struct PluginOptions {
  std::vector<std::filesystem::path> plugin_dirs;
  bool allow_untrusted = false;
};

struct RunCommand {
  std::filesystem::path db;
  // Unset: the month of the latest call or check-in (latest_activity). Given
  // empty, it is refused like any other text that is not a month.
  std::optional<std::string> period;
  std::filesystem::path out_dir;
  std::filesystem::path profile;  // empty: the install's rules/monthly.xml
  PluginOptions plugins;
  unsigned jobs = 0;    // 0: one per core
  std::string fail_on;  // empty: never exit 1
  bool reveal_pii = false;
  std::string lang = "zh-CN";
  std::filesystem::path baseline;              // last month's report.xml
  std::vector<std::filesystem::path> history;  // earlier reports for the trend chart
  // The fingerprints' secret (fingerprint_key.hpp); empty: the default file.
  std::filesystem::path fingerprint_key;
  std::size_t html_max_findings = 500;
  std::string isolate = "auto";  // auto, always, never
  unsigned rule_timeout_s = 3600;
  std::uint64_t rule_memory_mb = 0;
  bool quiet = false;
  // Set by the command line only: the audit's result (gigabytes of findings
  // at city scale) is left to the end of the process instead of being freed
  // finding by finding, which took 1.5 s at 10 M persons after the reports
  // were written. An in-process caller (a test) leaves it false.
  bool leave_result_to_exit = false;
};

int run_command(const RunCommand& cmd);
// `regaudit synth`: writes options.out_path; period is "YYYY-MM".
int synth_command(synth::Options options, const std::string& period);
int rules_command(const PluginOptions& plugins, const std::filesystem::path& profile);
int explain_command(const PluginOptions& plugins, const std::string& rule_id);
int check_db_command(const std::filesystem::path& db);
int new_rule_command(const std::string& rule_id, const std::filesystem::path& dir);
// Exit 0 when `report` was made from `db` (same SHA-256, size and row counts),
// 1 when not, 2 when either cannot be read.
int verify_command(const std::filesystem::path& report, const std::filesystem::path& db);

}  // namespace regaudit::host
