#include "audit.hpp"

#include <fmt/format.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <system_error>
#include <thread>
#include <tuple>
#include <unordered_map>

#include "fingerprint_key.hpp"
#include "metrics.hpp"
#include "pod_vector.hpp"
#include "regaudit/normal_forms.hpp"
#include "regaudit/schema.hpp"
#include "rule_execution.hpp"
#include "sha256.hpp"
#include "table_rows.hpp"

namespace regaudit::host {
namespace {

struct RuleWork {
  const ConfiguredRule* rule;
  RuleOutcome outcome;
  FindingChunks findings;  // as the rule emitted them
  // Then where they go in the report's findings: [offset, offset + count).
  std::size_t offset = 0;
  std::size_t count = 0;
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

// Blocks up to 32 MiB (glibc's largest threshold; the packed findings' 4 MiB
// buffers, findings' texts, rules' vectors) from the heap, and freed heap
// memory kept for reuse, not returned to the system: each page the system
// hands out again is faulted in and zeroed, and on this 2-core virtual
// machine a fault costs ten times the writing of its page (1 GiB: 0.43 s
// faulted in, 0.045 s rewritten). With large blocks mapped and unmapped
// from 1 MiB on, as before, the 1 M run took 316 k page faults; now 238 k,
// and 4.55 to 4.68 s instead of 4.73 to 5.08 s, at a peak of 753 MiB instead
// of 710 to 723 MiB (10 M: 2.67 M faults instead of 3.27 M, 57.7 s instead of
// 61.4 s, 6585 MiB instead of 6526 MiB). Larger blocks (big tables, the
// findings' array) still come from and go back to the system at once.
// (Trimming the heap after each rule, as an earlier round did, only had its
// memory faulted in and zeroed again.)
//
// And no more heaps (glibc arenas) than jobs: a thread takes whichever arena
// is free when it first allocates, and memory freed in one arena serves only
// threads of that one. With an arena per thread ever started (the pool's,
// the metrics' and writers' helpers), the threads unpacking the findings
// often met none of the packed buffers' freed memory and took fresh memory
// beside it: the 10 M run's peak was 6.6 to 7.8 GB from one run to the next,
// and 6.5 to 6.55 GB with two arenas (three runs each, 2 jobs; 1 M: 3.13
// against 3.20 s, six alternating pairs).
void tune_malloc(unsigned jobs) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_ARENA_MAX, static_cast<int>(std::clamp(jobs, 1U, 64U)));
#else
  (void)jobs;
#endif
}

// `reason` with the registry's path as the report names it, by its file name:
// a report does not depend on where the registry was, nor show its directory.
// SQLite names it by its absolute path, whatever path it was opened by.
std::string without_registry_directory(std::string reason, const std::filesystem::path& db) {
  const std::string name = db.filename().string();
  std::error_code ec;
  std::vector<std::string> paths = {std::filesystem::absolute(db, ec).string(),
                                    std::filesystem::weakly_canonical(db, ec).string(),
                                    db.string()};
  for (const std::string& full : paths) {
    if (full.empty() || full == name) continue;
    for (std::size_t at = reason.find(full); at != std::string::npos;
         at = reason.find(full, at + name.size())) {
      reason.replace(at, full.size(), name);
    }
  }
  return reason;
}

void run_one(const AuditOptions& options, const PiiPolicy& pii, SharedValues& shared,
             RuleWork& work) {
  const auto started = std::chrono::steady_clock::now();
  const CatalogRule& rule = *work.rule->rule;
  RuleExecution e =
      isolated(options, rule)
          ? execute_isolated(options.worker_binary, options.plugin_dirs,
                             options.allow_untrusted_plugins, rule.entry.info.id,
                             work.rule->options, options.db_path, options.period, pii.reveal(),
                             {options.rule_timeout_s, options.rule_memory_mb})
          : execute_in_process(rule, work.rule->options, options.db_path, options.period, pii,
                               options.message_lang, &shared);
  work.outcome.status = e.ok ? RuleOutcome::Status::ok : RuleOutcome::Status::failed;
  work.outcome.reason = without_registry_directory(std::move(e.reason), options.db_path);
  work.outcome.unreadable = std::move(e.unreadable);
  if (e.ok) work.findings = std::move(e.findings);
  work.outcome.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

// Fingerprints: a hash of rule, code and the subject's natural identity,
// after the run's secret key (AuditOptions::fingerprint_key, 64 characters:
// one block of the hash), without which an identity cannot be tried against
// a fingerprint. Two subjects with the same identity (duplicate rows) are
// told apart by their rank in subject-key order, which stays stable as long
// as the duplicates do. The part after the key and version is appended into
// one reused buffer, not formatted, and hashed from the state the key and
// version leave: it is hashed for every finding (7 M at 10 M persons).
constexpr std::string_view kFingerprintVersion = "regaudit-fingerprint-v2\x1f";

// The basis after the key and version: the same for every run.
void fingerprint_tail_into(const Finding& f, std::string& tail) {
  tail.clear();
  tail.append(f.rule_id).append(1, '\x1f').append(f.code).append(1, '\x1f').append(f.identity);
}

std::string with_rank(std::string tail, std::size_t rank) {
  if (rank > 0) tail += fmt::format("\x1f#{}", rank);
  return tail;
}

// The hash of every basis starts from the key and version, hashed once.
PrefixedSha256 fingerprint_hasher(std::string_view key) {
  return PrefixedSha256(std::string(key).append(kFingerprintVersion));
}

// A finding's rank-0 fingerprint: the first 32 hex digits of the hash of its
// basis, from `keyed` (fingerprint_hasher).
void fingerprint_one(ReportedFinding& rf, const PrefixedSha256& keyed) {
  thread_local std::string tail;
  fingerprint_tail_into(rf.finding, tail);
  std::array<char, 32> hex{};
  keyed.hex(tail, hex.data(), hex.size());
  rf.fingerprint = std::string_view(hex.data(), hex.size());
}

std::uint64_t leading_bits(std::string_view hex) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 16 && i < hex.size(); ++i) {
    const char c = hex[i];
    v = v << 4 | static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return v;
}

// Findings with one fingerprint (`positions`, ascending): grouped by basis
// (by the part after the key and version, which all bases share), each gets
// its rank among its group, and those ranked after the first are
// fingerprinted again with their rank.
void rank_group(std::span<ReportedFinding> findings, std::span<const std::uint32_t> positions,
                const PrefixedSha256& keyed) {
  std::vector<std::pair<std::string, std::uint32_t>> group(positions.size());
  for (std::size_t k = 0; k < positions.size(); ++k) {
    fingerprint_tail_into(findings[positions[k]].finding, group[k].first);
    group[k].second = positions[k];
  }
  std::sort(group.begin(), group.end());
  std::size_t rank = 0;
  for (std::size_t k = 0; k < group.size(); ++k) {
    rank = k > 0 && group[k - 1].first == group[k].first ? rank + 1 : 0;
    if (rank > 0) {
      std::array<char, 32> hex{};
      keyed.hex(with_rank(group[k].first, rank), hex.data(), hex.size());
      findings[group[k].second].fingerprint = std::string_view(hex.data(), hex.size());
    }
  }
}

// The rank of a finding among those with the same basis is its position
// among them. Every finding carries its rank-0 fingerprint already
// (fingerprint_one); only findings whose fingerprint occurs more than once can
// have equal bases, and only those are compared and re-hashed with their
// rank. The same result as counting the bases in a map, without holding a
// copy of every identity or sorting by long strings.
//
// This ranks the findings whose fingerprint's first 64 bits (`leading`, one
// per finding) fall into part `part` of `parts` equal ranges: equal
// fingerprints fall into the same part, so the parts can be ranked on
// different threads at once. (Bases of different rules differ, so ranking
// all rules' findings together gives each the rank it has among its own
// rule's.)
void rank_equal_bases(std::span<ReportedFinding> findings, std::span<const std::uint64_t> leading,
                      std::size_t part, std::size_t parts, const PrefixedSha256& keyed) {
  const std::uint64_t width =
      parts <= 1 ? 0 : std::numeric_limits<std::uint64_t>::max() / parts + 1;
  const auto part_of = [&](std::uint64_t bits) {
    return width == 0 ? 0 : std::min<std::size_t>(bits / width, parts - 1);
  };
  // One word per finding of the part: the fingerprint's first bits above,
  // the finding's position below. Sorted, findings with equal fingerprints
  // come together, positions in order, and so (rarely) do findings whose
  // fingerprints share only those bits, which their texts then tell apart.
  // Words sort faster than pairs, and no text is read for a fingerprint
  // whose first bits no other has.
  const int position_bits = std::max(1, static_cast<int>(std::bit_width(findings.size())));
  const std::uint64_t position_mask =
      position_bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << position_bits) - 1;
  std::vector<std::uint64_t> words;
  words.reserve(findings.size() / parts + findings.size() / 64 + 16);
  for (std::size_t i = 0; i < findings.size(); ++i) {
    if (part_of(leading[i]) == part) words.push_back((leading[i] & ~position_mask) | i);
  }
  std::sort(words.begin(), words.end());
  std::vector<std::uint32_t> alike;  // positions of one run of equal first bits
  const std::size_t n = words.size();
  for (std::size_t lo = 0; lo < n;) {
    std::size_t hi = lo + 1;
    while (hi < n && (words[hi] & ~position_mask) == (words[lo] & ~position_mask)) ++hi;
    if (hi - lo > 1) {
      alike.clear();
      for (std::size_t k = lo; k < hi; ++k) {
        alike.push_back(static_cast<std::uint32_t>(words[k] & position_mask));
      }
      std::stable_sort(alike.begin(), alike.end(), [&](std::uint32_t a, std::uint32_t b) {
        return findings[a].fingerprint < findings[b].fingerprint;
      });
      for (std::size_t from = 0; from < alike.size();) {
        std::size_t to = from + 1;
        while (to < alike.size() &&
               findings[alike[to]].fingerprint == findings[alike[from]].fingerprint) {
          ++to;
        }
        if (to - from > 1) rank_group(findings, std::span(alike).subspan(from, to - from), keyed);
        from = to;
      }
    }
    lo = hi;
  }
}

// Sorts the findings by (rule, subject table, subject key, code). The few
// distinct rule ids, tables and codes are ranked first, so the sort compares
// small integer keys instead of strings and moves 16-byte records instead of
// whole findings; the order is then applied in place, one cycle at a time.
void sort_findings(std::span<ReportedFinding> findings) {
  const auto fields = [](const Finding& f) {
    return std::array<const std::string*, 3>{&f.rule_id, &f.subject_table, &f.code};
  };
  struct Key {
    std::uint64_t names;  // rule, table and code ranks, 21 bits each
    std::int64_t subject_key;
    std::uint32_t index;
  };
  // One pass gives each name (rule, table, code) a number in the order it is
  // first met, and each finding its key with those numbers; the numbers are
  // then replaced by the names' ranks. Findings come rule by rule, mostly in
  // runs of the same table and code: a name equal to the previous one is not
  // looked up again. (Two passes, one to rank the names and one for the keys,
  // read every finding's texts twice: at 10 M persons, cache misses by the
  // million.)
  std::map<std::string_view, std::uint64_t> met[3];
  std::vector<Key> keys;
  keys.reserve(findings.size());
  std::array<const std::string*, 3> previous{};
  std::array<std::uint64_t, 3> number{};
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i].finding;
    const auto names = fields(f);
    for (int k = 0; k < 3; ++k) {
      if (previous[k] == nullptr || *previous[k] != *names[k]) {
        number[k] = met[k].try_emplace(*names[k], met[k].size()).first->second;
        previous[k] = names[k];
      }
    }
    keys.push_back({number[0] << 42 | number[1] << 21 | number[2], f.subject_key,
                    static_cast<std::uint32_t>(i)});
  }
  // Rules declare their codes, but a plugin names its subject tables freely:
  // with 2^21 distinct names or more the packed word would be ambiguous, and
  // the strings are compared instead.
  const bool packed =
      met[0].size() < (1u << 21) && met[1].size() < (1u << 21) && met[2].size() < (1u << 21);
  if (packed) {
    std::vector<std::uint64_t> rank_of[3];  // by the number first given
    for (int k = 0; k < 3; ++k) {
      rank_of[k].resize(met[k].size());
      std::uint64_t rank = 0;
      for (const auto& [name, first] : met[k]) rank_of[k][first] = rank++;
    }
    constexpr std::uint64_t kField = (std::uint64_t{1} << 21) - 1;
    for (Key& key : keys) {
      key.names = rank_of[0][key.names >> 42] << 42 | rank_of[1][key.names >> 21 & kField] << 21 |
                  rank_of[2][key.names & kField];
    }
  }
  const auto before = [&](const Key& a, const Key& b) {
    if (packed) {
      const auto ra = a.names >> 21;
      const auto rb = b.names >> 21;
      return std::tie(ra, a.subject_key, a.names, a.index) <
             std::tie(rb, b.subject_key, b.names, b.index);
    }
    const Finding& x = findings[a.index].finding;
    const Finding& y = findings[b.index].finding;
    return std::tie(x.rule_id, x.subject_table, x.subject_key, x.code, a.index) <
           std::tie(y.rule_id, y.subject_table, y.subject_key, y.code, b.index);
  };
  // The built-in rules emit in the report's order: then nothing moves.
  if (std::is_sorted(keys.begin(), keys.end(), before)) return;
  std::sort(keys.begin(), keys.end(), before);
  // Position n receives findings[keys[n].index]: follow each cycle once.
  std::vector<bool> placed(findings.size(), false);
  for (std::size_t start = 0; start < findings.size(); ++start) {
    if (placed[start]) continue;
    ReportedFinding held = std::move(findings[start]);
    std::size_t at = start;
    while (true) {
      placed[at] = true;
      const std::size_t from = keys[at].index;
      if (from == start) break;
      findings[at] = std::move(findings[from]);
      at = from;
    }
    findings[at] = std::move(held);
  }
}

// Runs job(0), …, job(n - 1), each once, on up to `threads` threads (the
// calling one included), starting them in index order. Jobs must not throw.
void run_jobs(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& job) {
  std::atomic<std::size_t> next{0};
  const auto worker = [&] {
    for (std::size_t i = next++; i < n; i = next++) job(i);
  };
  const std::size_t count = std::max<std::size_t>(1, std::min<std::size_t>(threads, n));
  std::vector<std::jthread> pool;
  for (std::size_t t = 1; t < count; ++t) pool.emplace_back(worker);
  worker();
}

// rules::populate_pages over [data, data + bytes), one range per job.
// Constructing the findings' array (2.4 GB at 10 M persons) faulted in
// every page on one thread: 1.08 s in a standalone test; populated first
// (0.36 to 0.69 s), then constructed (0.1 s), 0.46 to 0.79 s. In the run's
// timeline: 0.73 s instead of 1.03 to 1.45 s at 10 M, 0.05 to 0.07 s instead
// of 0.10 to 0.11 s at 1 M.
void populate(void* data, std::size_t bytes, unsigned jobs) {
  const std::size_t parts = bytes < (std::size_t{64} << 20) ? 1 : std::max(1u, jobs);
  const std::size_t step = (bytes + parts - 1) / parts;
  const auto part = [&](std::size_t i) {
    const std::size_t start = i * step;
    if (start < bytes) {
      rules::populate_pages(static_cast<char*>(data) + start, std::min(step, bytes - start));
    }
  };
  try {
    run_jobs(parts, jobs, part);
  } catch (const std::system_error&) {
    // No thread to spare: the pages are faulted in as they are written.
  }
}

// The registry's digest, row counts and street names, for the report (the
// tables the metric inputs read whole are counted there: take_row_counts).
// The rows are counted from the pages the digest reads (BtreeRowCounter)
// where the file allows, else by SQLite.
// They need nothing from the rules and are read in slices (32 MiB of the
// digest, one table's count), so that a rule's thread waiting for another's
// shared value runs slices only until the value is ready: read whole, the
// digest alone (3.5 s at 10 M persons) kept a rule busy long after the value
// it waited for was there, and a rule waiting for that rule waited too.
class InputFacts {
 public:
  InputFacts(std::filesystem::path db, AuditResult& result)
      : db_(std::move(db)),
        result_(result),
        hasher_(db_, [this](std::string_view piece) { pages_.take(piece); }) {}

  // Runs one slice, unless none is left or another thread is running one;
  // whether it ran one.
  bool step() {
    std::unique_lock lock(mutex_, std::try_to_lock);
    return lock.owns_lock() && slice();
  }
  // Runs every slice left (after the one another thread may be running).
  void finish() {
    const std::lock_guard lock(mutex_);
    while (slice()) {
    }
  }
  // The first error met; nothing more is read after it.
  std::exception_ptr error() const { return error_; }

 private:
  static constexpr std::size_t kDigestSlice = std::size_t{32} << 20;  // bytes

  // False when nothing was left to do.
  bool slice() {
    try {
      switch (stage_) {
        case Stage::digest:
          if (!hasher_.step(kDigestSlice)) {
            if (hasher_.failed()) throw RegistryError(db_.string() + ": cannot be read");
            const FileDigest digest = hasher_.digest();
            result_.input_sha256 = digest.sha256;
            result_.input_bytes = digest.bytes;
            stage_ = Stage::counts;
          }
          return true;
        case Stage::counts:
          count_next_table();
          return true;
        case Stage::streets:
          read_street_names();
          stage_ = Stage::done;
          return true;
        case Stage::done:
          return false;
      }
    } catch (...) {
      error_ = std::current_exception();
      stage_ = Stage::done;
      return true;
    }
    return false;
  }

  // One table's rows, or a table left to the metric inputs (-1).
  void count_next_table() {
    const auto& tables = registry_schema();
    if (next_table_ < tables.size()) {
      const TableSpec& t = tables[next_table_++];
      const auto& elsewhere = metric_input_tables();
      const bool counted_elsewhere =
          std::find(elsewhere.begin(), elsewhere.end(), t.name) != elsewhere.end();
      std::int64_t rows = -1;
      if (!counted_elsewhere) {
        const std::optional<std::int64_t> from_pages = rows_from_pages(t.name);
        rows = from_pages ? *from_pages : registry().row_count(t.name);
      }
      result_.table_rows.emplace_back(t.name, rows);
    }
    if (next_table_ == tables.size()) stage_ = Stage::streets;
  }

  // The rows of `table` counted from the digest's pages; nullopt when the
  // pages cannot say (BtreeRowCounter), the table is not a table of the
  // file's schema (its name matched as SQLite matches it), or a journal
  // beside the file may hold what a reader would see instead.
  std::optional<std::int64_t> rows_from_pages(const std::string& table) {
    std::error_code ignored;
    if (!pages_.usable() || std::filesystem::exists(db_.string() + "-journal", ignored) ||
        std::filesystem::exists(db_.string() + "-wal", ignored)) {
      return std::nullopt;
    }
    Statement root = registry().prepare(
        "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE NOCASE");
    root.bind(1, table);
    if (!root.step()) return std::nullopt;
    return pages_.rows(root.int64(0));
  }

  void read_street_names() {
    Statement streets = registry().prepare("SELECT street_code, name FROM streets");
    while (streets.step()) {
      const std::string code = nf::street_code(streets.text(0));
      if (!code.empty()) result_.street_names.try_emplace(code, nf::trimmed(streets.text(1)));
    }
  }

  RegistryView& registry() {
    if (!registry_) registry_.emplace(db_.string());
    return *registry_;
  }

  enum class Stage { digest, counts, streets, done };
  const std::filesystem::path db_;
  AuditResult& result_;
  std::mutex mutex_;  // held while a slice runs
  Stage stage_ = Stage::digest;
  BtreeRowCounter pages_;  // before hasher_, which feeds it
  FileHasher hasher_;
  std::size_t next_table_ = 0;
  std::optional<RegistryView> registry_;
  std::exception_ptr error_;
};

// The row counts InputFacts left to the metric inputs (every table of
// metric_input_tables(), which the metric inputs count).
void take_row_counts(const MetricInputs& inputs, AuditResult& result) {
  for (auto& [table, rows] : result.table_rows) {
    for (const auto& [read_table, read_rows] : inputs.table_rows) {
      if (table == read_table) rows = read_rows;
    }
  }
}

// A rule that emitted a code it does not declare fails, and its findings
// are dropped.
void refuse_undeclared_codes(RuleWork& w) {
  const auto& codes = w.findings.codes();
  const auto undeclared = std::find_if(codes.begin(), codes.end(), [&](const std::string& code) {
    return !w.outcome.severities.contains(code);
  });
  if (undeclared != codes.end()) {
    w.outcome.status = RuleOutcome::Status::failed;
    w.outcome.reason = fmt::format("it emitted code '{}', which it does not declare", *undeclared);
    w.findings.clear();
  }
}

// One packed buffer of a rule's findings and where its first finding goes
// in the report's findings.
struct PackedPiece {
  RuleWork* rule;
  std::size_t buffer;
  std::size_t at;
};

// Unpacks one buffer of a rule's findings into their place in the report's
// findings, with the severities of the profile and without the message not
// reported.
void unpack_piece(const AuditOptions& options, const PackedPiece& piece,
                  std::vector<ReportedFinding>& reported) {
  RuleWork& w = *piece.rule;
  const bool drop_zh = options.message_lang == "en";
  const bool drop_en = options.message_lang == "zh-CN";
  std::size_t next = piece.at;
  w.findings.drain_buffer(piece.buffer, [&](Finding&& f) {
    f.rule_id = w.outcome.id;
    f.severity = w.outcome.severities.at(f.code);
    if (drop_zh) std::string().swap(f.message_zh);
    if (drop_en) std::string().swap(f.message_en);
    reported[next++].finding = std::move(f);
  });
}

}  // namespace

std::vector<std::size_t> rule_start_order(
    const std::vector<std::vector<std::string>>& tables_per_rule,
    const std::function<std::int64_t(const std::string&)>& rows_of) {
  std::vector<std::size_t> order(tables_per_rule.size());
  std::vector<std::int64_t> rows(tables_per_rule.size(), -1);  // -1: none declared
  std::map<std::string, std::int64_t, std::less<>> rows_by_table;
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
    for (const std::string& table : tables_per_rule[i]) {
      auto it = rows_by_table.find(table);
      if (it == rows_by_table.end()) it = rows_by_table.emplace(table, rows_of(table)).first;
      // Saturated: a registry's largest rowid may be near 2^63.
      const std::int64_t so_far = std::max<std::int64_t>(rows[i], 0);
      const std::int64_t more = std::max<std::int64_t>(it->second, 0);
      constexpr std::int64_t kMost = std::numeric_limits<std::int64_t>::max();
      rows[i] = more > kMost - so_far ? kMost : so_far + more;
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const bool a_declares = rows[a] >= 0;
    const bool b_declares = rows[b] >= 0;
    if (a_declares != b_declares) return !a_declares;
    return rows[a] > rows[b];
  });
  return order;
}

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

bool any_rule_failed(const AuditResult& result) {
  return std::any_of(result.rules.begin(), result.rules.end(),
                     [](const RuleOutcome& r) { return r.status == RuleOutcome::Status::failed; });
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

LatestActivity latest_activity(RegistryView& registry, Instant not_after) {
  std::optional<Instant> latest;        // not after `not_after`
  std::optional<Instant> latest_later;  // after it
  std::int64_t later = 0;
  for (const char* sql :
       {"SELECT called_at FROM inquiries", "SELECT checked_in_at FROM checkins"}) {
    Statement s = registry.prepare(sql);
    while (s.step()) {
      const TimeValue t = nf::time(s.text(0));
      if (!t.is_readable()) continue;
      std::optional<Instant>& best = t.instant() <= not_after ? latest : latest_later;
      if (t.instant() > not_after) ++later;
      if (!best || t.instant() > *best) best = t.instant();
    }
  }
  LatestActivity out;
  if (latest) {
    out.period = AuditPeriod::containing(*latest);
    out.passed_over = later;
    if (latest_later) out.latest_passed_over = *latest_later;
  } else if (latest_later) {
    out.period = AuditPeriod::containing(*latest_later);
    out.all_later = true;
  }
  return out;
}

AuditResult run_audit(const AuditOptions& options, const Profile& profile,
                      const std::vector<ConfiguredRule>& rules) {
  tune_malloc(options.jobs);
  AuditResult result;
  result.period = options.period;
  result.db_path = options.db_path;
  result.profile_name = profile.name;
  result.profile_file = profile.file;
  result.reveal_pii = options.reveal_pii;
  result.fingerprint_key_id = fingerprint_key_id(options.fingerprint_key);
  std::tie(result.generated_at, result.reproducible) = report_timestamp();
  ProgressLine no_progress(false);
  ProgressLine& progress = options.progress != nullptr ? *options.progress : no_progress;

  std::vector<RuleWork> work;
  for (const ConfiguredRule& r : rules) {
    RuleWork w{&r, {}, {}, {}};
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
    if (!r.enabled) {
      w.outcome.status = RuleOutcome::Status::skipped;
      w.outcome.reason = "disabled in the profile";
    }
    work.push_back(std::move(w));
  }

  // One pool runs the rules and, after them, what the report needs from the
  // registry regardless of the findings: the file's digest and row counts,
  // the street names, the metrics' inputs. Jobs start in this order; a job
  // records its error, which is raised once the pool is done.
  const PiiPolicy pii(options.reveal_pii);
  std::atomic<std::size_t> done{0};
  progress.phase("rules");
  progress.note(fmt::format("0/{} rules", work.size()));
  // What the rules derive from the same tables, built once; released when the
  // last rule ends.
  auto shared = std::make_unique<SharedValues>();
  // Each shared value a rule declares is released when the last rule that
  // declares it ends.
  std::mutex declared_mutex;
  std::map<std::string, std::size_t, std::less<>> declared_by;
  for (const RuleWork& w : work) {
    if (!w.rule->enabled) continue;
    for (const std::string& key : w.rule->rule->entry.info.shared_values) ++declared_by[key];
  }
  // The metric inputs use the shared persons and phone links too.
  for (const std::string& key : metric_shared_values()) ++declared_by[key];
  const auto ended = [&](const std::vector<std::string>& keys) {
    for (const std::string& key : keys) {
      const std::lock_guard lock(declared_mutex);
      if (--declared_by[key] == 0) shared->release(key);
    }
  };
  MetricInputs metric_inputs;
  std::exception_ptr metric_error;
  // The registry's digest and row counts need nothing from the rules and
  // hold little memory: read by a pool thread in its turn, or earlier, slice
  // by slice, by a rule's thread that would otherwise wait while another rule
  // builds a shared value. Time a rule's thread spends on them is not the
  // rule's: it is taken off the rule's seconds.
  InputFacts input_facts(options.db_path, result);
  static thread_local double helping_seconds = 0;
  const auto help = [&] {
    const auto started = std::chrono::steady_clock::now();
    const bool helped = input_facts.step();
    helping_seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return helped;
  };
  if (options.jobs > 1) shared->set_helper(help);
  // Rules start longest first (rule_start_order), estimated by the largest
  // rowid of each table they declare: no table is scanned for it.
  std::vector<std::vector<std::string>> tables_per_rule;
  for (const RuleWork& w : work) {
    tables_per_rule.push_back(w.rule->enabled ? w.rule->rule->entry.info.tables
                                              : std::vector<std::string>{});
  }
  std::optional<RegistryView> sizes;
  const std::vector<std::size_t> start_order =
      rule_start_order(tables_per_rule, [&](const std::string& table) -> std::int64_t {
        if (find_table_spec(table) == nullptr) return 0;  // not a registry table
        try {
          if (!sizes) sizes.emplace(options.db_path.string());
          return sizes->largest_rowid(table);
        } catch (const RegistryError&) {
          return 0;  // the rules will report what is wrong
        }
      });
  sizes.reset();
  run_jobs(work.size() + 2, options.jobs, [&](std::size_t job) {
    const std::size_t i = job < work.size() ? start_order[job] : job;
    if (i < work.size() && !work[i].rule->enabled) {
      progress.note(fmt::format("{}/{} rules", ++done, work.size()));
    } else if (i < work.size()) {
      const double helped_before = helping_seconds;
      run_one(options, pii, *shared, work[i]);
      work[i].outcome.seconds =
          std::max(0.0, work[i].outcome.seconds - (helping_seconds - helped_before));
      ended(work[i].rule->rule->entry.info.shared_values);
      progress.note(fmt::format("{}/{} rules", ++done, work.size()));
    } else if (i == work.size()) {
      input_facts.finish();
    } else {
      try {
        metric_inputs =
            read_metric_inputs(options.db_path, options.period, shared.get(), options.jobs);
      } catch (...) {
        metric_error = std::current_exception();
      }
      ended(metric_shared_values());
    }
  });
  shared.reset();
  if (input_facts.error()) std::rethrow_exception(input_facts.error());
  if (metric_error) std::rethrow_exception(metric_error);
  take_row_counts(metric_inputs, result);

  // Each rule's findings get their place in the report's findings: rules in
  // id order, as the report sorts by (rule, table, key, code). Then they are
  // unpacked there, packed buffer by packed buffer; each rule's sorted on
  // their own, largest first; fingerprinted in slices of all of them; and
  // ranked in parts of equal fingerprints. Unpacking in place, instead of
  // into a vector per rule joined afterwards, saves a second copy of every
  // finding: gigabytes at 10 M persons.
  progress.phase("merging");
  std::vector<RuleWork*> by_id;
  for (RuleWork& w : work) {
    refuse_undeclared_codes(w);
    by_id.push_back(&w);
  }
  std::sort(by_id.begin(), by_id.end(),
            [](const RuleWork* a, const RuleWork* b) { return a->outcome.id < b->outcome.id; });
  std::size_t total = 0;
  for (RuleWork* w : by_id) {
    w->offset = total;
    w->count = w->findings.size();
    total += w->count;
  }
  result.findings.reserve(total);
  populate(result.findings.data(), total * sizeof(ReportedFinding), options.jobs);
  result.findings.resize(total);
  std::vector<RuleWork*> largest_first = by_id;
  std::stable_sort(largest_first.begin(), largest_first.end(),
                   [](const RuleWork* a, const RuleWork* b) { return a->count > b->count; });
  const auto guarded_jobs = [&](std::size_t n, const std::function<void(std::size_t)>& job) {
    std::vector<std::exception_ptr> errors(n);
    run_jobs(n, options.jobs, [&](std::size_t i) {
      try {
        job(i);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
    for (const auto& e : errors) {
      if (e) std::rethrow_exception(e);
    }
  };
  // Unpacked buffer by buffer (a few megabytes each) rather than rule by
  // rule: one rule holds most of the findings (hukou-mismatch: 63 % of the
  // 1 M city's), and by rule it kept one thread busy while the others idled.
  std::vector<PackedPiece> pieces;
  for (RuleWork* w : by_id) {
    std::size_t at = w->offset;
    for (std::size_t b = 0; b < w->findings.buffers().size(); ++b) {
      pieces.push_back({w, b, at});
      at += w->findings.count_in(b);
    }
  }
  guarded_jobs(pieces.size(),
               [&](std::size_t i) { unpack_piece(options, pieces[i], result.findings); });
  for (RuleWork& w : work) w.findings.clear();
  guarded_jobs(work.size(), [&](std::size_t i) {
    const RuleWork& w = *largest_first[i];
    sort_findings(std::span(result.findings.data() + w.offset, w.count));
  });
  for (RuleWork& w : work) {
    if (result.reproducible) w.outcome.seconds = 0;
    result.rules.push_back(std::move(w.outcome));
  }
  // The metrics read the findings and the rules' statuses, the fingerprints
  // and ranks write only the fingerprints: with a second job they overlap,
  // instead of leaving a core idle in the parts of each that run on one
  // thread (the metrics' event shares).
  progress.note("fingerprints and metrics");
  std::exception_ptr metrics_error;
  const auto metrics = [&] {
    try {
      compute_metrics(metric_inputs, result, options.jobs);
    } catch (...) {
      metrics_error = std::current_exception();
    }
  };
  {
    std::jthread beside;
    if (options.jobs > 1) beside = std::jthread(metrics);
    // Each fingerprint's first 64 bits kept aside, so that the ranks find
    // equal fingerprints in a compact array instead of reading every
    // fingerprint's text again.
    std::vector<std::uint64_t> leading(total);
    constexpr std::size_t kSlice = 1 << 15;
    const PrefixedSha256 keyed = fingerprint_hasher(options.fingerprint_key);
    guarded_jobs((total + kSlice - 1) / kSlice, [&](std::size_t i) {
      const std::size_t to = std::min(total, (i + 1) * kSlice);
      for (std::size_t k = i * kSlice; k < to; ++k) {
        fingerprint_one(result.findings[k], keyed);
        leading[k] = leading_bits(result.findings[k].fingerprint);
      }
    });
    const std::size_t parts = std::max<std::size_t>(1, options.jobs);
    guarded_jobs(
        parts, [&](std::size_t i) { rank_equal_bases(result.findings, leading, i, parts, keyed); });
    if (options.jobs <= 1) metrics();
  }
  if (metrics_error) std::rethrow_exception(metrics_error);
  return result;
}

}  // namespace regaudit::host
