// Running one configured rule: in this process, or isolated in a child
// process that brings its findings back over a pipe.
//
// Isolation protects the run from a rule that crashes (segfault, abort), loops
// or allocates without bound: the child is killed or dies, the rule is
// reported failed with the reason (signal, timeout, memory), and every other
// rule's findings are still written.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "audit.hpp"
#include "plugin_catalog.hpp"

namespace regaudit::host {

struct RuleExecution {
  bool ok = false;
  std::string reason;  // why it failed
  std::vector<Finding> findings;
  std::map<UnreadableKey, std::uint64_t> unreadable;
};

RuleExecution execute_in_process(const CatalogRule& rule, const RuleOptions& options,
                                 const std::filesystem::path& db, const AuditPeriod& period,
                                 const PiiPolicy& pii);

struct IsolationLimits {
  unsigned timeout_s = 0;       // 0: none
  std::uint64_t memory_mb = 0;  // 0: none (an RLIMIT_DATA in the child)
};

// Runs the rule in `worker_binary __rule-worker …`, which loads the same
// plugins (`plugin_dirs`) and runs the rule with `options`.
RuleExecution execute_isolated(const std::filesystem::path& worker_binary,
                               const std::vector<std::filesystem::path>& plugin_dirs,
                               bool allow_untrusted_plugins, const std::string& rule_id,
                               const RuleOptions& options, const std::filesystem::path& db,
                               const AuditPeriod& period, bool reveal_pii,
                               const IsolationLimits& limits);

// The child side: runs `rule_id` and writes the result to the original
// standard output (standard output itself is redirected to standard error, so
// a plugin that prints cannot corrupt the stream). Returns the exit code.
int rule_worker_main(const std::filesystem::path& db, const std::string& period,
                     const std::string& rule_id, const std::vector<std::filesystem::path>& plugin_dirs,
                     bool allow_untrusted_plugins, const std::vector<std::string>& params,
                     bool reveal_pii, std::uint64_t memory_mb);

}  // namespace regaudit::host
