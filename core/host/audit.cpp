#include "audit.hpp"

#include <fmt/format.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <map>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "metrics.hpp"
#include "regaudit/normal_forms.hpp"
#include "regaudit/schema.hpp"
#include "rule_execution.hpp"
#include "sha256.hpp"

namespace regaudit::host {
namespace {

struct RuleWork {
  const ConfiguredRule* rule;
  RuleOutcome outcome;
  FindingChunks findings;
};

bool isolated(const AuditOptions& options, const CatalogRule& rule) {
  switch (options.isolation) {
    case AuditOptions::Isolation::never:
      return false;
    case AuditOptions::Isolation::always:
      return true;
    case AuditOptions::Isolation::automatic:
      return !rule.from_install_dir;
  }
  return true;
}

// Gives freed heap memory back to the system. Called when a rule ends (its
// indexes are gone while other rules still run) and after the findings are
// merged: peak resident memory is what issue 8 bounds, and glibc keeps freed
// memory of the rules' threads in their arenas otherwise.
void release_free_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

// Large blocks (the packed findings, big hash tables) always straight from and
// back to the system, instead of glibc's threshold that grows with each freed
// block and leaves them in a thread's arena.
void map_large_blocks() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
}

void run_one(const AuditOptions& options, const PiiPolicy& pii, RuleWork& work) {
  const auto started = std::chrono::steady_clock::now();
  const CatalogRule& rule = *work.rule->rule;
  RuleExecution e =
      isolated(options, rule)
          ? execute_isolated(options.worker_binary, options.plugin_dirs,
                             options.allow_untrusted_plugins, rule.entry.info.id,
                             work.rule->options, options.db_path, options.period, pii.reveal(),
                             {options.rule_timeout_s, options.rule_memory_mb})
          : execute_in_process(rule, work.rule->options, options.db_path, options.period, pii,
                               options.message_lang);
  work.outcome.status = e.ok ? RuleOutcome::Status::ok : RuleOutcome::Status::failed;
  work.outcome.reason = std::move(e.reason);
  work.outcome.unreadable = std::move(e.unreadable);
  if (e.ok) work.findings = std::move(e.findings);
  work.outcome.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  release_free_memory();
}

// Fingerprints: a hash of rule, code and the subject's natural identity. Two
// subjects with the same identity (duplicate rows) are told apart by their
// rank in subject-key order, which stays stable as long as the duplicates do.
std::string fingerprint_basis(const Finding& f) {
  return fmt::format("regaudit-fingerprint-v1\x1f{}\x1f{}\x1f{}", f.rule_id, f.code, f.identity);
}

std::string with_rank(std::string basis, std::size_t rank) {
  if (rank > 0) basis += fmt::format("\x1f#{}", rank);
  return basis;
}

// The ranks come from sorting finding indexes by (rule, code, identity,
// position) instead of a map of the basis texts, which at city scale held a
// copy of every identity. The two agree when no code contains the separator
// (rule ids cannot); otherwise the map is used.
void assign_fingerprints(std::vector<ReportedFinding>& findings) {
  const bool separator_in_code = std::any_of(
      findings.begin(), findings.end(),
      [](const ReportedFinding& rf) { return rf.finding.code.find('\x1f') != std::string::npos; });
  if (separator_in_code) {
    std::unordered_map<std::string, std::size_t> seen;
    for (ReportedFinding& rf : findings) {
      std::string basis = fingerprint_basis(rf.finding);
      const std::size_t rank = seen[basis]++;
      rf.fingerprint = sha256_hex(with_rank(std::move(basis), rank)).substr(0, 32);
    }
    return;
  }
  std::vector<std::uint32_t> order(findings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  const auto key = [&findings](std::uint32_t i) {
    const Finding& f = findings[i].finding;
    return std::tie(f.rule_id, f.code, f.identity);
  };
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const auto x = key(a);
    const auto y = key(b);
    return x < y || (x == y && a < b);
  });
  std::size_t rank = 0;
  for (std::size_t n = 0; n < order.size(); ++n) {
    const std::uint32_t i = order[n];
    rank = n > 0 && key(order[n - 1]) == key(i) ? rank + 1 : 0;
    findings[i].fingerprint =
        sha256_hex(with_rank(fingerprint_basis(findings[i].finding), rank)).substr(0, 32);
  }
}

bool finding_order(const ReportedFinding& a, const ReportedFinding& b) {
  const Finding& x = a.finding;
  const Finding& y = b.finding;
  return std::tie(x.rule_id, x.subject_table, x.subject_key, x.code) <
         std::tie(y.rule_id, y.subject_table, y.subject_key, y.code);
}

}  // namespace

std::string_view to_string(RuleOutcome::Status status) {
  switch (status) {
    case RuleOutcome::Status::ok:
      return "ok";
    case RuleOutcome::Status::failed:
      return "failed";
    case RuleOutcome::Status::skipped:
      return "skipped";
  }
  return "failed";
}

std::optional<double> Metric::value() const {
  if (!available) return std::nullopt;
  if (!is_share) return numerator;
  if (denominator <= 0) return std::nullopt;
  return numerator / denominator;
}

std::pair<Instant, bool> report_timestamp() {
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH"); epoch != nullptr && *epoch != '\0') {
    char* end = nullptr;
    const long long v = std::strtoll(epoch, &end, 10);
    if (end != nullptr && *end == '\0') return {static_cast<Instant>(v), true};
  }
  const auto now = std::chrono::system_clock::now();
  return {std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count(), false};
}

std::optional<AuditPeriod> latest_activity_period(RegistryView& registry) {
  std::optional<Instant> latest;
  for (const char* sql :
       {"SELECT called_at FROM inquiries", "SELECT checked_in_at FROM checkins"}) {
    Statement s = registry.prepare(sql);
    while (s.step()) {
      const TimeValue t = nf::time(s.text(0));
      if (t.is_readable() && (!latest || t.instant() > *latest)) latest = t.instant();
    }
  }
  if (!latest) return std::nullopt;
  return AuditPeriod::containing(*latest);
}

AuditResult run_audit(const AuditOptions& options, const Profile& profile,
                      const std::vector<ConfiguredRule>& rules) {
  map_large_blocks();
  AuditResult result;
  result.period = options.period;
  result.db_path = options.db_path;
  result.profile_name = profile.name;
  result.profile_file = profile.file;
  result.reveal_pii = options.reveal_pii;
  std::tie(result.generated_at, result.reproducible) = report_timestamp();
  ProgressLine no_progress(false);
  ProgressLine& progress = options.progress != nullptr ? *options.progress : no_progress;
  progress.phase("reading");

  const auto digest = sha256_file(options.db_path);
  if (!digest) throw RegistryError(options.db_path.string() + ": cannot be read");
  result.input_sha256 = digest->sha256;
  result.input_bytes = digest->bytes;
  {
    RegistryView registry(options.db_path.string());
    for (const TableSpec& t : registry_schema()) {
      result.table_rows.emplace_back(t.name, registry.row_count(t.name));
    }
    Statement streets = registry.prepare("SELECT street_code, name FROM streets");
    while (streets.step()) {
      const std::string code = nf::street_code(streets.text(0));
      if (!code.empty()) result.street_names.try_emplace(code, nf::trimmed(streets.text(1)));
    }
  }

  std::vector<RuleWork> work;
  for (const ConfiguredRule& r : rules) {
    RuleWork w{&r, {}, {}};
    const RuleInfo& info = r.rule->entry.info;
    w.outcome.id = info.id;
    w.outcome.version = info.version;
    w.outcome.title = info.title;
    w.outcome.description = info.description;
    w.outcome.documentation = info.documentation;
    w.outcome.codes = info.codes;
    w.outcome.file = r.rule->file;
    w.outcome.params = r.options.values();
    w.outcome.severities = r.severities;
    work.push_back(std::move(w));
  }

  const PiiPolicy pii(options.reveal_pii);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  progress.phase("rules");
  progress.note(fmt::format("0/{} rules", work.size()));
  const auto worker = [&] {
    for (std::size_t i = next++; i < work.size(); i = next++) {
      run_one(options, pii, work[i]);
      progress.note(fmt::format("{}/{} rules", ++done, work.size()));
    }
  };
  const unsigned threads =
      std::max(1u, std::min<unsigned>(options.jobs, static_cast<unsigned>(work.size())));
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
  }

  std::size_t total = 0;
  for (const RuleWork& w : work) total += w.findings.size();
  result.findings.reserve(total);
  for (RuleWork& w : work) {
    const auto& codes = w.findings.codes();
    const auto undeclared = std::find_if(codes.begin(), codes.end(), [&](const std::string& code) {
      return !w.outcome.severities.contains(code);
    });
    if (undeclared != codes.end()) {
      w.outcome.status = RuleOutcome::Status::failed;
      w.outcome.reason =
          fmt::format("it emitted code '{}', which it does not declare", *undeclared);
      w.findings.clear();
    }
    w.findings.drain([&](Finding&& f) {
      f.rule_id = w.outcome.id;
      f.severity = w.outcome.severities.at(f.code);
      if (options.message_lang == "en") std::string().swap(f.message_zh);
      if (options.message_lang == "zh-CN") std::string().swap(f.message_en);
      result.findings.push_back({std::move(f), "", ""});
    });
    w.findings.clear();
    if (result.reproducible) w.outcome.seconds = 0;
    result.rules.push_back(std::move(w.outcome));
  }
  release_free_memory();
  std::sort(result.findings.begin(), result.findings.end(), finding_order);
  progress.note(fmt::format("{}/{} rules, metrics", done.load(), work.size()));
  // Fingerprints write only each finding's fingerprint; the metrics read the
  // findings' other fields and the registry: with a second job they overlap.
  std::exception_ptr fingerprint_error;
  {
    std::jthread fingerprints;
    if (options.jobs > 1) {
      fingerprints = std::jthread([&] {
        try {
          assign_fingerprints(result.findings);
        } catch (...) {
          fingerprint_error = std::current_exception();
        }
      });
    } else {
      assign_fingerprints(result.findings);
    }
    RegistryView registry(options.db_path.string());
    compute_metrics(registry, result);
  }
  if (fingerprint_error) std::rethrow_exception(fingerprint_error);
  release_free_memory();
  return result;
}

}  // namespace regaudit::host
