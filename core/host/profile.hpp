// Audit profiles: which rules run, with which parameters and severities.
//
//   <profile name="monthly" version="1">
//     <description>…</description>
//     <rule id="duplicate-inquiry">
//       <param name="window_days" value="7"/>
//       <severity code="after_self_report" level="high"/>
//     </rule>
//     <rule id="stale-phone" enabled="false"/>
//   </profile>
//
// Reading a profile only parses it; resolve() checks it against the loaded
// rules (unknown rule, code or parameter; a value of the wrong type) and
// produces each selected rule's effective configuration.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plugin_catalog.hpp"
#include "regaudit/finding.hpp"
#include "regaudit/rule.hpp"

namespace regaudit::host {

struct ProfileRule {
  std::string id;
  bool enabled = true;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> severities;  // code -> level, as written
  int line = 0;                                   // for error messages
};

struct Profile {
  std::filesystem::path file;
  std::string name;
  std::string description;
  std::vector<ProfileRule> rules;
};

// Parses `file`; errors name the file and what is wrong.
std::optional<Profile> read_profile(const std::filesystem::path& file, std::string& error);

// One rule as it will run: effective parameters (defaults overlaid by the
// profile) and severities.
struct ConfiguredRule {
  const CatalogRule* rule = nullptr;
  RuleOptions options;
  std::map<std::string, Severity> severities;  // every code of the rule
  // False for a rule the profile lists with enabled="false": it does not run,
  // and the report lists it with status "skipped".
  bool enabled = true;
};

// The rules the profile lists, in profile order (the disabled ones too, not
// enabled), followed by every rule from a --plugin-dir plugin that the
// profile does not mention (with defaults).
// Errors name the profile, the rule and the offending code, parameter or value.
std::optional<std::vector<ConfiguredRule>> resolve_profile(const Profile& profile,
                                                           const PluginCatalog& catalog,
                                                           std::string& error);

}  // namespace regaudit::host
