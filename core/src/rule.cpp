#include "regaudit/rule.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <stdexcept>

#include "regaudit/finding.hpp"

namespace regaudit {
namespace {

std::optional<std::int64_t> parse_integer(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> parse_real(std::string_view s) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<bool> parse_boolean(std::string_view s) {
  if (s == "true" || s == "1" || s == "yes") return true;
  if (s == "false" || s == "0" || s == "no") return false;
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::info:
      return "info";
    case Severity::low:
      return "low";
    case Severity::medium:
      return "medium";
    case Severity::high:
      return "high";
    case Severity::critical:
      return "critical";
  }
  return "medium";
}

std::optional<Severity> parse_severity(std::string_view text) {
  for (const Severity s :
       {Severity::info, Severity::low, Severity::medium, Severity::high, Severity::critical}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::string_view to_string(ParamType type) {
  switch (type) {
    case ParamType::integer:
      return "integer";
    case ParamType::real:
      return "real";
    case ParamType::boolean:
      return "boolean";
    case ParamType::text:
      return "text";
  }
  return "text";
}

Status check_param_value(ParamType type, std::string_view value) {
  const bool ok = [&] {
    switch (type) {
      case ParamType::integer:
        return parse_integer(value).has_value();
      case ParamType::real:
        return parse_real(value).has_value();
      case ParamType::boolean:
        return parse_boolean(value).has_value();
      case ParamType::text:
        return true;
    }
    return false;
  }();
  if (ok) return Status::ok();
  return Status::error(fmt::format("'{}' is not a valid {}", value, to_string(type)));
}

namespace {
const std::string& lookup(const std::map<std::string, std::string>& values, std::string_view name) {
  const auto it = values.find(std::string(name));
  if (it == values.end()) {
    throw std::invalid_argument(fmt::format("parameter '{}' is not declared by this rule", name));
  }
  return it->second;
}

[[noreturn]] void bad_value(std::string_view name, std::string_view value, ParamType type) {
  throw std::invalid_argument(
      fmt::format("parameter '{}': '{}' is not a valid {}", name, value, to_string(type)));
}
}  // namespace

std::int64_t RuleOptions::get_integer(std::string_view name) const {
  const std::string& v = lookup(values_, name);
  if (const auto parsed = parse_integer(v)) return *parsed;
  bad_value(name, v, ParamType::integer);
}

double RuleOptions::get_real(std::string_view name) const {
  const std::string& v = lookup(values_, name);
  if (const auto parsed = parse_real(v)) return *parsed;
  bad_value(name, v, ParamType::real);
}

bool RuleOptions::get_boolean(std::string_view name) const {
  const std::string& v = lookup(values_, name);
  if (const auto parsed = parse_boolean(v)) return *parsed;
  bad_value(name, v, ParamType::boolean);
}

const std::string& RuleOptions::get_text(std::string_view name) const {
  return lookup(values_, name);
}

}  // namespace regaudit
