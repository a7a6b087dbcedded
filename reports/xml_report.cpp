#include "xml_report.hpp"

#include <fmt/format.h>
#include <unicode/utf8.h>

#include <array>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <exception>
#include <functional>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "atomic_file.hpp"
#include "regaudit/version.hpp"

namespace regaudit::reports {
namespace {

bool allowed_in_xml(UChar32 c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Per ASCII byte: written as itself (0), escaped (1), or a character that
// XML forbids (2), which xml_safe replaces. In an attribute tab, LF and CR
// are escaped too; in text they are themselves.
using ByteKinds = std::array<std::uint8_t, 128>;
constexpr ByteKinds byte_kinds(bool attribute) {
  ByteKinds kinds{};
  for (int c = 0; c < 32; ++c) kinds[c] = 2;
  for (const int c : {'\t', '\n', '\r'}) kinds[c] = attribute ? 1 : 0;
  kinds['&'] = 1;
  kinds['<'] = 1;
  kinds[attribute ? '"' : '>'] = 1;
  return kinds;
}
constexpr ByteKinds kTextKinds = byte_kinds(false);
constexpr ByteKinds kAttributeKinds = byte_kinds(true);

std::string utc_timestamp(Instant unix_seconds) {
  // Unix time is UTC; the civil-time formatter applies no zone.
  return format_instant(unix_seconds) + "Z";
}

// Writes the report element by element into a sink, with the exact bytes
// pugixml's indented output had (the earlier writer built a DOM of the whole
// report; at city scale that DOM was the largest thing in memory): two spaces
// per level, ` />` for an element without content, text-only elements on one
// line, and pugixml's escapes (attributes: & < " and control characters as
// &#NN;; text: & < > and control characters other than tab, CR and LF).
class XmlWriter {
 public:
  explicit XmlWriter(const ChunkSink& sink) : sink_(sink) { out_.reserve(kFlushBytes + 4096); }
  // A writer that continues inside the elements `open` (outermost first),
  // whose start tags another writer has finished, and collects its text in
  // `buffer` (cleared; its capacity is reused) for take().
  XmlWriter(std::string buffer, std::vector<std::string_view> open)
      : sink_(no_sink()), out_(std::move(buffer)), names_(std::move(open)), collect_(true) {
    out_.clear();
  }
  std::string take() { return std::move(out_); }
  ~XmlWriter() = default;
  XmlWriter(const XmlWriter&) = delete;
  XmlWriter& operator=(const XmlWriter&) = delete;

  // Characters that XML 1.0 forbids (and invalid UTF-8) replaced so far.
  std::uint64_t replaced() const { return replaced_; }

  // Starts `<name`; attributes follow, then close_start(), text() or end().
  void open(std::string_view name) {
    if (start_open_) finish_start_tag();
    indent();
    out_ += '<';
    out_ += name;
    names_.push_back(name);
    start_open_ = true;
  }
  void attr(std::string_view name, std::string_view value) {
    attr_start(name);
    escape_safe(value, true);
    out_ += '"';
  }
  // An attribute whose value the report's code made from a fixed alphabet
  // (digits, hexadecimal, '.', '-', the severity names): nothing to escape.
  void attr_plain(std::string_view name, std::string_view value) {
    attr_start(name);
    out_ += value;
    out_ += '"';
  }
  // The attributes that mostly repeat the previous finding's (its rule, code
  // and tables: the findings are sorted by them), each escaped once per run
  // of equal values.
  enum class Repeated { rule, code, subject_table, ref_table, count };
  void attr_repeated(std::string_view name, std::string_view value, Repeated slot) {
    attr_start(name);
    Remembered& r = remembered_[static_cast<std::size_t>(slot)];
    if (r.known && r.raw == value) {
      out_ += r.escaped;
      replaced_ += r.replaced;
    } else {
      const std::size_t mark = out_.size();
      const std::uint64_t before = replaced_;
      escape_safe(value, true);
      r.raw.assign(value);
      r.escaped.assign(out_, mark);
      r.replaced = replaced_ - before;
      r.known = true;
    }
    out_ += '"';
  }
  // The element's only content: `<name …>text</name>`.
  void text_element(std::string_view name, std::string_view text) {
    open(name);
    out_ += '>';
    escape_safe(text, false);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
    names_.pop_back();
    start_open_ = false;
    maybe_flush();
  }
  void close() {
    const std::string_view name = names_.back();
    names_.pop_back();
    if (start_open_) {
      out_ += " />\n";
      start_open_ = false;
    } else {
      indent();
      out_ += "</";
      out_ += name;
      out_ += ">\n";
    }
    maybe_flush();
  }
  void flush() {
    if (!out_.empty()) sink_(out_);
    out_.clear();
  }
  // Ends the open start tag (`>`), so that content may come from elsewhere.
  void end_start_tag() {
    if (start_open_) finish_start_tag();
  }
  // Content written by another writer (see the second constructor), with the
  // characters it replaced.
  void append_written(std::string_view text, std::uint64_t replaced) {
    flush();
    sink_(text);
    replaced_ += replaced;
  }

 private:
  static constexpr std::size_t kFlushBytes = 1 << 20;

  static std::uint64_t count_replacements(std::string_view text) {
    std::uint64_t n = 0;
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    const auto length = static_cast<int32_t>(text.size());
    for (int32_t i = 0; i < length;) {
      UChar32 c;
      U8_NEXT(bytes, i, length, c);
      if (c < 0 || !allowed_in_xml(c)) ++n;
    }
    return n;
  }

  // ` name="`, the value and closing quote to follow.
  void attr_start(std::string_view name) {
    out_ += ' ';
    out_ += name;
    out_ += "=\"";
  }
  void finish_start_tag() {
    out_ += ">\n";
    start_open_ = false;
  }
  void indent() {
    for (std::size_t i = 0; i < names_.size(); ++i) out_ += "  ";
  }
  void maybe_flush() {
    if (!collect_ && out_.size() >= kFlushBytes) flush();
  }
  static const ChunkSink& no_sink() {
    static const ChunkSink sink = [](std::string_view) {};
    return sink;
  }
  void escape_safe(std::string_view s, bool attribute) {
    if (escape_valid(s, attribute)) return;
    const std::string safe = xml_safe(s);
    replaced_ += count_replacements(s);
    escape_valid(safe, attribute);  // xml_safe's text is valid
  }
  // Appends `s` escaped, in one pass, when xml_safe would leave it as it is
  // (no character XML forbids, no invalid UTF-8); otherwise false, with
  // nothing appended.
  bool escape_valid(std::string_view s, bool attribute) {
    const ByteKinds& kinds = attribute ? kAttributeKinds : kTextKinds;
    const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
    const auto length = static_cast<int32_t>(s.size());
    const std::size_t mark = out_.size();
    int32_t start = 0;     // of the run written as itself
    int32_t bytewise = 0;  // ASCII before this is taken byte by byte
    for (int32_t i = 0; i < length;) {
      const uint8_t b = bytes[i];
      // A three-byte sequence led by E1 to EC or EE to EF (U+1000 to U+CFFF
      // and U+E000 to U+FFFF: the CJK ideographs, the full-width forms) is
      // well formed when both others are continuation bytes, and allowed in
      // XML but for U+FFFE and U+FFFF.
      if (static_cast<uint8_t>(b - 0xE1) <= 0xEF - 0xE1 && i + 2 < length) {
        const unsigned tail = (unsigned{bytes[i + 1]} << 8) | bytes[i + 2];
        if ((tail & 0xC0C0) == 0x8080 && b != 0xED && (b != 0xEF || tail < 0xBFBE)) {
          i += 3;
          continue;
        }
      }
      // Eight printable ASCII bytes none of which is escaped in either mode,
      // tested at once (the masked IDs, dates and digits of the messages); a
      // word that fails is then taken byte by byte.
      if (b < 0x80 && i >= bytewise && i + 8 <= length) {
        if (plain_ascii_word(bytes + i)) {
          i += 8;
          continue;
        }
        bytewise = i + 8;
      }
      if (b < 0x80) {
        if (kinds[b] == 0) {
          ++i;
          continue;
        }
        if (kinds[b] == 2) {
          out_.resize(mark);
          return false;
        }
        out_.append(s.data() + start, static_cast<std::size_t>(i - start));
        escape_one(static_cast<char>(b));
        start = ++i;
        continue;
      }
      UChar32 c;
      U8_NEXT(bytes, i, length, c);
      if (c < 0 || !allowed_in_xml(c)) {
        out_.resize(mark);
        return false;
      }
    }
    out_.append(s.data() + start, static_cast<std::size_t>(length - start));
    return true;
  }
  // Whether the 8 bytes at `p` are all in 0x20..0x7F and none of & < > ".
  static bool plain_ascii_word(const uint8_t* p) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    std::uint64_t w = 0;
    std::memcpy(&w, p, sizeof w);
    // Some byte of `x` is zero exactly when some byte's (x - 1) borrows into
    // its high bit while x's own high bit is clear (whether any byte is below
    // n, likewise with n for 1, holds for n up to 0x80: `w` has no high bits,
    // checked first).
    const auto has_zero = [](std::uint64_t x) { return ((x - kOnes) & ~x & kHigh) != 0; };
    const auto has_byte = [&](std::uint8_t c) { return has_zero(w ^ (kOnes * c)); };
    if ((w & kHigh) != 0) return false;
    if (((w - kOnes * 0x20) & ~w & kHigh) != 0) return false;  // a byte below 0x20
    return !has_byte('&') && !has_byte('<') && !has_byte('>') && !has_byte('"');
  }
  // One character that byte_kinds() says is escaped.
  void escape_one(char ch) {
    switch (ch) {
      case '&':
        out_ += "&amp;";
        return;
      case '<':
        out_ += "&lt;";
        return;
      case '>':
        out_ += "&gt;";
        return;
      case '"':
        out_ += "&quot;";
        return;
      default:
        break;
    }
    const auto c = static_cast<unsigned char>(ch);
    out_ += "&#";
    out_ += static_cast<char>('0' + c / 10);
    out_ += static_cast<char>('0' + c % 10);
    out_ += ';';
  }

  struct Remembered {
    std::string raw;
    std::string escaped;
    std::uint64_t replaced = 0;  // characters escape_safe replaced in `raw`
    bool known = false;
  };

  const ChunkSink& sink_;
  std::string out_;
  std::array<Remembered, static_cast<std::size_t>(Repeated::count)> remembered_;
  std::vector<std::string_view> names_;  // open elements; names are literals
  std::uint64_t replaced_ = 0;
  bool start_open_ = false;  // `<name …` written, `>` not yet
  bool collect_ = false;     // text kept for take(), never flushed
};

void write_metric(XmlWriter& w, const host::Metric& m) {
  w.open("metric");
  w.attr("name", m.name);
  if (const auto v = m.value()) w.attr("value", decimal(*v));
  if (m.available) {
    w.attr("numerator", decimal(m.numerator));
    if (m.is_share) w.attr("denominator", decimal(m.denominator));
  } else {
    w.attr("available", "false");
  }
  w.close();
}

void write_run(XmlWriter& w, const host::AuditResult& r, const XmlOptions& options) {
  w.open("run");
  w.attr("tool", "regaudit");
  w.attr("version", kVersion);
  w.attr("period", r.period.label());
  w.attr("as-of", format_instant(r.period.as_of()));
  w.attr("generated-at", utc_timestamp(r.generated_at));
  w.attr("lang", options.lang);
  w.attr("reveal-pii", r.reveal_pii ? "true" : "false");
  w.attr("fingerprint-key", r.fingerprint_key_id);

  w.open("input");
  w.attr("file", r.db_path.filename().string());
  w.attr("sha256", r.input_sha256);
  w.attr("bytes", std::to_string(r.input_bytes));
  for (const auto& [table, rows] : r.table_rows) {
    w.open("table");
    w.attr("name", table);
    w.attr("rows", std::to_string(rows));
    w.close();
  }
  w.close();
  w.open("profile");
  w.attr("name", r.profile_name);
  w.attr("file", r.profile_file.filename().string());
  w.close();

  for (const host::RuleOutcome& rule : r.rules) {
    w.open("rule");
    w.attr("id", rule.id);
    w.attr("version", rule.version);
    w.attr("status", host::to_string(rule.status));
    w.attr("seconds", fmt::format("{:.3f}", rule.seconds));
    w.attr("title", rule.title);
    w.attr("plugin", rule.file.filename().string());
    if (!rule.reason.empty()) w.attr("reason", rule.reason);
    for (const auto& [name, value] : rule.params) {
      w.open("param");
      w.attr("name", name);
      w.attr("value", value);
      w.close();
    }
    for (const auto& [code, level] : rule.severities) {
      w.open("severity");
      w.attr("code", code);
      w.attr("level", to_string(level));
      w.close();
    }
    for (const auto& [key, count] : rule.unreadable) {
      w.open("unreadable");
      w.attr("table", key.table);
      w.attr("column", key.column);
      w.attr("count", std::to_string(count));
      w.close();
    }
    w.close();
  }
  for (const auto& refused : r.refused_plugins) {
    w.open("refused-plugin");
    w.attr("file", refused.file.filename().string());
    w.attr("reason", refused.reason);
    w.close();
  }
  w.close();
}

void write_finding(XmlWriter& w, const host::ReportedFinding& rf, const XmlOptions& options) {
  {
    const Finding& f = rf.finding;
    using Repeated = XmlWriter::Repeated;
    w.open("finding");
    w.attr_repeated("rule", f.rule_id, Repeated::rule);
    w.attr_repeated("code", f.code, Repeated::code);
    w.attr_plain("severity", to_string(f.severity));
    w.attr_plain("fingerprint", rf.fingerprint);
    if (!rf.baseline.empty()) w.attr_plain("baseline", rf.baseline);
    w.open("subject");
    w.attr_repeated("table", f.subject_table, Repeated::subject_table);
    const fmt::format_int key(f.subject_key);
    w.attr_plain("key", {key.data(), key.size()});
    w.close();
    if (!f.street.empty()) {
      w.open("street");
      w.attr("code", f.street);
      w.close();
    }
    w.open("cost");
    w.attr_plain("minutes", decimal(f.cost_minutes));
    w.close();
    w.text_element("message", options.lang == "en" ? f.message_en : f.message_zh);
    if (!f.evidence.empty()) {
      w.open("evidence");
      for (const EvidenceRef& ref : f.evidence) {
        w.open("ref");
        w.attr_repeated("table", ref.table, Repeated::ref_table);
        const fmt::format_int ref_key(ref.key);
        w.attr_plain("key", {ref_key.data(), ref_key.size()});
        w.close();
      }
      w.close();
    }
    w.close();
  }
}

// Findings per block formatted on another thread (the order of the blocks,
// and so the bytes, do not depend on the threads).
constexpr std::size_t kFindingsPerBlock = 8192;

// Findings [from, to) as text, in `buffer` (whose capacity is reused: fresh
// memory for every block cost more in page faults than the formatting saved).
std::pair<std::string, std::uint64_t> format_findings(const host::AuditResult& r,
                                                      const XmlOptions& options, std::size_t from,
                                                      std::size_t to, std::string buffer) {
  XmlWriter w(std::move(buffer), {"audit-report", "findings"});
  for (std::size_t i = from; i < to; ++i) write_finding(w, r.findings[i], options);
  return {w.take(), w.replaced()};
}

// Blocks of findings formatted ahead, on `jobs` threads, while the calling
// thread writes them in order: at 10 M persons the 4 GB of text took 12 s on
// one thread. The formatters run at most a few blocks (a few MB each) ahead
// of the writing, so that they go on while a block is being written (a write
// past the page cache waits for the disk) without holding the report in
// memory.
class BlockFormatter {
 public:
  BlockFormatter(const host::AuditResult& r, const XmlOptions& options)
      : r_(r),
        options_(options),
        blocks_((r.findings.size() + kFindingsPerBlock - 1) / kFindingsPerBlock),
        slots_(std::size_t{options.jobs} + 2) {}
  BlockFormatter(const BlockFormatter&) = delete;
  BlockFormatter& operator=(const BlockFormatter&) = delete;

  // Hands every block, in order, to `write`. Returns false, having written
  // nothing, when the system refuses every formatting thread.
  bool write_all(const std::function<void(std::string_view, std::uint64_t)>& write) {
    std::vector<std::jthread> formatters;
    try {
      for (unsigned i = 0; i < options_.jobs; ++i) formatters.emplace_back([this] { format(); });
    } catch (const std::system_error&) {
      if (formatters.empty()) return false;  // the caller formats the blocks itself
    }
    // Whatever happens here, the formatters are told to stop before they
    // are joined.
    struct Stop {
      BlockFormatter& f;
      ~Stop() {
        const std::lock_guard lock(f.mutex_);
        f.stop_ = true;
        f.changed_.notify_all();
      }
    } stop{*this};
    for (std::size_t b = 0; b < blocks_; ++b) {
      Slot& slot = slots_[b % slots_.size()];
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return slot.ready; });
      if (slot.error) std::rethrow_exception(slot.error);
      lock.unlock();
      write(slot.text, slot.replaced);
      lock.lock();
      slot.ready = false;  // its buffer is reused for the block `slots_` later
      written_ = b + 1;
      changed_.notify_all();
    }
    return true;
  }

 private:
  struct Slot {
    std::string text;  // capacity reused: fresh memory for every block cost more in page faults
    std::uint64_t replaced = 0;
    bool ready = false;
    std::exception_ptr error;
  };

  void format() {
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock,
                    [&] { return stop_ || next_ == blocks_ || next_ < written_ + slots_.size(); });
      if (stop_ || next_ == blocks_) return;
      const std::size_t b = next_++;
      Slot& slot = slots_[b % slots_.size()];
      std::string buffer = std::move(slot.text);
      lock.unlock();
      std::pair<std::string, std::uint64_t> formatted;
      std::exception_ptr error;
      try {
        const std::size_t from = b * kFindingsPerBlock;
        formatted = format_findings(r_, options_, from,
                                    std::min(r_.findings.size(), from + kFindingsPerBlock),
                                    std::move(buffer));
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      slot.text = std::move(formatted.first);
      slot.replaced = formatted.second;
      slot.error = error;
      slot.ready = true;
      changed_.notify_all();
    }
  }

  const host::AuditResult& r_;
  const XmlOptions& options_;
  const std::size_t blocks_;
  std::vector<Slot> slots_;  // block b in slots_[b % size]
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t next_ = 0;     // the next block to format
  std::size_t written_ = 0;  // blocks written so far
  bool stop_ = false;
};

void write_findings(XmlWriter& w, const host::AuditResult& r, const XmlOptions& options) {
  w.open("findings");
  const std::size_t n = r.findings.size();
  bool written = false;
  if (options.jobs > 1 && n > kFindingsPerBlock) {
    w.end_start_tag();
    BlockFormatter formatter(r, options);
    written = formatter.write_all(
        [&](std::string_view text, std::uint64_t replaced) { w.append_written(text, replaced); });
  }
  if (!written) {
    for (const host::ReportedFinding& rf : r.findings) write_finding(w, rf, options);
  }
  w.close();
  if (r.has_baseline) {
    w.open("resolved");
    for (const host::FindingRef& ref : r.resolved) {
      w.open("finding-ref");
      w.attr("rule", ref.rule);
      w.attr("code", ref.code);
      w.attr("fingerprint", ref.fingerprint);
      w.close();
    }
    w.close();
  }
}

void write_report(const host::AuditResult& result, const XmlOptions& options,
                  const ChunkSink& sink) {
  sink("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  XmlWriter w(sink);
  w.open("audit-report");
  w.attr("schema-version", "1");
  write_run(w, result, options);
  w.open("summary");
  for (const host::Metric& m : result.metrics) write_metric(w, m);
  for (const host::StreetMetrics& sm : result.street_metrics) {
    w.open("street");
    w.attr("code", sm.street);
    for (const host::Metric& m : sm.metrics) write_metric(w, m);
    w.close();
  }
  w.close();
  write_findings(w, result, options);
  if (w.replaced() > 0) {
    // Counted, never silent: control characters and invalid UTF-8 in the
    // registry's text became U+FFFD.
    w.open("replaced-characters");
    w.attr("count", std::to_string(w.replaced()));
    w.close();
  }
  w.close();
  w.flush();
}

}  // namespace

std::string xml_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const auto length = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < length;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0 || !allowed_in_xml(c)) {
      out += "\xEF\xBF\xBD";
    } else {
      out.append(text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start)));
    }
  }
  return out;
}

std::string decimal(double value) {
  if (value == 0) return "0";
  std::string s = fmt::format("{:.6f}", value);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string render_xml_report(const host::AuditResult& result, const XmlOptions& options) {
  std::string out;
  write_report(result, options, [&out](std::string_view piece) { out.append(piece); });
  return out;
}

Status write_xml_report(const host::AuditResult& result, const XmlOptions& options,
                        const std::filesystem::path& path) {
  return write_file_atomically(path,
                               [&](const ChunkSink& sink) { write_report(result, options, sink); });
}

}  // namespace regaudit::reports
