#include "profile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <pugixml.hpp>
#include <set>

namespace regaudit::host {
namespace {

int line_of(const pugi::xml_node& node, const std::vector<std::ptrdiff_t>& line_starts) {
  const std::ptrdiff_t offset = node.offset_debug();
  const auto it = std::upper_bound(line_starts.begin(), line_starts.end(), offset);
  return static_cast<int>(it - line_starts.begin());
}

std::vector<std::ptrdiff_t> line_starts_of(const std::filesystem::path& file) {
  std::vector<std::ptrdiff_t> starts{0};
  FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) return starts;
  std::ptrdiff_t offset = 0;
  for (int c = std::fgetc(f); c != EOF; c = std::fgetc(f)) {
    ++offset;
    if (c == '\n') starts.push_back(offset);
  }
  std::fclose(f);
  return starts;
}

}  // namespace

std::optional<Profile> read_profile(const std::filesystem::path& file, std::string& error) {
  pugi::xml_document doc;
  const pugi::xml_parse_result parsed = doc.load_file(file.c_str());
  if (!parsed) {
    error = fmt::format("profile {}: {} at byte {}", file.string(), parsed.description(),
                        parsed.offset);
    return std::nullopt;
  }
  const auto lines = line_starts_of(file);
  const pugi::xml_node root = doc.document_element();
  if (std::string_view(root.name()) != "profile") {
    error = fmt::format("profile {}: the root element must be <profile>, not <{}>", file.string(),
                        root.name());
    return std::nullopt;
  }
  Profile profile;
  profile.file = file;
  profile.name = root.attribute("name").as_string(file.stem().c_str());
  profile.description = root.child_value("description");
  std::set<std::string> seen;
  for (const pugi::xml_node node : root.children()) {
    if (node.type() != pugi::node_element) continue;
    const std::string element = node.name();
    const int line = line_of(node, lines);
    if (element == "description") continue;
    if (element != "rule") {
      error = fmt::format("profile {} line {}: unknown element <{}>", file.string(), line, element);
      return std::nullopt;
    }
    ProfileRule rule;
    rule.id = node.attribute("id").as_string();
    rule.line = line;
    if (rule.id.empty()) {
      error = fmt::format("profile {} line {}: <rule> needs an id", file.string(), line);
      return std::nullopt;
    }
    if (!seen.insert(rule.id).second) {
      error = fmt::format("profile {} line {}: rule '{}' is listed twice", file.string(), line,
                          rule.id);
      return std::nullopt;
    }
    const std::string enabled = node.attribute("enabled").as_string("true");
    if (enabled != "true" && enabled != "false") {
      error = fmt::format("profile {} line {}: enabled must be true or false, not '{}'",
                          file.string(), line, enabled);
      return std::nullopt;
    }
    rule.enabled = enabled == "true";
    for (const pugi::xml_node child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      const std::string kind = child.name();
      const int child_line = line_of(child, lines);
      if (kind == "param") {
        rule.params[child.attribute("name").as_string()] = child.attribute("value").as_string();
      } else if (kind == "severity") {
        rule.severities[child.attribute("code").as_string()] = child.attribute("level").as_string();
      } else {
        error = fmt::format("profile {} line {}: unknown element <{}> in rule '{}'", file.string(),
                            child_line, kind, rule.id);
        return std::nullopt;
      }
    }
    profile.rules.push_back(std::move(rule));
  }
  return profile;
}

namespace {

std::optional<ConfiguredRule> configure_rule(const Profile& profile, const ProfileRule* pr,
                                             const CatalogRule& rule, std::string& error) {
  const RuleInfo& info = rule.entry.info;
  const std::string where = pr != nullptr
                                ? fmt::format("profile {} line {}", profile.file.string(), pr->line)
                                : fmt::format("rule '{}'", info.id);
  ConfiguredRule configured;
  configured.rule = &rule;
  std::map<std::string, std::string> values;
  for (const ParamSpec& p : info.params) values[p.name] = p.default_value;
  for (const CodeSpec& c : info.codes) configured.severities[c.code] = c.default_severity;
  if (pr != nullptr) {
    for (const auto& param : pr->params) {
      const std::string& name = param.first;
      const std::string& value = param.second;
      const auto spec = std::find_if(info.params.begin(), info.params.end(),
                                     [&](const ParamSpec& p) { return p.name == name; });
      if (spec == info.params.end()) {
        error = fmt::format("{}: rule '{}' has no parameter '{}'", where, info.id, name);
        return std::nullopt;
      }
      if (const Status s = check_param_value(spec->type, value); !s) {
        error = fmt::format("{}: parameter '{}.{}': {}", where, info.id, name, s.message());
        return std::nullopt;
      }
      values[name] = value;
    }
    for (const auto& [code, level] : pr->severities) {
      if (!configured.severities.contains(code)) {
        error = fmt::format("{}: rule '{}' has no code '{}'", where, info.id, code);
        return std::nullopt;
      }
      const auto severity = parse_severity(level);
      if (!severity) {
        error = fmt::format(
            "{}: severity of '{}.{}' must be info, low, medium, high or critical, "
            "not '{}'",
            where, info.id, code, level);
        return std::nullopt;
      }
      configured.severities[code] = *severity;
    }
  }
  configured.options = RuleOptions(std::move(values));
  return configured;
}

}  // namespace

std::optional<std::vector<ConfiguredRule>> resolve_profile(const Profile& profile,
                                                           const PluginCatalog& catalog,
                                                           std::string& error) {
  std::vector<ConfiguredRule> out;
  for (const ProfileRule& pr : profile.rules) {
    const CatalogRule* rule = catalog.find(pr.id);
    if (rule == nullptr) {
      error = fmt::format("profile {} line {}: unknown rule '{}' (see 'regaudit rules')",
                          profile.file.string(), pr.line, pr.id);
      return std::nullopt;
    }
    auto configured = configure_rule(profile, &pr, *rule, error);
    if (!configured) return std::nullopt;
    configured->enabled = pr.enabled;
    out.push_back(std::move(*configured));
  }
  for (const CatalogRule& rule : catalog.rules()) {
    if (rule.from_install_dir) continue;
    const bool mentioned =
        std::any_of(profile.rules.begin(), profile.rules.end(),
                    [&](const ProfileRule& pr) { return pr.id == rule.entry.info.id; });
    if (mentioned) continue;
    auto configured = configure_rule(profile, nullptr, rule, error);
    if (!configured) return std::nullopt;
    out.push_back(std::move(*configured));
  }
  return out;
}

}  // namespace regaudit::host
