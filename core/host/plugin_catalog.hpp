// Finds, checks and loads rule plugins, and keeps every rule they register.
//
// A plugin file is checked in this order, and refused at the first failure:
// it loads (dlopen through Boost.DLL); it exports the entry point; its ABI
// version equals the host's; its build tag equals the host's; its register
// function succeeds; its rule ids are new. Only then do its rules join the
// catalogue. Loaded libraries stay loaded until the process exits.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "regaudit/plugin.hpp"
#include "regaudit/status.hpp"

namespace regaudit::host {

struct CatalogRule {
  RuleEntry entry;
  std::filesystem::path file;  // the plugin library or rule file it came from
  std::string plugin_name;
  std::string plugin_version;
  bool from_install_dir = false;  // built-in (install's directories) or --plugin-dir
  // Makes a fresh instance; for a plugin rule, its entry's maker.
  std::function<std::unique_ptr<RuleInstance>()> make;
};

struct RefusedPlugin {
  std::filesystem::path file;
  std::string reason;
};

class PluginCatalog {
 public:
  // Loads every plugin ("*.so") and declarative rule ("*.xml" whose root is
  // <rule>) in `dir`, sorted by name. A missing directory is an error; a
  // refused file is recorded in refused() and the others still load.
  Status load_directory(const std::filesystem::path& dir, bool install_dir);
  // Loads the install's own rules: its plugin directory and the declarative
  // rules among its rules/*.xml. The error says what is missing.
  Status load_builtin();
  // Loads one declarative rule file (declarative_rule.hpp).
  Status load_rule_file(const std::filesystem::path& file, bool install_dir);
  // Loads one plugin file; the error (also recorded in refused()) names the
  // file and the reason.
  Status load_file(const std::filesystem::path& file, bool install_dir);

  // Plugin trust: by default a plugin file or directory that is
  // world-writable, or owned by a user other than root and the one running
  // regaudit, is refused. true turns the check off.
  void set_allow_untrusted(bool allow) { allow_untrusted_ = allow; }

  const std::vector<CatalogRule>& rules() const { return rules_; }
  const std::vector<RefusedPlugin>& refused() const { return refused_; }
  const CatalogRule* find(std::string_view rule_id) const;

 private:
  Status refuse(const std::filesystem::path& file, std::string reason);
  // Why `path` is not to be trusted; empty when it is.
  std::string distrust(const std::filesystem::path& path) const;
  std::vector<CatalogRule> rules_;
  std::vector<RefusedPlugin> refused_;
  bool allow_untrusted_ = false;
};

// The install's plugin directory, located relative to the running binary
// (<prefix>/bin/regaudit -> <prefix>/lib/regaudit/plugins).
std::filesystem::path install_plugin_dir();
// <prefix>/share/regaudit: rules/, reports/.
std::filesystem::path install_data_dir();

}  // namespace regaudit::host
