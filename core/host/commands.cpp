#include "commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.hpp"
#include "earlier_report.hpp"
#include "fingerprint_key.hpp"
#include "html_report.hpp"
#include "paths.hpp"
#include "plugin_catalog.hpp"
#include "profile.hpp"
#include "registry_check.hpp"
#include "scaffold.hpp"
#include "sha256.hpp"
#include "xml_report.hpp"

namespace regaudit::host {
namespace {

// Messages go to standard error with fwrite, which never throws: with
// standard error closed or full (2>&-, 2>/dev/full) fmt::print threw, and a
// message about the run ended it with std::terminate.
void to_stderr(const std::string& text) {
  (void)std::fwrite(text.data(), 1, text.size(), stderr);
}

template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
  to_stderr(fmt::format("regaudit: error: {}\n", fmt::format(format, std::forward<Args>(args)...)));
}

// A warning is printed even with --quiet: the run goes on, but its result is
// not what the user may think.
template <class... Args>
void warning(fmt::format_string<Args...> format, Args&&... args) {
  to_stderr(
      fmt::format("regaudit: warning: {}\n", fmt::format(format, std::forward<Args>(args)...)));
}

template <class... Args>
void note(bool quiet, fmt::format_string<Args...> format, Args&&... args) {
  if (!quiet)
    to_stderr(fmt::format("regaudit: {}\n", fmt::format(format, std::forward<Args>(args)...)));
}

// Why `text` is not a month AuditPeriod::parse accepts.
std::string why_not_a_period(std::string_view text) {
  bool form = text.size() == 7 && text[4] == '-';
  for (std::size_t i = 0; form && i < text.size(); ++i) {
    form = i == 4 || (text[i] >= '0' && text[i] <= '9');
  }
  if (!form) return "is not a month in the form YYYY-MM";
  const int month = (text[5] - '0') * 10 + (text[6] - '0');
  if (month < 1 || month > 12) return "has no month 01 to 12";
  return "is outside the years 1900 to 9999";
}

// Loads the install's plugins and every --plugin-dir; refused plugins are
// reported on stderr and skipped.
std::optional<PluginCatalog> load_catalog(const PluginOptions& options, bool quiet) {
  PluginCatalog catalog;
  catalog.set_allow_untrusted(options.allow_untrusted);
  if (const Status s = catalog.load_builtin(); !s) note(quiet, "warning: {}", s.message());
  for (const auto& dir : options.plugin_dirs) {
    if (const Status s = catalog.load_directory(dir, false); !s) {
      error("{}", s.message());
      return std::nullopt;
    }
  }
  for (const RefusedPlugin& refused : catalog.refused()) {
    warning("plugin {} refused: {}", refused.file.string(), refused.reason);
  }
  return catalog;
}

std::filesystem::path default_profile() {
  return install_data_dir() / "rules" / "monthly.xml";
}

std::optional<Profile> load_profile(const std::filesystem::path& requested) {
  const std::filesystem::path file = requested.empty() ? default_profile() : requested;
  std::string message;
  auto profile = read_profile(file, message);
  if (!profile) error("{}", message);
  return profile;
}

constexpr std::string_view kStagingPrefix = ".regaudit-staging-";
constexpr std::array<std::string_view, 2> kReportNames = {"report.html", "report.xml"};
// In a staging directory, written just before its reports move into place:
// each report's name and inode, so that a later run tells the reports this
// run placed from those another run placed since.
constexpr std::string_view kSwapJournal = "swap";

// Where a run's staging directory keeps the report `name` it replaces.
std::filesystem::path set_aside_path(const std::filesystem::path& staging, std::string_view name) {
  return staging / ("previous-" + std::string(name));
}

// An exclusive flock on a directory, released when the process ends however
// it ends. With `on_wait`, held by another process: on_wait() is called, then
// the lock waited for; without, given up at once. errno_ tells why it is not
// held.
class DirectoryLock {
 public:
  DirectoryLock(const std::filesystem::path& dir, const std::function<void()>& on_wait = {})
      : fd_(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ < 0) {
      errno_ = errno;
      return;
    }
    int rc = flock(fd_, LOCK_EX | LOCK_NB);
    if (rc != 0 && errno == EWOULDBLOCK && on_wait) {
      on_wait();
      do {
        rc = flock(fd_, LOCK_EX);
      } while (rc != 0 && errno == EINTR);
    }
    if (rc != 0) {
      errno_ = errno;
      close(fd_);
      fd_ = -1;
    }
  }
  int error() const { return errno_; }
  ~DirectoryLock() {
    if (fd_ >= 0) close(fd_);
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  bool held() const { return fd_ >= 0; }

 private:
  int fd_;
  int errno_ = 0;
};

// The directories a run makes for --out: removed again, when still empty,
// unless the run wrote its reports (a run refused after making them, e.g.
// for a damaged registry, leaves nothing behind). Only what this run's own
// mkdir made is removed: never a directory that was there, one another run
// made meanwhile, or what a symbolic link or ".." leads to.
class MadeDirectories {
 public:
  // Makes `dir` and its missing parents, one by one; false, with `ec` set,
  // when it cannot.
  bool make(const std::filesystem::path& dir, std::error_code& ec) {
    std::filesystem::path prefix;
    for (const std::filesystem::path& part : dir) {
      prefix /= part;
      if (part.empty() || part == "." || part == ".." || part == prefix.root_path()) continue;
      made_itself_ = std::filesystem::create_directory(prefix, ec);
      if (made_itself_) {
        made_.insert(made_.begin(), prefix);  // deepest first
      } else if (ec) {
        return false;
      }
    }
    return std::filesystem::is_directory(dir, ec);
  }
  // Whether `dir` itself was made here (so that nothing was there before).
  bool made_itself() const { return made_itself_; }
  void keep() { made_.clear(); }
  ~MadeDirectories() {
    std::error_code ignored;
    for (const std::filesystem::path& p : made_) std::filesystem::remove(p, ignored);
  }

 private:
  std::vector<std::filesystem::path> made_;  // deepest first
  bool made_itself_ = false;
};

std::optional<ino_t> inode_of(const std::filesystem::path& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return std::nullopt;
  return st.st_ino;
}

// Puts right what one killed run left in its staging directory `dir` (which
// no run holds) and removes it; false, with a warning, when something could
// not be done (the directory then stays, with whatever it still holds).
//
// Killed before its swap (no journal): its reports were never in place.
// Killed after it (every new report moved out): the swap is done. Killed
// during it: the reports it placed are taken back, each replaced by the one
// it had set aside or removed when there was none, and the ones it set aside
// but did not replace go back; a report another run placed since is left
// alone. So `out_dir` holds the pair from before the killed run or a pair
// written since, never a mix.
bool recover_staging(const std::filesystem::path& out_dir, const std::filesystem::path& dir) {
  std::error_code ec;
  std::map<std::string, ino_t, std::less<>> placed_inode;
  if (std::ifstream journal(dir / kSwapJournal); journal) {
    std::string name;
    ino_t inode = 0;
    while (journal >> name >> inode) placed_inode[name] = inode;
  } else {
    // Reports are set aside only after the journal is written: without one
    // there should be none, and if there are, they are not thrown away.
    for (const std::string_view name : kReportNames) {
      if (inode_of(set_aside_path(dir, name))) {
        warning("{} holds a previous {} but no readable journal of its swap; it is left as it is",
                dir.string(), name);
        return false;
      }
    }
  }
  bool unfinished = false;
  for (const std::string_view name : kReportNames) {
    unfinished = unfinished || (placed_inode.contains(name) && inode_of(dir / name).has_value());
  }
  std::string failed;  // the first step that failed, and why
  const auto step = [&](bool done, std::string_view what, const std::filesystem::path& path) {
    if (!done && failed.empty()) {
      failed = fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(errno));
    }
  };
  if (unfinished) {
    for (const std::string_view name : kReportNames) {
      const auto kept = set_aside_path(dir, name);
      const auto report = out_dir / name;
      const bool has_kept = inode_of(kept).has_value();
      const auto in_place = inode_of(report);
      const bool placed_by_it = !inode_of(dir / name) && placed_inode.contains(name) && in_place &&
                                *in_place == placed_inode.find(name)->second;
      if (placed_by_it && has_kept) {
        step(std::rename(kept.c_str(), report.c_str()) == 0, "put back", report);
      } else if (placed_by_it) {
        step(std::remove(report.c_str()) == 0, "take back", report);
      } else if (!in_place && has_kept) {
        step(std::rename(kept.c_str(), report.c_str()) == 0, "put back", report);
      }
    }
  }
  if (!failed.empty()) {
    warning(
        "{} holds the reports of a run killed while it replaced them, and {}; it is left as "
        "it is",
        dir.string(), failed);
    return false;
  }
  std::filesystem::remove_all(dir, ec);
  if (ec) {
    warning("cannot remove {}, left by an interrupted run: {}", dir.string(), ec.message());
    return false;
  }
  return true;
}

// Every staging directory in `out_dir` that no run holds: left by a run that
// was killed (SIGKILL, a power cut). Called with `out_dir` locked, under which
// a run also creates and locks its own staging directory, so none is seen
// between the two.
void recover_interrupted_runs(const std::filesystem::path& out_dir, bool quiet) {
  std::error_code ec;
  std::vector<std::filesystem::path> found;
  for (std::filesystem::directory_iterator it(out_dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code kind;
    if (it->path().filename().string().starts_with(kStagingPrefix) && it->is_directory(kind) &&
        !it->is_symlink(kind)) {
      found.push_back(it->path());
    }
  }
  for (const std::filesystem::path& dir : found) {
    const DirectoryLock lock(dir);
    if (!lock.held()) continue;  // a run is writing there
    if (recover_staging(out_dir, dir)) {
      note(quiet, "removed {}, left by an interrupted run", dir.string());
    }
  }
}

// Records the inodes of the staging directory's reports before they move.
Status write_swap_journal(const std::filesystem::path& staging) {
  std::string text;
  for (const std::string_view name : kReportNames) {
    const auto inode = inode_of(staging / name);
    if (!inode) return Status::error(fmt::format("cannot stat {}", (staging / name).string()));
    text += fmt::format("{} {}\n", name, *inode);
  }
  const auto path = staging / kSwapJournal;
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            fsync(fd) == 0;
  if (fd >= 0) ok = close(fd) == 0 && ok;
  if (!ok)
    return Status::error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
  return Status::ok();
}

// Writes both reports into a staging directory in --out and moves them into
// place. On failure, *previous_intact says whether the reports that were in
// --out are still there as they were.
Status write_reports(const AuditResult& result, const RunCommand& cmd,
                     const std::filesystem::path& xml_path, const std::filesystem::path& html_path,
                     bool* previous_intact) {
  *previous_intact = true;
  // Runs into the same --out take turns for the short steps that touch what
  // other runs left there: putting right what killed runs left (before
  // their own staging directory is made, and again before their swap, so
  // that it always comes before any later swap), creating and locking their
  // own staging directory, and the swap. Where the file system has no flock,
  // nothing is recovered (no staging directory can be known unheld).
  std::optional<DirectoryLock> out_lock;
  bool warned = false;
  const auto lock_out = [&] {
    out_lock.emplace(cmd.out_dir, [&] {
      note(cmd.quiet, "waiting for another run that is writing into {}", cmd.out_dir.string());
    });
    if (!out_lock->held() && !std::exchange(warned, true)) {
      warning(
          "cannot lock {} ({}): runs into it at once are not kept apart, and what killed "
          "runs left there is not cleaned up",
          cmd.out_dir.string(), std::strerror(out_lock->error()));
    } else if (out_lock->held()) {
      recover_interrupted_runs(cmd.out_dir, cmd.quiet);
    }
  };
  // A run that made --out and then failed removes it again, perhaps while
  // this one audited: made again if so.
  std::error_code remade;
  std::filesystem::create_directories(cmd.out_dir, remade);
  lock_out();
  std::string pattern = (cmd.out_dir / (std::string(kStagingPrefix) + "XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    return Status::error(fmt::format("cannot create a staging directory in {}: {}",
                                     cmd.out_dir.string(), std::strerror(errno)));
  }
  const std::filesystem::path staging = pattern;
  const DirectoryLock staging_lock(staging);
  const auto cleanup = [&] {
    std::error_code ignored;
    std::filesystem::remove_all(staging, ignored);
  };
  if (out_lock->held() && !staging_lock.held()) {
    cleanup();
    return Status::error(
        fmt::format("cannot lock {}: {}", staging.string(), std::strerror(staging_lock.error())));
  }
  out_lock.reset();
  const reports::HtmlOptions html_options{reports::parse_lang(cmd.lang), cmd.html_max_findings};
  // The two reports read the same result; with a second job they are
  // written side by side.
  Status html_written = Status::ok();
  const auto write_html = [&] {
    try {
      html_written = reports::write_html_report(result, html_options, staging / "report.html");
    } catch (const std::exception& e) {
      html_written = Status::error(fmt::format("cannot write the HTML report: {}", e.what()));
    }
  };
  Status written = Status::ok();
  {
    std::jthread html_thread;
    if (cmd.jobs > 1) {
      html_thread = std::jthread(write_html);
    } else {
      write_html();
    }
    try {
      written = reports::write_xml_report(result, {cmd.lang, cmd.jobs}, staging / "report.xml");
    } catch (const std::exception& e) {
      written = Status::error(fmt::format("cannot write the XML report: {}", e.what()));
    }
  }
  if (!html_written) written = html_written;
  if (!written) {
    cleanup();
    return written;
  }
  // Both reports or neither: a path that is no file is refused before
  // anything moves, and the previous reports are moved into the staging
  // directory first, so that a move that fails puts them back (before, a
  // failed second move left a new report.html beside an old report.xml).
  lock_out();
  const std::array moves = {std::pair{staging / "report.html", html_path},
                            std::pair{staging / "report.xml", xml_path}};
  for (const auto& [from, to] : moves) {
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(to, ec);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status) &&
        !std::filesystem::is_symlink(status)) {
      cleanup();
      return Status::error(fmt::format("cannot replace {}: it is not a file", to.string()));
    }
  }
  if (const Status journal = write_swap_journal(staging); !journal) {
    cleanup();
    return journal;
  }
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> set_aside;  // (kept, was)
  std::vector<std::filesystem::path> placed;
  // A failed move undoes the ones before it. When that fails too, the
  // staging directory stays, with its journal, for the next run to put right.
  const auto undo = [&](const std::string& what, const std::filesystem::path& path) {
    const std::string why = std::strerror(errno);
    bool undone = true;
    for (const auto& to : placed) undone = std::remove(to.c_str()) == 0 && undone;
    for (const auto& [kept, was] : set_aside) {
      undone = std::rename(kept.c_str(), was.c_str()) == 0 && undone;
    }
    if (!undone) {
      *previous_intact = false;
      return Status::error(fmt::format(
          "cannot {} {}: {}; the previous reports could not all be put back: they are in {}, "
          "which the next run into {} puts back",
          what, path.string(), why, staging.string(), cmd.out_dir.string()));
    }
    cleanup();
    return Status::error(fmt::format("cannot {} {}: {}", what, path.string(), why));
  };
  for (const auto& [from, to] : moves) {
    const std::filesystem::path kept = set_aside_path(staging, to.filename().string());
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::symlink_status(to, ec))) continue;
    if (std::rename(to.c_str(), kept.c_str()) != 0) return undo("set aside", to);
    set_aside.emplace_back(kept, to);
  }
  for (const auto& [from, to] : moves) {
    if (std::rename(from.c_str(), to.c_str()) != 0) return undo("move into place", to);
    placed.push_back(to);
  }
  out_lock.reset();  // the old reports' removal need not hold other runs up
  cleanup();
  return Status::ok();
}

}  // namespace

// The result a command-line run leaves to the end of the process
// (RunCommand::leave_result_to_exit): a global, so that it stays reachable and
// leak checkers do not report it.
const AuditResult* result_left_to_exit = nullptr;

int run_command(const RunCommand& cmd) {
  try {
    RegistryView registry(cmd.db.string());
    if (const auto problems = check_schema(registry); !problems.empty()) {
      for (const SchemaProblem& p : problems) error("{}: {}", cmd.db.string(), describe(p));
      error("{} is not a complete registry; nothing was written", cmd.db.string());
      return kExitBadInput;
    }
    std::optional<AuditPeriod> period;
    if (cmd.period) {
      period = AuditPeriod::parse(*cmd.period);
      if (!period) {
        error("--period: '{}' {}", *cmd.period, why_not_a_period(*cmd.period));
        return kExitBadInput;
      }
    } else {
      // Calls and check-ins dated after the day the report is made are
      // typos (registry times are local; a day's margin covers every zone).
      constexpr Instant kDay = 24 * 60 * 60;
      const Instant now = report_timestamp().first;
      const Instant not_after = now > std::numeric_limits<Instant>::max() - kDay ? now : now + kDay;
      const LatestActivity latest = latest_activity(registry, not_after);
      period = latest.period;
      if (latest.all_later) {
        warning(
            "every call and check-in is dated after today; auditing {}, the month of the latest "
            "of them: give --period YYYY-MM to audit another month",
            latest.period->label());
      }
      if (latest.passed_over > 0) {
        warning(
            "auditing {}, the month of the latest call or check-in not dated after today, and "
            "passing over {} dated later (the latest {}): give --period YYYY-MM to audit another "
            "month",
            latest.period->label(), latest.passed_over, format_instant(latest.latest_passed_over));
      }
      if (!period) {
        error(
            "{} has no readable inquiries.called_at or checkins.checked_in_at to take the "
            "period from; give --period YYYY-MM",
            cmd.db.string());
        return kExitBadInput;
      }
    }
    auto catalog = load_catalog(cmd.plugins, cmd.quiet);
    if (!catalog) return kExitBadInput;
    const auto profile = load_profile(cmd.profile);
    if (!profile) return kExitBadInput;
    std::string message;
    const auto rules = resolve_profile(*profile, *catalog, message);
    if (!rules) {
      error("{}", message);
      return kExitBadInput;
    }
    std::optional<EarlierReport> baseline;
    if (!cmd.baseline.empty()) {
      baseline = reports::read_earlier_report(cmd.baseline, message);
      if (!baseline) {
        error("--baseline: {}", message);
        return kExitBadInput;
      }
    }
    std::vector<EarlierReport> history;
    for (const auto& file : cmd.history) {
      auto earlier = reports::read_earlier_report(file, message);
      if (!earlier) {
        error("--history: {}", message);
        return kExitBadInput;
      }
      history.push_back(std::move(*earlier));
    }
    std::sort(history.begin(), history.end(),
              [](const EarlierReport& a, const EarlierReport& b) { return a.period < b.period; });
    std::filesystem::path made_key;
    const auto fingerprint_key = load_fingerprint_key(cmd.fingerprint_key, message, &made_key);
    if (!fingerprint_key) {
      error("{}", message);
      return kExitBadInput;
    }
    if (!made_key.empty()) {
      note(cmd.quiet,
           "made the fingerprint key {} (owner-only): keep it, and give it with "
           "--fingerprint-key wherever reports are to be compared with these",
           made_key.string());
    }
    if (baseline && baseline->fingerprint_key_id != fingerprint_key_id(*fingerprint_key)) {
      warning(
          "--baseline {}: its fingerprints were hashed after {}: no finding will match it, every "
          "finding will be new and every earlier one resolved. Give the --fingerprint-key it was "
          "made with to compare the months",
          cmd.baseline.string(),
          baseline->fingerprint_key_id.empty()
              ? "no key or an unknown one (a report of an earlier regaudit)"
              : "another key (fingerprint-key " + baseline->fingerprint_key_id + ")");
    }
    std::error_code ec;
    MadeDirectories made_out;
    if (!made_out.make(cmd.out_dir, ec)) {
      error("--out: cannot create the directory {}: {}", cmd.out_dir.string(), ec.message());
      return kExitBadInput;
    }

    const auto enabled = static_cast<std::size_t>(std::count_if(
        rules->begin(), rules->end(), [](const ConfiguredRule& r) { return r.enabled; }));
    note(cmd.quiet, "auditing {} for {} with {} rules{}", cmd.db.filename().string(),
         period->label(), enabled,
         enabled < rules->size() ? fmt::format(" ({} disabled in the profile, reported as skipped)",
                                               rules->size() - enabled)
                                 : "");
    AuditOptions options;
    options.fingerprint_key = *fingerprint_key;
    options.db_path = cmd.db;
    options.period = *period;
    options.jobs = cmd.jobs;
    options.reveal_pii = cmd.reveal_pii;
    options.message_lang = cmd.lang;
    ProgressLine progress(!cmd.quiet && isatty(STDERR_FILENO) == 1);
    options.progress = &progress;
    options.isolation = cmd.isolate == "always"  ? AuditOptions::Isolation::always
                        : cmd.isolate == "never" ? AuditOptions::Isolation::never
                                                 : AuditOptions::Isolation::automatic;
    options.rule_timeout_s = cmd.rule_timeout_s;
    options.rule_memory_mb = cmd.rule_memory_mb;
    options.worker_binary = install_prefix() / "bin" / "regaudit";
    options.plugin_dirs = cmd.plugins.plugin_dirs;
    options.allow_untrusted_plugins = cmd.plugins.allow_untrusted;
    AuditResult result = run_audit(options, *profile, *rules);
    const auto report_failed_rules = [&] {
      for (const RuleOutcome& r : result.rules) {
        if (r.status == RuleOutcome::Status::failed) error("rule {} failed: {}", r.id, r.reason);
      }
    };
    // A rule that failed may have met a damaged registry: that is bad input,
    // not the rule's fault, and it gets no report.
    if (any_rule_failed(result)) {
      progress.phase("checking the registry");
      if (const auto damage = registry_damage(registry)) {
        progress.finish();
        report_failed_rules();
        error("{} is damaged ({}); nothing was written", cmd.db.string(), *damage);
        return kExitBadInput;
      }
    }
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
        epoch != nullptr && *epoch != '\0' && !result.reproducible) {
      warning(
          "SOURCE_DATE_EPOCH={} is not a number of seconds: the reports carry the time of "
          "the run and are not reproducible",
          epoch);
    }
    result.refused_plugins = catalog->refused();
    result.history = std::move(history);
    if (baseline) reports::apply_baseline(result, std::move(*baseline));

    // Both reports are written into a staging directory beside them and only
    // then renamed into place: a failure (full disk, crash) leaves the previous
    // reports as they were, never a half-written or mismatched pair.
    const auto xml_path = cmd.out_dir / "report.xml";
    const auto html_path = cmd.out_dir / "report.html";
    progress.phase("writing");
    progress.note(fmt::format("{} findings", result.findings.size()));
    bool previous_intact = true;
    const Status reports_written =
        write_reports(result, cmd, xml_path, html_path, &previous_intact);
    progress.finish();
    if (reports_written) made_out.keep();
    if (const Status& s = reports_written; !s) {
      if (made_out.made_itself()) {
        error("{}; nothing was written", s.message());  // --out is removed again
      } else if (previous_intact) {
        error("{}; the previous reports in {} are unchanged", s.message(), cmd.out_dir.string());
      } else {
        error("{}", s.message());
      }
      return kExitBadInput;
    }
    report_failed_rules();
    note(cmd.quiet, "{} findings; wrote {}", result.findings.size(), xml_path.string());
    fmt::print("{}\n", std::filesystem::absolute(html_path).string());
    int code = kExitOk;
    if (any_rule_failed(result)) {
      code = kExitRuleFailed;
    } else if (!cmd.fail_on.empty()) {
      const Severity threshold = parse_severity(cmd.fail_on).value_or(Severity::critical);
      const bool over =
          std::any_of(result.findings.begin(), result.findings.end(),
                      [&](const ReportedFinding& rf) { return rf.finding.severity >= threshold; });
      if (over) code = kExitFindings;
    }
    if (cmd.leave_result_to_exit) result_left_to_exit = new AuditResult(std::move(result));
    return code;
  } catch (const std::exception& e) {
    error("{}", e.what());
    return kExitBadInput;
  }
}

int rules_command(const PluginOptions& plugins, const std::filesystem::path& profile_file) {
  auto catalog = load_catalog(plugins, false);
  if (!catalog) return kExitBadInput;
  for (const CatalogRule& r : catalog->rules()) {
    const RuleInfo& info = r.entry.info;
    fmt::print("{} {}  — {}\n", info.id, info.version, info.title);
    fmt::print("  from: {}\n", r.file.string());
    for (const CodeSpec& c : info.codes) {
      fmt::print("  code {:<24} {:<8} {}\n", c.code, to_string(c.default_severity), c.summary);
    }
  }
  if (catalog->rules().empty()) fmt::print("no rules loaded\n");
  if (profile_file.empty()) return catalog->refused().empty() ? kExitOk : kExitBadInput;

  const auto profile = load_profile(profile_file);
  if (!profile) return kExitBadInput;
  std::string message;
  const auto rules = resolve_profile(*profile, *catalog, message);
  if (!rules) {
    error("{}", message);
    return kExitBadInput;
  }
  fmt::print("\nprofile {} ({}): {} rules\n", profile->name, profile_file.string(), rules->size());
  for (const ConfiguredRule& r : *rules) {
    fmt::print("  {}{}\n", r.rule->entry.info.id,
               r.enabled ? "" : " (disabled: reported as skipped)");
    for (const auto& [name, value] : r.options.values()) {
      fmt::print("    param    {} = {}\n", name, value);
    }
    for (const auto& [code, severity] : r.severities) {
      fmt::print("    severity {} = {}\n", code, to_string(severity));
    }
  }
  return catalog->refused().empty() ? kExitOk : kExitBadInput;
}

int explain_command(const PluginOptions& plugins, const std::string& rule_id) {
  auto catalog = load_catalog(plugins, true);
  if (!catalog) return kExitBadInput;
  const CatalogRule* rule = catalog->find(rule_id);
  if (rule == nullptr) {
    error("no rule '{}' is loaded (see 'regaudit rules')", rule_id);
    return kExitBadInput;
  }
  const RuleInfo& info = rule->entry.info;
  fmt::print("{} {} — {}\n{}\n\n", info.id, info.version, info.title, info.description);
  fmt::print("{}\n", info.documentation);
  fmt::print("Codes:\n");
  for (const CodeSpec& c : info.codes) {
    fmt::print("  {:<24} {:<8} {}\n", c.code, to_string(c.default_severity), c.summary);
  }
  fmt::print("Parameters:\n");
  if (info.params.empty()) fmt::print("  (none)\n");
  for (const ParamSpec& p : info.params) {
    fmt::print("  {} ({}, default {}): {}\n", p.name, to_string(p.type), p.default_value,
               p.description);
  }
  fmt::print("Plugin: {}\n", rule->file.string());
  return kExitOk;
}

int check_db_command(const std::filesystem::path& db) {
  try {
    RegistryView registry(db.string());
    const auto problems = check_schema(registry);
    for (const SchemaProblem& p : problems) error("{}: {}", db.string(), describe(p));
    if (!problems.empty()) return kExitBadInput;
    fmt::print("{}: every table and column of the registry schema is present\n", db.string());
    return kExitOk;
  } catch (const std::exception& e) {
    error("{}", e.what());
    return kExitBadInput;
  }
}

int synth_command(synth::Options options, const std::string& period) {
  const auto parsed = AuditPeriod::parse(period);
  if (!parsed) {
    error("--period: '{}' {}", period, why_not_a_period(period));
    return kExitBadInput;
  }
  // The city's events run up to a month past the period's end, and no
  // registry time is readable past 9999-12-31.
  if (parsed->year() > 9998) {
    error("--period: '{}' is past 9998-12, the last month whose city fits in readable times",
          period);
    return kExitBadInput;
  }
  options.period = *parsed;
  if (const Status s = synth::generate(options, std::cerr); !s) {
    error("{}", s.message());
    return kExitBadInput;
  }
  fmt::print("{}\n", options.out_path);
  return kExitOk;
}

int new_rule_command(const std::string& rule_id, const std::filesystem::path& dir) {
  if (const Status s = write_rule_scaffold(rule_id, dir); !s) {
    error("{}", s.message());
    return kExitBadInput;
  }
  fmt::print("wrote the plugin project for {} in {}\n", rule_id, dir.string());
  fmt::print(
      "build it:  cmake -S {0} -B {0}/build -DCMAKE_PREFIX_PATH={1} && cmake --build "
      "{0}/build\n",
      dir.string(), install_prefix().string());
  fmt::print("run it:    regaudit run --db FILE --out DIR --plugin-dir {}/build\n", dir.string());
  return kExitOk;
}

int verify_command(const std::filesystem::path& report, const std::filesystem::path& db) {
  std::string message;
  const auto recorded = reports::read_recorded_input(report, message);
  if (!recorded) {
    error("{}", message);
    return kExitBadInput;
  }
  try {
    const auto digest = sha256_file(db);
    if (!digest) {
      error("{}: cannot be read", db.string());
      return kExitBadInput;
    }
    std::vector<std::string> differences;
    if (digest->sha256 != recorded->sha256) {
      differences.push_back(
          fmt::format("SHA-256 is {}, the report says {}", digest->sha256, recorded->sha256));
    }
    if (digest->bytes != recorded->bytes) {
      differences.push_back(
          fmt::format("size is {} bytes, the report says {}", digest->bytes, recorded->bytes));
    }
    RegistryView registry(db.string());
    for (const auto& [table, rows] : recorded->table_rows) {
      const std::int64_t now = registry.has_table(table) ? registry.row_count(table) : -1;
      if (now != rows) {
        differences.push_back(fmt::format("table {} has {} rows, the report says {}", table,
                                          now < 0 ? "no" : std::to_string(now), rows));
      }
    }
    if (differences.empty()) {
      fmt::print("{} was made from {}: SHA-256, size and row counts of all {} tables match\n",
                 report.string(), db.string(), recorded->table_rows.size());
      return kExitOk;
    }
    fmt::print("{} was NOT made from {}:\n", report.string(), db.string());
    for (const std::string& d : differences) fmt::print("  {}\n", d);
    return kExitFindings;
  } catch (const std::exception& e) {
    error("{}", e.what());
    return kExitBadInput;
  }
}

}  // namespace regaudit::host
