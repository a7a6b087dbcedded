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
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "audit.hpp"
#include "plugin_catalog.hpp"

namespace regaudit::host {

// Findings as a rule emits them, packed: each one a record of the isolation
// stream's format (tag F, length-prefixed strings, raw integers) appended to
// buffers of a few megabytes. A Finding is 272 bytes plus a heap block per
// longer string; the record is its text and about 70 bytes. At city scale,
// with two rules running and one holding half a million findings, that is
// the difference between fitting in memory and not.
class FindingChunks {
 public:
  void push_back(const Finding& finding);
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear();
  // The distinct codes, in the order they were first emitted.
  const std::vector<std::string>& codes() const { return codes_; }
  // The records, for the isolation stream.
  const std::vector<std::string>& buffers() const { return buffers_; }
  // The findings of buffers()[i]: they follow those of the buffers before it.
  std::size_t count_in(std::size_t i) const { return counts_[i]; }
  // Hands the findings of buffers()[i], in emission order, to `take` and
  // frees that buffer. Different buffers may be drained on different threads
  // at once; clear() afterwards.
  void drain_buffer(std::size_t i, const std::function<void(Finding&&)>& take);

 private:
  static constexpr std::size_t kBufferBytes = std::size_t{4} << 20;
  std::vector<std::string> buffers_;
  std::vector<std::size_t> counts_;  // findings per buffer
  std::vector<std::string> codes_;
  std::size_t size_ = 0;
};

// The values rules share within one run (RunContext::shared): each built
// by the first rule that asks, and kept until released (when every rule that
// declares it has ended) or until the run's rules end. A value asked for
// again after its release is built again.
class SharedValues {
 public:
  using Builder = std::function<std::shared_ptr<const void>(RunContext&)>;
  struct Entry {
    std::string type_name;
    std::mutex mutex;  // held while building
    std::shared_ptr<const void> value;
    // Set by the first build only (a rebuild counts the same): what it
    // counted as unreadable itself, and the shared values its builder asked
    // for. A rule receives each entry's counts once.
    bool described = false;
    std::map<UnreadableKey, std::uint64_t> unreadable;
    std::vector<const Entry*> uses;
  };
  struct Obtained {
    std::shared_ptr<const void> value;
    const Entry* entry;
  };
  // The value under `key`, built when absent with `build` in a context that
  // reads through `caller`'s connection. With `may_help`, a caller that would
  // wait for another thread's build runs the helper's jobs first; a build
  // asking for the values it is built from passes false, since whoever waits
  // for the value being built would wait for those jobs too.
  Obtained obtain(RunContext& caller, std::string_view key, const std::type_info& type,
                  const Builder& build, bool may_help = true);
  // Drops the run's reference to the value under `key` (rules using it keep
  // theirs).
  void release(std::string_view key);
  // What a rule's thread does while another thread builds the value it asked
  // for: run one job that needs no shared value and return true, or return
  // false when there is none left (the thread then just waits).
  void set_helper(std::function<bool()> help) { help_ = std::move(help); }

 private:
  std::function<bool()> help_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_;
};

struct RuleExecution {
  bool ok = false;
  std::string reason;  // why it failed
  FindingChunks findings;
  std::map<UnreadableKey, std::uint64_t> unreadable;
};

// `message_lang` ("zh-CN" or "en") drops the other language's message of
// each finding as it is emitted; empty keeps both. With `shared`, the rule's
// RunContext::shared values come from (and go to) it; without, the rule
// builds each one itself.
RuleExecution execute_in_process(const CatalogRule& rule, const RuleOptions& options,
                                 const std::filesystem::path& db, const AuditPeriod& period,
                                 const PiiPolicy& pii, std::string_view message_lang = {},
                                 SharedValues* shared = nullptr);

// A context through which the host itself uses the run's shared values
// (the metrics read the shared persons and phone links): it reads through
// `registry`, and what it would emit or count as unreadable is dropped.
// Without `shared`, every value asked for is built for the caller.
std::unique_ptr<RunContext> host_run_context(const AuditPeriod& period, RegistryView& registry,
                                             const PiiPolicy& pii, SharedValues* shared);

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
                     const std::string& rule_id,
                     const std::vector<std::filesystem::path>& plugin_dirs,
                     bool allow_untrusted_plugins, const std::vector<std::string>& params,
                     bool reveal_pii, std::uint64_t memory_mb);

}  // namespace regaudit::host
