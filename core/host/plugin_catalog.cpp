#include "plugin_catalog.hpp"

#include <fmt/format.h>
#include <fmt/std.h>

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include <cstring>
#include <memory>
#include <regex>

#include "declarative_rule.hpp"
#include "paths.hpp"

namespace regaudit::host {
namespace {

// Libraries are never unloaded: rule objects, their vtables and the strings
// they registered live in them.
std::vector<boost::dll::shared_library>& loaded_libraries() {
  static auto* libraries = new std::vector<boost::dll::shared_library>();
  return *libraries;
}

class CollectingRegistrar final : public RuleRegistrar {
 public:
  void add(RuleEntry entry) override { entries.push_back(std::move(entry)); }
  std::vector<RuleEntry> entries;
};

bool is_valid_rule_id(const std::string& id) {
  static const std::regex pattern("[a-z][a-z0-9]*(-[a-z0-9]+)*");
  return std::regex_match(id, pattern);
}

}  // namespace

Status PluginCatalog::refuse(const std::filesystem::path& file, std::string reason) {
  refused_.push_back({file, reason});
  return Status::error(fmt::format("plugin {} refused: {}", file.string(), reason));
}

std::string PluginCatalog::distrust(const std::filesystem::path& path) const {
  if (allow_untrusted_) return "";
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "";  // loading will report it
  if ((st.st_mode & S_IWOTH) != 0) {
    return fmt::format(
        "{} is world-writable, so anyone could have replaced it; fix its mode "
        "(chmod o-w) or pass --allow-untrusted-plugins",
        path.string());
  }
  if (st.st_uid != 0 && st.st_uid != geteuid()) {
    return fmt::format(
        "{} is owned by user {}, neither root nor you; pass "
        "--allow-untrusted-plugins if you trust it",
        path.string(), st.st_uid);
  }
  return "";
}

Status PluginCatalog::load_directory(const std::filesystem::path& dir, bool install_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::error(fmt::format("plugin directory {} does not exist", dir.string()));
  }
  if (const std::string why = distrust(dir); !why.empty()) {
    return Status::error(fmt::format("plugin directory refused: {}", why));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& item : std::filesystem::directory_iterator(dir, ec)) {
    const auto ext = item.path().extension();
    if (ext == ".so" || (ext == ".xml" && is_declarative_rule_file(item.path()))) {
      files.push_back(item.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    (void)(file.extension() == ".so" ? load_file(file, install_dir)
                                     : load_rule_file(file, install_dir));
  }
  return Status::ok();
}

Status PluginCatalog::load_file(const std::filesystem::path& file, bool install_dir) {
  if (const std::string why = distrust(file); !why.empty()) return refuse(file, why);
  boost::dll::shared_library library;
  boost::dll::fs::error_code ec;
  library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) return refuse(file, fmt::format("it cannot be loaded: {}", ec.message()));
  if (!library.has(kPluginEntryPoint)) {
    return refuse(file, fmt::format("it has no entry point '{}' (is it a regaudit plugin?)",
                                    kPluginEntryPoint));
  }
  const auto entry = library.get<const PluginDescriptor*()>(kPluginEntryPoint);
  const PluginDescriptor* descriptor = entry();
  if (descriptor == nullptr) return refuse(file, "its entry point returned no descriptor");
  if (descriptor->abi_version != kAbiVersion) {
    return refuse(file, fmt::format("it was built for plugin ABI version {}, this regaudit has "
                                    "ABI version {}; rebuild it against this SDK",
                                    descriptor->abi_version, kAbiVersion));
  }
  const char* tag = descriptor->build_tag != nullptr ? descriptor->build_tag : "";
  if (std::strcmp(tag, REGAUDIT_BUILD_TAG) != 0) {
    return refuse(file, fmt::format("its build tag '{}' differs from this regaudit's '{}'; "
                                    "rebuild it with the same compiler and SDK",
                                    tag, REGAUDIT_BUILD_TAG));
  }
  if (descriptor->register_rules == nullptr) return refuse(file, "it has no register function");
  CollectingRegistrar registrar;
  const Status registered = descriptor->register_rules(registrar);
  if (!registered) return refuse(file, "registering its rules failed: " + registered.message());
  for (const RuleEntry& e : registrar.entries) {
    if (!is_valid_rule_id(e.info.id)) {
      return refuse(
          file, fmt::format("rule id '{}' is not lower-case words joined by hyphens", e.info.id));
    }
    if (const CatalogRule* existing = find(e.info.id)) {
      return refuse(file, fmt::format("rule '{}' is already provided by {}", e.info.id,
                                      existing->file.string()));
    }
    if (e.make == nullptr) return refuse(file, fmt::format("rule '{}' has no factory", e.info.id));
  }
  const std::string plugin_name = descriptor->plugin_name != nullptr ? descriptor->plugin_name : "";
  const std::string plugin_version =
      descriptor->plugin_version != nullptr ? descriptor->plugin_version : "";
  loaded_libraries().push_back(std::move(library));
  for (RuleEntry& e : registrar.entries) {
    const RuleMaker maker = e.make;
    rules_.push_back({std::move(e), file, plugin_name, plugin_version, install_dir,
                      [maker] { return maker(); }});
  }
  return Status::ok();
}

Status PluginCatalog::load_rule_file(const std::filesystem::path& file, bool install_dir) {
  if (const std::string why = distrust(file); !why.empty()) return refuse(file, why);
  std::string error;
  auto definition = read_declarative_rule(file, error);
  if (!definition) return refuse(file, error);
  const std::string id = definition->info.id;
  if (!is_valid_rule_id(id)) {
    return refuse(file, fmt::format("rule id '{}' is not lower-case words joined by hyphens", id));
  }
  if (const CatalogRule* existing = find(id)) {
    return refuse(file,
                  fmt::format("rule '{}' is already provided by {}", id, existing->file.string()));
  }
  auto shared = std::make_shared<const DeclarativeDefinition>(std::move(*definition));
  CatalogRule rule;
  rule.entry.info = shared->info;
  rule.file = file;
  rule.plugin_name = "declarative";
  rule.plugin_version = shared->info.version;
  rule.from_install_dir = install_dir;
  rule.make = [shared] { return make_declarative_rule(shared); };
  rules_.push_back(std::move(rule));
  return Status::ok();
}

Status PluginCatalog::load_builtin() {
  const Status plugins = load_directory(install_plugin_dir(), true);
  const Status rules = load_directory(install_data_dir() / "rules", true);
  if (!plugins) return plugins;
  return rules;
}

const CatalogRule* PluginCatalog::find(std::string_view rule_id) const {
  for (const CatalogRule& r : rules_) {
    if (r.entry.info.id == rule_id) return &r;
  }
  return nullptr;
}

std::filesystem::path install_plugin_dir() {
  return install_prefix() / REGAUDIT_PLUGIN_SUBDIR;
}

std::filesystem::path install_data_dir() {
  return install_prefix() / REGAUDIT_DATA_SUBDIR;
}

}  // namespace regaudit::host
