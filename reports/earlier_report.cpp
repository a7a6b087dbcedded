#include "earlier_report.hpp"

#include <fmt/format.h>

#include <pugixml.hpp>
#include <set>

namespace regaudit::reports {
namespace {

std::optional<pugi::xml_node> load_report(pugi::xml_document& doc,
                                          const std::filesystem::path& file, std::string& error) {
  const pugi::xml_parse_result parsed = doc.load_file(file.c_str());
  if (!parsed) {
    error = fmt::format("{}: not a readable XML report: {} at byte {}", file.string(),
                        parsed.description(), parsed.offset);
    return std::nullopt;
  }
  const pugi::xml_node root = doc.child("audit-report");
  if (!root || std::string_view(root.attribute("schema-version").as_string()) != "1") {
    error = fmt::format("{}: not a regaudit report of schema version 1", file.string());
    return std::nullopt;
  }
  return root;
}

}  // namespace

std::optional<host::EarlierReport> read_earlier_report(const std::filesystem::path& file,
                                                       std::string& error) {
  pugi::xml_document doc;
  const auto root = load_report(doc, file, error);
  if (!root) return std::nullopt;
  host::EarlierReport report;
  report.period = root->child("run").attribute("period").as_string();
  report.fingerprint_key_id = root->child("run").attribute("fingerprint-key").as_string();
  if (!AuditPeriod::parse(report.period)) {
    error = fmt::format("{}: <run> has no valid period", file.string());
    return std::nullopt;
  }
  for (const pugi::xml_node m : root->child("summary").children("metric")) {
    host::Metric metric;
    metric.name = m.attribute("name").as_string();
    metric.available = m.attribute("available").as_bool(true);
    metric.numerator = m.attribute("numerator").as_double();
    metric.is_share = !m.attribute("denominator").empty();
    metric.denominator = m.attribute("denominator").as_double();
    report.metrics.push_back(metric);
  }
  for (const pugi::xml_node f : root->child("findings").children("finding")) {
    report.findings.push_back({f.attribute("rule").as_string(), f.attribute("code").as_string(),
                               f.attribute("fingerprint").as_string()});
  }
  return report;
}

void apply_baseline(host::AuditResult& result, host::EarlierReport baseline) {
  std::set<std::string, std::less<>> before;
  for (const host::FindingRef& ref : baseline.findings) before.insert(ref.fingerprint);
  std::set<std::string, std::less<>> now;
  for (host::ReportedFinding& rf : result.findings) {
    rf.baseline = before.contains(rf.fingerprint.view()) ? "unchanged" : "new";
    now.emplace(rf.fingerprint.view());
  }
  // Gone means looked for and not found: a finding of a rule that failed in
  // this run, or is not in it (left out of the profile), is not resolved;
  // nobody checked.
  std::set<std::string, std::less<>> checked;
  for (const host::RuleOutcome& rule : result.rules) {
    if (rule.status == host::RuleOutcome::Status::ok) checked.insert(rule.id);
  }
  result.resolved.clear();
  for (const host::FindingRef& ref : baseline.findings) {
    if (!now.contains(ref.fingerprint) && checked.contains(ref.rule)) {
      result.resolved.push_back(ref);
    }
  }
  result.has_baseline = true;
  result.baseline = std::move(baseline);
}

std::optional<RecordedInput> read_recorded_input(const std::filesystem::path& file,
                                                 std::string& error) {
  pugi::xml_document doc;
  const auto root = load_report(doc, file, error);
  if (!root) return std::nullopt;
  const pugi::xml_node input = root->child("run").child("input");
  if (!input) {
    error = fmt::format("{}: the report has no <input> element", file.string());
    return std::nullopt;
  }
  RecordedInput recorded;
  recorded.sha256 = input.attribute("sha256").as_string();
  recorded.bytes = input.attribute("bytes").as_ullong();
  for (const pugi::xml_node t : input.children("table")) {
    recorded.table_rows.emplace_back(t.attribute("name").as_string(),
                                     t.attribute("rows").as_llong());
  }
  return recorded;
}

}  // namespace regaudit::reports
