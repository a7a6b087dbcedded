// The HTML report: one self-contained file that officials read, print and
// attach to proposals. No external resource; CSS and script inline and
// allowed by hash in a strict Content-Security-Policy; every data value
// escaped.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "audit.hpp"
#include "i18n.hpp"
#include "regaudit/status.hpp"

namespace regaudit::reports {

struct HtmlOptions {
  Lang lang = Lang::zh_CN;
  // Findings listed per rule in the HTML; the XML report holds them all.
  std::size_t max_findings_per_rule = 500;
};

std::string render_html_report(const host::AuditResult& result, const HtmlOptions& options);

Status write_html_report(const host::AuditResult& result, const HtmlOptions& options,
                         const std::filesystem::path& path);

// &, <, >, " and ' as entities, after xml_safe().
std::string html_escape(std::string_view text);

// A small, safe Markdown subset for rule doc pages: headings, paragraphs,
// lists, tables, fenced code, `code` and **bold**. All text is escaped.
std::string markdown_to_html(std::string_view markdown);

// 'sha256-…' source expression of `content` for a CSP header.
std::string csp_hash(std::string_view content);

}  // namespace regaudit::reports
