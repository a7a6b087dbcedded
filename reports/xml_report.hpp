// The XML report of SPEC section 6, streamed element by element.
#pragma once

#include <filesystem>
#include <string>

#include "audit.hpp"
#include "regaudit/status.hpp"

namespace regaudit::reports {

struct XmlOptions {
  std::string lang = "zh-CN";  // which message each finding carries: zh-CN or en
  // Threads that format the findings at most, besides the one writing them
  // (the bytes do not depend on it).
  unsigned jobs = 1;
};

// The whole document as UTF-8 text. Every string is made safe for XML 1.0
// first (invalid UTF-8 and forbidden control characters become U+FFFD).
std::string render_xml_report(const host::AuditResult& result, const XmlOptions& options);

// Renders and writes `path` atomically.
Status write_xml_report(const host::AuditResult& result, const XmlOptions& options,
                        const std::filesystem::path& path);

// `text` with invalid UTF-8 and characters XML 1.0 forbids replaced by U+FFFD.
std::string xml_safe(std::string_view text);

// Shortest decimal that reads back as `value` ("5.5", "0.6123"); never
// exponent notation, so it is a valid xs:decimal.
std::string decimal(double value);

}  // namespace regaudit::reports
