#include "rule_execution.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include "pod_vector.hpp"

extern char** environ;

namespace regaudit::host {
namespace {

class RuleRunContext final : public RunContext {
 public:
  RuleRunContext(const AuditPeriod& period, RegistryView& registry, const PiiPolicy& pii,
                 std::string_view message_lang, SharedValues* shared)
      : period_(period),
        registry_(registry),
        pii_(pii),
        shared_(shared),
        drop_zh_(message_lang == "en"),
        drop_en_(message_lang == "zh-CN") {}

  const AuditPeriod& period() const override { return period_; }
  RegistryView& registry() override { return registry_; }
  const PiiPolicy& pii() const override { return pii_; }
  bool wants_message_zh() const override { return !drop_zh_; }
  bool wants_message_en() const override { return !drop_en_; }
  void emit(Finding finding) override {
    // The reports show one language; at city scale the other is hundreds of
    // megabytes.
    if (drop_zh_) std::string().swap(finding.message_zh);
    if (drop_en_) std::string().swap(finding.message_en);
    findings.push_back(finding);
  }
  void count_unreadable(std::string_view table, std::string_view column, std::uint64_t n) override {
    unreadable[UnreadableKey{std::string(table), std::string(column)}] += n;
  }

  FindingChunks findings;
  std::map<UnreadableKey, std::uint64_t> unreadable;

 protected:
  std::shared_ptr<const void> shared_value(std::string_view key, const std::type_info& type,
                                           const SharedBuilder& build) override {
    if (shared_ == nullptr) return build(*this);
    SharedValues::Obtained obtained = shared_->obtain(*this, key, type, build);
    receive(*obtained.entry);
    return std::move(obtained.value);
  }

 private:
  // Counts the unreadable values met in building `entry` and what it was built
  // from, each entry once per rule (a value built from another shared value
  // the rule also asks for does not count that one twice).
  void receive(const SharedValues::Entry& entry) {
    if (!received_.insert(&entry).second) return;
    for (const auto& [k, n] : entry.unreadable) count_unreadable(k.table, k.column, n);
    for (const SharedValues::Entry* used : entry.uses) receive(*used);
  }

  const AuditPeriod& period_;
  RegistryView& registry_;
  const PiiPolicy& pii_;
  SharedValues* shared_ = nullptr;
  std::set<const SharedValues::Entry*> received_;
  bool drop_zh_ = false;
  bool drop_en_ = false;
};

// The context a shared value is built in: the asking rule's period,
// connection and masking; what it counts and asks for goes to the entry.
class BuildContext final : public RunContext {
 public:
  BuildContext(RunContext& caller, SharedValues& values,
               std::map<UnreadableKey, std::uint64_t>& unreadable,
               std::vector<const SharedValues::Entry*>& uses)
      : caller_(caller), values_(values), unreadable_(unreadable), uses_(uses) {}

  const AuditPeriod& period() const override { return caller_.period(); }
  RegistryView& registry() override { return caller_.registry(); }
  const PiiPolicy& pii() const override { return caller_.pii(); }
  void emit(Finding) override {
    throw std::logic_error("a shared value is being built: it cannot emit findings");
  }
  void count_unreadable(std::string_view table, std::string_view column, std::uint64_t n) override {
    unreadable_[UnreadableKey{std::string(table), std::string(column)}] += n;
  }

 protected:
  std::shared_ptr<const void> shared_value(std::string_view key, const std::type_info& type,
                                           const SharedBuilder& build) override {
    SharedValues::Obtained obtained = values_.obtain(*this, key, type, build, false);
    uses_.push_back(obtained.entry);
    return std::move(obtained.value);
  }

 private:
  RunContext& caller_;
  SharedValues& values_;
  std::map<UnreadableKey, std::uint64_t>& unreadable_;
  std::vector<const SharedValues::Entry*>& uses_;
};

// The result stream: "RGA1", then records tagged F (finding), U (unreadable
// count), S (status, last). Strings are a 32-bit length and bytes; integers
// and doubles 8 raw bytes (the child is the same binary on the same machine).
class Writer {
 public:
  void tag(char t) { buffer_.push_back(t); }
  void str(std::string_view s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    raw(&n, sizeof n);
    buffer_.append(s);
  }
  void i64(std::int64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  // Records already in the stream's format.
  void records(std::string_view bytes) { buffer_.append(bytes); }
  const std::string& bytes() const { return buffer_; }

 private:
  void raw(const void* p, std::size_t n) { buffer_.append(static_cast<const char*>(p), n); }
  std::string buffer_ = "RGA1";
};

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool expect_header() { return take(4) == "RGA1"; }
  bool at_end() const { return pos_ >= data_.size(); }
  char tag() { return at_end() ? '\0' : data_[pos_++]; }
  std::string str() {
    std::uint32_t n = 0;
    copy(&n, sizeof n);
    return std::string(take(n));
  }
  std::int64_t i64() {
    std::int64_t v = 0;
    copy(&v, sizeof v);
    return v;
  }
  double f64() {
    double v = 0;
    copy(&v, sizeof v);
    return v;
  }
  bool ok() const { return ok_; }

 private:
  std::string_view take(std::size_t n) {
    if (data_.size() - pos_ < n) {
      ok_ = false;
      pos_ = data_.size();
      return {};
    }
    const auto s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  void copy(void* out, std::size_t n) {
    const auto s = take(n);
    if (s.size() == n) std::memcpy(out, s.data(), n);
  }
  std::string_view data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

void put_raw(std::string& out, const void* p, std::size_t n) {
  out.append(static_cast<const char*>(p), n);
}
void put_str(std::string& out, std::string_view s) {
  const auto n = static_cast<std::uint32_t>(s.size());
  put_raw(out, &n, sizeof n);
  out.append(s);
}
void put_i64(std::string& out, std::int64_t v) {
  put_raw(out, &v, sizeof v);
}

// One F record of the stream.
void append_finding(std::string& out, const Finding& f) {
  out.push_back('F');
  put_str(out, f.code);
  put_str(out, f.subject_table);
  put_i64(out, f.subject_key);
  put_str(out, f.street);
  put_raw(out, &f.cost_minutes, sizeof f.cost_minutes);
  put_str(out, f.message_zh);
  put_str(out, f.message_en);
  put_str(out, f.identity);
  put_i64(out, static_cast<std::int64_t>(f.evidence.size()));
  for (const EvidenceRef& ref : f.evidence) {
    put_str(out, ref.table);
    put_i64(out, ref.key);
  }
}

// The body of an F record (the tag already read).
Finding read_finding(Reader& r) {
  Finding f;
  f.code = r.str();
  f.subject_table = r.str();
  f.subject_key = r.i64();
  f.street = r.str();
  f.cost_minutes = r.f64();
  f.message_zh = r.str();
  f.message_en = r.str();
  f.identity = r.str();
  const std::int64_t n = r.i64();
  for (std::int64_t i = 0; i < n && r.ok(); ++i) {
    EvidenceRef ref;
    ref.table = r.str();
    ref.key = r.i64();
    f.evidence.push_back(std::move(ref));
  }
  return f;
}

std::string serialize(const RuleExecution& e) {
  Writer w;
  for (const std::string& records : e.findings.buffers()) w.records(records);
  for (const auto& [key, count] : e.unreadable) {
    w.tag('U');
    w.str(key.table);
    w.str(key.column);
    w.i64(static_cast<std::int64_t>(count));
  }
  w.tag('S');
  w.i64(e.ok ? 1 : 0);
  w.str(e.reason);
  return w.bytes();
}

// False when the stream is cut short or malformed (the child died mid-way).
bool deserialize(std::string_view data, RuleExecution& e) {
  Reader r(data);
  if (!r.expect_header()) return false;
  while (!r.at_end()) {
    switch (r.tag()) {
      case 'F':
        e.findings.push_back(read_finding(r));
        break;
      case 'U': {
        UnreadableKey key;
        key.table = r.str();
        key.column = r.str();
        e.unreadable[key] += static_cast<std::uint64_t>(r.i64());
        break;
      }
      case 'S':
        e.ok = r.i64() == 1;
        e.reason = r.str();
        return r.ok() && r.at_end();
      default:
        return false;
    }
    if (!r.ok()) return false;
  }
  return false;
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string describe_signal(int sig) {
  const char* name = strsignal(sig);
  return fmt::format("crashed with signal {} ({})", sig, name != nullptr ? name : "?");
}

}  // namespace

void FindingChunks::push_back(const Finding& finding) {
  if (buffers_.empty() || buffers_.back().size() >= kBufferBytes) {
    std::string& buffer = buffers_.emplace_back();
    buffer.reserve(kBufferBytes + 4096);
    rules::populate_pages(buffer.data(), buffer.capacity());  // to be filled
    counts_.push_back(0);
  }
  append_finding(buffers_.back(), finding);
  ++counts_.back();
  ++size_;
  if (std::find(codes_.begin(), codes_.end(), finding.code) == codes_.end()) {
    codes_.push_back(finding.code);
  }
}

void FindingChunks::clear() {
  buffers_.clear();
  counts_.clear();
  codes_.clear();
  size_ = 0;
}

void FindingChunks::drain_buffer(std::size_t i, const std::function<void(Finding&&)>& take) {
  std::string& buffer = buffers_[i];
  Reader r(buffer);
  while (!r.at_end() && r.tag() == 'F') take(read_finding(r));
  std::string().swap(buffer);
}

std::unique_ptr<RunContext> host_run_context(const AuditPeriod& period, RegistryView& registry,
                                             const PiiPolicy& pii, SharedValues* shared) {
  return std::make_unique<RuleRunContext>(period, registry, pii, "", shared);
}

RuleExecution execute_in_process(const CatalogRule& rule, const RuleOptions& options,
                                 const std::filesystem::path& db, const AuditPeriod& period,
                                 const PiiPolicy& pii, std::string_view message_lang,
                                 SharedValues* shared) {
  RuleExecution e;
  std::unique_ptr<RuleInstance> instance = rule.make();
  if (!instance) {
    e.reason = "the rule could not be created";
    return e;
  }
  if (const Status s = instance->configure(options); !s) {
    e.reason = "configuration refused: " + s.message();
    return e;
  }
  try {
    RegistryView registry(db.string());
    RuleRunContext context(period, registry, pii, message_lang, shared);
    const Status s = instance->run(context);
    e.unreadable = std::move(context.unreadable);
    if (!s) {
      e.reason = s.message();
      return e;
    }
    e.findings = std::move(context.findings);
    e.ok = true;
  } catch (const std::exception& ex) {
    e.reason = ex.what();
  }
  return e;
}

SharedValues::Obtained SharedValues::obtain(RunContext& caller, std::string_view key,
                                            const std::type_info& type, const Builder& build,
                                            bool may_help) {
  Entry* entry = nullptr;
  {
    const std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) {
      it = entries_.emplace(std::string(key), std::make_unique<Entry>()).first;
      it->second->type_name = type.name();
    }
    entry = it->second.get();
  }
  // type_info objects of one type may differ between plugins; their names
  // do not.
  if (entry->type_name != type.name()) {
    throw std::logic_error(
        fmt::format("shared value '{}' was asked for under two different types", key));
  }
  // The entry's mutex is held while its value is built: a thread that would
  // wait does other work first, when there is some.
  std::unique_lock lock(entry->mutex, std::try_to_lock);
  while (!lock.owns_lock() && may_help && help_ && help_()) (void)lock.try_lock();
  if (!lock.owns_lock()) lock.lock();
  if (!entry->value) {
    std::map<UnreadableKey, std::uint64_t> unreadable;
    std::vector<const Entry*> uses;
    BuildContext context(caller, *this, unreadable, uses);
    auto value = build(context);
    if (!value) throw std::logic_error(fmt::format("shared value '{}' was built empty", key));
    if (!entry->described) {
      entry->unreadable = std::move(unreadable);
      entry->uses = std::move(uses);
      entry->described = true;
    }
    entry->value = std::move(value);
  }
  return {entry->value, entry};
}

void SharedValues::release(std::string_view key) {
  Entry* entry = nullptr;
  {
    const std::lock_guard lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end()) return;
    entry = it->second.get();
  }
  std::shared_ptr<const void> dropped;
  {
    const std::lock_guard lock(entry->mutex);
    dropped = std::move(entry->value);
  }
  // `dropped` is freed here, outside the lock, unless a rule still holds it.
}

RuleExecution execute_isolated(const std::filesystem::path& worker_binary,
                               const std::vector<std::filesystem::path>& plugin_dirs,
                               bool allow_untrusted_plugins, const std::string& rule_id,
                               const RuleOptions& options, const std::filesystem::path& db,
                               const AuditPeriod& period, bool reveal_pii,
                               const IsolationLimits& limits) {
  RuleExecution e;
  std::vector<std::string> args = {
      worker_binary.string(), "__rule-worker", "--db", db.string(), "--period",
      period.label(),         "--rule",        rule_id};
  for (const auto& dir : plugin_dirs) {
    args.push_back("--plugin-dir");
    args.push_back(dir.string());
  }
  for (const auto& [name, value] : options.values()) {
    args.push_back("--param");
    args.push_back(name + "=" + value);
  }
  if (reveal_pii) args.push_back("--reveal-pii");
  if (allow_untrusted_plugins) args.push_back("--allow-untrusted-plugins");
  if (limits.memory_mb > 0) {
    args.push_back("--memory-mb");
    args.push_back(std::to_string(limits.memory_mb));
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    e.reason = fmt::format("cannot create a pipe: {}", std::strerror(errno));
    return e;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawned != 0) {
    close(pipe_fds[0]);
    e.reason =
        fmt::format("cannot start the isolated worker {}: {}", argv[0], std::strerror(spawned));
    return e;
  }

  std::string data;
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limits.timeout_s);
  char buffer[65536];
  while (true) {
    int wait_ms = -1;
    if (limits.timeout_s > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        timed_out = true;
        kill(pid, SIGKILL);
        break;
      }
      wait_ms = static_cast<int>(std::min<long long>(left.count(), 1000));
    }
    pollfd p{pipe_fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, wait_ms);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  if (timed_out) {
    e.reason =
        fmt::format("timeout: ran past --rule-timeout of {} s and was killed", limits.timeout_s);
    return e;
  }
  if (WIFSIGNALED(status)) {
    e.reason = describe_signal(WTERMSIG(status));
    if (limits.memory_mb > 0 && (WTERMSIG(status) == SIGKILL || WTERMSIG(status) == SIGABRT)) {
      e.reason += fmt::format(" (possibly out of memory: --rule-memory {} MiB)", limits.memory_mb);
    }
    return e;
  }
  RuleExecution parsed;
  if (!deserialize(data, parsed)) {
    e.reason = fmt::format(
        "the isolated worker exited with code {} without a complete result (it stopped "
        "early; its messages are above)",
        WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return e;
  }
  if (!parsed.ok && parsed.reason.find("bad_alloc") != std::string::npos && limits.memory_mb > 0) {
    parsed.reason = fmt::format("memory: ran past --rule-memory of {} MiB ({})", limits.memory_mb,
                                parsed.reason);
  }
  return parsed;
}

int rule_worker_main(const std::filesystem::path& db, const std::string& period_text,
                     const std::string& rule_id,
                     const std::vector<std::filesystem::path>& plugin_dirs,
                     bool allow_untrusted_plugins, const std::vector<std::string>& params,
                     bool reveal_pii, std::uint64_t memory_mb) {
  // Results go to the original standard output; anything the rule prints goes
  // to standard error.
  const int out = dup(STDOUT_FILENO);
  if (out < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) return 2;
  if (memory_mb > 0) {
    const rlim_t bytes = static_cast<rlim_t>(memory_mb) * 1024 * 1024;
    const rlimit limit{bytes, bytes};
    setrlimit(RLIMIT_DATA, &limit);
  }
  RuleExecution e;
  const auto period = AuditPeriod::parse(period_text);
  PluginCatalog catalog;
  catalog.set_allow_untrusted(allow_untrusted_plugins);
  (void)catalog.load_builtin();
  for (const auto& dir : plugin_dirs) (void)catalog.load_directory(dir, false);
  const CatalogRule* rule = catalog.find(rule_id);
  std::map<std::string, std::string> values;
  for (const std::string& p : params) {
    const auto eq = p.find('=');
    if (eq != std::string::npos) values[p.substr(0, eq)] = p.substr(eq + 1);
  }
  if (!period) {
    e.reason = "the worker was given no valid period";
  } else if (rule == nullptr) {
    e.reason = fmt::format("the isolated worker could not load rule '{}'", rule_id);
  } else {
    // A process of its own: its shared values are its own too, with the same
    // checks as in the host.
    SharedValues shared;
    e = execute_in_process(*rule, RuleOptions(values), db, *period, PiiPolicy(reveal_pii), {},
                           &shared);
  }
  const bool written = write_all(out, serialize(e));
  close(out);
  return written ? 0 : 2;
}

}  // namespace regaudit::host
