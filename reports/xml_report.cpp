#include "xml_report.hpp"

#include <fmt/format.h>
#include <unicode/utf8.h>

#include <pugixml.hpp>
#include <sstream>

#include "atomic_file.hpp"
#include "regaudit/version.hpp"

namespace regaudit::reports {
namespace {

bool allowed_in_xml(UChar32 c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

std::string utc_timestamp(Instant unix_seconds) {
  // Unix time is UTC; the civil-time formatter applies no zone.
  return format_instant(unix_seconds) + "Z";
}

void set(pugi::xml_node node, const char* name, std::string_view value) {
  node.append_attribute(name).set_value(xml_safe(value).c_str());
}

void write_metric(pugi::xml_node parent, const host::Metric& m) {
  pugi::xml_node node = parent.append_child("metric");
  set(node, "name", m.name);
  if (const auto v = m.value()) set(node, "value", decimal(*v));
  if (m.available) {
    set(node, "numerator", decimal(m.numerator));
    if (m.is_share) set(node, "denominator", decimal(m.denominator));
  } else {
    set(node, "available", "false");
  }
}

void write_run(pugi::xml_node root, const host::AuditResult& r, const XmlOptions& options) {
  pugi::xml_node run = root.append_child("run");
  set(run, "tool", "regaudit");
  set(run, "version", kVersion);
  set(run, "period", r.period.label());
  set(run, "as-of", format_instant(r.period.as_of()));
  set(run, "generated-at", utc_timestamp(r.generated_at));
  set(run, "lang", options.lang);
  set(run, "reveal-pii", r.reveal_pii ? "true" : "false");

  pugi::xml_node input = run.append_child("input");
  set(input, "file", r.db_path.filename().string());
  set(input, "sha256", r.input_sha256);
  set(input, "bytes", std::to_string(r.input_bytes));
  for (const auto& [table, rows] : r.table_rows) {
    pugi::xml_node t = input.append_child("table");
    set(t, "name", table);
    set(t, "rows", std::to_string(rows));
  }
  pugi::xml_node profile = run.append_child("profile");
  set(profile, "name", r.profile_name);
  set(profile, "file", r.profile_file.filename().string());

  for (const host::RuleOutcome& rule : r.rules) {
    pugi::xml_node node = run.append_child("rule");
    set(node, "id", rule.id);
    set(node, "version", rule.version);
    set(node, "status", host::to_string(rule.status));
    set(node, "seconds", fmt::format("{:.3f}", rule.seconds));
    set(node, "title", rule.title);
    set(node, "plugin", rule.file.filename().string());
    if (!rule.reason.empty()) set(node, "reason", rule.reason);
    for (const auto& [name, value] : rule.params) {
      pugi::xml_node p = node.append_child("param");
      set(p, "name", name);
      set(p, "value", value);
    }
    for (const auto& [code, level] : rule.severities) {
      pugi::xml_node s = node.append_child("severity");
      set(s, "code", code);
      set(s, "level", to_string(level));
    }
    for (const auto& [key, count] : rule.unreadable) {
      pugi::xml_node u = node.append_child("unreadable");
      set(u, "table", key.table);
      set(u, "column", key.column);
      set(u, "count", std::to_string(count));
    }
  }
  for (const auto& refused : r.refused_plugins) {
    pugi::xml_node node = run.append_child("refused-plugin");
    set(node, "file", refused.file.filename().string());
    set(node, "reason", refused.reason);
  }
}

void write_findings(pugi::xml_node root, const host::AuditResult& r, const XmlOptions& options) {
  pugi::xml_node findings = root.append_child("findings");
  for (const host::ReportedFinding& rf : r.findings) {
    const Finding& f = rf.finding;
    pugi::xml_node node = findings.append_child("finding");
    set(node, "rule", f.rule_id);
    set(node, "code", f.code);
    set(node, "severity", to_string(f.severity));
    set(node, "fingerprint", rf.fingerprint);
    if (!rf.baseline.empty()) set(node, "baseline", rf.baseline);
    pugi::xml_node subject = node.append_child("subject");
    set(subject, "table", f.subject_table);
    set(subject, "key", std::to_string(f.subject_key));
    if (!f.street.empty()) set(node.append_child("street"), "code", f.street);
    set(node.append_child("cost"), "minutes", decimal(f.cost_minutes));
    const std::string& message = options.lang == "en" ? f.message_en : f.message_zh;
    node.append_child("message").text().set(xml_safe(message).c_str());
    if (!f.evidence.empty()) {
      pugi::xml_node evidence = node.append_child("evidence");
      for (const EvidenceRef& ref : f.evidence) {
        pugi::xml_node n = evidence.append_child("ref");
        set(n, "table", ref.table);
        set(n, "key", std::to_string(ref.key));
      }
    }
  }
  if (r.has_baseline) {
    pugi::xml_node resolved = root.append_child("resolved");
    for (const host::FindingRef& ref : r.resolved) {
      pugi::xml_node n = resolved.append_child("finding-ref");
      set(n, "rule", ref.rule);
      set(n, "code", ref.code);
      set(n, "fingerprint", ref.fingerprint);
    }
  }
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
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("audit-report");
  root.append_attribute("schema-version") = "1";
  write_run(root, result, options);
  pugi::xml_node summary = root.append_child("summary");
  for (const host::Metric& m : result.metrics) write_metric(summary, m);
  for (const host::StreetMetrics& sm : result.street_metrics) {
    pugi::xml_node street = summary.append_child("street");
    set(street, "code", sm.street);
    for (const host::Metric& m : sm.metrics) write_metric(street, m);
  }
  write_findings(root, result, options);
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default | pugi::format_no_declaration, pugi::encoding_utf8);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + out.str();
}

Status write_xml_report(const host::AuditResult& result, const XmlOptions& options,
                        const std::filesystem::path& path) {
  return write_file_atomically(path, render_xml_report(result, options));
}

}  // namespace regaudit::reports
