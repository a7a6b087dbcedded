#include "scaffold.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <regex>

#include "kScaffoldCMake.inc"
#include "kScaffoldDoc.inc"
#include "kScaffoldReadme.inc"
#include "kScaffoldRuleCpp.inc"
#include "kScaffoldRuleHpp.inc"
#include "kScaffoldTest.inc"
#include "paths.hpp"

namespace regaudit::host {
namespace {

std::string fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    const std::string placeholder = "{{" + key + "}}";
    for (auto pos = text.find(placeholder); pos != std::string::npos;
         pos = text.find(placeholder, pos + value.size())) {
      text.replace(pos, placeholder.size(), value);
    }
  }
  return text;
}

std::string camel_case(const std::string& id) {
  std::string out;
  bool upper = true;
  for (const char c : id) {
    if (c == '-') {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return out;
}

}  // namespace

Status write_rule_scaffold(const std::string& rule_id, const std::filesystem::path& dir) {
  if (!std::regex_match(rule_id, std::regex("[a-z][a-z0-9]*(-[a-z0-9]+)*"))) {
    return Status::error(fmt::format(
        "'{}' is not a rule id: use lower-case words and digits joined by hyphens, e.g. "
        "persons-without-name",
        rule_id));
  }
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec)) {
    return Status::error(
        fmt::format("{} exists and is not empty; nothing was written", dir.string()));
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::error(fmt::format("cannot create {}: {}", dir.string(), ec.message()));

  std::string target = rule_id;
  std::replace(target.begin(), target.end(), '-', '_');
  std::string macro = target;
  std::transform(macro.begin(), macro.end(), macro.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const std::map<std::string, std::string> values = {
      {"RULE_ID", rule_id},
      {"TARGET", target},
      {"CLASS", camel_case(rule_id)},
      {"NAMESPACE", target + "_rule"},
      {"MACRO", macro},
      {"PREFIX", install_prefix().string()},
  };
  const std::pair<std::string, const char*> files[] = {
      {"CMakeLists.txt", kScaffoldCMake},
      {target + ".cpp", kScaffoldRuleCpp},
      {target + ".hpp", kScaffoldRuleHpp},
      {target + "_test.cpp", kScaffoldTest},
      {"doc.md", kScaffoldDoc},
      {"README.md", kScaffoldReadme},
  };
  for (const auto& [name, text] : files) {
    std::ofstream out(dir / name, std::ios::binary);
    out << fill(text, values);
    if (!out) return Status::error(fmt::format("cannot write {}", (dir / name).string()));
  }
  return Status::ok();
}

}  // namespace regaudit::host
