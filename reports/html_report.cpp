#include "html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "atomic_file.hpp"
#include "kReportCss.inc"
#include "kReportJs.inc"
#include "metrics.hpp"
#include "regaudit/version.hpp"
#include "sha256.hpp"
#include "xml_report.hpp"

namespace regaudit::reports {
namespace {

constexpr int kSmallCell = 5;  // aggregate cells counting fewer persons are shown as "<5"

std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 |
                       static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string hex_to_bytes(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string inline_markdown(std::string_view text) {
  // Escape first, then turn `code` and **bold** into tags: the markers are
  // plain ASCII, untouched by escaping.
  const std::string escaped = html_escape(text);
  std::string out;
  bool in_code = false;
  bool in_bold = false;
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '`') {
      out += in_code ? "</code>" : "<code>";
      in_code = !in_code;
    } else if (!in_code && escaped.compare(i, 2, "**") == 0) {
      out += in_bold ? "</strong>" : "<strong>";
      in_bold = !in_bold;
      ++i;
    } else {
      out.push_back(escaped[i]);
    }
  }
  if (in_code) out += "</code>";
  if (in_bold) out += "</strong>";
  return out;
}

std::vector<std::string_view> split_table_row(std::string_view line) {
  std::vector<std::string_view> cells;
  if (line.starts_with('|')) line.remove_prefix(1);
  if (line.ends_with('|')) line.remove_suffix(1);
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '|') {
      std::string_view cell = line.substr(start, i - start);
      while (!cell.empty() && cell.front() == ' ') cell.remove_prefix(1);
      while (!cell.empty() && cell.back() == ' ') cell.remove_suffix(1);
      cells.push_back(cell);
      start = i + 1;
    }
  }
  return cells;
}

std::string percent(double share) {
  return fmt::format("{:.1f} %", share * 100.0);
}

std::string hours(double h) {
  return fmt::format("{:.1f}", h);
}

std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

const host::Metric* find_metric(const std::vector<host::Metric>& metrics, std::string_view name) {
  for (const host::Metric& m : metrics) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::string metric_text(const host::Metric& m, Lang lang) {
  const auto v = m.value();
  if (!v) return std::string(tr(lang, "not_available"));
  return m.is_share ? percent(*v) : hours(*v);
}

struct Bar {
  std::string label;
  double value = 0;
  std::string value_text;
};

// A horizontal bar chart as inline SVG; colours come from the stylesheet.
std::string bar_chart(std::string_view title, const std::vector<Bar>& bars) {
  constexpr int kWidth = 760;
  constexpr int kLabelWidth = 250;
  constexpr int kBarHeight = 18;
  constexpr int kGap = 6;
  constexpr int kTop = 28;
  const int height = kTop + static_cast<int>(bars.size()) * (kBarHeight + kGap) + 8;
  double max_value = 0;
  for (const Bar& b : bars) max_value = std::max(max_value, b.value);
  std::string svg = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" "
      "xmlns=\"http://www.w3.org/2000/svg\"><text class=\"title\" x=\"0\" y=\"16\">{}</text>",
      kWidth, height, html_escape(title), html_escape(title));
  int y = kTop;
  for (const Bar& b : bars) {
    const double span = kWidth - kLabelWidth - 90;
    const int w = max_value > 0 ? static_cast<int>(b.value / max_value * span) : 0;
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>"
        "<rect class=\"bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"/>"
        "<text x=\"{}\" y=\"{}\">{}</text>",
        kLabelWidth - 6, y + 13, html_escape(b.label), kLabelWidth, y, std::max(w, 1), kBarHeight,
        kLabelWidth + std::max(w, 1) + 6, y + 13, html_escape(b.value_text));
    y += kBarHeight + kGap;
  }
  svg += "</svg>\n";
  return svg;
}

class HtmlWriter {
 public:
  HtmlWriter(const host::AuditResult& result, const HtmlOptions& options)
      : r_(result), options_(options), lang_(options.lang) {}

  std::string render() {
    header();
    summary();
    charts();
    rules();
    streets();
    provenance();
    return finish();
  }

 private:
  std::string_view t(std::string_view key) const { return tr(lang_, key); }
  std::string e(std::string_view text) const { return html_escape(text); }

  // A count of persons or events in an aggregate cell.
  std::string small_count(double n) const {
    if (!r_.reveal_pii && n > 0 && n < kSmallCell) return "&lt;5";
    return grouped(static_cast<std::uint64_t>(n));
  }

  void header() {
    body_ += fmt::format("<h1>{} · {}</h1>\n", e(t("report_title")), e(r_.period.label()));
    body_ +=
        fmt::format("<p class=\"meta\">{}: {} · {}: {} · {}: {} · {}: {}</p>\n", e(t("period")),
                    e(r_.period.label()), e(t("as_of")), e(format_instant(r_.period.as_of())),
                    e(t("registry")), e(r_.db_path.filename().string()), e(t("generated_at")),
                    e(format_instant(r_.generated_at) + "Z"));
    if (!r_.reveal_pii) body_ += fmt::format("<p class=\"note\">{}</p>\n", e(t("masked_note")));
    body_ += fmt::format(
        "<nav><strong>{}</strong><ol><li><a href=\"#summary\">{}</a></li><li><a "
        "href=\"#charts\">{}</a></li><li><a href=\"#rules\">{}</a></li><li><a "
        "href=\"#streets\">{}</a></li><li><a href=\"#provenance\">{}</a></li></ol></nav>\n",
        e(t("contents")), e(t("summary")), e(t("charts")), e(t("rules")), e(t("streets")),
        e(t("provenance")));
  }

  std::string delta_text(const host::Metric& now) const {
    if (!r_.has_baseline) return "";
    const host::Metric* before = find_metric(r_.baseline.metrics, now.name);
    const auto a = now.value();
    const auto b = before != nullptr ? before->value() : std::nullopt;
    if (!a || !b) return "";
    const double d = *a - *b;
    // Up is bad for every metric but the match rate.
    const bool good = now.name == host::kTripleMatchRate ? d >= 0 : d <= 0;
    const std::string amount = now.is_share
                                   ? fmt::format("{:+.1f} {}", d * 100.0, t("percentage_points"))
                                   : fmt::format("{:+.1f}", d);
    return fmt::format("<div class=\"delta {}\">{} {} ({})</div>", good ? "down-good" : "up-bad",
                       e(t("vs_last_month")), e(amount), e(r_.baseline.period));
  }

  void summary() {
    body_ += fmt::format("<section id=\"summary\"><h2>{}</h2>\n<div class=\"cards\">\n",
                         e(t("summary")));
    for (const host::Metric& m : r_.metrics) {
      body_ += fmt::format(
          "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div>{}<p "
          "class=\"help\">{}</p></div>\n",
          e(t(m.name)), e(metric_text(m, lang_)), delta_text(m), e(t(m.name + "_help")));
    }
    body_ += "</div></section>\n";
  }

  void charts() {
    body_ += fmt::format("<section id=\"charts\"><h2>{}</h2>\n", e(t("charts")));
    std::map<std::string, std::uint64_t> by_rule;
    std::map<std::string, double> minutes_by_rule;
    std::map<std::string, std::uint64_t> by_street;
    for (const host::RuleOutcome& o : r_.rules) by_rule[o.id] = 0;
    // Findings come in runs of one rule: its entries are looked up once per
    // run (a million findings at 1 M persons), not once per finding.
    std::string_view run_rule;
    std::uint64_t* run_count = nullptr;
    double* run_minutes = nullptr;
    std::unordered_map<std::string_view, std::uint64_t> street_counts;
    for (const host::ReportedFinding& rf : r_.findings) {
      if (run_count == nullptr || rf.finding.rule_id != run_rule) {
        run_rule = rf.finding.rule_id;
        run_count = &by_rule[rf.finding.rule_id];
        run_minutes = &minutes_by_rule[rf.finding.rule_id];
      }
      ++*run_count;
      *run_minutes += rf.finding.cost_minutes;
      if (!rf.finding.street.empty()) ++street_counts[rf.finding.street];
    }
    for (const auto& [street, n] : street_counts) by_street[std::string(street)] = n;
    std::vector<Bar> rule_bars;
    std::vector<Bar> hour_bars;
    for (const auto& [rule, n] : by_rule) {
      rule_bars.push_back({rule, static_cast<double>(n), grouped(n)});
      hour_bars.push_back(
          {rule, minutes_by_rule[rule] / 60.0, hours(minutes_by_rule[rule] / 60.0)});
    }
    body_ += bar_chart(t("findings_by_rule"), rule_bars);
    body_ += bar_chart(t("hours_by_rule"), hour_bars);
    std::vector<std::pair<std::string, std::uint64_t>> streets(by_street.begin(), by_street.end());
    std::stable_sort(streets.begin(), streets.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    if (streets.size() > 20) streets.resize(20);
    std::vector<Bar> street_bars;
    for (const auto& [code, n] : streets) {
      const auto name = r_.street_names.find(code);
      street_bars.push_back({name != r_.street_names.end() ? name->second : code,
                             static_cast<double>(n), grouped(n)});
    }
    body_ += bar_chart(t("findings_by_street"), street_bars);
    trend();
    body_ += "</section>\n";
  }

  void trend() {
    std::vector<const host::EarlierReport*> months;
    for (const host::EarlierReport& h : r_.history) months.push_back(&h);
    if (r_.has_baseline) months.push_back(&r_.baseline);
    std::stable_sort(months.begin(), months.end(),
                     [](const auto* a, const auto* b) { return a->period < b->period; });
    months.erase(std::unique(months.begin(), months.end(),
                             [](const auto* a, const auto* b) { return a->period == b->period; }),
                 months.end());
    if (months.empty()) return;
    body_ += fmt::format("<h3>{}</h3>\n", e(t("trend")));
    for (const host::Metric& current : r_.metrics) {
      std::vector<Bar> bars;
      for (const host::EarlierReport* month : months) {
        if (month->period == r_.period.label()) continue;
        const host::Metric* m = find_metric(month->metrics, current.name);
        const auto v = m != nullptr ? m->value() : std::nullopt;
        bars.push_back({month->period, v.value_or(0),
                        m != nullptr ? metric_text(*m, lang_) : std::string(t("not_available"))});
      }
      bars.push_back({r_.period.label(), current.value().value_or(0), metric_text(current, lang_)});
      body_ += bar_chart(t(current.name), bars);
    }
  }

  void rules() {
    body_ += fmt::format("<section id=\"rules\"><h2>{}</h2>\n", e(t("rules")));
    // Each rule's findings, gathered in one pass (a million findings at
    // 1 M persons; they come in runs of one rule).
    std::map<std::string_view, std::vector<const host::ReportedFinding*>> by_rule;
    for (const host::RuleOutcome& o : r_.rules) by_rule[o.id];
    std::string_view run_rule;
    std::vector<const host::ReportedFinding*>* run = nullptr;
    for (const host::ReportedFinding& rf : r_.findings) {
      if (run == nullptr || rf.finding.rule_id != run_rule) {
        run_rule = rf.finding.rule_id;
        run = &by_rule[run_rule];
      }
      run->push_back(&rf);
    }
    for (const host::RuleOutcome& o : r_.rules) rule_section(o, by_rule[o.id]);
    body_ += "</section>\n";
  }

  void rule_section(const host::RuleOutcome& o,
                    const std::vector<const host::ReportedFinding*>& mine) {
    body_ += fmt::format("<h3 id=\"rule-{}\">{} <code>{}</code> {}</h3>\n", e(o.id), e(o.title),
                         e(o.id), e(o.version));
    const std::string status_key = "status_" + std::string(host::to_string(o.status));
    body_ += fmt::format("<p>{}: <span class=\"status-{}\">{}</span>{}</p>\n", e(t("rule_status")),
                         e(host::to_string(o.status)), e(t(status_key)),
                         o.reason.empty() ? "" : " — " + e(o.reason));
    body_ += fmt::format("<div class=\"doc\"><p><strong>{}</strong></p>{}</div>\n",
                         e(t("what_it_checks")), markdown_to_html(o.documentation));
    // A rule that failed or was switched off has no counts to show: zeros
    // would read as "checked and clean".
    if (o.status != host::RuleOutcome::Status::ok) {
      body_ += fmt::format("<p class=\"note\">{}</p>\n", e(t("not_checked")));
      return;
    }
    code_counts(o, mine);
    findings_table(mine);
  }

  void code_counts(const host::RuleOutcome& o,
                   const std::vector<const host::ReportedFinding*>& mine) {
    body_ += fmt::format("<table><thead><tr><th>{}</th><th>{}</th><th class=\"num\">{}</th>",
                         e(t("code")), e(t("severity")), e(t("count")));
    if (r_.has_baseline) {
      body_ += fmt::format(
          "<th class=\"num\">{}</th><th class=\"num\">{}</th><th "
          "class=\"num\">{}</th>",
          e(t("new")), e(t("unchanged")), e(t("resolved")));
    }
    body_ += "</tr></thead><tbody>\n";
    // Per code: findings, and of them new ones, in one pass over the rule's
    // findings (not one per code).
    std::map<std::string_view, std::pair<std::uint64_t, std::uint64_t>> counts;
    std::string_view run_code;
    std::pair<std::uint64_t, std::uint64_t>* run = nullptr;
    for (const auto* rf : mine) {
      if (run == nullptr || rf->finding.code != run_code) {
        run_code = rf->finding.code;
        run = &counts[run_code];
      }
      ++run->first;
      if (rf->baseline == "new") ++run->second;
    }
    for (const CodeSpec& c : o.codes) {
      const auto counted = counts.find(c.code);
      const std::uint64_t total = counted != counts.end() ? counted->second.first : 0;
      const std::uint64_t fresh = counted != counts.end() ? counted->second.second : 0;
      std::uint64_t resolved = 0;
      for (const host::FindingRef& ref : r_.resolved) {
        if (ref.rule == o.id && ref.code == c.code) ++resolved;
      }
      const auto severity = o.severities.find(c.code);
      const Severity level = severity != o.severities.end() ? severity->second : c.default_severity;
      body_ += fmt::format(
          "<tr><td><code>{}</code><br><span class=\"note\">{}</span></td><td "
          "class=\"sev-{}\">{}</td><td class=\"num\">{}</td>",
          e(c.code), e(c.summary), to_string(level),
          e(t("severity_" + std::string(to_string(level)))), grouped(total));
      if (r_.has_baseline) {
        body_ += fmt::format(
            "<td class=\"num\">{}</td><td class=\"num\">{}</td><td "
            "class=\"num\">{}</td>",
            grouped(fresh), grouped(total - fresh), grouped(resolved));
      }
      body_ += "</tr>\n";
    }
    body_ += "</tbody></table>\n";
  }

  void findings_table(const std::vector<const host::ReportedFinding*>& mine) {
    if (mine.empty()) {
      body_ += fmt::format("<p class=\"note\">{}</p>\n", e(t("no_findings")));
      return;
    }
    const std::size_t shown = std::min(mine.size(), options_.max_findings_per_rule);
    if (shown < mine.size()) {
      std::string note(t("shown_of"));
      note.replace(note.find("{shown}"), 7, grouped(shown));
      note.replace(note.find("{total}"), 7, grouped(mine.size()));
      body_ += fmt::format("<p class=\"note\">{}</p>\n", e(note));
    }
    body_ += fmt::format(
        "<p class=\"note no-print\">{}</p><table class=\"sortable filterable findings\" "
        "data-filter-placeholder=\"{}\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th "
        "class=\"num\">{}</th><th>{}</th><th>{}</th>{}</tr></thead><tbody>\n",
        e(t("sort_hint")), e(t("filter_placeholder")), e(t("code")), e(t("severity")),
        e(t("subject")), e(t("street")), e(t("cost_minutes")), e(t("message")), e(t("evidence")),
        r_.has_baseline ? fmt::format("<th>{}</th>", e(t("baseline"))) : "");
    for (std::size_t i = 0; i < shown; ++i) {
      const host::ReportedFinding& rf = *mine[i];
      const Finding& f = rf.finding;
      std::string evidence;
      for (const EvidenceRef& ref : f.evidence) {
        if (!evidence.empty()) evidence += "<br>";
        evidence += e(fmt::format("{} #{}", ref.table, ref.key));
      }
      const std::string& message = lang_ == Lang::en ? f.message_en : f.message_zh;
      body_ += fmt::format(
          "<tr><td><code>{}</code></td><td class=\"sev-{}\">{}</td><td>{}</td><td>{}</td><td "
          "class=\"num\">{}</td><td>{}</td><td>{}</td>{}</tr>\n",
          e(f.code), to_string(f.severity), e(t("severity_" + std::string(to_string(f.severity)))),
          e(fmt::format("{} #{}", f.subject_table, f.subject_key)), e(f.street),
          e(decimal(f.cost_minutes)), e(message), evidence,
          r_.has_baseline ? fmt::format("<td>{}</td>", e(t(rf.baseline))) : "");
    }
    body_ += "</tbody></table>\n";
  }

  void streets() {
    body_ += fmt::format("<section id=\"streets\"><h2>{}</h2><p class=\"note\">{}</p>\n",
                         e(t("streets")), e(t("streets_intro")));
    body_ += fmt::format(
        "<table class=\"sortable filterable\" data-filter-placeholder=\"{}\"><thead><tr><th>{}</th>"
        "<th>{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th>"
        "<th class=\"num\">{}</th><th class=\"num\">{}</th><th class=\"num\">{}</th><th "
        "class=\"num\">{}</th></tr></thead><tbody>\n",
        e(t("filter_placeholder")), e(t("street")), e(t("street_name")), e(t("persons_checked")),
        e(t("triple_match_rate")), e(t("calls")), e(t("redundant_call_share")), e(t("checkins")),
        e(t("redundant_checkin_share")), e(t("wasted_staff_hours")));
    for (const host::StreetMetrics& sm : r_.street_metrics) {
      const auto name = r_.street_names.find(sm.street);
      body_ += fmt::format("<tr><td>{}</td><td>{}</td>", e(sm.street),
                           name != r_.street_names.end() ? e(name->second) : "");
      for (const host::Metric& m : sm.metrics) {
        if (m.is_share) {
          body_ += fmt::format("<td class=\"num\">{}</td>", small_count(m.denominator));
          const bool too_small = !r_.reveal_pii && m.denominator > 0 && m.denominator < kSmallCell;
          body_ += fmt::format("<td class=\"num\">{}</td>",
                               too_small ? "&lt;5" : e(metric_text(m, lang_)));
        } else {
          body_ += fmt::format("<td class=\"num\">{}</td>", e(metric_text(m, lang_)));
        }
      }
      body_ += "</tr>\n";
    }
    body_ += "</tbody></table></section>\n";
  }

  void provenance() {
    body_ +=
        fmt::format("<section id=\"provenance\"><h2>{}</h2>\n<table><tbody>\n", e(t("provenance")));
    const auto row = [&](std::string_view key, const std::string& value) {
      body_ += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", e(t(key)), e(value));
    };
    row("tool", fmt::format("regaudit {} ({})", kVersion, REGAUDIT_BUILD_TAG));
    row("period", r_.period.label());
    row("registry", r_.db_path.filename().string());
    row("input_sha256", r_.input_sha256);
    row("input_bytes", grouped(r_.input_bytes));
    row("profile", fmt::format("{} ({})", r_.profile_name, r_.profile_file.filename().string()));
    row("generated_at", format_instant(r_.generated_at) + "Z");
    body_ += "</tbody></table>\n";

    body_ +=
        fmt::format("<table><thead><tr><th>{}</th><th class=\"num\">{}</th></tr></thead><tbody>\n",
                    e(t("table")), e(t("rows")));
    for (const auto& [table, rows] : r_.table_rows) {
      body_ += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", e(table),
                           grouped(static_cast<std::uint64_t>(rows)));
    }
    body_ += "</tbody></table>\n";

    body_ += fmt::format(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th class=\"num\">{}</th><th>{}</th>"
        "<th>{}</th></tr></thead><tbody>\n",
        e(t("rule")), e(t("version")), e(t("rule_status")), e(t("seconds")), e(t("parameters")),
        e(t("unreadable_values")));
    for (const host::RuleOutcome& o : r_.rules) {
      std::string params;
      for (const auto& [name, value] : o.params) {
        params += e(fmt::format("{} = {}", name, value)) + "<br>";
      }
      for (const auto& [code, level] : o.severities) {
        params += e(fmt::format("{}: {}", code, to_string(level))) + "<br>";
      }
      std::string unreadable;
      for (const auto& [key, count] : o.unreadable) {
        unreadable += e(fmt::format("{}.{}: {}", key.table, key.column, count)) + "<br>";
      }
      body_ += fmt::format(
          "<tr><td>{} <span class=\"note\">{}</span></td><td>{}</td><td>{}</td><td "
          "class=\"num\">{:.3f}</td><td>{}</td><td>{}</td></tr>\n",
          e(o.id), e(o.file.filename().string()), e(o.version),
          e(t("status_" + std::string(host::to_string(o.status)))), o.seconds, params,
          unreadable.empty() ? e(t("none")) : unreadable);
    }
    body_ += "</tbody></table>\n";
    if (!r_.refused_plugins.empty()) {
      body_ += fmt::format("<h3>{}</h3><ul>\n", e(t("refused_plugins")));
      for (const auto& p : r_.refused_plugins) {
        body_ += fmt::format("<li>{}: {}</li>\n", e(p.file.filename().string()), e(p.reason));
      }
      body_ += "</ul>\n";
    }
    body_ += "</section>\n";
  }

  std::string finish() const {
    const std::string css = kReportCss;
    const std::string js = kReportJs;
    std::string html = "<!DOCTYPE html>\n";
    html += fmt::format("<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n", lang_tag(lang_));
    html += fmt::format(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
        "{}; script-src {}; img-src 'none'; base-uri 'none'; form-action 'none'\">\n",
        csp_hash(css), csp_hash(js));
    html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    html += fmt::format("<title>{} · {}</title>\n", e(t("report_title")), e(r_.period.label()));
    html += "<style>" + css + "</style>\n</head>\n";
    if (r_.reveal_pii) {
      html += fmt::format(
          "<body class=\"confidential-report\">\n<div class=\"confidential\">{}</div>\n",
          e(t("confidential")));
    } else {
      html += "<body>\n";
    }
    html += body_;
    html += "<script>" + js + "</script>\n</body>\n</html>\n";
    return html;
  }

  const host::AuditResult& r_;
  const HtmlOptions& options_;
  Lang lang_;
  std::string body_;
};

}  // namespace

std::string html_escape(std::string_view text) {
  const std::string safe = xml_safe(text);
  std::string out;
  out.reserve(safe.size());
  for (const char c : safe) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string markdown_to_html(std::string_view markdown) {
  std::istringstream in{std::string(markdown)};
  std::string html;
  std::string line;
  std::string paragraph;
  bool in_list = false;
  bool in_table = false;
  bool in_code = false;
  const auto flush_paragraph = [&] {
    if (!paragraph.empty()) html += "<p>" + inline_markdown(paragraph) + "</p>\n";
    paragraph.clear();
  };
  const auto close_blocks = [&] {
    flush_paragraph();
    if (in_list) html += "</ul>\n";
    if (in_table) html += "</tbody></table>\n";
    in_list = false;
    in_table = false;
  };
  while (std::getline(in, line)) {
    if (line.starts_with("```")) {
      if (in_code) {
        html += "</pre>\n";
      } else {
        close_blocks();
        html += "<pre>";
      }
      in_code = !in_code;
      continue;
    }
    if (in_code) {
      html += html_escape(line) + "\n";
      continue;
    }
    if (line.starts_with('|')) {
      const auto cells = split_table_row(line);
      const bool separator = std::all_of(line.begin(), line.end(), [](char c) {
        return c == '|' || c == '-' || c == ' ' || c == ':';
      });
      if (separator) continue;
      if (!in_table) {
        close_blocks();
        html += "<table><thead><tr>";
        for (const auto cell : cells) html += "<th>" + inline_markdown(cell) + "</th>";
        html += "</tr></thead><tbody>\n";
        in_table = true;
        continue;
      }
      html += "<tr>";
      for (const auto cell : cells) html += "<td>" + inline_markdown(cell) + "</td>";
      html += "</tr>\n";
      continue;
    }
    if (line.starts_with("- ")) {
      if (!in_list) {
        close_blocks();
        html += "<ul>\n";
        in_list = true;
      }
      html += "<li>" + inline_markdown(std::string_view(line).substr(2)) + "</li>\n";
      continue;
    }
    if (in_list && line.starts_with("  ") && !line.empty()) {
      html.insert(html.size() - 6, " " + inline_markdown(line));  // continues the last item
      continue;
    }
    if (line.starts_with('#')) {
      close_blocks();
      const std::size_t level = std::min<std::size_t>(line.find_first_not_of('#'), 4);
      const std::string text = line.substr(line.find_first_not_of("# "));
      html += fmt::format("<h{0}>{1}</h{0}>\n", level + 1, inline_markdown(text));
      continue;
    }
    if (line.find_first_not_of(' ') == std::string::npos) {
      close_blocks();
      continue;
    }
    if (in_list || in_table) close_blocks();
    if (!paragraph.empty()) paragraph.push_back(' ');
    paragraph += line;
  }
  if (in_code) html += "</pre>\n";
  close_blocks();
  return html;
}

std::string csp_hash(std::string_view content) {
  return "'sha256-" + base64(hex_to_bytes(host::sha256_hex(content))) + "'";
}

std::string render_html_report(const host::AuditResult& result, const HtmlOptions& options) {
  return HtmlWriter(result, options).render();
}

Status write_html_report(const host::AuditResult& result, const HtmlOptions& options,
                         const std::filesystem::path& path) {
  return write_file_atomically(path, render_html_report(result, options));
}

}  // namespace regaudit::reports
